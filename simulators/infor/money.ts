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

export function formatCents(cents: number): string {
  return new Decimal(cents).div(100).toFixed(2);
}

/** amount in a foreign currency times a multiply-rate, rounded half-up to cents */
export function convertCents(cents: number, rate: string): number {
  return new Decimal(cents).times(rate).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}
