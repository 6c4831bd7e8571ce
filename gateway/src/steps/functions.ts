import { createHash } from 'node:crypto';
import { harmonizeAddress, requireValidAddress } from '../domain/address';
import { cardBrandOf } from '../domain/gl';
import { Money } from '../domain/money';
import type { Rules } from '../domain/rules-loader';
import type { Bindings } from '../pipeline/expressions';
import type { FlowSettings } from '../pipeline/step-contract';

/**
 * The functions a flow's expressions may call beyond JSONata's own: money as exact decimal strings
 * (never floats), M3's formats, and the domain rules (address, card brand, status map) — all pure.
 * The documentation of each is in docs/flows.md ("Functions").
 */
export const FUNCTION_DOCS: Record<string, string> = {
  $money: '$money(amount, currency) — the amount as a decimal string at the currency\'s decimals ("12.3" USD → "12.30"); refuses numbers',
  $moneyEquals: '$moneyEquals(a, b, currency) — true when two decimal amounts are exactly equal',
  $moneyAdd: '$moneyAdd(a, b, currency) — exact sum as a decimal string',
  $moneySubtract: '$moneySubtract(a, b, currency) — exact difference as a decimal string',
  $moneyNegate: '$moneyNegate(amount, currency) — the amount with the opposite sign',
  $moneyCompare: '$moneyCompare(a, b, currency) — -1, 0 or 1',
  $m3Address: '$m3Address({name, lines, city, region, postalCode, country}) — harmonized to M3\'s fields (CUA1–CUA4, TOWN, PONO, ECAR, CSCD) with address-rules.yaml; refuses an invalid address',
  $m3Date: '$m3Date(date?) — yyyyMMdd (today in UTC when no date is given)',
  $sha256: '$sha256(text) — lowercase hex SHA-256 (stable ids)',
  $cardBrand: '$cardBrand(cardType, maskedNumber) — visa, mastercard, … by gl-rules.yaml',
  $cardTypeCode: '$cardTypeCode(brand) — the M3 card type code (CTPY) of a brand from flows.cardTypeCodes',
  $ledgerState: '$ledgerState(state) — the status map\'s entry for a ledger state: {paymentStatus, order, invoice, final}',
  $contentHash: '$contentHash(object, except?) — first 32 hex of SHA-256 of the object\'s JSON, without the keys in `except`',
  $receiptBatchId: '$receiptBatchId(paymentId, purpose) — the deterministic ARS040 batch number (PBID) of a payment',
  $glBatchKey: '$glBatchKey(paymentId, purpose) — the deterministic GLS840 KEY1 of a payment ("S" sale, "R" reversal, "C" chargeback)',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** KEY1 of a payment's GL batch (A15): deterministic, so a retry finds the same batch. */
export function glBatchKey(paymentId: string, purpose = 'S'): string {
  return `PT${purpose}${sha256(paymentId).slice(0, 12).toUpperCase()}`;
}

/** PBID of a payment's cash-receipt batch (numeric, N10): deterministic for the same reason. */
export function receiptBatchId(paymentId: string, purpose = 'receipt'): number {
  const hash = createHash('sha256').update(`${purpose}:${paymentId}`).digest();
  return 1_000_000_000 + (hash.readUInt32BE(0) % 999_999_999);
}

/** yyyyMMdd, M3's date format, in UTC */
export function m3Date(date: Date | string = new Date()): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** Decimal text in, exact money out: surplus zero decimals (M3's and the ledger's "12.3400") are fine, a significant one is refused. */
const money = (amount: unknown, currency: unknown) => Money.fromM3(typeof amount === 'string' ? amount.trim() : amount, String(currency ?? 'USD'));

/** JSON with object keys sorted: the same content gives the same text whatever the key order (jsonb reorders). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function flowFunctions(rules: Rules, settings: FlowSettings): Bindings {
  return {
    money: (amount: unknown, currency: unknown) => (amount === undefined ? undefined : money(amount, currency).toFixedString()),
    moneyEquals: (a: unknown, b: unknown, currency: unknown) => (a === undefined || b === undefined ? false : money(a, currency).equals(money(b, currency))),
    moneyAdd: (a: unknown, b: unknown, currency: unknown) => money(a, currency).add(money(b, currency)).toFixedString(),
    moneySubtract: (a: unknown, b: unknown, currency: unknown) => money(a, currency).subtract(money(b, currency)).toFixedString(),
    moneyNegate: (a: unknown, currency: unknown) => Money.zero(String(currency ?? 'USD')).subtract(money(a, currency)).toFixedString(),
    moneyCompare: (a: unknown, b: unknown, currency: unknown) => money(a, currency).compare(money(b, currency)),
    m3Address: (address: { name?: string; lines?: string[]; city?: string; region?: string; state?: string; postalCode?: string; country?: string } | undefined) => {
      if (!address) return undefined;
      const harmonized = harmonizeAddress(rules.address, { name: address.name, lines: address.lines ?? [], city: address.city, region: address.region ?? address.state, postalCode: address.postalCode, country: address.country });
      return { ...requireValidAddress(harmonized), country: harmonized.country?.alpha2 };
    },
    m3Date: (date?: string) => m3Date(date ?? new Date()),
    sha256: (text: unknown) => sha256(String(text)),
    cardBrand: (cardType?: string | null, maskedNumber?: string | null) => cardBrandOf(rules.gl, { cardType, maskedNumber }),
    cardTypeCode: (brand: string) => settings.cardTypeCodes[brand] ?? settings.cardTypeCodes.unknown ?? 'CC',
    ledgerState: (state: string) => rules.statusMap.ledgerStates[state as keyof typeof rules.statusMap.ledgerStates],
    contentHash: (value: Record<string, unknown>, except?: string[] | string) => {
      const drop = new Set(Array.isArray(except) ? except : except ? [except] : []);
      const content = Object.fromEntries(Object.entries(value ?? {}).filter(([k]) => !drop.has(k)));
      return sha256(canonicalJson(content)).slice(0, 32);
    },
    receiptBatchId: (paymentId: string, purpose?: string) => receiptBatchId(paymentId, purpose),
    glBatchKey: (paymentId: string, purpose?: string) => glBatchKey(paymentId, purpose),
  };
}
