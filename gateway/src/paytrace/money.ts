import Decimal from 'decimal.js';
import { AppError } from '../errors';

/**
 * PayTrace v1 amounts are US dollars with exactly two decimals. We accept and produce
 * them only as strings ("12.34"): a float never touches an amount.
 */
export type UsdAmount = string & { readonly __brand: 'UsdAmount' };

const AMOUNT = /^(0|[1-9]\d{0,9})\.\d{2}$/;

/**
 * Check an amount we are about to send. Refused before any call (so nothing reaches
 * PayTrace): non-strings, negatives, zero, more or fewer than two decimals, absurd sizes.
 */
export function usdAmount(value: unknown, field = 'amount'): UsdAmount {
  if (typeof value !== 'string') {
    throw invalidAmount(field, `must be a string with two decimals like "12.34" (got ${typeof value})`);
  }
  if (value.startsWith('-')) throw invalidAmount(field, `must be positive (got "${value}")`);
  if (!AMOUNT.test(value)) throw invalidAmount(field, `must have exactly two decimals, like "12.34" (got "${value}")`);
  if (new Decimal(value).lte(0)) throw invalidAmount(field, 'must be greater than zero');
  return value as UsdAmount;
}

/** An amount PayTrace sent back: a JSON number (51.88) or a string; normalised to "51.88". */
export function amountFromWire(value: unknown): UsdAmount | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(String(value)).toFixed(2) as UsdAmount;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return new Decimal(value.trim()).toFixed(2) as UsdAmount;
  return undefined;
}

/** Integer cents, for sums and comparisons. */
export function toCents(amount: UsdAmount): number {
  return new Decimal(amount).mul(100).toNumber();
}

export function fromCents(cents: number): UsdAmount {
  if (!Number.isSafeInteger(cents)) throw new AppError(`not an integer number of cents: ${cents}`, { code: 'PAYTRACE_INVALID_AMOUNT', errorClass: 'bug' });
  return new Decimal(cents).div(100).toFixed(2) as UsdAmount;
}

function invalidAmount(field: string, message: string): AppError {
  return new AppError(`PayTrace ${field} ${message}`, {
    code: 'PAYTRACE_INVALID_AMOUNT',
    errorClass: 'business',
    httpStatus: 400,
    details: { fieldErrors: [{ field, message }] },
  });
}
