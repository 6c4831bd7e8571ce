import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export type Flow = 'ecommerce_sale' | 'invoice_payment' | 'customer_sync' | 'refund' | 'chargeback';

/** The business ids and amounts a payment carries; filled in as the flow learns them. */
export interface PaymentFields {
  cono?: number | null;
  divi?: string | null;
  cuno?: string | null;
  orno?: string | null;
  ivno?: string | null;
  yea4?: number | null;
  gl_batch_key?: string | null;
  gl_voucher?: string | null;
  receipt_ref?: string | null;
  paytrace_transaction_id?: string | null;
  paytrace_customer_id?: string | null;
  paytrace_batch?: string | null;
  settlement_state?: string | null;
  /** what the status map makes of PayTrace's answers and exports: captured, settled, refunded, … */
  ledger_state?: string | null;
  storefront_order_id?: string | null;
  amount?: string | null;
  currency?: string | null;
  local_amount?: string | null;
  local_currency?: string | null;
  exchange_rate?: string | null;
  parent_payment_id?: string | null;
  last_error_code?: string | null;
  last_error?: string | null;
}

export interface Payment extends PaymentFields {
  id: string;
  flow: Flow;
  status: string;
  reference: string;
  correlation_id: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * Create the ledger row of a business payment, or return the existing one for the same
 * reference: the reference is the payment's identity across retries and duplicates.
 */
export async function openPayment(
  db: Knex,
  input: { flow: Flow; reference: string; status: string; correlationId: string; fields?: PaymentFields },
): Promise<{ payment: Payment; created: boolean }> {
  return db.transaction(async (trx) => {
    const id = randomUUID();
    const inserted = await trx('payments')
      .insert({ id, flow: input.flow, reference: input.reference, status: input.status, correlation_id: input.correlationId, ...input.fields })
      .onConflict('reference')
      .ignore()
      .returning<Payment[]>('*');
    if (inserted.length) {
      await trx('payment_events').insert({ payment_id: id, from_status: null, to_status: input.status, step: 'open', detail: JSON.stringify(input.fields ?? {}) });
      return { payment: inserted[0]!, created: true };
    }
    const existing = await trx<Payment>('payments').where({ reference: input.reference }).first();
    return { payment: existing!, created: false };
  });
}

export interface PaymentTransition {
  flow: string;
  from: string;
  to: string;
  step: string;
}

/** Called after a status change commits (business metrics); a listener must not throw. */
export const paymentTransitionListeners = new Set<(transition: PaymentTransition) => void>();

/** Move a payment to a new status (and/or record ids), with a history row for the trace view. */
export async function updatePayment(
  db: Knex,
  id: string,
  change: { status?: string; step: string; fields?: PaymentFields; detail?: Record<string, unknown>; /** a history row even without a status change */ recordEvent?: boolean },
): Promise<Payment> {
  let transition: PaymentTransition | undefined;
  const updated = await db.transaction(async (trx) => {
    const current = await trx<Payment>('payments').where({ id }).forUpdate().first();
    if (!current) throw new Error(`payment ${id} does not exist`);
    const [updated] = await trx<Payment>('payments')
      .where({ id })
      .update({ ...change.fields, ...(change.status ? { status: change.status } : {}), updated_at: trx.fn.now() })
      .returning('*');
    if ((change.status && change.status !== current.status) || change.recordEvent) {
      await trx('payment_events').insert({
        payment_id: id,
        from_status: current.status,
        to_status: change.status ?? current.status,
        step: change.step,
        detail: JSON.stringify({ ...change.fields, ...change.detail }),
      });
    }
    if (change.status && change.status !== current.status) transition = { flow: current.flow, from: current.status, to: change.status, step: change.step };
    return updated!;
  });
  if (transition) for (const listener of paymentTransitionListeners) listener(transition);
  return updated;
}

export async function getPayment(db: Knex, id: string): Promise<Payment | undefined> {
  return db<Payment>('payments').where({ id }).first();
}

export async function findPaymentByReference(db: Knex, reference: string): Promise<Payment | undefined> {
  return db<Payment>('payments').where({ reference }).first();
}

export async function paymentHistory(db: Knex, id: string): Promise<Array<{ at: Date; from_status: string | null; to_status: string; step: string | null; detail: unknown }>> {
  return db('payment_events').where({ payment_id: id }).orderBy('id');
}
