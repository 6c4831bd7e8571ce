import { bodToPayTrace } from '../../../gateway/src/domain/field-maps';
import type { Rules } from '../../../gateway/src/domain/rules-loader';
import { appErrorOf, shippedRules } from './helpers';

let rules: Rules;
beforeAll(async () => {
  rules = await shippedRules();
});

// element values of ion-bods/samples/Sync.CustomerPartyMaster.xml, by the paths paytrace-bod.yaml uses
const customer = new Map([
  ['PartyIDs/ID', 'C10002'],
  ['Name', 'Globex Retail'],
  ['Location/Address/AddressLine[1]', '4200  Congress Ave'],
  ['Location/Address/AddressLine[2]', 'Suite 310'],
  ['Location/Address/CityName', 'Austin'],
  ['Location/Address/CountrySubDivisionCode', 'Texas'],
  ['Location/Address/PostalCode', '787011234'],
  ['Location/Address/CountryCode', 'USA'],
  ['Communication[ChannelCode=EMail]/URI', 'ap@globex.example'],
  ['Communication[ChannelCode=Telephone]/DialNumber', '+1 512 555 0142'],
]);

describe('BOD → PayTrace field map', () => {
  it('builds the vault customer request from Sync.CustomerPartyMaster with the address rules applied', () => {
    expect(bodToPayTrace(rules, 'customer', customer, { currency: 'USD' })).toEqual({
      customer_id: 'C10002',
      billing_address: {
        name: 'Globex Retail',
        street_address: '4200 Congress Ave',
        street_address2: 'Suite 310',
        city: 'Austin',
        state: 'TX',
        zip: '78701-1234',
        country: 'US',
      },
      email: 'ap@globex.example',
      phone: '+1 512 555 0142',
    });
  });

  it('builds a refund request with a two-decimal amount string', () => {
    const refund = new Map([
      ['OriginalTransactionID', '1184212'],
      ['Amount', '149.9'],
      ['CreditInvoiceReference/InvoiceID', '200019'],
    ]);
    expect(bodToPayTrace(rules, 'refund', refund, { currency: 'USD' })).toEqual({ transaction_id: '1184212', amount: '149.90', invoice_id: '200019' });
  });

  it('truncates to PayTrace limits', () => {
    const sale = new Map([
      ['Amount', '1250.00'],
      ['InvoiceReference/InvoiceID', '200001'],
      ['CustomerParty/PartyIDs/ID', 'CUSTOMER-NUMBER-TOO-LONG'],
    ]);
    expect(bodToPayTrace(rules, 'sale', sale, { currency: 'USD' })).toMatchObject({ customer_reference_id: 'CUSTOMER-NUMBER-T' });
  });

  it('refuses a BOD without its required elements, naming them', () => {
    const err = appErrorOf(() => bodToPayTrace(rules, 'refund', new Map([['Amount', '10.00']]), { currency: 'USD' }));
    expect(err.code).toBe('BOD_FIELD_MISSING');
    expect(err.errorClass).toBe('business');
    expect(err.details).toMatchObject({ missing: ['OriginalTransactionID'] });
  });

  it('refuses values the transforms cannot take, without quoting them', () => {
    const bad = new Map(customer);
    bad.set('Location/Address/CountrySubDivisionCode', 'Cascadia');
    bad.set('Location/Address/PostalCode', 'ABCDE');
    const err = appErrorOf(() => bodToPayTrace(rules, 'customer', bad, { currency: 'USD' }));
    expect(err.code).toBe('BOD_FIELD_INVALID');
    expect(err.details).toMatchObject({
      invalid: [
        { bod: 'Location/Address/CountrySubDivisionCode', problem: 'ADDRESS_REGION_UNKNOWN' },
        { bod: 'Location/Address/PostalCode', problem: 'ADDRESS_POSTAL_CODE_FORMAT' },
      ],
    });
    expect(err.message).not.toContain('Cascadia');
    const money = appErrorOf(() => bodToPayTrace(rules, 'refund', new Map([['OriginalTransactionID', '1'], ['Amount', '10.005']]), { currency: 'USD' }));
    expect(money.details).toMatchObject({ invalid: [{ bod: 'Amount', problem: 'MONEY_TOO_MANY_DECIMALS' }] });
  });
});
