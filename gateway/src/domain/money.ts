import currencyCodes from 'currency-codes';
import Decimal from 'decimal.js';
import { AppError } from '../errors';

/**
 * Money: an exact amount in integer minor units (bigint) with its ISO 4217 currency and that
 * currency's number of decimals. No `number` ever holds an amount; decimal work (rates,
 * ratios) goes through decimal.js with an explicit rounding mode.
 */

/** A decimal.js constructor of our own: enough precision for any rate product, no exponent notation. */
export const Dec = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -60, toExpPos: 60 });
export type Dec = Decimal;

export type RoundingMode = 'half-even' | 'half-up' | 'half-down' | 'up' | 'down';

const DECIMAL_ROUNDING: Record<RoundingMode, Decimal.Rounding> = {
  'half-even': Decimal.ROUND_HALF_EVEN,
  'half-up': Decimal.ROUND_HALF_UP,
  'half-down': Decimal.ROUND_HALF_DOWN,
  up: Decimal.ROUND_UP,
  down: Decimal.ROUND_DOWN,
};

export function decimalRounding(mode: RoundingMode): Decimal.Rounding {
  return DECIMAL_ROUNDING[mode];
}

// the package searches its list linearly; money is created on every line of every posting
const iso4217Digits = new Map(currencyCodes.data.map((record) => [record.code, record.digits]));

/** ISO 4217 codes of the current list (package currency-codes, which ships the ISO list itself). */
export function isKnownCurrency(code: string): boolean {
  return iso4217Digits.has(code);
}

/**
 * The number of decimals of a currency from ISO 4217 (USD 2, JPY 0, KWD 3, HUF 2). Not from ICU:
 * CLDR's display digits differ for accounting (it shows HUF, IDR, COP with 0). M3 can carry its own
 * count per currency (CRS055MI GetBasicData DCCD); pass it as `override`.
 */
export function currencyDecimals(code: string, override?: number): number {
  const digits = iso4217Digits.get(code);
  if (digits === undefined) {
    throw new AppError(`Unknown currency code "${code}"`, { code: 'MONEY_UNKNOWN_CURRENCY', errorClass: 'business', details: { currency: code } });
  }
  return override ?? digits;
}

const PLAIN_DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

function badAmount(message: string, value: unknown, code = 'MONEY_INVALID_AMOUNT'): AppError {
  // the rejected text is short and cannot be a card number by the pattern; keep only its shape
  const shown = typeof value === 'string' ? value.slice(0, 40) : typeof value;
  return new AppError(message, { code, errorClass: 'business', details: { value: shown } });
}

export class Money {
  private constructor(
    /** amount in minor units (cents for USD) */
    readonly minor: bigint,
    readonly currency: string,
    /** decimals of the currency: minor = amount × 10^decimals */
    readonly decimals: number,
  ) {}

  /**
   * Strict parse of a wire amount such as "12.34": a string of digits with at most the currency's
   * decimals. Refuses numbers (floats lose cents), NaN, exponents, signs other than a leading '-',
   * thousands separators and surplus decimals.
   */
  static parse(text: unknown, currency: string, options: { decimals?: number } = {}): Money {
    return Money.parseWith(text, currency, options.decimals, false);
  }

  /**
   * Parse an M3 decimal string ("1234.5", "100.000000", "-12.30"): same as `parse` but surplus
   * decimals are accepted when they are zeros (M3 pads to the field's scale); a non-zero digit beyond
   * the currency's decimals is still refused, never rounded away.
   */
  static fromM3(text: unknown, currency: string, options: { decimals?: number } = {}): Money {
    return Money.parseWith(text, currency, options.decimals, true);
  }

  private static parseWith(text: unknown, currency: string, decimalsOverride: number | undefined, zeroPadOk: boolean): Money {
    const decimals = currencyDecimals(currency, decimalsOverride);
    if (typeof text !== 'string') throw badAmount(`An amount must be a decimal string, not a ${typeof text}`, text, 'MONEY_NOT_A_STRING');
    const trimmed = text.trim();
    const m = PLAIN_DECIMAL.exec(trimmed);
    if (!m) throw badAmount(`"${trimmed.slice(0, 40)}" is not a plain decimal amount (digits, optional '.' and decimals)`, text);
    const [, sign, whole, fraction = ''] = m;
    let digits = fraction;
    if (digits.length > decimals) {
      const surplus = digits.slice(decimals);
      if (!zeroPadOk || /[1-9]/.test(surplus)) {
        throw badAmount(`"${trimmed}" has ${digits.length} decimals; ${currency} allows ${decimals}`, text, 'MONEY_TOO_MANY_DECIMALS');
      }
      digits = digits.slice(0, decimals);
    }
    const minor = BigInt(whole! + digits.padEnd(decimals, '0'));
    return new Money(sign ? -minor : minor, currency, decimals);
  }

  static fromMinor(minor: bigint, currency: string, options: { decimals?: number } = {}): Money {
    return new Money(minor, currency, currencyDecimals(currency, options.decimals));
  }

  static zero(currency: string, options: { decimals?: number } = {}): Money {
    return Money.fromMinor(0n, currency, options);
  }

  /** From an exact decimal, rounded to the currency's decimals with the given rule. */
  static fromDecimal(value: Decimal, currency: string, rounding: RoundingMode, options: { decimals?: number } = {}): Money {
    const decimals = currencyDecimals(currency, options.decimals);
    const scaled = new Dec(value).times(new Dec(10).pow(decimals)).toDecimalPlaces(0, DECIMAL_ROUNDING[rounding]);
    return new Money(BigInt(scaled.toFixed(0)), currency, decimals);
  }

  toDecimal(): Decimal {
    return new Dec(this.minor.toString()).div(new Dec(10).pow(this.decimals));
  }

  /** Plain decimal text with exactly the currency's decimals: "-12.30", "1000", "1.250". */
  toFixedString(): string {
    const negative = this.minor < 0n;
    const digits = (negative ? -this.minor : this.minor).toString().padStart(this.decimals + 1, '0');
    const whole = digits.slice(0, digits.length - this.decimals);
    const fraction = this.decimals ? `.${digits.slice(digits.length - this.decimals)}` : '';
    return `${negative ? '-' : ''}${whole}${fraction}`;
  }

  /** PayTrace's amount: a string with 2 decimals. PayTrace v1 is USD only, so other scales are refused. */
  toPayTrace(): string {
    if (this.decimals !== 2) {
      throw new AppError(`PayTrace amounts have 2 decimals; ${this.currency} has ${this.decimals}`, { code: 'MONEY_NOT_PAYTRACE_SCALE', errorClass: 'business', details: { currency: this.currency } });
    }
    return this.toFixedString();
  }

  /** M3 MI decimal fields take '.' as separator, a leading '-' and no grouping. */
  toM3(): string {
    return this.toFixedString();
  }

  toString(): string {
    return `${this.toFixedString()} ${this.currency}`;
  }

  toJSON(): { amount: string; currency: string } {
    return { amount: this.toFixedString(), currency: this.currency };
  }

  private same(other: Money, op: string): void {
    if (other.currency !== this.currency || other.decimals !== this.decimals) {
      throw new AppError(`Cannot ${op} ${other.currency} and ${this.currency}`, { code: 'MONEY_CURRENCY_MISMATCH', errorClass: 'bug', details: { left: this.currency, right: other.currency } });
    }
  }

  add(other: Money): Money {
    this.same(other, 'add');
    return new Money(this.minor + other.minor, this.currency, this.decimals);
  }

  subtract(other: Money): Money {
    this.same(other, 'subtract');
    return new Money(this.minor - other.minor, this.currency, this.decimals);
  }

  negate(): Money {
    return new Money(-this.minor, this.currency, this.decimals);
  }

  abs(): Money {
    return this.minor < 0n ? this.negate() : this;
  }

  compare(other: Money): -1 | 0 | 1 {
    this.same(other, 'compare');
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  equals(other: Money): boolean {
    return other.currency === this.currency && other.minor === this.minor && other.decimals === this.decimals;
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  isPositive(): boolean {
    return this.minor > 0n;
  }

  /** Multiply by an exact factor (a decimal string or Decimal, never a float) and round. */
  multiply(factor: Decimal | string, rounding: RoundingMode): Money {
    return Money.fromDecimal(this.toDecimal().times(new Dec(factor)), this.currency, rounding, { decimals: this.decimals });
  }

  /**
   * Split into parts proportional to `ratios` without losing or creating a minor unit: each part
   * gets its floor share, then the units left over go one each to the parts with the largest
   * remainders (ties: the earlier part). Ratios are non-negative integers or decimal strings.
   */
  allocate(ratios: ReadonlyArray<bigint | string>): Money[] {
    if (ratios.length === 0) throw new AppError('allocate needs at least one ratio', { code: 'MONEY_BAD_ALLOCATION', errorClass: 'bug' });
    const weights = ratios.map((r) => new Dec(r.toString()));
    if (weights.some((w) => !w.isFinite() || w.isNegative())) {
      throw new AppError('allocation ratios must be finite and non-negative', { code: 'MONEY_BAD_ALLOCATION', errorClass: 'bug' });
    }
    const total = weights.reduce((a, b) => a.plus(b), new Dec(0));
    if (total.isZero()) throw new AppError('allocation ratios sum to zero', { code: 'MONEY_BAD_ALLOCATION', errorClass: 'bug' });
    const negative = this.minor < 0n;
    const amount = new Dec((negative ? -this.minor : this.minor).toString());
    const exact = weights.map((w) => amount.times(w).div(total));
    const floors = exact.map((e) => BigInt(e.floor().toFixed(0)));
    let left = (negative ? -this.minor : this.minor) - floors.reduce((a, b) => a + b, 0n);
    // sort is stable (ES2019) and the list is in part order, so equal remainders keep the earlier part first
    const order = exact.map((e, index) => ({ index, remainder: e.minus(e.floor()) })).sort((a, b) => b.remainder.comparedTo(a.remainder));
    for (const { index } of order) {
      if (left === 0n) break;
      floors[index]! += 1n;
      left -= 1n;
    }
    return floors.map((minor) => new Money(negative ? -minor : minor, this.currency, this.decimals));
  }

  /** Split into `parts` equal shares (largest remainder), e.g. instalments. */
  split(parts: number): Money[] {
    if (!Number.isInteger(parts) || parts < 1) throw new AppError('split needs a positive whole number of parts', { code: 'MONEY_BAD_ALLOCATION', errorClass: 'bug' });
    return this.allocate(Array.from({ length: parts }, () => 1n));
  }

  static sum(items: readonly Money[], currency: string, options: { decimals?: number } = {}): Money {
    return items.reduce((total, m) => total.add(m), Money.zero(currency, options));
  }
}
