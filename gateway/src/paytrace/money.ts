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

/**
 * An amount PayTrace sent back: a JSON number (51.88) or a string; normalised to "51.88".
 * Undefined when there is none (absent, or not a decimal at all). One with more decimals than
 * dollars have ("10.005") is refused with PAYTRACE_AMOUNT_TOO_PRECISE, never rounded: PayTrace v1
 * amounts are dollars with two decimals (reference §3.1, §8), so a third decimal is money we could
 * not book exactly. A JSON number read from the wire's 51.88 prints as 51.88 again, so only a wire
 * amount that really had more decimals is refused.
 */
export function amountFromWire(value: unknown, field = 'amount'): UsdAmount | undefined {
  const read = readWireAmount(value, field);
  if (read.refused) throw refusedAmountError(read.refused);
  return read.amount;
}

/** What a parser keeps of a wire amount it refused: serialisable (events, logs), with the wire text. */
export interface RefusedWireAmount {
  code: 'PAYTRACE_AMOUNT_TOO_PRECISE';
  message: string;
  field: string;
  wire: string;
}

/**
 * amountFromWire for one record of a list (an export, a batch list): a refused amount does not
 * stop the records around it; the record keeps no amount and says why (`refused`).
 */
export function readWireAmount(value: unknown, field = 'amount'): { amount?: UsdAmount; refused?: RefusedWireAmount } {
  let text: string;
  if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) text = value.trim();
  else return {};
  const amount = new Decimal(text);
  // "10.000" is exactly 10.00 (decimalPlaces ignores trailing zeros); "10.005" is not
  if (amount.decimalPlaces() > 2) {
    return { refused: { code: 'PAYTRACE_AMOUNT_TOO_PRECISE', message: `PayTrace sent ${field} "${text}" with more than two decimals: refused, not rounded (USD amounts have cents)`, field, wire: text } };
  }
  return { amount: amount.toFixed(2) as UsdAmount };
}

/** The registered error for an amount refused by readWireAmount; `what` names the record. */
export function refusedAmountError(refused: RefusedWireAmount, what?: string): AppError {
  return new AppError(what ? `${what}: ${refused.message}` : refused.message, { code: refused.code, errorClass: 'business', httpStatus: 502, details: { field: refused.field, wire: refused.wire } });
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
