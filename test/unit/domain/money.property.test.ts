import currencyCodes from 'currency-codes';
import fc from 'fast-check';
import { convertToLocal, type CurrencyPolicy, type M3CurrencyRate } from '../../../gateway/src/domain/currency';
import { Money, currencyDecimals } from '../../../gateway/src/domain/money';
import { appErrorOf } from './helpers';

/**
 * Properties of money over generated amounts, checked against independent computations in
 * bigint (exact rational arithmetic), never against the code's own decimal.js path. Seeds are
 * fixed so a run is deterministic; fast-check prints the counterexample and seed on failure.
 */
const RUNS = { numRuns: 300, seed: 20261205 };

/** every ISO 4217 currency with its decimals (the currency-codes list) */
const CURRENCIES = currencyCodes.data.filter((c) => Number.isInteger(c.digits)).map((c) => ({ code: c.code, decimals: c.digits }));
const currency = fc.constantFrom(...CURRENCIES);
/** amounts in minor units well past Number.MAX_SAFE_INTEGER (2^53) */
const minor = fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n });

const pow10 = (n: number) => 10n ** BigInt(n);

/** Round num/den (den > 0) to an integer, ties to even: the reference for 'half-even'. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const negative = num < 0n;
  const n = negative ? -num : num;
  let q = n / den;
  const twice = (n % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

describe('money properties', () => {
  it('covers the whole ISO list, including 0-, 3- and 4-decimal currencies', () => {
    expect(CURRENCIES.length).toBeGreaterThan(150);
    expect(new Set(CURRENCIES.map((c) => c.decimals))).toEqual(new Set([0, 2, 3, 4]));
  });

  it('formats and parses back to the same minor units at every currency decimals', () => {
    fc.assert(
      fc.property(currency, minor, ({ code, decimals }, units) => {
        const money = Money.fromMinor(units, code);
        const text = money.toFixedString();
        expect(text).toMatch(decimals ? new RegExp(`^-?\\d+\\.\\d{${decimals}}$`) : /^-?\d+$/);
        expect(Money.parse(text, code).minor).toBe(units);
        expect(Money.fromM3(`${text}${decimals ? '' : '.'}000`, code).minor).toBe(units);
        expect(Money.parse(text, code).decimals).toBe(currencyDecimals(code));
      }),
      RUNS,
    );
  });

  it('parses any plain decimal text to the digits it shows, and formats it back canonically', () => {
    const text = fc.record({
      negative: fc.boolean(),
      whole: fc.stringMatching(/^[1-9]\d{0,20}$|^0$/),
      fraction: fc.stringMatching(/^\d{0,4}$/),
    });
    fc.assert(
      fc.property(currency, text, ({ code, decimals }, { negative, whole, fraction }) => {
        const input = `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
        if (fraction.length > decimals) {
          expect(appErrorOf(() => Money.parse(input, code)).code).toBe('MONEY_TOO_MANY_DECIMALS');
          return;
        }
        const expected = BigInt(whole + fraction.padEnd(decimals, '0')) * (negative ? -1n : 1n);
        const money = Money.parse(input, code);
        expect(money.minor).toBe(expected);
        const padded = fraction.padEnd(decimals, '0');
        const sign = negative && expected !== 0n ? '-' : '';
        expect(money.toFixedString()).toBe(`${sign}${whole}${decimals ? `.${padded}` : ''}`);
      }),
      RUNS,
    );
  });

  it('allocates so the parts sum to the whole and each is within one minor unit of its exact share', () => {
    const ratios = fc.array(fc.bigInt({ min: 0n, max: 1000n }), { minLength: 1, maxLength: 12 }).filter((r) => r.some((x) => x > 0n));
    fc.assert(
      fc.property(minor, ratios, (units, weights) => {
        const parts = Money.fromMinor(units, 'USD').allocate(weights);
        const total = weights.reduce((a, b) => a + b, 0n);
        expect(parts).toHaveLength(weights.length);
        expect(parts.reduce((a, p) => a + p.minor, 0n)).toBe(units);
        parts.forEach((part, i) => {
          // |part − units·w/total| < 1, in integers: |part·total − units·w| < total
          const gap = part.minor * total - units * weights[i]!;
          expect(gap < total && gap > -total).toBe(true);
          expect(part.currency).toBe('USD');
        });
      }),
      RUNS,
    );
  });

  it('splits into shares that differ by at most one minor unit, the larger ones first', () => {
    fc.assert(
      fc.property(minor, fc.integer({ min: 1, max: 50 }), (units, n) => {
        const shares = Money.fromMinor(units, 'EUR').split(n).map((p) => (p.minor < 0n ? -p.minor : p.minor));
        const max = shares.reduce((a, b) => (a > b ? a : b));
        const min = shares.reduce((a, b) => (a < b ? a : b));
        expect(max - min <= 1n).toBe(true);
        expect([...shares].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(shares);
      }),
      RUNS,
    );
  });

  it('converts to local currency rounding half-even, exactly as a bigint computation of the same rate does', () => {
    const policy: CurrencyPolicy = { version: 1, rateType: 1, rounding: 'half-even', maxRateAgeDays: 7, rateFactor: 'divides-rate', decimalsOverride: {} };
    const pairs = fc.constantFrom(['EUR', 'USD'], ['USD', 'JPY'], ['JPY', 'USD'], ['KWD', 'USD'], ['USD', 'BHD'], ['CLF', 'USD'], ['EUR', 'HUF']);
    const rateText = fc.record({ mantissa: fc.bigInt({ min: 1n, max: 10n ** 9n }), scale: fc.integer({ min: 0, max: 8 }) });
    fc.assert(
      fc.property(pairs, fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), rateText, fc.constantFrom(1n, 10n, 100n, 1000n), fc.constantFrom('multiply', 'divide'), ([from, to], units, { mantissa, scale }, factor, method) => {
        const digits = mantissa.toString().padStart(scale + 1, '0');
        const rateString = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
        const rate: M3CurrencyRate = { currency: from!, localCurrency: to!, rateType: 1, rateDate: '2026-12-01', rate: rateString, method, rateFactor: factor.toString() };
        const fd = currencyDecimals(from!);
        const ld = currencyDecimals(to!);
        // local minor = units / 10^fd × (mantissa / 10^scale / factor) × 10^ld, or ÷ that rate
        const [num, den] =
          method === 'multiply'
            ? [units * mantissa * pow10(ld), pow10(fd + scale) * factor]
            : [units * pow10(scale) * factor * pow10(ld), pow10(fd) * mantissa];
        const converted = convertToLocal(Money.fromMinor(units, from!), to!, rate, policy);
        expect(converted.local.minor).toBe(roundHalfEven(num, den));
        expect(converted.local.currency).toBe(to);
        expect(converted.local.decimals).toBe(ld);
      }),
      RUNS,
    );
  });

  it('never takes a float: every JS number is refused, and results stay bigint and plain digits at any size', () => {
    fc.assert(
      fc.property(fc.double(), currency, (value, { code }) => {
        expect(appErrorOf(() => Money.parse(value, code)).code).toBe('MONEY_NOT_A_STRING');
        expect(appErrorOf(() => Money.fromM3(value, code)).code).toBe('MONEY_NOT_A_STRING');
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }), currency, (units, { code }) => {
        const money = Money.fromMinor(units, code);
        expect(typeof money.minor).toBe('bigint');
        expect(money.toFixedString()).not.toMatch(/e|E|Infinity|NaN/);
        expect(money.add(money).minor).toBe(units * 2n);
        // decimal work (rates) is exact to 50 significant digits (money.ts Dec), far beyond any amount
        if (units < 10n ** 45n && units > -(10n ** 45n)) expect(money.multiply('1.000', 'half-even').minor).toBe(units);
      }),
      RUNS,
    );
  });
});
