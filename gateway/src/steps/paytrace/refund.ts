import { z } from 'zod';
import { Money } from '../../domain/money';
import { mapPayTraceAnswer } from '../../domain/status-map';
import { AppError } from '../../errors';
import type { Payment } from '../../pipeline/ledger';
import { UnknownOutcomeError } from '../../paytrace/errors';
import { refusedAmountError } from '../../paytrace/money';
import type { ExportedTransaction } from '../../paytrace/transformers/exports';
import { decimalText, defineStep, idText, type StepConnectors } from '../define';

export interface MoneyMovement {
  kind: 'void' | 'refund';
  transactionId: number;
}

const input = z
  .object({
    /** the sale to take back */
    transactionId: idText,
    amount: decimalText,
    /** the whole captured amount of the sale: a void takes back only all of it */
    capturedAmount: decimalText,
    /** what earlier refunds of the sale took */
    refundedBefore: decimalText.default('0'),
    /** our payment of the sale (to tell our other refunds apart in the lookup) */
    originalPaymentId: z.string().uuid(),
  })
  .strict();

/**
 * An approved refund. One without the refund's transaction id cannot be recorded, and is not a
 * refusal either — money moved: an unknown outcome, so the retry looks it up (by the sale's id)
 * instead of refunding again.
 */
export function refunded(answer: { transactionId?: number; statusMessage: string }, saleId: string, amount: Money): MoneyMovement {
  if (answer.transactionId) return { kind: 'refund', transactionId: answer.transactionId };
  const sent = { operation: 'refund/for_transaction', path: '/v1/transactions/refund/for_transaction', amount: amount.toFixedString(), transactionId: Number(saleId), sentAt: new Date() };
  throw new UnknownOutcomeError(sent, new Error(`PayTrace approved the refund without its transaction id: ${answer.statusMessage}`));
}

/**
 * Take money back: a refund, or — when PayTrace answers with an error key the status map says
 * means `void_instead` (817: not settled yet) — a void of the whole sale; when the void is refused
 * (the sale settled in between) the refund is asked for once more. PayTrace decides which, never
 * us. After an unknown outcome the movement is looked up before anything is sent again.
 */
export function refundStep(connectors: StepConnectors) {
  return defineStep<z.output<typeof input>, MoneyMovement>({
    type: 'paytrace.refund',
    title: 'PayTrace refund (or void)',
    summary: 'Refund a sale; void it instead when the status map says so (817: not settled yet, whole amount only)',
    category: 'paytrace',
    system: 'paytrace',
    operation: 'refund/for_transaction|void',
    exactlyOnce: 'lookup',
    movesMoney: true,
    moneyInputs: ['amount', 'capturedAmount', 'refundedBefore'],
    input,
    async execute(request, env) {
      const paytrace = connectors.paytrace();
      const requested = Money.parse(request.amount, 'USD');
      const refund = await paytrace.refundTransaction({ transactionId: Number(request.transactionId), amount: requested.toFixedString() });
      if (refund.approved) return refunded(refund, request.transactionId, requested);
      const answer = mapPayTraceAnswer(env.rules.statusMap, { operation: 'refund', responseCode: refund.responseCode, errorKeys: refund.fieldErrors.map((e) => String(e.code)) });
      if (answer.action === 'void_instead') {
        if (!requested.equals(Money.parse(request.capturedAmount, 'USD')) || !Money.parse(request.refundedBefore, 'USD').isZero()) {
          throw new AppError(`PayTrace has not settled ${request.transactionId}: only the whole amount can be voided now; replay this refund after settlement`, { code: 'REFUND_NEEDS_SETTLEMENT', errorClass: 'business' });
        }
        const voided = await paytrace.voidTransaction({ transactionId: Number(request.transactionId) });
        if (voided.approved) return { kind: 'void', transactionId: Number(request.transactionId) };
        // The batch can settle between the two calls (the chaos test caught it): a settled sale
        // cannot be voided, but can now be refunded. Both answers were refusals — no money moved —
        // so PayTrace is asked once more; a second "not settled" is a real refusal of the void.
        const again = await paytrace.refundTransaction({ transactionId: Number(request.transactionId), amount: requested.toFixedString() });
        if (again.approved) return refunded(again, request.transactionId, requested);
        throw new AppError(`PayTrace refused the void: ${voided.statusMessage} (and the refund again: ${again.statusMessage})`, { code: 'REFUND_VOID_REFUSED', errorClass: 'business', details: { responseCode: voided.responseCode, refundResponseCode: again.responseCode } });
      }
      throw new AppError(`PayTrace refused the refund: ${refund.statusMessage}`, { code: 'REFUND_REFUSED', errorClass: 'business', details: { responseCode: refund.responseCode, fieldErrors: refund.fieldErrors, action: answer.action } });
    },
    async lookup(request, env) {
      const paytrace = connectors.paytrace();
      const byId = await paytrace.exportTransactionById(Number(request.transactionId));
      const sale = byId.transactions.find((t) => String(t.transactionId) === request.transactionId);
      if (sale?.state === 'voided') return { found: true, result: { kind: 'void', transactionId: sale.transactionId } };
      // from a day before this step's intent was first recorded (its refund was sent after that) to a
      // day ahead: a run replayed days later — after settlement, say — still finds its own refund
      const now = Date.now();
      const intent = await env.db('intents').where({ key: env.key }).first<{ created_at: Date } | undefined>('created_at');
      const since = Math.min(now, intent ? new Date(intent.created_at).getTime() : now);
      const range = await paytrace.exportTransactionsByDateRange({ startDate: new Date(since - 86_400_000), endDate: new Date(now + 86_400_000), transactionType: 'REFUND' });
      const refunds = range.transactions.filter((t: ExportedTransaction) => String(t.raw.original_transaction_id ?? '') === request.transactionId);
      // refunds carry the original's id, not our reference: the ones our other refunds account for are not this one
      const known = new Set(
        (await env.db<Payment>('payments').where({ parent_payment_id: request.originalPaymentId, flow: 'refund' }).modify((q) => (env.paymentId ? q.whereNot({ id: env.paymentId }) : q)).whereNotNull('paytrace_transaction_id').pluck('paytrace_transaction_id')).map(String),
      );
      const requested = Money.parse(request.amount, 'USD');
      // a refund of this sale whose amount PayTrace sent unreadable may be ours: never refund again on a guess
      const unreadable = refunds.find((t) => !known.has(String(t.transactionId)) && t.amountRefused);
      if (unreadable?.amountRefused) throw refusedAmountError(unreadable.amountRefused, `PayTrace refund ${unreadable.transactionId} of transaction ${request.transactionId}`);
      const ours = refunds.find((t) => !known.has(String(t.transactionId)) && t.amount !== undefined && Money.parse(t.amount.toString(), 'USD').equals(requested));
      return ours ? { found: true, result: { kind: 'refund', transactionId: ours.transactionId } } : { found: false };
    },
  });
}

/** Void a sale that is not settled yet (a void moves no money at settlement). */
export function voidStep(connectors: StepConnectors) {
  return defineStep<{ transactionId: string }, MoneyMovement>({
    type: 'paytrace.void',
    title: 'PayTrace void',
    summary: 'Void an unsettled transaction',
    category: 'paytrace',
    system: 'paytrace',
    operation: 'void',
    exactlyOnce: 'lookup',
    movesMoney: true,
    input: z.object({ transactionId: idText }).strict(),
    async execute(request) {
      const voided = await connectors.paytrace().voidTransaction({ transactionId: Number(request.transactionId) });
      if (voided.approved) return { kind: 'void', transactionId: Number(request.transactionId) };
      throw new AppError(`PayTrace refused the void: ${voided.statusMessage}`, { code: 'VOID_REFUSED', errorClass: 'business', details: { responseCode: voided.responseCode } });
    },
    async lookup(request) {
      const byId = await connectors.paytrace().exportTransactionById(Number(request.transactionId));
      const sale = byId.transactions.find((t) => String(t.transactionId) === request.transactionId);
      return sale?.state === 'voided' ? { found: true, result: { kind: 'void', transactionId: sale.transactionId } } : { found: false };
    },
  });
}
