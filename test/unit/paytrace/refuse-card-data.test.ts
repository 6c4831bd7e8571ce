import { containsCardNumber, findCardData } from '../../../gateway/src/http/middleware/refuse-card-data';
import { redactCardDataInXml } from '../../../gateway/src/infor/bod/card-data';

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

describe('a UUID is an id, not a card number', () => {
  // its digit groups read as the Luhn-valid, Visa/Discover-prefixed `6 9239 4688 9141 3`: random UUIDs
  // did so 1 time in 855, and a payment's own id in a path or body was refused as card data
  const uuid = 'f5f921f6-9239-4688-9141-3fcc644311d8';

  it('leaves UUIDs alone wherever they stand, and still finds a card number beside one', () => {
    expect(containsCardNumber(uuid)).toBe(false);
    expect(containsCardNumber(`/admin/api/payments/${uuid}/trace`)).toBe(false);
    expect(containsCardNumber(`pay-${uuid}`)).toBe(false);
    expect(findCardData({ paymentId: uuid, note: `replay ${uuid.toUpperCase()}` }, 'body')).toBeUndefined();
    expect(containsCardNumber(`${uuid} 4012000098765439`)).toBe(true);
    expect(findCardData({ paymentId: uuid, note: `card 4012 0000 9876 5439 for ${uuid}` }, 'body')).toBe('body.note');
  });

  it('masks the card number, not the UUID, in a refused BOD\'s inbox copy', () => {
    const xml = `<SyncInvoice><BODID>${uuid}</BODID><Note>4012000098765439</Note></SyncInvoice>`;
    expect(redactCardDataInXml(xml)).toBe(`<SyncInvoice><BODID>${uuid}</BODID><Note>[CARD ****5439]</Note></SyncInvoice>`);
  });
});
