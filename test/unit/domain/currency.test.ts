import { convertToLocal, currencyPolicySchema, m3Date, rateFromCrs055, selectRate, toLocalCurrency, type CurrencyPolicy, type M3CurrencyRate } from '../../../gateway/src/domain/currency';
import { Money } from '../../../gateway/src/domain/money';
import { appErrorOf, shippedRules } from './helpers';

// CRS055MI LstRatesPerType records as M3 returns them (strings, YYYYMMDD dates)
const crs055 = [
  { CUCD: 'EUR', CRTP: '1', CUTD: '20261120', ARAT: '1.084500', DMCU: '1', RAFA: '1', LOCD: 'USD' },
  { CUCD: 'EUR', CRTP: '1', CUTD: '20261124', ARAT: '1.086100', DMCU: '1', RAFA: '1', LOCD: 'USD' },
  { CUCD: 'EUR', CRTP: '2', CUTD: '20261125', ARAT: '1.200000', DMCU: '1', RAFA: '1', LOCD: 'USD' },
  { CUCD: 'EUR', CRTP: '1', CUTD: '20261130', ARAT: '1.090000', DMCU: '1', RAFA: '1', LOCD: 'USD' },
  { CUCD: 'JPY', CRTP: '1', CUTD: '20261124', ARAT: '0.671200', DMCU: '1', RAFA: '100', LOCD: 'USD' },
  { CUCD: 'USD', CRTP: '1', CUTD: '20261124', ARAT: '0.094800', DMCU: '2', RAFA: '1', LOCD: 'SEK' },
  { CUCD: 'CAD', CRTP: '1', CUTD: '20261001', ARAT: '0.714300', DMCU: '1', RAFA: '1', LOCD: 'USD' },
];

let policy: CurrencyPolicy;
let rates: M3CurrencyRate[];

beforeAll(async () => {
  policy = (await shippedRules()).currency;
  rates = crs055.map(rateFromCrs055);
});

describe('CRS055MI rate records', () => {
  it('reads ARAT, DMCU, RAFA, CRTP, CUTD and LOCD', () => {
    expect(rates[4]).toEqual({ currency: 'JPY', localCurrency: 'USD', rateType: 1, rateDate: '2026-11-24', rate: '0.671200', method: 'multiply', rateFactor: '100' });
    expect(rates[5]!.method).toBe('divide');
  });

  it.each([
    ['a zero rate', { ARAT: '0' }],
    ['a negative rate', { ARAT: '-1.2' }],
    ['an unknown DMCU', { DMCU: '3' }],
    ['a bad date', { CUTD: '20261340' }],
    ['a missing LOCD', { LOCD: '' }],
    ['a zero rate factor', { RAFA: '0' }],
  ])('refuses %s as CURRENCY_RATE_INVALID', (_label, change) => {
    const err = appErrorOf(() => rateFromCrs055({ ...crs055[0], ...change }));
    expect(err.code).toBe('CURRENCY_RATE_INVALID');
    expect(err.errorClass).toBe('business');
  });
});

describe('rate selection', () => {
  it('takes the latest rate of the configured type on or before the transaction date', () => {
    const rate = selectRate(rates, { currency: 'EUR', localCurrency: 'USD', date: '2026-11-26' }, policy);
    expect(rate.rateDate).toBe('2026-11-24'); // not the future 11-30 one, not the type-2 one
    expect(rate.rate).toBe('1.086100');
  });

  it('uses another rate type when the policy says so', () => {
    const rate = selectRate(rates, { currency: 'EUR', localCurrency: 'USD', date: '2026-11-26' }, { ...policy, rateType: 2 });
    expect(rate.rate).toBe('1.200000');
  });

  it('parks on a missing rate as a configuration error', () => {
    const err = appErrorOf(() => selectRate(rates, { currency: 'GBP', localCurrency: 'USD', date: '2026-11-26' }, policy));
    expect(err.code).toBe('CURRENCY_RATE_MISSING');
    expect(err.errorClass).toBe('configuration');
    expect(appErrorOf(() => selectRate(rates, { currency: 'EUR', localCurrency: 'USD', date: '2026-11-01' }, policy)).code).toBe('CURRENCY_RATE_MISSING');
  });

  it('refuses a stale rate beyond maxRateAgeDays', () => {
    const err = appErrorOf(() => selectRate(rates, { currency: 'CAD', localCurrency: 'USD', date: '2026-11-26' }, policy));
    expect(err.code).toBe('CURRENCY_RATE_STALE');
    expect(err.details).toMatchObject({ rateDate: '2026-10-01', ageDays: 56, maxRateAgeDays: 7 });
    expect(selectRate(rates, { currency: 'CAD', localCurrency: 'USD', date: '2026-10-08' }, policy).rateDate).toBe('2026-10-01');
  });
});

describe('conversion to the local currency', () => {
  it('multiplies, rounds half-even once, and keeps both amounts', () => {
    const result = toLocalCurrency(Money.parse('1250.00', 'EUR'), { localCurrency: 'USD', date: '2026-11-26', rates }, policy);
    expect(result.transaction.toM3()).toBe('1250.00');
    expect(result.transaction.currency).toBe('EUR');
    expect(result.local.toM3()).toBe('1357.62'); // 1357.625 → even
    expect(result.local.currency).toBe('USD');
    expect(result.unrounded).toBe('1357.625');
    expect(result.rate?.rateDate).toBe('2026-11-24');
  });

  it('applies the configured rounding rule', () => {
    const eur = Money.parse('1250.00', 'EUR');
    const rate = rates[1]!;
    expect(convertToLocal(eur, 'USD', rate, { ...policy, rounding: 'half-up' }).local.toM3()).toBe('1357.63');
    expect(convertToLocal(eur, 'USD', rate, { ...policy, rounding: 'down' }).local.toM3()).toBe('1357.62');
  });

  it('divides the rate by RAFA (rate per 100 JPY) and converts zero-decimal currencies', () => {
    const result = toLocalCurrency(Money.parse('150000', 'JPY'), { localCurrency: 'USD', date: '2026-11-24', rates }, policy);
    expect(result.local.toM3()).toBe('1006.80'); // 150000 × 0.6712 / 100
    expect(result.effectiveRate).toBe('0.006712');
  });

  it('divides when DMCU is 2', () => {
    const result = toLocalCurrency(Money.parse('100.00', 'USD'), { localCurrency: 'SEK', date: '2026-11-25', rates }, policy);
    expect(result.unrounded.startsWith('1054.8523206751')).toBe(true);
    expect(result.local.toM3()).toBe('1054.85');
  });

  it('keeps the amount as it is in the same currency', () => {
    const result = toLocalCurrency(Money.parse('19.99', 'USD'), { localCurrency: 'USD', date: '2026-11-26', rates: [] }, policy);
    expect(result.local.toM3()).toBe('19.99');
    expect(result.effectiveRate).toBe('1');
    expect(result.rate).toBeUndefined();
  });

  it('re-scales the same currency when M3 keeps other decimals for it', () => {
    const result = toLocalCurrency(Money.parse('1234.56', 'HUF'), { localCurrency: 'HUF', date: '2026-11-26', rates: [] }, { ...policy, decimalsOverride: { HUF: 0 } });
    expect(result.local.toM3()).toBe('1235');
    expect(result.transaction.toM3()).toBe('1234.56');
  });

  it('refuses a rate of another currency pair', () => {
    const err = appErrorOf(() => convertToLocal(Money.parse('1.00', 'EUR'), 'USD', rates[4], policy));
    expect(err.code).toBe('CURRENCY_RATE_MISMATCH');
  });

  it('sums of converted parts stay within a cent per part of the converted sum (no drift)', () => {
    const parts = Money.parse('1000.00', 'EUR').split(7);
    const rate = rates[1]!;
    const locals = parts.map((p) => convertToLocal(p, 'USD', rate, policy).local);
    const whole = convertToLocal(Money.parse('1000.00', 'EUR'), 'USD', rate, policy).local;
    const diff = Money.sum(locals, 'USD').subtract(whole).abs();
    expect(diff.minor <= 7n).toBe(true);
  });
});

describe('currency rules each test above leaves open', () => {
  const record = crs055[1]!;

  it('validates the policy file: the five rounding rules, the two RAFA policies, 3-letter override codes with 0–6 decimals', () => {
    for (const rounding of ['half-even', 'half-up', 'half-down', 'up', 'down']) expect(currencyPolicySchema.parse({ ...policy, rounding }).rounding).toBe(rounding);
    for (const rateFactor of ['divides-rate', 'ignore']) expect(currencyPolicySchema.parse({ ...policy, rateFactor }).rateFactor).toBe(rateFactor);
    expect(currencyPolicySchema.safeParse({ ...policy, rounding: 'half_even' }).success).toBe(false);
    expect(currencyPolicySchema.safeParse({ ...policy, rateFactor: 'multiplies' }).success).toBe(false);
    expect(currencyPolicySchema.parse({ ...policy, decimalsOverride: { HUF: 0, CLF: 6 } }).decimalsOverride).toEqual({ HUF: 0, CLF: 6 });
    const { decimalsOverride: _omitted, ...withoutOverride } = policy;
    expect(currencyPolicySchema.parse(withoutOverride).decimalsOverride).toEqual({});
    for (const bad of [{ huf: 0 }, { HUFF: 0 }, { XHUF: 0 }, { HU: 0 }, { HUF: 7 }, { HUF: -1 }, { HUF: 1.5 }]) {
      expect(currencyPolicySchema.safeParse({ ...policy, decimalsOverride: bad }).success).toBe(false);
    }
    // zod 4 nests the key's own problem inside "Invalid key in record"
    const issues = currencyPolicySchema.safeParse({ ...policy, decimalsOverride: { huf: 0 } }).error?.issues;
    expect(issues).toMatchObject([{ path: ['decimalsOverride', 'huf'], issues: [{ message: 'must be a 3-letter currency code' }] }]);
  });

  it('reads M3 dates with or without dashes, trimmed, and refuses anything else, saying why', () => {
    expect(m3Date(' 20261124 ')).toBe('2026-11-24');
    expect(m3Date('2026-11-24')).toBe('2026-11-24');
    for (const bad of ['x20261124', '20261124x', '2026112', '202611245']) {
      const err = appErrorOf(() => m3Date(bad));
      expect(err.message).toBe(`"${bad}" is not an M3 date (YYYYMMDD)`);
      expect(err.details).toEqual({ value: bad });
    }
    for (const bad of ['20260230', '20261340', '20260431']) {
      const err = appErrorOf(() => m3Date(bad));
      expect(err.message).toBe(`"${bad}" is not a calendar date`);
      expect(err.details).toEqual({ value: bad });
      expect(err.code).toBe('CURRENCY_RATE_INVALID');
    }
  });

  it('trims CRS055MI fields, takes RAFA 1 when it is absent or blank, and names the field it refuses', () => {
    const spaced = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, ` ${v} `]));
    expect(rateFromCrs055(spaced)).toEqual(rates[1]);
    const { RAFA: _rafa, ...noFactor } = record;
    expect(rateFromCrs055(noFactor).rateFactor).toBe('1');
    expect(rateFromCrs055({ ...record, RAFA: '  ' }).rateFactor).toBe('1');
    const { LOCD: _locd, ...noLocal } = record;
    const missing = appErrorOf(() => rateFromCrs055(noLocal));
    expect(missing.message).toBe('CRS055MI rate record lacks LOCD');
    expect(missing.details).toEqual({ field: 'LOCD' });
    for (const [change, message, field] of [
      [{ ARAT: '1.2x' }, 'ARAT "1.2x" is not a positive decimal', 'ARAT'],
      [{ ARAT: 'x1.2' }, 'ARAT "x1.2" is not a positive decimal', 'ARAT'],
      [{ ARAT: '0.000' }, 'ARAT "0.000" is not a positive decimal', 'ARAT'],
      [{ RAFA: '100x' }, 'RAFA "100x" is not a positive decimal', 'RAFA'],
      [{ RAFA: '0' }, 'RAFA "0" is not a positive decimal', 'RAFA'],
      [{ DMCU: '3' }, 'DMCU "3" must be 1 (multiply) or 2 (divide)', 'DMCU'],
      [{ CRTP: 'x1' }, 'CRTP "x1" is not a rate type', 'CRTP'],
      [{ CRTP: '1x' }, 'CRTP "1x" is not a rate type', 'CRTP'],
      [{ CRTP: '100' }, 'CRTP "100" is not a rate type', 'CRTP'],
    ] as const) {
      const err = appErrorOf(() => rateFromCrs055({ ...record, ...change }));
      expect({ message: err.message, details: err.details, code: err.code }).toEqual({ message, details: { field }, code: 'CURRENCY_RATE_INVALID' });
    }
    expect(rateFromCrs055({ ...record, CRTP: '12' }).rateType).toBe(12);
  });

  it('picks the newest rate whatever order CRS055MI lists them in, and only for the asked local currency', () => {
    const eurUsd = (date: string, rate: string) => ({ currency: 'EUR', localCurrency: 'USD', rateType: 1, rateDate: date, rate, method: 'multiply' as const, rateFactor: '1' });
    const eurSek = { ...eurUsd('2026-11-25', '11.500000'), localCurrency: 'SEK' };
    const list = [eurUsd('2026-11-20', '1.01'), eurUsd('2026-11-24', '1.02'), eurUsd('2026-11-22', '1.03')];
    for (const order of [list, [...list].reverse(), [list[1]!, list[0]!, list[2]!]]) {
      expect(selectRate([eurSek, ...order], { currency: 'EUR', localCurrency: 'USD', date: '2026-11-26' }, policy).rate).toBe('1.02');
    }
    expect(selectRate([...list, eurSek], { currency: 'EUR', localCurrency: 'SEK', date: '2026-11-26' }, policy).rate).toBe('11.500000');
    const none = appErrorOf(() => selectRate([eurSek], { currency: 'EUR', localCurrency: 'NOK', date: '2026-11-26' }, policy));
    expect(none.message).toBe('No CRS055 rate of type 1 for EUR→NOK on or before 2026-11-26');
    expect(none.details).toEqual({ currency: 'EUR', localCurrency: 'NOK', rateType: 1, date: '2026-11-26' });
    const stale = appErrorOf(() => selectRate(rates, { currency: 'CAD', localCurrency: 'USD', date: '2026-11-26' }, policy));
    expect(stale.message).toBe('The newest CRS055 rate for CAD→USD is from 2026-10-01, 56 days before 2026-11-26 (limit 7)');
    expect(stale.details).toEqual({ currency: 'CAD', localCurrency: 'USD', rateType: 1, date: '2026-11-26', rateDate: '2026-10-01', ageDays: 56, maxRateAgeDays: 7 });
    expect(stale.errorClass).toBe('configuration');
  });

  it('refuses to convert across currencies without a rate, or with a rate for another local currency', () => {
    const missing = appErrorOf(() => convertToLocal(Money.parse('1.00', 'EUR'), 'USD', undefined, policy));
    expect({ code: missing.code, errorClass: missing.errorClass, message: missing.message, details: missing.details }).toEqual({
      code: 'CURRENCY_RATE_MISSING',
      errorClass: 'configuration',
      message: 'Converting EUR to USD needs a CRS055 rate',
      details: { currency: 'EUR', localCurrency: 'USD' },
    });
    // the EUR rate of the division whose local currency is SEK must not convert into USD
    const eurSek = { ...rates[1]!, localCurrency: 'SEK' };
    const wrong = appErrorOf(() => convertToLocal(Money.parse('1.00', 'EUR'), 'USD', eurSek, policy));
    expect({ code: wrong.code, errorClass: wrong.errorClass, message: wrong.message, details: wrong.details }).toEqual({
      code: 'CURRENCY_RATE_MISMATCH',
      errorClass: 'bug',
      message: 'Rate EUR→SEK does not fit EUR→USD',
      details: { rate: 'EUR->SEK' },
    });
  });

  it('stores the effective local-per-foreign rate: ARAT/RAFA to multiply, its inverse for a divide rate (DMCU 2)', () => {
    const sek = toLocalCurrency(Money.parse('100.00', 'USD'), { localCurrency: 'SEK', date: '2026-11-25', rates }, policy);
    expect(sek.effectiveRate).toBe('10.548523206751054852'); // 1 / 0.0948, 20 significant digits
    expect(sek.unrounded).toBe('1054.85232067510548523206751055');
    const dividePerHundred = { ...rates[5]!, rate: '9.48', rateFactor: '100' };
    expect(convertToLocal(Money.parse('100.00', 'USD'), 'SEK', dividePerHundred, policy).local.toM3()).toBe('1054.85');
  });

  it('with rateFactor "ignore" takes ARAT as the rate per unit', () => {
    const perUnit: CurrencyPolicy = { ...policy, rateFactor: 'ignore' };
    const jpy = { ...rates[4]!, rate: '0.006712' };
    const result = convertToLocal(Money.parse('150000', 'JPY'), 'USD', jpy, perUnit);
    expect(result.local.toM3()).toBe('1006.80');
    expect(result.effectiveRate).toBe('0.006712');
    // the same record read with the default policy would divide by RAFA 100 once more
    expect(convertToLocal(Money.parse('150000', 'JPY'), 'USD', jpy, policy).local.toM3()).toBe('10.07');
  });

  it('rounds into the local currency decimals M3 keeps (override) and says which rule it used', () => {
    const result = convertToLocal(Money.parse('1250.00', 'EUR'), 'USD', rates[1]!, { ...policy, decimalsOverride: { USD: 3 } });
    expect(result.local.toM3()).toBe('1357.625');
    expect(result.local.decimals).toBe(3);
    expect(result.rounding).toBe('half-even');
    expect(result.rate).toBe(rates[1]);
    expect(convertToLocal(Money.parse('19.99', 'USD'), 'USD', undefined, { ...policy, rounding: 'up' })).toMatchObject({ rounding: 'up', unrounded: '19.99', effectiveRate: '1' });
  });
});
