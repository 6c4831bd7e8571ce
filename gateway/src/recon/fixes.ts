import { errorClassOf } from '../errors';
import { getInvoice } from '../infor/m3-programs/invoices';
import { addCashReceipt } from '../infor/m3-programs/receipts';
import { convert, postPaymentGl, receiptBatchId } from '../flows/shared/posting';
import { m3Today, scopeOf, type FlowContext } from '../flows/shared/context';
import { audit } from '../store/audit';
import { perform } from '../pipeline/intents';
import { getPayment, updatePayment } from '../pipeline/ledger';
import { AppError } from '../errors';
import { Money } from '../domain/money';

/**
 * The fixes the gateway makes itself, with the flows' own steps: the ARS040MI receipt of flow 2
 * (found again by its IRNO before it is added) and the payment's GLS840MI batch (found again by
 * its KEY1). Each runs under an intent, so a retried run never posts twice, and each is audited.
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

async function postReceipt(ctx: FlowContext, paymentId: string): Promise<Record<string, unknown>> {
  const payment = (await getPayment(ctx.db, paymentId)) ?? refuse(`payment ${paymentId} does not exist`);
  if (!payment.ivno || !payment.yea4 || !payment.amount || !payment.currency) refuse(`payment ${payment.reference} names no invoice or amount`);
  const scope = scopeOf(ctx.config, payment.cono ?? undefined, payment.divi ?? undefined);
  const result = await perform(ctx.db, {
    key: `${payment.id}:recon-receipt`,
    paymentId: payment.id,
    system: 'm3',
    operation: 'ARS040MI',
    request: { CINO: payment.ivno, INYR: payment.yea4, IRNO: payment.reference },
    idempotent: true, // addCashReceipt finds an earlier receipt by IRNO before it adds one
    execute: async () => {
      const invoice = (await getInvoice(ctx.m3, scope, payment.yea4!, payment.ivno!)) ?? refuse(`M3 has no invoice ${payment.ivno}/${payment.yea4}`);
      return addCashReceipt(ctx.m3, scope, {
        pbid: receiptBatchId(payment.id),
        paymentType: ctx.config.flows.receiptPaymentType,
        invoice: { ivno: invoice.ivno, yea4: invoice.yea4 },
        cuno: invoice.cuno,
        payer: invoice.payer,
        amount: Money.fromM3(payment.amount, payment.currency!).toFixedString(),
        currency: invoice.currency,
        reference: payment.reference,
        paymentDate: m3Today(),
      });
    },
  });
  await updatePayment(ctx.db, payment.id, { step: 'recon-receipt', fields: { receipt_ref: String(result.pbid) }, recordEvent: true, detail: { by: 'reconciliation' } });
  return { pbid: result.pbid, resumed: result.resumed };
}

async function postGl(ctx: FlowContext, paymentId: string): Promise<Record<string, unknown>> {
  const payment = (await getPayment(ctx.db, paymentId)) ?? refuse(`payment ${paymentId} does not exist`);
  if (!payment.amount || !payment.currency) refuse(`payment ${payment.reference} has no amount`);
  const scope = scopeOf(ctx.config, payment.cono ?? undefined, payment.divi ?? undefined);
  const amountText = Money.fromM3(payment.amount, payment.currency).toFixedString();
  const result = await perform(ctx.db, {
    key: `${payment.id}:recon-gl`,
    paymentId: payment.id,
    system: 'm3',
    operation: 'GLS840MI',
    idempotent: true, // postGlBatch reads the batch back by KEY1 and adds only what is missing
    execute: async () => {
      const amount = await convert(ctx, scope, amountText, payment.currency!);
      const posted = await postPaymentGl(ctx, scope, { paymentId: payment.id, transactionType: 'sale', card: {}, amount, reference: payment.reference });
      return { ...posted, localAmount: amount.local.toFixedString(), localCurrency: amount.local.currency };
    },
  });
  await updatePayment(ctx.db, payment.id, { step: 'recon-gl', fields: { gl_batch_key: result.key1 }, recordEvent: true, detail: { by: 'reconciliation' } });
  return result;
}

/** Apply a run's automatic fixes that are still pending; each outcome is recorded on its item. */
export async function applyFixes(ctx: FlowContext, runId: string, actor: string): Promise<{ done: number; failed: number }> {
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
