import type { Knex } from 'knex';
import { cardBrandOf, type GlRules } from '../domain/gl';
import { Money } from '../domain/money';
import type { LinkRow } from './link-store';

/**
 * What a payer keeps after paying: the amount, when (an instant, shown with its zone), the card
 * (brand and last four only), our reference and PayTrace's transaction id. Read back from the
 * ledger (the payment, its status history and its sale intent), never from what the page sent.
 */
export interface Receipt {
  invoice: string;
  customerName: string | null;
  amount: string;
  currency: string;
  /** when PayTrace approved the charge (ISO instant) */
  paidAt: string;
  reference: string;
  transactionId: string | null;
  card: { brand: string | null; last4: string | null };
}

const BRAND_NAMES: Record<string, string> = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB' };

/** The receipt of a paid link; undefined while the link is not paid. */
export async function receiptOf(db: Knex, glRules: GlRules | undefined, link: LinkRow): Promise<Receipt | undefined> {
  if (link.status !== 'paid' || !link.paid_payment_id) return undefined;
  const payment = await db('payments').where({ id: link.paid_payment_id }).first<{ id: string; reference: string; paytrace_transaction_id: string | null; amount: string; currency: string; updated_at: Date } | undefined>();
  if (!payment) return undefined;
  const charged = await db('payment_events').where({ payment_id: payment.id, to_status: 'charged' }).orderBy('id').first<{ at: Date } | undefined>('at');
  // the sale's answer has the masked number (a BIN only when PayTrace includes it); flow 2's
  // verification reads the transaction back from PayTrace with its card type
  const intents = await db('intents').whereIn('key', [`${payment.id}:sale`, `${payment.id}:verify`]).select<Array<{ key: string; result: Record<string, unknown> | null }>>('key', 'result');
  const sale = intents.find((i) => i.key.endsWith(':sale'))?.result as { maskedCard?: string } | null | undefined;
  // the verify step's output (steps/paytrace/get-transaction): `card` with PayTrace's type and the brand the GL rules gave it
  const verified = intents.find((i) => i.key.endsWith(':verify'))?.result as { card?: { type?: unknown; brand?: unknown; maskedNumber?: unknown } } | null | undefined;
  const verifiedMasked = typeof verified?.card?.maskedNumber === 'string' ? verified.card.maskedNumber : null;
  const masked = sale?.maskedCard ?? verifiedMasked;
  const digits = masked ? masked.replace(/\D/g, '') : '';
  const type = verified?.card?.type;
  const brand = typeof verified?.card?.brand === 'string' ? verified.card.brand : glRules ? cardBrandOf(glRules, { cardType: typeof type === 'string' ? type : null, maskedNumber: masked }) : undefined;
  return {
    invoice: link.ivno,
    customerName: link.customer_name,
    amount: Money.fromM3(payment.amount, payment.currency).toFixedString(),
    currency: payment.currency,
    paidAt: (charged?.at ?? payment.updated_at).toISOString(),
    reference: payment.reference,
    transactionId: payment.paytrace_transaction_id,
    card: { brand: brand && BRAND_NAMES[brand] ? BRAND_NAMES[brand] : null, last4: digits.length >= 4 ? digits.slice(-4) : null },
  };
}

/** "Dec 4, 2026, 10:15 AM CST" in the given zone: a time without its zone is not a time. */
export function displayInstant(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' }).format(new Date(iso));
}

export function cardText(card: Receipt['card']): string {
  if (!card.last4) return card.brand ?? 'Card';
  return `${card.brand ?? 'Card'} ending in ${card.last4}`;
}
