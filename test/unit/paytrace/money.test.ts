import { AppError } from '../../../gateway/src/errors';
import { amountFromWire, fromCents, toCents, usdAmount } from '../../../gateway/src/paytrace/money';

describe('PayTrace amounts', () => {
  it.each(['0.01', '1.00', '12.34', '250.00', '9999999999.99'])('accepts %s', (value) => {
    expect(usdAmount(value)).toBe(value);
  });

  it.each([
    ['-1.00', /must be positive/],
    ['0.00', /greater than zero/],
    ['1.005', /exactly two decimals/],
    ['1.5', /exactly two decimals/],
    ['12', /exactly two decimals/],
    ['01.00', /exactly two decimals/],
    ['1,00', /exactly two decimals/],
    ['', /exactly two decimals/],
  ])('refuses %s as a business error naming the field', (value, message) => {
    let error: unknown;
    try {
      usdAmount(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'PAYTRACE_INVALID_AMOUNT', errorClass: 'business', details: { fieldErrors: [{ field: 'amount' }] } });
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a JSON number: amounts are never floats', () => {
    expect(() => usdAmount(12.34)).toThrow(/must be a string/);
  });

  it('reads amounts PayTrace sends as numbers or strings to two-decimal strings', () => {
    expect(amountFromWire(51.88)).toBe('51.88');
    expect(amountFromWire(25.0)).toBe('25.00');
    expect(amountFromWire('19.95')).toBe('19.95');
    expect(amountFromWire(0.1 + 0.2)).toBe('0.30');
    expect(amountFromWire('abc')).toBeUndefined();
    expect(amountFromWire(undefined)).toBeUndefined();
  });

  it('converts to and from integer cents exactly', () => {
    expect(toCents(usdAmount('19.99'))).toBe(1999);
    expect(toCents(usdAmount('0.29'))).toBe(29);
    expect(fromCents(1999)).toBe('19.99');
    expect(fromCents(5)).toBe('0.05');
  });
});

describe('PayTrace amounts: what each test above leaves open', () => {
  it('reads only finite numbers and plain decimal strings from the wire, trimmed', () => {
    expect(amountFromWire(' 12.5 ')).toBe('12.50');
    expect(amountFromWire('12')).toBe('12.00');
    expect(amountFromWire(-5)).toBe('-5.00');
    expect(amountFromWire('-5.00')).toBe('-5.00');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'x12.50', '12.50x', '12.', '.5', '1e3', '', null, {}, true]) {
      expect(amountFromWire(bad)).toBeUndefined();
    }
  });

  it('refuses a number of cents that is not a safe integer, as a bug', () => {
    for (const bad of [1.5, Number.NaN, 2 ** 53]) {
      let error: unknown;
      try {
        fromCents(bad);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'PAYTRACE_INVALID_AMOUNT', errorClass: 'bug', message: `not an integer number of cents: ${bad}` });
    }
    expect(fromCents(0)).toBe('0.00');
    expect(fromCents(-250)).toBe('-2.50');
    expect(fromCents(2 ** 53 - 1)).toBe('90071992547409.91');
  });

  it('says what it refused, in the message and the field errors (HTTP 400)', () => {
    let error: unknown;
    try {
      usdAmount('1.5', 'refund_amount');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      message: 'PayTrace refund_amount must have exactly two decimals, like "12.34" (got "1.5")',
      httpStatus: 400,
      details: { fieldErrors: [{ field: 'refund_amount', message: 'must have exactly two decimals, like "12.34" (got "1.5")' }] },
    });
  });
});
