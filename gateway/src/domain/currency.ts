import { z } from 'zod';
import { AppError } from '../errors';
import { Dec, Money, type RoundingMode } from './money';

/**
 * Conversion of a transaction amount to M3's local currency with M3's own rates (CRS055MI),
 * so the gateway's local amounts agree with M3's to the cent. Pure: the rates are input.
 */

export const roundingModeSchema = z.enum(['half-even', 'half-up', 'half-down', 'up', 'down']);

export const currencyPolicySchema = z
  .object({
    version: z.number().int().positive(),
    /** CRS055MI exchange-rate type (CRTP), e.g. 1 = daily rate [inferred: tenant-specific] */
    rateType: z.number().int().min(0).max(99),
    /** rounding of the local amount to the local currency's decimals */
    rounding: roundingModeSchema,
    /** a rate dated more than this many days before the transaction is refused */
    maxRateAgeDays: z.number().int().min(0).max(366),
    /**
     * How RAFA (rate factor) applies: the rate in ARAT is for RAFA units of the foreign currency
     * (multiply) or local currency (divide), so the effective rate is ARAT / RAFA [inferred].
     */
    rateFactor: z.enum(['divides-rate', 'ignore']),
    /** decimals per currency when M3 (CRS055MI DCCD) differs from ISO 4217 */
    decimalsOverride: z.record(z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter currency code'), z.number().int().min(0).max(6)).default({}),
  })
  .strict();

export type CurrencyPolicy = z.output<typeof currencyPolicySchema>;

/** One CRS055MI rate row (LstRatesPerType / SelExchangeRate), already typed. */
export interface M3CurrencyRate {
  /** CUCD: the foreign (document) currency */
  currency: string;
  /** LOCD: the division's local currency */
  localCurrency: string;
  /** CRTP */
  rateType: number;
  /** CUTD as YYYY-MM-DD: the rate is valid from this date */
  rateDate: string;
  /** ARAT as a decimal string */
  rate: string;
  /** DMCU: 1 = multiply, 2 = divide */
  method: 'multiply' | 'divide';
  /** RAFA as a decimal string (1, 100, 1000) */
  rateFactor: string;
}

function badRate(message: string, details: Record<string, unknown>): AppError {
  return new AppError(message, { code: 'CURRENCY_RATE_INVALID', errorClass: 'business', details });
}

const DECIMAL_TEXT = /^\d+(\.\d+)?$/;

/** M3 dates come as YYYYMMDD (v1) or YYYY-MM-DD; answer YYYY-MM-DD. */
export function m3Date(text: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  if (!m) throw badRate(`"${text}" is not an M3 date (YYYYMMDD)`, { value: text });
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  if (Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) || new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10) !== iso) {
    throw badRate(`"${text}" is not a calendar date`, { value: text });
  }
  return iso;
}

/** Read a CRS055MI output record (field name → string) into a typed rate; refuses anything odd. */
export function rateFromCrs055(record: Readonly<Record<string, string | undefined>>): M3CurrencyRate {
  const field = (name: string): string => {
    const value = record[name]?.trim();
    if (!value) throw badRate(`CRS055MI rate record lacks ${name}`, { field: name });
    return value;
  };
  const rate = field('ARAT');
  const rateFactor = record.RAFA?.trim() || '1';
  if (!DECIMAL_TEXT.test(rate) || new Dec(rate).isZero()) throw badRate(`ARAT "${rate}" is not a positive decimal`, { field: 'ARAT' });
  if (!DECIMAL_TEXT.test(rateFactor) || new Dec(rateFactor).isZero()) throw badRate(`RAFA "${rateFactor}" is not a positive decimal`, { field: 'RAFA' });
  const dmcu = field('DMCU');
  if (dmcu !== '1' && dmcu !== '2') throw badRate(`DMCU "${dmcu}" must be 1 (multiply) or 2 (divide)`, { field: 'DMCU' });
  const crtp = field('CRTP');
  if (!/^\d{1,2}$/.test(crtp)) throw badRate(`CRTP "${crtp}" is not a rate type`, { field: 'CRTP' });
  return {
    currency: field('CUCD'),
    localCurrency: field('LOCD'),
    rateType: Number(crtp),
    rateDate: m3Date(field('CUTD')),
    rate,
    method: dmcu === '1' ? 'multiply' : 'divide',
    rateFactor,
  };
}

function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / 86_400_000);
}

/**
 * The rate M3 would use: the policy's rate type, this currency pair, the latest rate date on or
 * before the transaction date. A missing or stale rate is a configuration problem (someone must
 * maintain rates in CRS055), so the flow parks instead of guessing.
 */
export function selectRate(
  rates: readonly M3CurrencyRate[],
  query: { currency: string; localCurrency: string; date: string },
  policy: CurrencyPolicy,
): M3CurrencyRate {
  const candidates = rates
    .filter((r) => r.currency === query.currency && r.localCurrency === query.localCurrency && r.rateType === policy.rateType && r.rateDate <= query.date)
    // newest first; the dates are all YYYY-MM-DD, so text order is date order
    .sort((a, b) => b.rateDate.localeCompare(a.rateDate));
  const best = candidates[0];
  const where = { currency: query.currency, localCurrency: query.localCurrency, rateType: policy.rateType, date: query.date };
  if (!best) {
    throw new AppError(`No CRS055 rate of type ${policy.rateType} for ${query.currency}→${query.localCurrency} on or before ${query.date}`, {
      code: 'CURRENCY_RATE_MISSING',
      errorClass: 'configuration',
      details: where,
    });
  }
  const age = daysBetween(best.rateDate, query.date);
  if (age > policy.maxRateAgeDays) {
    throw new AppError(`The newest CRS055 rate for ${query.currency}→${query.localCurrency} is from ${best.rateDate}, ${age} days before ${query.date} (limit ${policy.maxRateAgeDays})`, {
      code: 'CURRENCY_RATE_STALE',
      errorClass: 'configuration',
      details: { ...where, rateDate: best.rateDate, ageDays: age, maxRateAgeDays: policy.maxRateAgeDays },
    });
  }
  return best;
}

/** Both amounts of a payment, with the rate that linked them: what the ledger and GL store. */
export interface ConvertedAmount {
  transaction: Money;
  local: Money;
  /** the effective local-per-foreign factor used, as an exact decimal string ("1" for the same currency) */
  effectiveRate: string;
  rate?: M3CurrencyRate;
  rounding: RoundingMode;
  /** the local amount before rounding, for audit */
  unrounded: string;
}

/**
 * Convert to local currency. Effective rate: multiply → amount × ARAT / RAFA, divide → amount ÷
 * (ARAT / RAFA). The product is exact (decimal.js, 50 digits), then rounded once with the policy's rule.
 */
export function convertToLocal(amount: Money, localCurrency: string, rate: M3CurrencyRate | undefined, policy: CurrencyPolicy): ConvertedAmount {
  const local = { decimals: policy.decimalsOverride[localCurrency] };
  if (amount.currency === localCurrency) {
    // same currency: only the scale can differ (an M3 decimals override), so re-scale through the rounding rule
    return { transaction: amount, local: Money.fromDecimal(amount.toDecimal(), localCurrency, policy.rounding, local), effectiveRate: '1', rounding: policy.rounding, unrounded: amount.toFixedString() };
  }
  if (!rate) {
    throw new AppError(`Converting ${amount.currency} to ${localCurrency} needs a CRS055 rate`, { code: 'CURRENCY_RATE_MISSING', errorClass: 'configuration', details: { currency: amount.currency, localCurrency } });
  }
  if (rate.currency !== amount.currency || rate.localCurrency !== localCurrency) {
    throw new AppError(`Rate ${rate.currency}→${rate.localCurrency} does not fit ${amount.currency}→${localCurrency}`, { code: 'CURRENCY_RATE_MISMATCH', errorClass: 'bug', details: { rate: `${rate.currency}->${rate.localCurrency}` } });
  }
  const perUnit = policy.rateFactor === 'divides-rate' ? new Dec(rate.rate).div(rate.rateFactor) : new Dec(rate.rate);
  const effective = rate.method === 'multiply' ? perUnit : new Dec(1).div(perUnit);
  const exact = rate.method === 'multiply' ? amount.toDecimal().times(perUnit) : amount.toDecimal().div(perUnit);
  return {
    transaction: amount,
    local: Money.fromDecimal(exact, localCurrency, policy.rounding, local),
    effectiveRate: effective.toSignificantDigits(20).toString(),
    rate,
    rounding: policy.rounding,
    unrounded: exact.toSignificantDigits(30).toFixed(),
  };
}

/** Select the rate and convert in one step (the usual call from a flow). */
export function toLocalCurrency(
  amount: Money,
  context: { localCurrency: string; date: string; rates: readonly M3CurrencyRate[] },
  policy: CurrencyPolicy,
): ConvertedAmount {
  if (amount.currency === context.localCurrency) return convertToLocal(amount, context.localCurrency, undefined, policy);
  const rate = selectRate(context.rates, { currency: amount.currency, localCurrency: context.localCurrency, date: context.date }, policy);
  return convertToLocal(amount, context.localCurrency, rate, policy);
}
