import type { Knex } from 'knex';
import { addToContext } from '../../observability/context';
import type { InboxRow } from '../../pipeline/inbox';
import { findPaymentByReference, updatePayment, type Payment } from '../../pipeline/ledger';
import type { PayTraceEventPayload } from './paytrace-poller';

/**
 * One new (transaction, state) seen by the poller: keep the mirror current and move our ledger
 * row's settlement state. Transactions we did not start (virtual terminal, other systems) stay
 * in the mirror for reconciliation.
 */
export async function applyPayTraceEvent(db: Knex, row: InboxRow): Promise<{ paymentId?: string }> {
  const { transaction, raw } = row.payload as PayTraceEventPayload;
  addToContext({ paytraceTransactionId: transaction.transactionId });
  let payment: Payment | undefined = await db<Payment>('payments').where({ paytrace_transaction_id: String(transaction.transactionId) }).first();
  if (!payment && transaction.invoiceId) payment = await findPaymentByReference(db, transaction.invoiceId);

  const existing = await db('paytrace_transactions').where({ transaction_id: transaction.transactionId }).first<{ state: string } | undefined>();
  // a later export may still show an older state: settled never goes back to pending
  const state = existing?.state === 'settled' && transaction.state === 'pending_settlement' ? 'settled' : transaction.state;
  await db('paytrace_transactions')
    .insert({
      transaction_id: transaction.transactionId,
      state,
      transaction_type: transaction.transactionType ?? null,
      amount: transaction.amount ?? null,
      invoice_id: transaction.invoiceId ?? null,
      customer_id: transaction.customerId ?? null,
      masked_card_number: transaction.maskedCardNumber ?? null,
      batch_number: transaction.batchNumber ?? null,
      created_text: transaction.createdAt ?? null,
      settled_text: transaction.settledAt ?? null,
      payment_id: payment?.id ?? null,
      raw: JSON.stringify(raw),
    })
    .onConflict('transaction_id')
    .merge({
      state,
      batch_number: db.raw('coalesce(excluded.batch_number, paytrace_transactions.batch_number)'),
      settled_text: db.raw('coalesce(excluded.settled_text, paytrace_transactions.settled_text)'),
      payment_id: db.raw('coalesce(paytrace_transactions.payment_id, excluded.payment_id)'),
      raw: JSON.stringify(raw),
      updated_at: db.fn.now(),
    });

  if (payment && payment.settlement_state !== state) {
    await updatePayment(db, payment.id, {
      step: 'paytrace-poller',
      recordEvent: true,
      fields: { settlement_state: state, ...(transaction.batchNumber ? { paytrace_batch: String(transaction.batchNumber) } : {}) },
      detail: { paytraceState: state, batch: transaction.batchNumber },
    });
  }
  return { paymentId: payment?.id };
}
