import { z } from 'zod';
import { AppError } from '../../errors';
import { LEDGER_FIELDS } from '../../pipeline/definitions/schema';
import { openPayment, type Flow, type Payment } from '../../pipeline/ledger';
import { defineStep } from '../define';

const fields = z.partialRecord(z.enum(LEDGER_FIELDS), z.union([z.string(), z.number(), z.null()]));

/**
 * The payment this run is about, in the ledger: created on the first run, found by its reference
 * on every later one. The run's intents are keyed by its id from here on.
 */
export const openPaymentStep = defineStep<{ flow: string; reference: string; status: string; fields?: z.output<typeof fields> }, Payment>({
  type: 'ledger.open-payment',
  title: 'Open payment',
  summary: 'Create the payment in the ledger, or find it by its reference (the identity across retries and duplicates)',
  category: 'ledger',
  system: 'gateway',
  operation: 'payments insert',
  exactlyOnce: 'local',
  input: z.object({ flow: z.string().regex(/^[a-z_]{1,40}$/), reference: z.string().min(1).max(100), status: z.string().regex(/^[a-z_]{1,40}$/), fields: fields.optional() }).strict(),
  async execute(input, env) {
    const values = Object.fromEntries(Object.entries(input.fields ?? {}).map(([k, v]) => [k, v === undefined ? null : v]));
    const { payment } = await openPayment(env.trx!, { flow: input.flow as Flow, reference: input.reference, status: input.status, correlationId: env.correlationId, fields: values });
    return payment;
  },
});

/** Continue an existing payment (the pay page opened it when the card was charged). */
export const usePaymentStep = defineStep<{ paymentId: string }, Payment>({
  type: 'ledger.use-payment',
  title: 'Use payment',
  summary: 'Continue a payment the ledger already has (by id)',
  category: 'ledger',
  system: 'gateway',
  operation: 'payments select',
  exactlyOnce: 'local',
  input: z.object({ paymentId: z.string().uuid() }).strict(),
  async execute(input, env) {
    const payment = await env.trx!<Payment>('payments').where({ id: input.paymentId }).first();
    if (!payment) throw new AppError(`payment ${input.paymentId} does not exist`, { code: 'PAYMENT_MISSING', errorClass: 'bug' });
    return payment;
  },
});
