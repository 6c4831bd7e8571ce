import { z } from 'zod';
import { Money } from '../../domain/money';
import { AppError } from '../../errors';
import { LEDGER_FIELDS } from '../../pipeline/definitions/schema';
import { updatePayment, type Payment } from '../../pipeline/ledger';
import { currencyCode, defineStep, idText } from '../define';

/** Refuse a PayTrace transaction that another payment of ours already accounts for. */
export const requireUnusedTransactionStep = defineStep<{ transactionId: string }, { unused: true }, { code: string }>({
  type: 'ledger.require-unused-transaction',
  title: 'Transaction not used yet',
  summary: 'Stop when another payment in the ledger already has this PayTrace transaction (a replayed or forged notification)',
  category: 'ledger',
  system: 'gateway',
  operation: 'payments select',
  exactlyOnce: 'local',
  config: z.object({ code: z.string().regex(/^[A-Z][A-Z0-9_]{2,60}$/).default('TRANSACTION_REUSED') }).strict(),
  input: z.object({ transactionId: idText }).strict(),
  async execute(input, env) {
    const other = await env.db<Payment>('payments').where({ paytrace_transaction_id: input.transactionId }).modify((q) => (env.paymentId ? q.whereNot({ id: env.paymentId }) : q)).first('reference');
    if (other) throw new AppError(`PayTrace transaction ${input.transactionId} already paid ${other.reference}`, { code: env.config.code, errorClass: 'business' });
    return { unused: true };
  },
});

/** A payment of ours by its PayTrace transaction (e.g. the sale a refund is for). */
export const findPaymentStep = defineStep<{ paytraceTransactionId: string; excludeFlow?: string }, { found: boolean; payment: Payment | null }>({
  type: 'ledger.find-payment',
  title: 'Find payment',
  summary: 'Look a payment up in the ledger by its PayTrace transaction',
  category: 'ledger',
  system: 'gateway',
  operation: 'payments select',
  exactlyOnce: 'local',
  input: z.object({ paytraceTransactionId: idText, excludeFlow: z.string().optional() }).strict(),
  async execute(input, env) {
    const payment = await env.db<Payment>('payments').where({ paytrace_transaction_id: input.paytraceTransactionId }).modify((q) => (input.excludeFlow ? q.whereNot('flow', input.excludeFlow) : q)).first();
    return { found: Boolean(payment), payment: payment ?? null };
  },
});

/** What earlier refunds of a sale took (completed, or with money already moved). */
export const refundedSoFarStep = defineStep<{ parentPaymentId: string; currency: string }, { amount: string; currency: string }>({
  type: 'ledger.refunded-so-far',
  title: 'Refunded so far',
  summary: 'Sum of the refunds of a payment whose money has moved (for the remaining refundable amount)',
  category: 'ledger',
  system: 'gateway',
  operation: 'payments select',
  exactlyOnce: 'local',
  input: z.object({ parentPaymentId: z.string().uuid(), currency: currencyCode }).strict(),
  async execute(input, env) {
    const rows = await env.db<Payment>('payments')
      .where({ parent_payment_id: input.parentPaymentId, flow: 'refund' })
      .modify((q) => (env.paymentId ? q.whereNot({ id: env.paymentId }) : q))
      .whereIn('status', ['completed', 'refunded_at_paytrace', 'voided']);
    let total = Money.zero(input.currency);
    for (const r of rows) total = total.add(Money.fromM3(r.amount!, r.currency!));
    return { amount: total.toFixedString(), currency: input.currency };
  },
});

/** Record on another payment of ours (the sale a refund took back), with a history row. */
export const updatePaymentStep = defineStep<{ paymentId: string; fields?: Record<string, string | number | null>; detail?: Record<string, unknown> }, { updated: true }>({
  type: 'ledger.update-payment',
  title: 'Update payment',
  summary: 'Record fields and a history row on another payment (e.g. the original sale of a refund)',
  category: 'ledger',
  system: 'gateway',
  operation: 'payments update',
  exactlyOnce: 'local',
  input: z.object({ paymentId: z.string().uuid(), fields: z.partialRecord(z.enum(LEDGER_FIELDS), z.union([z.string(), z.number(), z.null()])).optional(), detail: z.record(z.string(), z.unknown()).optional() }).strict(),
  async execute(input, env) {
    await updatePayment(env.trx!, input.paymentId, { step: env.stepId, recordEvent: true, fields: input.fields, detail: input.detail });
    return { updated: true };
  },
});
