import { AppError } from '../../../gateway/src/errors';
import { amountFromWire, fromCents, readWireAmount, refusedAmountError, toCents, usdAmount } from '../../../gateway/src/paytrace/money';

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

describe('PayTrace amounts with more decimals than dollars have', () => {
  const refusal = (value: unknown, field?: string) => {
    try {
      amountFromWire(value, field);
    } catch (err) {
      return err;
    }
    throw new Error(`amountFromWire(${String(value)}) was not refused`);
  };

  it.each(['10.005', ' 10.005 ', '-0.001', '1.2345', 10.005, 0.1 + 0.2, 1e-7])('refuses %j: never rounded', (value) => {
    const error = refusal(value);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'PAYTRACE_AMOUNT_TOO_PRECISE', errorClass: 'business', httpStatus: 502, details: { field: 'amount', wire: String(value).trim() } });
    expect((error as Error).message).toBe(`PayTrace sent amount "${String(value).trim()}" with more than two decimals: refused, not rounded (USD amounts have cents)`);
  });

  it('accepts trailing zeros beyond the cents, which lose nothing', () => {
    expect(amountFromWire('10.000')).toBe('10.00');
    expect(amountFromWire('10.0500')).toBe('10.05');
    expect(amountFromWire(1e21)).toBe('1000000000000000000000.00');
  });

  it('names the field it refused', () => {
    expect(refusal('5.555', 'net_amount')).toMatchObject({ details: { field: 'net_amount', wire: '5.555' } });
  });

  it('reads one record of a list: a refused amount becomes the reason, the record stays', () => {
    expect(readWireAmount('12.34')).toEqual({ amount: '12.34' });
    expect(readWireAmount(undefined)).toEqual({});
    expect(readWireAmount(10.005, 'chargeback_amount')).toEqual({
      refused: { code: 'PAYTRACE_AMOUNT_TOO_PRECISE', field: 'chargeback_amount', wire: '10.005', message: 'PayTrace sent chargeback_amount "10.005" with more than two decimals: refused, not rounded (USD amounts have cents)' },
    });
    expect(readWireAmount('1.001')).toMatchObject({ refused: { field: 'amount', wire: '1.001' } });
  });

  it('turns a kept refusal into the registered error, saying which record', () => {
    const { refused } = readWireAmount('7.777');
    const error = refusedAmountError(refused!, 'PayTrace transaction 42');
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'PAYTRACE_AMOUNT_TOO_PRECISE', errorClass: 'business', httpStatus: 502, details: { field: 'amount', wire: '7.777' } });
    expect(error.message).toBe('PayTrace transaction 42: PayTrace sent amount "7.777" with more than two decimals: refused, not rounded (USD amounts have cents)');
  });
});
