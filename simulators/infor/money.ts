import Decimal from 'decimal.js';

/**
 * Money in the simulator is integer cents; only the wire sees decimal strings.
 * M3 sends and accepts amounts as plain decimal strings with a '.' separator.
 */
const AMOUNT = /^-?\d{1,15}(\.\d{1,2})?$/;

/** '12.3' → 1230; null when the text is not an amount with at most 2 decimals */
export function parseCents(text: string): number | null {
  const trimmed = text.trim();
  if (!AMOUNT.test(trimmed)) return null;
  return new Decimal(trimmed).times(100).toNumber();
}

/**
 * 1230 → '12.30'. Integer arithmetic: exact for integer cents, and a 100,000-record list formats
 * its amounts in milliseconds (Decimal took 0.6 s). Kept apart from the gateway's own formatter on
 * purpose: a simulator that shares the code under test would share its bugs.
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of cents: ${cents}`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** amount in a foreign currency times a multiply-rate, rounded half-up to cents */
export function convertCents(cents: number, rate: string): number {
  return new Decimal(cents).times(rate).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}
