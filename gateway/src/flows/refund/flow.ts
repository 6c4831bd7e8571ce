import { cardBrandOf } from '../../domain/gl';
import { Money } from '../../domain/money';
import { refundableRemainder, refundState } from '../../domain/status-map';
import { addCashReceipt } from '../../infor/m3-programs/receipts';
import { addToContext } from '../../observability/context';
import type { ExportedTransaction } from '../../paytrace/transformers/exports';
import type { InboxRow } from '../../pipeline/inbox';
import { perform } from '../../pipeline/intents';
import { openPayment, updatePayment, type Payment } from '../../pipeline/ledger';
import { announcePayment } from '../shared/announce';
import { fail, recordFlowError } from '../shared/outcome';
import { m3Today, scopeOf, type FlowContext } from '../shared/context';
import { cardOf, convert, glStep, receiptBatchId } from '../shared/posting';
import { refundRequestSchema } from './request';


interface MoneyMovement {
  kind: 'void' | 'refund';
  transactionId: number;
}

/**
 * Flow 4 — refund. PayTrace decides void or refund, never us: a refund of an unsettled sale
 * answers error 817, and then (only for the full amount) the sale is voided instead.
 *   bound the amount by what remains → PayTrace refund / void (intent, looked up after an
 *   unknown outcome) → M3: a reversing receipt line on the invoice → reversal GL → done.
 */
export async function runRefund(ctx: FlowContext, row: InboxRow): Promise<Payment> {
  const request = refundRequestSchema.parse(row.payload);
  addToContext({ refundId: request.refundId, paytraceTransactionId: request.originalTransactionId });
  const original = await ctx.db<Payment>('payments').where({ paytrace_transaction_id: request.originalTransactionId }).whereNot({ flow: 'refund' }).first();
  if (!original) fail('REFUND_ORIGINAL_UNKNOWN', `no payment of ours has PayTrace transaction ${request.originalTransactionId}`);
  if (!original.amount || !original.currency) fail('REFUND_ORIGINAL_INCOMPLETE', `payment ${original.reference} has no amount`);
  const scope = scopeOf(ctx.config, original.cono ?? undefined, original.divi ?? undefined);
  addToContext({ CONO: scope.cono, DIVI: scope.divi, IVNO: original.ivno ?? undefined, ORNO: original.orno ?? undefined });

  const requested = Money.parse(request.amount, request.currency);
  const { payment } = await openPayment(ctx.db, {
    flow: 'refund',
    reference: `REFUND-${request.refundId}`,
    status: 'requested',
    correlationId: row.correlation_id,
    fields: { parent_payment_id: original.id, cono: scope.cono, divi: scope.divi, cuno: original.cuno, ivno: original.ivno, yea4: original.yea4, orno: original.orno, amount: requested.toFixedString(), currency: requested.currency },
  });
  if (payment.status === 'completed') return payment;
  if (payment.parent_payment_id !== original.id || !Money.fromM3(payment.amount!, payment.currency!).equals(requested)) {
    fail('REFUND_ID_REUSED', `refund id ${request.refundId} was already used for another refund`);
  }

  try {
    const captured = Money.fromM3(original.amount, original.currency);
    const refundedBefore = await refundedSoFar(ctx, original.id, payment.id);
    refundableRemainder(captured, refundedBefore, requested); // throws REFUND_EXCEEDS_REMAINING

    // PayTrace: refund, or void when PayTrace says the sale is not settled yet (817).
    const movement = await perform<MoneyMovement>(ctx.db, {
      key: `${payment.id}:paytrace`,
      paymentId: payment.id,
      system: 'paytrace',
      operation: 'refund/for_transaction|void',
      request: { transaction_id: request.originalTransactionId, amount: requested.toFixedString() },
      lookup: () => findEarlierMovement(ctx, original, payment, requested),
      execute: async () => {
        const refund = await ctx.paytrace.refundTransaction({ transactionId: Number(request.originalTransactionId), amount: requested.toFixedString() });
        if (refund.approved && refund.transactionId) return { kind: 'refund', transactionId: refund.transactionId };
        // error 817: PayTrace has not settled the sale; only a void takes it back now
        if (refund.outcome === 'state_error' && refund.fieldErrors.some((e) => String(e.code) === '817')) {
          if (!requested.equals(captured) || !refundedBefore.isZero()) {
            fail('REFUND_NEEDS_SETTLEMENT', `PayTrace has not settled ${request.originalTransactionId}: only the whole amount can be voided now; replay this refund after settlement`);
          }
          const voided = await ctx.paytrace.voidTransaction({ transactionId: Number(request.originalTransactionId) });
          if (voided.approved) return { kind: 'void', transactionId: Number(request.originalTransactionId) };
          fail('REFUND_VOID_REFUSED', `PayTrace refused the void: ${voided.statusMessage}`, { responseCode: voided.responseCode });
        }
        fail('REFUND_REFUSED', `PayTrace refused the refund: ${refund.statusMessage}`, { responseCode: refund.responseCode, fieldErrors: refund.fieldErrors });
      },
    });
    await updatePayment(ctx.db, payment.id, {
      status: movement.kind === 'void' ? 'voided' : 'refunded_at_paytrace',
      step: 'paytrace',
      fields: { paytrace_transaction_id: movement.kind === 'refund' ? String(movement.transactionId) : null, settlement_state: movement.kind === 'void' ? 'voided' : 'pending_settlement' },
    });

    // M3: take the payment back off the invoice (a reversing receipt line), when it was on one.
    if (original.flow === 'invoice_payment' && original.ivno && original.yea4) {
      await perform(ctx.db, {
        key: `${payment.id}:receipt-reversal`,
        paymentId: payment.id,
        system: 'm3',
        operation: 'ARS040MI',
        idempotent: true, // addCashReceipt finds the reversal by its IRNO first
        execute: () =>
          addCashReceipt(ctx.m3, scope, {
            pbid: receiptBatchId(payment.id, 'refund'),
            paymentType: ctx.config.flows.receiptPaymentType,
            invoice: { ivno: original.ivno!, yea4: original.yea4! },
            cuno: original.cuno ?? '',
            amount: `-${requested.toFixedString()}`,
            currency: requested.currency,
            reference: payment.reference,
            paymentDate: m3Today(),
          }),
      });
    }

    const amount = await convert(ctx, scope, requested.toFixedString(), requested.currency);
    const card = await cardOfOriginal(ctx, original);
    const gl = await glStep(ctx, scope, { paymentId: payment.id, transactionType: 'refund', card, amount, reference: payment.reference });
    // Parent and announcement before 'completed': a completed refund is skipped on a re-run, so a
    // crash in between would lose them; both are safe to repeat.
    const done = await updatePayment(ctx.db, payment.id, { step: 'gl', fields: { gl_batch_key: gl.key1, local_amount: amount.local.toFixedString(), local_currency: amount.local.currency } });
    const parentState = movement.kind === 'void' ? 'voided' : refundState(captured, refundedBefore.add(requested));
    await updatePayment(ctx.db, original.id, { step: 'refund', recordEvent: true, fields: movement.kind === 'void' ? { settlement_state: 'voided' } : {}, detail: { refund: payment.reference, state: parentState } });
    await announcePayment(ctx, { ...done, paytrace_transaction_id: done.paytrace_transaction_id ?? original.paytrace_transaction_id }, {
      status: movement.kind === 'void' ? 'Voided' : 'Refunded',
      eventType: movement.kind === 'void' ? 'payment.voided' : 'payment.refunded',
      data: { flow: 'refund', reference: payment.reference, original: original.reference, amount: requested.toJSON(), kind: movement.kind, paytraceTransactionId: movement.transactionId, originalState: parentState },
      card: { brand: cardBrandOf(ctx.rules.gl, card), last4: card.maskedNumber?.slice(-4) },
    });
    return await updatePayment(ctx.db, payment.id, { status: 'completed', step: 'announce' });
  } catch (err) {
    return recordFlowError(ctx.db, payment.id, err);
  }
}

/** What earlier refunds of the same sale took (completed, or with money already moved). */
async function refundedSoFar(ctx: FlowContext, originalId: string, exceptId: string): Promise<Money> {
  const rows = await ctx.db<Payment>('payments')
    .where({ parent_payment_id: originalId, flow: 'refund' })
    .whereNot({ id: exceptId })
    .whereIn('status', ['completed', 'refunded_at_paytrace', 'voided']);
  let total = Money.zero('USD');
  for (const r of rows) total = total.add(Money.fromM3(r.amount!, r.currency!));
  return total;
}

/**
 * After an unknown outcome: did PayTrace void the sale, or record a refund of it that none of
 * our other refunds accounts for? Refunds carry the original's id, not our reference.
 */
async function findEarlierMovement(ctx: FlowContext, original: Payment, refund: Payment, requested: Money): Promise<{ found: true; result: MoneyMovement } | { found: false }> {
  const byId = await ctx.paytrace.exportTransactionById(Number(original.paytrace_transaction_id));
  const sale = byId.transactions.find((t) => String(t.transactionId) === original.paytrace_transaction_id);
  if (sale?.state === 'voided') return { found: true, result: { kind: 'void', transactionId: sale.transactionId } };
  const now = Date.now();
  const range = await ctx.paytrace.exportTransactionsByDateRange({ startDate: new Date(now - 86_400_000), endDate: new Date(now + 86_400_000), transactionType: 'REFUND' });
  const refunds = range.transactions.filter((t: ExportedTransaction) => String(t.raw.original_transaction_id ?? '') === original.paytrace_transaction_id);
  const known = new Set(
    (await ctx.db<Payment>('payments').where({ parent_payment_id: original.id, flow: 'refund' }).whereNot({ id: refund.id }).whereNotNull('paytrace_transaction_id').pluck('paytrace_transaction_id')).map(String),
  );
  const ours = refunds.find((t) => !known.has(String(t.transactionId)) && t.amount !== undefined && Money.parse(t.amount, 'USD').equals(requested));
  return ours ? { found: true, result: { kind: 'refund', transactionId: ours.transactionId } } : { found: false };
}

async function cardOfOriginal(ctx: FlowContext, original: Payment): Promise<{ cardType: string | null; maskedNumber: string | null }> {
  const mirror = await ctx.db('paytrace_transactions').where({ transaction_id: original.paytrace_transaction_id }).first<{ masked_card_number: string | null; raw: { credit_card?: { type?: string } } } | undefined>();
  if (mirror) return { cardType: mirror.raw?.credit_card?.type ?? null, maskedNumber: mirror.masked_card_number };
  const exported = await ctx.paytrace.exportTransactionById(Number(original.paytrace_transaction_id));
  const t = exported.transactions[0];
  return t ? cardOf(t) : { cardType: null, maskedNumber: null };
}

