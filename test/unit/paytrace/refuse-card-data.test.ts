import { containsCardNumber, findCardData } from '../../../gateway/src/http/middleware/refuse-card-data';

describe('card data detection', () => {
  it.each(['4012000098765439', '4012 0000 9876 5439', '5499-7400-0000-0057', '371449635392376', 'card 6011000993026909 please'])('finds the card number in %s', (text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each(['4012000098765438' /* Luhn fails */, '1234567890123' /* no card prefix */, 'INV-2026-000123', '20260301', '0000000000000000'])('leaves %s alone', (text) => {
    expect(containsCardNumber(text)).toBe(false);
  });

  it('names where it found card data', () => {
    expect(findCardData({ credit_card: { number: '4111' } }, 'body')).toBe('body.credit_card.number');
    expect(findCardData({ payment: { cvv: '123' } }, 'body')).toBe('body.payment.cvv');
    expect(findCardData({ lines: [{ note: 'pay with 4012000098765439' }] }, 'body')).toBe('body.lines[0].note');
    expect(findCardData({ cardNumber: '4111 1111 1111 1111' }, 'body')).toBe('body.cardNumber');
    expect(findCardData({ pan: 5499740000000057 }, 'body')).toBe('body.pan');
  });

  it('lets Protect tokens, masked cards and ordinary numbers through', () => {
    expect(findCardData({ hpf_token: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', enc_key: 'q83vEjRWeJA=', masked_card_number: 'xxxxxxxxxxxx5439', amount: '12.34', invoice: { number: 'INV-1' }, csc: '' }, 'body')).toBeUndefined();
    expect(findCardData(undefined, 'body')).toBeUndefined();
  });
});

describe('Protect tokens are not card data', () => {
  it('does not scan hpf_token / enc_key values, even when they hold a Luhn-valid digit run', () => {
    const token = 'tok-ab-4012000098765439-cd';
    expect(findCardData({ hpf_token: token, enc_key: token })).toBeUndefined();
    expect(findCardData({ tokens: { hpfToken: token, encKey: token } })).toBeUndefined();
    // the same text anywhere else is still refused
    expect(findCardData({ note: token })).toBe('note');
    expect(findCardData({ hpf_token: { nested: token } })).toBe('hpf_token.nested');
  });
});
