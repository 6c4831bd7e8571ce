import { convertToLocal, rateFromCrs055, selectRate, toLocalCurrency, type CurrencyPolicy, type M3CurrencyRate } from '../../../gateway/src/domain/currency';
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
