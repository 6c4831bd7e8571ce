import { loadRules, type Rules } from '../../../gateway/src/domain/rules-loader';
import { MappingEvaluator } from '../../../gateway/src/mapping-assistant/jsonata/evaluator';
import { loadKnowledge } from '../../../gateway/src/mapping-assistant/knowledge';
import { suggest, type FeedbackIndex, type MatcherContext } from '../../../gateway/src/mapping-assistant/matcher';
import { m3FieldFromMetadata } from '../../../gateway/src/mapping-assistant/targets/m3';
import { payTraceTarget } from '../../../gateway/src/mapping-assistant/targets/paytrace';
import { loadBodTarget } from '../../../gateway/src/mapping-assistant/targets/bod';
import { narrow, type DetailedSuggestionResult, type TargetSchema } from '../../../gateway/src/mapping-assistant/types';

/**
 * The matcher with the shipped knowledge (M3 field descriptions, the fitted model) and the real
 * address rules and bounded evaluator; M3 targets from LstFields rows as MRS001MI gives them.
 */
let rules: Rules;
let evaluator: MappingEvaluator;
let ctx: MatcherContext;
/** the same, with the auto-suggest threshold lowered: the tests of ranking see every field's ranking */
let ranking: MatcherContext;
beforeAll(async () => {
  rules = await loadRules('mappings');
  evaluator = new MappingEvaluator(rules.address);
  ctx = { ...loadKnowledge(), rules: rules.address, evaluator };
  ranking = { ...ctx, model: { ...ctx.model, threshold: 0.3 } };
});
afterAll(async () => {
  await evaluator.close();
});

const row = (FLNM: string, FLDS: string, TYPE: 'A' | 'N', LENG: number, MAND = '0') => ({ FLNM, FLDS, TYPE, LENG: String(LENG), MAND });
/** CRS610MI/Add's first fields, as LstFields answers them */
const customerAdd: TargetSchema = {
  target: 'm3:CRS610MI/Add',
  kind: 'm3',
  title: 'Create a new customer record',
  fields: [
    row('CUTM', 'Customer template', 'A', 10, '1'),
    row('CUNM', 'Customer name', 'A', 36, '1'),
    row('CUA1', 'Customer address 1', 'A', 36, '1'),
    row('CUNO', 'Customer number', 'A', 10),
    row('CUA2', 'Customer address 2', 'A', 36),
    row('CUA3', 'Customer address 3', 'A', 36),
    row('PONO', 'Postal code', 'A', 10),
    row('MAIL', 'E-mail address', 'A', 50),
    row('CSCD', 'Country code', 'A', 3),
    row('ECAR', 'Area/state', 'A', 2),
    row('TOWN', 'City', 'A', 20),
    row('FACI', 'Facility', 'A', 3),
    row('RASN', 'Rail station', 'A', 10),
  ].map(m3FieldFromMetadata),
};
const order = {
  order: { id: 'WEB-1001', placed_at: '2026-04-01T09:30:00-05:00', total: '212.40', currency: 'USD' },
  customer: {
    full_name: 'Lakeside Tackle & Marine',
    email: 'billing@lakeside-tackle.example',
    account_no: 'C30001',
    street: ['4100 North Lakeshore Drive, Bldg C', 'Receiving'],
    city: 'Chicago',
    state: 'Illinois',
    zip: '60613',
    country: 'United States',
  },
  payment: { card_number: '4111 1111 1111 1111', masked: 'xxxxxxxxxxxx1111' },
};
const fieldOf = (r: DetailedSuggestionResult, name: string) => r.fields.find((f) => f.field === name)!;

it('ranks the right source first with a reason a person can check, and evaluates the expression on the sample', async () => {
  const r = await suggest(customerAdd, order, ranking);
  const cunm = fieldOf(r, 'CUNM');
  expect(cunm.candidates[0]).toMatchObject({ source: 'customer.full_name', path: 'customer.full_name', preview: 'Lakeside Tackle & Marine' });
  expect(cunm.candidates[0]!.reason).toMatch(/^CUNM ≈ 'customer name' ← customer\.full_name: .*words .*name.* match.*type text.*length 36 ≥ 24/);
  expect(cunm.candidates[0]!.confidence).toBeGreaterThan(0);
  expect(fieldOf(r, 'MAIL').candidates[0]).toMatchObject({ source: 'customer.email', preview: 'billing@lakeside-tackle.example' });
  expect(fieldOf(r, 'TOWN').candidates[0]?.source).toBe('customer.city');
  expect(fieldOf(r, 'CUNO').candidates[0]?.source).toBe('customer.account_no');
});

it('proposes transformations as JSONata that run through the domain rules: street split, country, region, postal code', async () => {
  const r = await suggest(customerAdd, order, ranking);
  expect(fieldOf(r, 'CUA1').candidates[0]).toMatchObject({ source: '$street([customer.street[0], customer.street[1]], 1)', transform: 'street', preview: '4100 North Lakeshore Drive, Bldg C' });
  expect(fieldOf(r, 'CUA2').candidates[0]).toMatchObject({ source: '$street([customer.street[0], customer.street[1]], 2)', preview: 'Receiving' });
  expect(fieldOf(r, 'CSCD').candidates[0]).toMatchObject({ source: '$countryCode(customer.country)', preview: 'US' });
  expect(fieldOf(r, 'ECAR').candidates[0]).toMatchObject({ source: '$regionCode(customer.state, customer.country)', preview: 'IL' });
});

it('abstains where nothing fits: no candidate at all, not a weak one', async () => {
  const r = await suggest(customerAdd, order, ranking);
  for (const name of ['FACI', 'RASN', 'CUTM', 'CUA3']) expect(fieldOf(r, name)).toMatchObject({ abstained: true, candidates: [] });
  const unrelated = await suggest(customerAdd, { sensor: { celsius: 21.5, humidity_pct: 40 } }, ranking);
  expect(unrelated.fields.every((f) => f.candidates.length === 0)).toBe(true);
  // with the shipped threshold, a field whose best candidate is under it gets none either
  const shipped = await suggest(customerAdd, order, ctx);
  for (const f of shipped.fields) {
    if (f.abstained) expect(f.candidates).toEqual([]);
    else expect(f.candidates[0]!.confidence).toBeGreaterThanOrEqual(ctx.model.threshold);
  }
});

it('a card number in the sample is never offered as a source nor shown', async () => {
  const r = await suggest(customerAdd, order, ctx);
  const text = JSON.stringify(r);
  expect(text).not.toContain('4111');
  expect(text).not.toContain('card_number');
  const keyed = await suggest(payTraceTarget('sale/keyed'), order, ctx);
  expect(JSON.stringify(keyed)).not.toContain('card_number');
  expect(keyed.fields.find((f) => f.field === 'credit_card.number')).toMatchObject({ confirmRequired: 'card', candidates: [] });
});

it('never auto-applies money, currency, card or account fields, however sure', async () => {
  const sale = await suggest(payTraceTarget('sale/by_customer'), { customer_id: 'C30001', amount: '212.40', email: 'a@b.example' }, ranking);
  const amount = sale.fields.find((f) => f.field === 'amount')!;
  expect(amount.confirmRequired).toBe('money');
  expect(amount.candidates[0]).toMatchObject({ source: '$amount(amount, "USD")', preview: '212.40', autoApply: false });
  expect(amount.candidates[0]!.reason).toMatch(/money field: a person confirms/);
  const id = sale.fields.find((f) => f.field === 'customer_id')!;
  expect(id.confirmRequired).toBeUndefined();
  expect(id.candidates[0]).toMatchObject({ source: 'customer_id', autoApply: true });

  const bod = await loadBodTarget('MyPTPayment');
  const payment = await suggest(bod, { amount: '99.00', currency: 'USD', card_brand: 'VISA', transaction_id: '418823301' }, ranking);
  expect(payment.fields.find((f) => f.field === 'Amount/@currencyID')).toMatchObject({ confirmRequired: 'currency' });
  expect(payment.fields.find((f) => f.field === 'Card/Brand')).toMatchObject({ confirmRequired: 'card' });
  for (const f of payment.fields.filter((x) => x.confirmRequired)) for (const c of f.candidates) expect(c.autoApply).toBe(false);
  const account = await suggest({ ...customerAdd, fields: [m3FieldFromMetadata(row('BKID', 'Bank account identity', 'A', 5))] }, { bank_account_id: 'DEB01' }, ranking);
  expect(account.fields[0]).toMatchObject({ confirmRequired: 'account' });
});

it('money becomes M3 decimals of the sample currency, a date yyyyMMdd', async () => {
  const head: TargetSchema = { target: 'm3:ARS040MI/AddBatchLine', kind: 'm3', title: 't', fields: [row('PYAM', 'Payment amount', 'N', 17, '1'), row('LPDT', 'Payment date', 'N', 8)].map(m3FieldFromMetadata) };
  const r = await suggest(head, { payment: { amount: 1500, currency: 'JPY', paid_at: '2026-04-01T23:10:00+09:00' } }, ranking);
  expect(fieldOf(r, 'PYAM').candidates[0]).toMatchObject({ source: '$amount(payment.amount, payment.currency)', preview: '1500', autoApply: false });
  expect(fieldOf(r, 'LPDT').candidates[0]).toMatchObject({ source: '$dateYMD(payment.paid_at)', preview: '20260401' });
});

it('learns from use: a rejected candidate drops, an accepted one rises (per the feedback index)', async () => {
  const target: TargetSchema = { ...customerAdd, fields: [m3FieldFromMetadata(row('CUNM', 'Customer name', 'A', 36))] };
  const sample = { customer: { full_name: 'Lakeside Tackle', contact_name: 'Ana Ruiz' } };
  const before = await suggest(target, sample, ranking);
  expect(before.fields[0]!.candidates[0]!.path).toBe('customer.full_name');
  const said = new Map<string, { accepted: number; rejected: number; acceptedElsewhere: number; rejectedElsewhere: number }>([
    ['customer.full_name', { accepted: 0, rejected: 1, acceptedElsewhere: 0, rejectedElsewhere: 0 }],
    ['customer.contact_name', { accepted: 1, rejected: 0, acceptedElsewhere: 0, rejectedElsewhere: 0 }],
  ]);
  const feedback: FeedbackIndex = { lookup: (_t, _f, path) => said.get(path) ?? { accepted: 0, rejected: 0, acceptedElsewhere: 0, rejectedElsewhere: 0 } };
  const after = await suggest(target, sample, { ...ranking, feedback });
  expect(after.fields[0]!.candidates[0]).toMatchObject({ path: 'customer.contact_name' });
  expect(after.fields[0]!.candidates[0]!.reason).toMatch(/accepted 1× in this tenant/);
  expect(after.fields[0]!.candidates.find((c) => c.path === 'customer.full_name')?.confidence ?? 0).toBeLessThan(before.fields[0]!.candidates[0]!.confidence);
});

it('the narrow shape is exactly {target, fields: [{field, candidates: [{source, confidence, reason}]}]}', async () => {
  const r = narrow(await suggest(customerAdd, order, ctx));
  expect(Object.keys(r)).toEqual(['target', 'fields']);
  for (const f of r.fields) {
    expect(Object.keys(f)).toEqual(['field', 'candidates']);
    for (const c of f.candidates) expect(Object.keys(c)).toEqual(['source', 'confidence', 'reason']);
  }
});

it('refuses a sample that is not an object, or nested too deep, with a clear error', async () => {
  await expect(suggest(customerAdd, 'text', ctx)).rejects.toMatchObject({ code: 'MAPPING_SAMPLE_INVALID', httpStatus: 400 });
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 40; i++) deep = { next: deep };
  await expect(suggest(customerAdd, deep, ctx)).rejects.toMatchObject({ code: 'MAPPING_SAMPLE_TOO_DEEP' });
});

it('reads a BOD noun whose header is an xs:all, numbering repeated values (AddressLine) but not repeated structures (Location)', async () => {
  const invoice = await loadBodTarget('Invoice');
  const names = invoice.fields.map((f) => f.name);
  expect(names).toEqual(expect.arrayContaining(['InvoiceHeader/DocumentID/ID', 'InvoiceHeader/TotalAmount/@currencyID', 'InvoiceHeader/CustomerParty/Location/Address/AddressLine[1]', 'InvoiceHeader/CustomerParty/Location/Address/AddressLine[4]']));
  expect(names).not.toContain('InvoiceHeader');
  expect(names.some((n) => n.includes('Location['))).toBe(false);
  expect(invoice.fields.find((f) => f.name === 'InvoiceHeader/DocumentID/ID')?.mandatory).toBe(true);
});

it('reads phrases and structure as a person would: a state code is no id, whose id a wrapper holds, a date by its M3 name', async () => {
  const customer: TargetSchema = { target: 'm3:CRS610MI/GetBasicData', kind: 'm3', title: 'Get', fields: [row('CUNO', 'Customer number', 'A', 10)].map(m3FieldFromMetadata) };
  // postalCode / province_code used to read as "postal id" / "state id" and compete for a customer number
  const r1 = await suggest(customer, { address: { postalCode: '60613', province_code: 'IL' }, account: { number: 'C30001' } }, ranking);
  expect(fieldOf(r1, 'CUNO').candidates[0]?.path).toBe('account.number');

  const agreement: TargetSchema = { target: 'm3:ARS450MI/AddDirDebAgr', kind: 'm3', title: 'Add', fields: [row('VFDT', 'Valid from', 'N', 8)].map(m3FieldFromMetadata) };
  // "Valid from" does not say date; the M3 name (…DT) does: the date is proposed as yyyyMMdd
  const r2 = await suggest(agreement, { mandate: { validFrom: '2026-04-01', reference: 'MD-1' } }, ranking);
  expect(fieldOf(r2, 'VFDT').candidates[0]).toMatchObject({ path: 'mandate.validFrom', transform: 'date', preview: '20260401' });

  const master = await loadBodTarget('CustomerPartyMaster');
  const r3 = await suggest(master, { id: 991, customer_number: 'C20533', updated_at: '2026-02-28T16:40:02Z', created_at: '2025-11-04T10:21:33Z', address: { province_code: 'FL', country_code: 'US' } }, ranking);
  expect(fieldOf(r3, 'LastModificationDateTime').candidates[0]?.path).toBe('updated_at');
  expect(fieldOf(r3, 'Location/Address/CountrySubDivisionCode').candidates[0]?.path).toBe('address.province_code');
  expect(fieldOf(r3, 'Location/Address/CountryCode').candidates[0]?.path).toBe('address.country_code');
});

it('tells a whole from a part and a code from an internal id: the total over the subtotal, the ISO code over a numeric id, a party over an item, the provider by its value', async () => {
  const auth: TargetSchema = {
    target: 'm3:CRCCINMI/AddAuth',
    kind: 'm3',
    title: 'Add',
    fields: [row('CCAA', 'Credit card authorization amount', 'N', 15), row('ECAR', 'State', 'A', 2), row('CUNM', 'Customer name', 'A', 36), row('TRDP', '3rd party provider', 'A', 10)].map(m3FieldFromMetadata),
  };
  const sample = {
    subtotal: '180.00',
    grand_total: '194.85',
    items: [{ sku: 'ROD-7', name: 'Graphite spinning rod 7 ft' }],
    billing: { company: 'Lakeside Tackle & Marine', region_id: 23, region_code: 'IL' },
    payment: { method: 'paytrace', customer_ref: 'C30001' },
  };
  // every field's whole ranking: a 3rd-party provider is a weak field (no word of it in the sample's keys)
  const r = await suggest(auth, sample, { ...ranking, model: { ...ranking.model, threshold: 0 } });
  expect(fieldOf(r, 'CCAA').candidates[0]?.path).toBe('grand_total');
  expect(fieldOf(r, 'ECAR').candidates[0]?.path).toBe('billing.region_code');
  expect(fieldOf(r, 'CUNM').candidates[0]?.path).toBe('billing.company');
  expect(fieldOf(r, 'TRDP').candidates[0]?.path).toBe('payment.method');

  // a NetSuite-like reference ({id, refName}): the ISO code is the display name, not the internal id
  const link = await loadBodTarget('MyPTPaymentLink');
  const r2 = await suggest(link, { tranId: 'INV-7', total: 90.5, currency: { id: '1', refName: 'USD' } }, ranking);
  expect(fieldOf(r2, 'Amount/@currencyID').candidates[0]?.path).toBe('currency.refName');
});
