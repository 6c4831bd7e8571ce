/**
 * What a payment is, read from the ledger, its intents and the dead letters — never from the flow
 * code — so the dashboard, the decline-spike alert, the trace, the dead-letter list and the
 * payment list all use one definition:
 *
 *   completed           money collected and posted in M3 (receipt / order and GL), or a sync done
 *   declined            PayTrace said no (pay page, storefront, refunds): no money moved
 *   charged_not_posted  money moved at PayTrace, but M3's receipt or GL is not done and the payment
 *                       has stopped (failed, or parked as an open dead letter): the customer was
 *                       charged and M3 does not know it
 *   failed              stopped without money moving
 *   in_progress         still running (or retrying)
 *
 * The SQL takes the payments table under the alias `p`.
 */

/** Flows whose payments are card sales (a PayTrace charge the customer made). */
export const SALE_FLOWS = ['ecommerce_sale', 'invoice_payment'] as const;

/** Error codes that mean PayTrace did not take the money (a decline, or a transaction that is not a paid sale). */
const NO_MONEY_CODES = `'(DECLIN|NOT_PAID|TRANSACTION_NOT_FOUND|ATTEMPT_NOT_SENT|CARD_DETAILS_REFUSED)'`;

export const DECLINED_SQL = `(p.status = 'declined' or (p.status = 'failed' and coalesce(p.last_error_code, '') ~* 'DECLIN|NOT_PAID'))`;

/** money moved at PayTrace for this sale */
export const COLLECTED_SQL = `(p.flow in ('ecommerce_sale', 'invoice_payment') and p.paytrace_transaction_id is not null
  and p.status not in ('declined', 'charging', 'unknown') and coalesce(p.last_error_code, '') !~* ${NO_MONEY_CODES})`;

/** an open dead letter holds this payment's work */
export const PARKED_SQL = `exists (select 1 from dead_letters d where d.correlation_id = p.correlation_id and d.status = 'open')`;

export const STATE_SQL = `case
  when p.status in ('completed', 'synced') then 'completed'
  when ${DECLINED_SQL} then 'declined'
  when ${COLLECTED_SQL} and (p.status = 'failed' or ${PARKED_SQL}) then 'charged_not_posted'
  when p.status = 'failed' then 'failed'
  else 'in_progress' end`;

export const PAYMENT_STATES = ['completed', 'declined', 'charged_not_posted', 'failed', 'in_progress'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** Words for people, shared by the UI (gateway/ui/src/labels.ts shows the same ones). */
export const STATE_LABELS: Record<PaymentState, string> = {
  completed: 'Completed',
  declined: 'Declined',
  charged_not_posted: 'Charged, not posted',
  failed: 'Failed',
  in_progress: 'In progress',
};

/**
 * Every card attempt in a time range, from every source: the gateway's sales (pay page and
 * storefront) and the transactions PayTrace's export shows that no payment of ours made (virtual
 * terminal, a storefront's declined cards it never notified us of). Columns: source, state,
 * amount, currency, at, payment_id, collected (money moved). Bindings: from, to, from, to.
 */
export const CARD_ATTEMPTS_SQL = `
  select p.flow as source, ${STATE_SQL} as state, coalesce(p.local_amount, p.amount) as amount, coalesce(p.local_currency, p.currency) as currency, p.created_at as at, p.id::text as payment_id,
         ${COLLECTED_SQL} as collected
    from payments p
   where p.flow in ('ecommerce_sale', 'invoice_payment') and p.created_at between ? and ?
  union all
  select 'paytrace_direct', case when t.state = 'declined' then 'declined' when t.state in ('voided', 'unknown') then 'failed' else 'outside' end, t.amount, 'USD', t.first_seen_at, null,
         t.state in ('pending_settlement', 'settled')
    from paytrace_transactions t
   where t.first_seen_at between ? and ?
     and upper(coalesce(t.transaction_type, 'SALE')) not in ('REFUND', 'VOID', 'CAPTURE')
     and t.payment_id is null
     and not exists (select 1 from payments p2 where p2.paytrace_transaction_id = t.transaction_id or p2.reference = t.invoice_id)`;
