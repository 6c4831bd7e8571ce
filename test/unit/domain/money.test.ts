import { Dec, Money, currencyDecimals, decimalRounding, isKnownCurrency, type RoundingMode } from '../../../gateway/src/domain/money';
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

describe('Money rules each test above leaves open', () => {
  const usd = (s: string) => Money.parse(s, 'USD');

  it('maps each rounding mode to its rule, ties and negatives included', () => {
    const at = (mode: RoundingMode, text: string) => new Dec(text).toDecimalPlaces(0, decimalRounding(mode)).toString();
    expect((['half-even', 'half-up', 'half-down', 'up', 'down'] as const).map((m) => [at(m, '2.5'), at(m, '-2.5'), at(m, '3.5'), at(m, '2.4'), at(m, '2.6')])).toEqual([
      ['2', '-2', '4', '2', '3'],
      ['3', '-3', '4', '2', '3'],
      ['2', '-2', '3', '2', '3'],
      ['3', '-3', '4', '3', '3'],
      ['2', '-2', '3', '2', '2'],
    ]);
  });

  it('knows the ISO 4217 codes and nothing else', () => {
    expect(isKnownCurrency('USD')).toBe(true);
    expect(isKnownCurrency('KWD')).toBe(true);
    expect(isKnownCurrency('XYZ')).toBe(false);
    expect(isKnownCurrency('usd')).toBe(false);
    const err = appErrorOf(() => currencyDecimals('XYZ'));
    expect(err.message).toBe('Unknown currency code "XYZ"');
    expect(err.details).toEqual({ currency: 'XYZ' });
    expect(err.errorClass).toBe('business');
  });

  it('parses an amount with surrounding spaces, and M3 zero padding after a significant decimal', () => {
    expect(Money.parse(' 12.34\t', 'USD').minor).toBe(1234n);
    expect(Money.fromM3(' -7.5 ', 'USD').minor).toBe(-750n);
    expect(Money.fromM3('12.3400', 'USD').minor).toBe(1234n);
    expect(Money.fromM3('0.1000', 'USD').toM3()).toBe('0.10');
    expect(Money.fromM3('5.120000', 'KWD').minor).toBe(5120n);
    expect(Money.fromM3('12.3400', 'USD', { decimals: 3 }).minor).toBe(12340n);
  });

  it('says what was wrong with a refused amount and keeps at most 40 characters of it', () => {
    const notText = appErrorOf(() => Money.parse(12.34, 'USD'));
    expect(notText.message).toBe('An amount must be a decimal string, not a number');
    expect(notText.details).toEqual({ value: 'number' });
    const long = `${'9'.repeat(45)}x`;
    const bad = appErrorOf(() => Money.parse(`  ${long}  `, 'USD'));
    expect(bad.message).toBe(`"${long.slice(0, 40)}" is not a plain decimal amount (digits, optional '.' and decimals)`);
    expect(bad.details).toEqual({ value: `  ${long}`.slice(0, 40) });
    expect(bad.errorClass).toBe('business');
    const surplus = appErrorOf(() => Money.fromM3(' 12.3450 ', 'USD'));
    expect(surplus.message).toBe('"12.3450" has 4 decimals; USD allows 2');
    expect(surplus.details).toEqual({ value: ' 12.3450 ' });
    const scale = appErrorOf(() => Money.parse('5', 'KWD').toPayTrace());
    expect(scale.message).toBe('PayTrace amounts have 2 decimals; KWD has 3');
    expect(scale.details).toEqual({ currency: 'KWD' });
    expect(scale.errorClass).toBe('business');
  });

  it('refuses to mix two scales of one currency (an M3 decimals override), naming the operation', () => {
    const iso = usd('1.00');
    const m3 = Money.parse('1.000', 'USD', { decimals: 3 });
    for (const [op, run] of [
      ['add', () => iso.add(m3)],
      ['subtract', () => iso.subtract(m3)],
      ['compare', () => iso.compare(m3)],
    ] as const) {
      const err = appErrorOf(run);
      expect(err.code).toBe('MONEY_CURRENCY_MISMATCH');
      expect(err.message).toBe(`Cannot ${op} USD and USD`);
      expect(err.details).toEqual({ left: 'USD', right: 'USD' });
    }
    expect(appErrorOf(() => usd('1.00').subtract(Money.parse('1', 'JPY'))).message).toBe('Cannot subtract JPY and USD');
    expect(iso.equals(m3)).toBe(false);
    expect(iso.equals(usd('1.01'))).toBe(false);
    // same currency, same minor units, another scale: 1.00 is not 0.100
    expect(iso.equals(Money.fromMinor(100n, 'USD', { decimals: 3 }))).toBe(false);
  });

  it('negates, takes the absolute value and compares in all three directions', () => {
    expect(usd('-12.30').abs().toM3()).toBe('12.30');
    expect(usd('12.30').abs().toM3()).toBe('12.30');
    expect(usd('0').abs().isZero()).toBe(true);
    expect(usd('12.30').negate().toM3()).toBe('-12.30');
    expect(usd('-0.01').negate().toM3()).toBe('0.01');
    expect(usd('0.99').compare(usd('1.00'))).toBe(-1);
    expect(usd('1.00').compare(usd('1.00'))).toBe(0);
    expect(usd('1.00').compare(usd('0.99'))).toBe(1);
    expect(usd('-2.00').compare(usd('-1.00'))).toBe(-1);
  });

  it('tells zero, negative and positive apart', () => {
    expect([usd('0'), usd('-0.01'), usd('0.01')].map((m) => [m.isZero(), m.isNegative(), m.isPositive()])).toEqual([
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });

  it('multiplies an amount with overridden decimals at its own scale', () => {
    const m3 = Money.fromM3('10.125000', 'USD', { decimals: 3 });
    const half = m3.multiply('0.5', 'half-even');
    expect(half.decimals).toBe(3);
    expect(half.toM3()).toBe('5.062');
    expect(half.multiply(new Dec('2'), 'half-even').toM3()).toBe('10.124');
  });

  it('keeps every digit of amounts wider than 20 significant digits (50-digit decimals)', () => {
    expect(usd('123456789012345678.91').multiply('1.5', 'half-even').toM3()).toBe('185185183518518518.36');
    expect(Money.fromDecimal(new Dec('0.00000000000000000000000000005'), 'USD', 'up').toM3()).toBe('0.01');
  });

  it('gives the units left over to the earlier parts when remainders tie', () => {
    expect(usd('0.03').split(7).map((p) => p.minor)).toEqual([1n, 1n, 1n, 0n, 0n, 0n, 0n]);
    expect(usd('0.10').split(12).map((p) => p.minor)).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n]);
    expect(usd('-0.02').split(3).map((p) => p.minor)).toEqual([-1n, -1n, 0n]);
    expect(usd('1.00').allocate([1n, '1', 1n]).map((p) => p.toM3())).toEqual(['0.34', '0.33', '0.33']);
  });

  it('splits into one part (the whole) and refuses fractional or negative counts, with the reason', () => {
    expect(usd('12.34').split(1).map((p) => p.toM3())).toEqual(['12.34']);
    for (const parts of [0, -1, 1.5, Number.NaN]) {
      const err = appErrorOf(() => usd('1.00').split(parts));
      expect(err.message).toBe('split needs a positive whole number of parts');
      expect(err.errorClass).toBe('bug');
    }
    expect(appErrorOf(() => usd('1.00').allocate([])).message).toBe('allocate needs at least one ratio');
    expect(appErrorOf(() => usd('1.00').allocate([])).errorClass).toBe('bug');
    expect(appErrorOf(() => usd('1.00').allocate(['1', 'Infinity'])).message).toBe('allocation ratios must be finite and non-negative');
    expect(appErrorOf(() => usd('1.00').allocate(['1', '-0.5'])).errorClass).toBe('bug');
    expect(appErrorOf(() => usd('1.00').allocate([0n])).message).toBe('allocation ratios sum to zero');
    expect(appErrorOf(() => usd('1.00').allocate([0n])).errorClass).toBe('bug');
  });

  it('allocates zero as zeros', () => {
    expect(usd('0').allocate([1n, 2n]).map((p) => p.toM3())).toEqual(['0.00', '0.00']);
  });
});
