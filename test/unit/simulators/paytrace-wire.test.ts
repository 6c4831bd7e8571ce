import { brandOf, luhnValid, maskCard, triggerFor } from '../../../simulators/paytrace/codes';
import { PayTraceState } from '../../../simulators/paytrace/state';
import { dollars, exportDate, forCallLog, parseRequestDate, readAmount, readDateRange } from '../../../simulators/paytrace/wire';

describe('PayTrace simulator wire helpers', () => {
  it.each([
    ['1.00', 100],
    ['0.29', 29],
    ['19.9', 1990],
    [25.0, 2500],
    [19.95, 1995],
    ['1000000', 100000000],
  ])('reads the amount %p as %i cents', (amount, cents) => {
    expect(readAmount({ amount })).toEqual({ kind: 'cents', cents });
  });

  it.each([['-1.00'], ['1.005'], [0.1 + 0.2], ['1e3'], ['1,00'], [' '], [true], [Number.NaN], [1e21]])('refuses the amount %p', (amount) => {
    expect(readAmount({ amount }).kind).not.toBe('cents');
  });

  it('prints cents as dollars, negative ones too', () => {
    expect([dollars(0), dollars(5), dollars(1995), dollars(-250)]).toEqual(['0.00', '0.05', '19.95', '-2.50']);
  });

  it('checks Luhn and names the brand', () => {
    expect(luhnValid('4012000098765439')).toBe(true);
    expect(luhnValid('4012000098765438')).toBe(false);
    expect(luhnValid('371449635392376')).toBe(true);
    expect([brandOf('4012000098765439'), brandOf('5499740000000057'), brandOf('2221000000000009'), brandOf('371449635392376'), brandOf('6011000993026909')]).toEqual([
      'VISA',
      'MASTERCARD',
      'MASTERCARD',
      'AMEX',
      'DISCOVER',
    ]);
    expect(maskCard('4012000098765439')).toBe('xxxxxxxxxxxx5439');
    expect(maskCard('4012000098765439', true)).toBe('401200xxxxxx5439');
  });

  it('formats export dates like PayTrace and parses MM/DD/YYYY strictly', () => {
    expect(exportDate(new Date('2018-07-03T17:06:57Z'))).toBe('7/3/2018 5:06:57 PM');
    expect(exportDate(new Date('2018-07-03T00:00:01Z'))).toBe('7/3/2018 12:00:01 AM');
    expect(parseRequestDate('03/10/2026')?.toISOString()).toBe('2026-03-10T00:00:00.000Z');
    expect(parseRequestDate('2/30/2026')).toBeUndefined();
    expect(parseRequestDate('2026-03-10')).toBeUndefined();
    expect(readDateRange({ start_date: '03/10/2026', end_date: '03/09/2026' })).toBe('2003');
  });

  it('has one trigger per documented amount', () => {
    expect(triggerFor(29)?.outcome).toBe('decline');
    expect(triggerFor(63)?.outcome).toBe('autoVoid');
    expect(triggerFor(100)).toBeUndefined();
  });

  it('masks card data for the call log, nested too', () => {
    expect(forCallLog({ amount: '1.00', credit_card: { number: '4012000098765439', expiration_month: '12' }, csc: '999', swipe: '%B4012…' })).toEqual({
      amount: '1.00',
      credit_card: { number: 'xxxxxxxxxxxx5439', expiration_month: '12' },
      csc: '[REDACTED]',
      swipe: '[REDACTED]',
    });
  });

  it('settles nightly once per passed settlement time, and only pending transactions', () => {
    const state = new PayTraceState();
    const start = new Date('2026-03-10T15:00:00Z');
    state.settleDue(start, '02:00');
    const id = state.nextTransactionId();
    state.transactions.set(id, {
      id, type: 'SALE', method: 'keyed', amountCents: 100, refundedCents: 0, status: 'pending', responseCode: 101, approvalCode: 'TAS100',
      approvalMessage: '', avsResponse: '', cscResponse: '', card: { number: '4012000098765439', expirationMonth: 12, expirationYear: 2030, brand: 'VISA' }, createdAt: start,
    });
    expect(state.settleDue(new Date('2026-03-11T01:59:59Z'), '02:00')).toEqual([]);
    const batches = state.settleDue(new Date('2026-03-13T08:00:00Z'), '02:00');
    expect(batches.map((b) => [b.number, b.settledAt.toISOString(), b.transactionIds])).toEqual([[1001, '2026-03-11T02:00:00.000Z', [id]]]);
    expect(state.transactions.get(id)).toMatchObject({ status: 'settled', batchNumber: 1001 });
    expect(state.settleDue(new Date('2026-03-20T08:00:00Z'), null)).toEqual([]);
  });
});
