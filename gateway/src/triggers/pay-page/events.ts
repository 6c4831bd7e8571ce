import { AppError } from '../../errors';
import type { Payment } from '../../pipeline/ledger';
import type { Pipeline } from '../../pipeline/pipeline';

/** The event of the `pay-page` trigger: which payment, for which invoice. */
export interface PayPageEvent {
  paymentId: string;
  reference: string;
  cono: number | null;
  divi: string | null;
  ivno: string | null;
  yea4: number | null;
  cuno: string | null;
  amount: string | null;
  currency: string | null;
  paytraceTransactionId: string | null;
  /** declined only: PayTrace's code and text */
  declineCode?: string;
  message?: string;
}

function eventOf(payment: Payment, extra: Partial<PayPageEvent> = {}): PayPageEvent {
  return {
    paymentId: payment.id,
    reference: payment.reference,
    cono: payment.cono ?? null,
    divi: payment.divi ?? null,
    ivno: payment.ivno ?? null,
    yea4: payment.yea4 ?? null,
    cuno: payment.cuno ?? null,
    amount: payment.amount ?? null,
    currency: payment.currency ?? null,
    paytraceTransactionId: payment.paytrace_transaction_id ?? null,
    ...extra,
  };
}

/**
 * Hand a charged invoice payment (the pay page's PayTrace sale succeeded) to the flow that owns
 * `pay-page: charged`, durably: the inbox row and its job commit together; the same payment handed
 * over twice is one event.
 */
export async function invoiceCharged(pipeline: Pipeline | undefined, payment: Payment): Promise<{ inboxId: string; duplicate: boolean }> {
  const stored = await pipeline?.ingestClaim('pay-page:charged', { source: 'payment-link', dedupeKey: `charged:${payment.id}`, kind: 'invoice.charged', payload: eventOf(payment), correlationId: payment.correlation_id });
  if (!stored) throw new AppError('no published flow takes charged pay-page payments (trigger pay-page: charged)', { code: 'FLOW_NOT_PUBLISHED', errorClass: 'configuration' });
  return { inboxId: stored.inboxId, duplicate: stored.duplicate };
}

/** A declined pay-page attempt, for a flow that owns `pay-page: declined` (none by default: then nothing happens). */
export async function payPageDeclined(pipeline: Pipeline | undefined, payment: Payment, decline: { code?: string; message: string }): Promise<void> {
  await pipeline?.ingestClaim('pay-page:declined', { source: 'payment-link', dedupeKey: `declined:${payment.id}`, kind: 'invoice.payment.declined', payload: eventOf(payment, { declineCode: decline.code, message: decline.message }), correlationId: payment.correlation_id });
}
