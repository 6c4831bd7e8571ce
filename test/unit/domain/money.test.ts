import { Dec, Money, currencyDecimals } from '../../../gateway/src/domain/money';
import { appErrorOf } from './helpers';

describe('Money parsing', () => {
  it('parses wire strings exactly into minor units', () => {
    expect(Money.parse('12.34', 'USD').minor).toBe(1234n);
    expect(Money.parse('0.10', 'USD').minor).toBe(10n);
    expect(Money.parse('7', 'USD').minor).toBe(700n);
    expect(Money.parse('-5.5', 'USD').minor).toBe(-550n);
    expect(Money.parse('99999999999999.99', 'USD').minor).toBe(9999999999999999n);
    expect(Money.parse('1500', 'JPY').minor).toBe(1500n);
    expect(Money.parse('1.234', 'KWD').minor).toBe(1234n);
  });

  it.each([
    ['a float', 12.34, 'USD', 'MONEY_NOT_A_STRING'],
    ['NaN', Number.NaN, 'USD', 'MONEY_NOT_A_STRING'],
    ['null', null, 'USD', 'MONEY_NOT_A_STRING'],
    ['an exponent', '1e3', 'USD', 'MONEY_INVALID_AMOUNT'],
    ['a text', 'NaN', 'USD', 'MONEY_INVALID_AMOUNT'],
    ['a thousands separator', '1,000.00', 'USD', 'MONEY_INVALID_AMOUNT'],
    ['a comma decimal', '12,34', 'USD', 'MONEY_INVALID_AMOUNT'],
    ['a plus sign', '+1.00', 'USD', 'MONEY_INVALID_AMOUNT'],
    ['a bare dot', '.50', 'USD', 'MONEY_INVALID_AMOUNT'],
    ['Infinity', 'Infinity', 'USD', 'MONEY_INVALID_AMOUNT'],
    ['an empty string', '', 'USD', 'MONEY_INVALID_AMOUNT'],
    ['three decimals in USD', '12.345', 'USD', 'MONEY_TOO_MANY_DECIMALS'],
    ['a zero-padded third decimal in USD (strict wire)', '12.340', 'USD', 'MONEY_TOO_MANY_DECIMALS'],
    ['decimals in JPY', '100.5', 'JPY', 'MONEY_TOO_MANY_DECIMALS'],
  ])('refuses %s with a business error', (_label, input, currency, code) => {
    const err = appErrorOf(() => Money.parse(input, currency));
    expect(err.code).toBe(code);
    expect(err.errorClass).toBe('business');
  });

  it('refuses unknown currencies', () => {
    const err = appErrorOf(() => Money.parse('1.00', 'XYZ'));
    expect(err.code).toBe('MONEY_UNKNOWN_CURRENCY');
    expect(appErrorOf(() => Money.parse('1.00', 'usd')).code).toBe('MONEY_UNKNOWN_CURRENCY');
  });

  it('reads M3 decimal strings padded with zeros, but never rounds away a digit', () => {
    expect(Money.fromM3('100.000000', 'USD').minor).toBe(10000n);
    expect(Money.fromM3('1234.5', 'USD').toM3()).toBe('1234.50');
    expect(appErrorOf(() => Money.fromM3('10.005', 'USD')).code).toBe('MONEY_TOO_MANY_DECIMALS');
  });

  it('takes currency decimals from ISO 4217 unless M3 says otherwise', () => {
    expect(currencyDecimals('USD')).toBe(2);
    expect(currencyDecimals('JPY')).toBe(0);
    expect(currencyDecimals('BHD')).toBe(3);
    expect(currencyDecimals('HUF')).toBe(2); // ISO 4217, not CLDR's display digits (0)
    expect(currencyDecimals('IQD')).toBe(3);
    expect(currencyDecimals('HUF', 0)).toBe(0);
    expect(Money.parse('12', 'HUF', { decimals: 0 }).toM3()).toBe('12');
  });
});

describe('Money formatting', () => {
  it('formats for PayTrace with exactly two decimals', () => {
    expect(Money.parse('5', 'USD').toPayTrace()).toBe('5.00');
    expect(Money.fromMinor(1n, 'USD').toPayTrace()).toBe('0.01');
    expect(Money.fromMinor(-1n, 'USD').toPayTrace()).toBe('-0.01');
    expect(appErrorOf(() => Money.parse('5', 'JPY').toPayTrace()).code).toBe('MONEY_NOT_PAYTRACE_SCALE');
  });

  it('formats for M3 with the currency decimals and a leading minus', () => {
    expect(Money.parse('-12.3', 'USD').toM3()).toBe('-12.30');
    expect(Money.parse('0.005', 'KWD').toM3()).toBe('0.005');
    expect(Money.parse('1500', 'JPY').toM3()).toBe('1500');
    expect(JSON.stringify(Money.parse('1.5', 'EUR'))).toBe('{"amount":"1.50","currency":"EUR"}');
    expect(String(Money.parse('1.5', 'EUR'))).toBe('1.50 EUR');
  });
});

describe('Money arithmetic', () => {
  const usd = (s: string) => Money.parse(s, 'USD');

  it('adds and subtracts without float drift', () => {
    expect(usd('0.10').add(usd('0.20')).toM3()).toBe('0.30');
    let total = Money.zero('USD');
    for (let i = 0; i < 1000; i++) total = total.add(usd('0.01'));
    expect(total.toM3()).toBe('10.00');
    expect(usd('1.00').subtract(usd('1.01')).toM3()).toBe('-0.01');
    expect(Money.sum([usd('1.11'), usd('2.22'), usd('3.33')], 'USD').toM3()).toBe('6.66');
  });

  it('compares only the same currency', () => {
    expect(usd('1.00').compare(usd('0.99'))).toBe(1);
    expect(usd('1.00').equals(usd('1'))).toBe(true);
    const err = appErrorOf(() => usd('1.00').add(Money.parse('1.00', 'EUR')));
    expect(err.code).toBe('MONEY_CURRENCY_MISMATCH');
    expect(err.errorClass).toBe('bug');
    expect(usd('1.00').equals(Money.parse('1.00', 'EUR'))).toBe(false);
  });

  it('multiplies by exact factors with an explicit rounding rule', () => {
    expect(usd('10.00').multiply('0.125', 'half-even').toM3()).toBe('1.25');
    expect(usd('0.05').multiply('0.5', 'half-even').toM3()).toBe('0.02'); // 0.025 → even
    expect(usd('0.05').multiply('0.5', 'half-up').toM3()).toBe('0.03');
    expect(usd('0.07').multiply('0.5', 'half-even').toM3()).toBe('0.04'); // 0.035 → even
    expect(Money.fromDecimal(new Dec('2.675'), 'USD', 'down').toM3()).toBe('2.67');
  });

  it('allocates without losing or creating a cent (largest remainder)', () => {
    const parts = usd('100.00').allocate([1n, 1n, 1n]);
    expect(parts.map((p) => p.toM3())).toEqual(['33.34', '33.33', '33.33']);
    expect(Money.sum(parts, 'USD').toM3()).toBe('100.00');

    const weighted = usd('10.00').allocate(['0.7', '0.2', '0.1']);
    expect(weighted.map((p) => p.toM3())).toEqual(['7.00', '2.00', '1.00']);

    const odd = usd('0.05').allocate([3n, 3n, 3n]);
    expect(odd.map((p) => p.toM3())).toEqual(['0.02', '0.02', '0.01']);

    const negative = usd('-100.00').split(3);
    expect(negative.map((p) => p.toM3())).toEqual(['-33.34', '-33.33', '-33.33']);

    // remainders decide, not position: 1/6 and 5/6 of 0.01
    expect(usd('0.01').allocate([1n, 5n]).map((p) => p.toM3())).toEqual(['0.00', '0.01']);
  });

  it('refuses meaningless allocations', () => {
    expect(appErrorOf(() => usd('1.00').allocate([])).code).toBe('MONEY_BAD_ALLOCATION');
    expect(appErrorOf(() => usd('1.00').allocate([0n, 0n])).code).toBe('MONEY_BAD_ALLOCATION');
    expect(appErrorOf(() => usd('1.00').allocate(['-1', '2'])).code).toBe('MONEY_BAD_ALLOCATION');
    expect(appErrorOf(() => usd('1.00').split(0)).code).toBe('MONEY_BAD_ALLOCATION');
  });

  it('holds amounts beyond Number.MAX_SAFE_INTEGER cents exactly', () => {
    const big = usd('123456789012345678.91');
    expect(big.add(usd('0.09')).toM3()).toBe('123456789012345679.00');
  });
});
