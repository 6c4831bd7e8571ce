import { Writable } from 'node:stream';
import { Secret } from '../../gateway/src/config';
import { runWithContext } from '../../gateway/src/observability/context';
import { createLogger } from '../../gateway/src/observability/logger';
import { maskCardNumbers, redact } from '../../gateway/src/observability/redact';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', stream }) };
}

describe('card number masking', () => {
  it.each([
    ['4012000098765439', 'Visa test card'],
    ['5499740000000057', 'MasterCard test card'],
    ['6011000993026909', 'Discover test card'],
    ['371449635392376', 'Amex test card (15 digits)'],
    ['4012 0000 9876 5439', 'grouped by spaces'],
    ['4012-0000-9876-5439', 'grouped by dashes'],
    ['6011000990139424', 'Discover'],
    ['4111111111111111110', '19-digit Visa'],
  ])('masks %s (%s)', (pan) => {
    const masked = maskCardNumbers(`card ${pan} declined`);
    expect(masked).not.toContain(pan);
    expect(masked).toMatch(/\[CARD \*\*\*\*\d{4}\] declined$/);
  });

  it.each([
    ['4012000098765438', 'fails the Luhn check'],
    ['123456789012', 'too short (12 digits)'],
    ['12345678901234567890', 'too long (20 digits)'],
    ['20261126', 'a date'],
  ])('keeps %s (%s)', (digits) => {
    expect(maskCardNumbers(`value ${digits}`)).toBe(`value ${digits}`);
  });
});

describe('only standalone card numbers are masked', () => {
  it.each([
    ['809c4242-4242-4242-4242-424242424242', 'a UUID request id whose digit groups chain into a Luhn-valid run'],
    ['42424242-4242-4242-4242-424242424242', 'an all-digit UUID'],
    ['ORDER-4242424242424242', 'a dash-linked piece of a longer id'],
    ['x4242424242424242', 'glued to a letter'],
  ])('keeps %s (%s), so it can be found in the logs as it was quoted', (id) => {
    expect(maskCardNumbers(`request ${id} failed`)).toBe(`request ${id} failed`);
  });

  it.each([['"4242424242424242"'], ['pan=4242424242424242,'], ['(4242 4242 4242 4242)']])('masks %s', (text) => {
    expect(maskCardNumbers(text)).toContain('[CARD ****4242]');
  });
});

describe('log redaction', () => {
  it('masks secrets, secret-named keys and card numbers in every field, at any depth', () => {
    const out = redact({
      password: 'p4ss',
      nested: { client_secret: 'abc', Authorization: 'Bearer xyz', list: [{ note: 'paid with 4012000098765439' }] },
      wrapped: new Secret('s3cret'),
      amount: '12.34',
      pan: 5499740000000057,
      orderNumber: '1000123',
    }) as Record<string, unknown>;
    const text = JSON.stringify(out);
    for (const leaked of ['p4ss', 'abc', 'xyz', 's3cret', '4012000098765439', '5499740000000057']) expect(text).not.toContain(leaked);
    expect(out.amount).toBe('12.34');
    expect(out.orderNumber).toBe('1000123');
  });

  it('writes JSON lines with the correlation id and business ids, and nothing secret', () => {
    const { lines, logger } = capture();
    runWithContext({ correlationId: 'corr-1', IVNO: '12345' }, () => {
      logger.info('charging card 4012 0000 9876 5439 for invoice', { token: 'tok_live_abc', creds: new Secret('sask-value'), err: new Error('failed for 5499740000000057') });
    });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', correlationId: 'corr-1', IVNO: '12345', token: '[REDACTED]', creds: '[REDACTED]' });
    expect(line.message).toBe('charging card [CARD ****5439] for invoice');
    expect(lines[0]).not.toMatch(/4012|tok_live_abc|sask-value|5499740000000057/);
  });
});
