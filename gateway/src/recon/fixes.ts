import { AppError, errorClassOf } from '../errors';
import { getPayment, updatePayment, type Payment } from '../pipeline/ledger';
import { audit } from '../store/audit';
import type { ReconServices } from './context';

/**
 * The fixes the gateway makes itself, with the flows' own steps — not a copy of them: the
 * invoice-payment flow's `invoice` and `receipt` steps post a missing ARS040MI receipt (found again
 * by its IRNO first), and the payment's own flow's `amounts` and `gl` steps post a missing GLS840MI
 * batch (found again by its KEY1). They run under intents of their own (`<payment>:recon-<step>`),
 * with the published flow and rules versions, so a retried fix never posts twice; each is audited.
 */

interface FixItem {
  item_key: string;
  fix_action: 'post_receipt' | 'post_gl';
  payment_id: string;
  reason: string;
}

function refuse(message: string): never {
  throw new AppError(message, { code: 'RECON_FIX_NOT_POSSIBLE', errorClass: 'business' });
}

/** Which flow's steps fix which payment. */
const FLOW_OF: Record<string, string> = { invoice_payment: 'invoice-payment', ecommerce_sale: 'ecommerce-sale', refund: 'refund' };

async function runFix(ctx: ReconServices, payment: Payment, flowId: string, steps: string[]): Promise<Record<string, unknown>> {
  const pipeline = ctx.pipeline ?? refuse('the flows are not running on this gateway');
  const published = pipeline.flows.published(flowId) ?? refuse(`flow ${flowId} is not published`);
  const missing = steps.filter((id) => !published.flow.steps.some((s) => s.id === id));
  if (missing.length) refuse(`flow ${flowId} has no step ${missing.join(', ')}: the fix cannot run`);
  const outcome = await pipeline.runSteps(published.flow, payment, steps, 'recon-');
  return outcome;
}

async function postReceipt(ctx: ReconServices, paymentId: string): Promise<Record<string, unknown>> {
  const payment = (await getPayment(ctx.db, paymentId)) ?? refuse(`payment ${paymentId} does not exist`);
  if (!payment.ivno || !payment.yea4 || !payment.amount || !payment.currency) refuse(`payment ${payment.reference} names no invoice or amount`);
  const outputs = await runFix(ctx, payment, 'invoice-payment', ['invoice', 'receipt']);
  const receipt = outputs.receipt as { pbid: number; resumed: boolean } | undefined;
  if (!receipt) refuse(`the receipt step of invoice-payment did not run for ${payment.reference} (its condition was false)`);
  await updatePayment(ctx.db, payment.id, { step: 'recon-receipt', fields: { receipt_ref: String(receipt.pbid) }, recordEvent: true, detail: { by: 'reconciliation' } });
  return { pbid: receipt.pbid, resumed: receipt.resumed };
}

async function postGl(ctx: ReconServices, paymentId: string): Promise<Record<string, unknown>> {
  const payment = (await getPayment(ctx.db, paymentId)) ?? refuse(`payment ${paymentId} does not exist`);
  if (!payment.amount || !payment.currency) refuse(`payment ${payment.reference} has no amount`);
  const flowId = FLOW_OF[payment.flow] ?? refuse(`payment ${payment.reference} (${payment.flow}) has no GL posting flow`);
  // the GL step reads the card brand from the verification and the amounts from the conversion
  const outputs = await runFix(ctx, payment, flowId, flowId === 'refund' ? ['original-card', 'amounts', 'gl'] : ['verify', 'amounts', 'gl']);
  const gl = outputs.gl as { key1: string; rule: string } | undefined;
  const amounts = outputs.amounts as { local: { amount: string; currency: string } } | undefined;
  if (!gl) refuse(`the GL step of ${flowId} did not run for ${payment.reference}`);
  await updatePayment(ctx.db, payment.id, { step: 'recon-gl', fields: { gl_batch_key: gl.key1 }, recordEvent: true, detail: { by: 'reconciliation' } });
  return { ...gl, localAmount: amounts?.local.amount, localCurrency: amounts?.local.currency };
}

/** Apply a run's automatic fixes that are still pending; each outcome is recorded on its item. */
export async function applyFixes(ctx: ReconServices, runId: string, actor: string): Promise<{ done: number; failed: number }> {
  const pending = (await ctx.db('recon_items').where({ run_id: runId, fix_kind: 'auto' }).whereIn('fix_status', ['pending', 'failed']).whereNotNull('payment_id').orderBy('item_key')) as FixItem[];
  let done = 0;
  let failed = 0;
  // one fix per payment: leg A's receipt and leg B's GL are separate actions, but a payment is fixed once per action
  const seen = new Set<string>();
  for (const item of pending) {
    const once = `${item.payment_id}:${item.fix_action}`;
    if (seen.has(once)) continue;
    seen.add(once);
    try {
      const detail = item.fix_action === 'post_receipt' ? await postReceipt(ctx, item.payment_id) : await postGl(ctx, item.payment_id);
      await ctx.db.transaction(async (trx) => {
        await trx('recon_items').where({ run_id: runId, payment_id: item.payment_id, fix_action: item.fix_action }).update({ fix_status: 'done', fix_detail: JSON.stringify(detail) });
        await audit(trx, { actor, action: `recon.fix.${item.fix_action}`, subjectType: 'payment', subjectId: item.payment_id, reason: item.reason, details: { runId, item: item.item_key, ...detail } });
      });
      done++;
    } catch (err) {
      const classified = errorClassOf(err);
      if (classified.errorClass === 'transient') throw err; // the run resumes here
      await ctx.db('recon_items').where({ run_id: runId, item_key: item.item_key }).update({ fix_status: 'failed', fix_detail: `${classified.code}: ${classified.message}`.slice(0, 1000) });
      await audit(ctx.db, { actor, action: `recon.fix.${item.fix_action}.failed`, subjectType: 'payment', subjectId: item.payment_id, reason: classified.message.slice(0, 500), details: { runId, item: item.item_key, code: classified.code } });
      failed++;
    }
  }
  return { done, failed };
}
