import { card, expectNoStateChange, PayTraceHarness } from './paytrace-harness';

/**
 * The checks (ACH) API of the PayTrace simulator at the wire: the recorded answer shapes (120, 122,
 * 124, 125 with check_transaction_id; errors 30/45/46/80), the state rules (void before settlement,
 * refund after it, holds funded once), bank-account profiles, exports, the sandbox's test routing
 * numbers and DayNRxx returns, and account numbers never shown in clear.
 */

const ROUTING = '325070760'; // ActiveMerchant's remote tests
const SANDBOX_ROUTING = '130000006'; // PayTrace's "Testing Trace ACH inside sandbox" list
const check = (account_number = '12345678', routing_number = ROUTING) => ({ account_number, routing_number });
const billing = { name: 'Jim Smith', street_address: '8320 This Way Lane', city: 'Placeville', state: 'CA', zip: '85284' };

describe('PayTrace simulator: checks (ACH)', () => {
  let h: PayTraceHarness;
  beforeEach(async () => {
    h = await PayTraceHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  const sale = (amount: string, extra: Record<string, unknown> = {}) => h.call('/v1/checks/sale/by_account', { amount, check: check(), billing_address: billing, ...extra });

  it('sale by account: 120 with a check id of its own sequence, exactly the recorded keys', async () => {
    const first = await sale('10.00', { invoice_id: 'INV-1' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: true, response_code: 120, status_message: 'Your check was successfully processed.', check_transaction_id: expect.any(Number) });
    const second = await h.call('/v1/checks/sale/by_account', { amount: 25.5, check: check('1234567', SANDBOX_ROUTING) });
    expect(second.body.check_transaction_id).toBe((first.body.check_transaction_id as number) + 1);
    const card = await h.sale('1.00');
    expect(card.body.transaction_id).not.toBe(first.body.check_transaction_id);
  });

  it('declines $0.29 with 125, ach_code and ach_message as recorded, and the decline is kept', async () => {
    const declined = await sale('0.29');
    expect(declined.body).toEqual({ success: false, response_code: 125, status_message: 'Your check was NOT successfully processed.', check_transaction_id: expect.any(Number), ach_code: 0, ach_message: '' });
    const exported = await h.call('/v1/checks/export/by_id', { check_transaction_id: declined.body.check_transaction_id });
    expect((exported.body.checks as Array<Record<string, unknown>>)[0]).toMatchObject({ status: 'DECLINED', status_message: 'Declined', response_code: 125 });
  });

  describe('bad input: the documented error keys, and nothing recorded', () => {
    it.each([
      ['a five-digit routing number', check('12345678', '12345'), ['46']],
      ['a routing number with a bad ABA check digit', check('12345678', '325070761'), ['46']],
      ['letters in the account number', check('1234abcd'), ['45']],
      ['a three-digit account number', check('123'), ['45']],
      ['an eighteen-digit account number', check('123456789012345678'), ['45']],
      ['both wrong', check('', ''), ['45', '46']],
    ])('%s → %p', async (_label, bad, keys) => {
      await expectNoStateChange(h, async () => {
        const res = await h.call('/v1/checks/sale/by_account', { amount: '5.00', check: bad });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ success: false, response_code: 1, status_message: 'One or more errors has occurred.' });
        expect(Object.keys(res.body.errors as object)).toEqual(keys);
      });
      expect((await h.simState() as unknown as { checks: unknown[] }).checks).toEqual([]);
    });

    it('an unknown or card-only customer is error 30 for a check, a bank-only customer is error 30 for a card', async () => {
      await h.call('/v1/customer/create', { customer_id: 'card-only', credit_card: card(), billing_address: billing });
      await h.call('/v1/customer/create', { customer_id: 'bank-only', check: check(), billing_address: billing });
      for (const id of ['nobody', 'card-only']) {
        const res = await h.call('/v1/checks/sale/by_customer', { amount: '5.00', customer_id: id });
        expect(res.body.errors).toEqual({ '30': [`Customer ID, ${id}, was not found or is incomplete.`] });
      }
      const cardSale = await h.call('/v1/transactions/sale/by_customer', { amount: '5.00', customer_id: 'bank-only' });
      expect(cardSale.body.errors).toEqual({ '30': ['Customer ID, bank-only, was not found or is incomplete.'] });
    });
  });

  it('a customer with a bank account: created without any card error, exported masked, charged and held by customer', async () => {
    const created = await h.call('/v1/customer/create', { customer_id: 'acme-ach', check: check('987654321'), billing_address: billing });
    expect(created.body).toEqual({ success: true, response_code: 160, status_message: 'The customer profile for acme-ach/Jim Smith was successfully created.', customer_id: 'acme-ach' });
    const exported = await h.call('/v1/customer/export', { customer_id: 'acme-ach' });
    const [profile] = exported.body.customers as Array<Record<string, unknown>>;
    expect(profile).toMatchObject({ customer_id: 'acme-ach', check: { masked_account_number: 'xxxxx4321', routing_number: ROUTING } });
    expect(profile).not.toHaveProperty('credit_card');
    expect((await h.call('/v1/checks/sale/by_customer', { amount: '5.00', customer_id: 'acme-ach' })).body.response_code).toBe(120);
    expect((await h.call('/v1/checks/hold/by_customer', { amount: '2.00', customer_id: 'acme-ach' })).body.response_code).toBe(120);
    // a new routing number alone keeps the stored account number
    await h.call('/v1/customer/update', { customer_id: 'acme-ach', check: { routing_number: SANDBOX_ROUTING } });
    const after = (await h.call('/v1/customer/export', { customer_id: 'acme-ach' })).body.customers as Array<Record<string, unknown>>;
    expect(after[0]!.check).toEqual({ masked_account_number: 'xxxxx4321', routing_number: SANDBOX_ROUTING });
    // a profile can hold both, and a card added later is charged by the card API
    await h.call('/v1/customer/update', { customer_id: 'acme-ach', credit_card: card() });
    expect((await h.call('/v1/transactions/sale/by_customer', { amount: '5.00', customer_id: 'acme-ach' })).body.response_code).toBe(101);
  });

  it('hold → fund (partial) → settles; a hold cannot be refunded or funded twice', async () => {
    const hold = await h.call('/v1/checks/hold/by_account', { amount: '50.00', check: check() });
    const id = hold.body.check_transaction_id;
    expect((await h.call('/v1/checks/refund/by_transaction', { check_transaction_id: id })).body.errors).toHaveProperty('817');
    expect((await h.call('/v1/checks/manage/fund', { check_transaction_id: id, amount: '60.00' })).body.response_code).toBe(125);
    const funded = await h.call('/v1/checks/manage/fund', { check_transaction_id: id, amount: '40.00' });
    expect(funded.body).toEqual({ success: true, response_code: 124, status_message: 'Your check was successfully managed.', check_transaction_id: id });
    const again = await h.call('/v1/checks/manage/fund', { check_transaction_id: id });
    expect(again.body.errors).toEqual({ '80': ['The Check ID that you have provided was not found in the PayTrace records. It may already be voided or settled.'] });
    await h.simPost('/_sim/settle');
    const record = ((await h.call('/v1/checks/export/by_id', { check_transaction_id: id })).body.checks as Array<Record<string, unknown>>)[0];
    expect(record).toMatchObject({ transaction_type: 'HOLD', amount: 40, status: 'SETTLED', settled: expect.stringMatching(/^3\/10\/2026/) });
  });

  it('void before settlement (124), refund after it (122, partial, never more than the sale), nothing after a void', async () => {
    const toVoid = await sale('10.00');
    const voided = await h.call('/v1/checks/manage/void', { check_transaction_id: toVoid.body.check_transaction_id });
    expect(voided.body).toMatchObject({ success: true, response_code: 124, check_transaction_id: toVoid.body.check_transaction_id });
    expect((await h.call('/v1/checks/manage/void', { check_transaction_id: toVoid.body.check_transaction_id })).body.errors).toHaveProperty('80');

    const paid = await sale('30.00', { invoice_id: 'M3-42' });
    const early = await h.call('/v1/checks/refund/by_transaction', { check_transaction_id: paid.body.check_transaction_id, amount: '5.00' });
    expect(early.body.errors).toHaveProperty('817');
    const settled = await h.call('/v1/transactions/settle');
    expect(settled.body).toMatchObject({ success: true, check_count: 1 });
    const refund = await h.call('/v1/checks/refund/by_transaction', { check_transaction_id: paid.body.check_transaction_id, amount: '20.00' });
    expect(refund.body).toEqual({ success: true, response_code: 122, status_message: 'Your check was successfully refunded.', check_transaction_id: expect.any(Number) });
    expect((await h.call('/v1/checks/refund/by_transaction', { check_transaction_id: paid.body.check_transaction_id, amount: '10.01' })).body.response_code).toBe(125);
    expect((await h.call('/v1/checks/refund/by_transaction', { check_transaction_id: paid.body.check_transaction_id })).body.response_code).toBe(122); // the 10.00 left
    expect((await h.call('/v1/checks/refund/by_transaction', { check_transaction_id: toVoid.body.check_transaction_id })).body.response_code).toBe(125);
    const unknown = await h.call('/v1/checks/refund/by_transaction', { check_transaction_id: 999 });
    expect(unknown.body.errors).toEqual({ '80': ['The Check ID that you provided was not found in the PayTrace record.'] });

    const refunds = await h.call('/v1/checks/export/by_date_range', { start_date: '03/10/2026', end_date: '03/10/2026', transaction_type: 'REFUND' });
    expect(refunds.body.checks).toEqual([
      expect.objectContaining({ amount: 20, original_check_transaction_id: paid.body.check_transaction_id, invoice_id: 'M3-42' }),
      expect.objectContaining({ amount: 10, original_check_transaction_id: paid.body.check_transaction_id }),
    ]);
  });

  it('refunds by account and by customer credit an account without an earlier check', async () => {
    expect((await h.call('/v1/checks/refund/by_account', { amount: '3.00', check: check() })).body.response_code).toBe(122);
    await h.call('/v1/customer/create', { customer_id: 'refundee', check: check() });
    expect((await h.call('/v1/checks/refund/by_customer', { amount: '3.00', customer_id: 'refundee' })).body.response_code).toBe(122);
  });

  it('export by date range finds our reference in invoice_id (the unknown-outcome lookup)', async () => {
    await sale('12.00', { invoice_id: 'PT-ACH-7' });
    await sale('13.00', { invoice_id: 'PT-ACH-8' });
    const found = await h.call('/v1/checks/export/by_date_range', { start_date: '03/09/2026', end_date: '03/11/2026', including_text: 'PT-ACH-7' });
    expect(found.body).toMatchObject({ success: true, response_code: 101 });
    expect(found.body.checks).toEqual([expect.objectContaining({ invoice_id: 'PT-ACH-7', amount: 12, status: 'PENDING', check: { masked_account_number: 'xxxx5678', routing_number: ROUTING } })]);
    expect((await h.call('/v1/checks/export/by_date_range', { start_date: '13/01/2026', end_date: '03/11/2026' })).body.errors).toHaveProperty('2003');
  });

  it('returns "DayNRxx" checks N days later with the NACHA code, as the sandbox does', async () => {
    const returned = await sale('15.00', { description: 'Day2R03' });
    await h.simPost('/_sim/clock/advance', { seconds: 86_400 });
    await h.login(); // a day outlives the two-hour token
    const before = ((await h.call('/v1/checks/export/by_id', { check_transaction_id: returned.body.check_transaction_id })).body.checks as Array<Record<string, unknown>>)[0];
    expect(before).toMatchObject({ status: 'SETTLED', return_code: '' });
    await h.simPost('/_sim/clock/advance', { seconds: 86_400 });
    await h.login();
    const after = ((await h.call('/v1/checks/export/by_id', { check_transaction_id: returned.body.check_transaction_id })).body.checks as Array<Record<string, unknown>>)[0];
    expect(after).toMatchObject({ status: 'RETURNED', status_message: 'Returned', return_code: 'R03' });
  });

  it('never shows an account number in clear: not in /_sim/state, not in /_sim/calls', async () => {
    await h.call('/v1/customer/create', { customer_id: 'secret-acct', check: check('55501234') });
    await sale('1.00', { check: check('44409876') });
    const state = JSON.stringify(await h.simState());
    const calls = JSON.stringify(await (await fetch(`${h.url}/_sim/calls`)).json());
    for (const text of [state, calls]) {
      expect(text).not.toMatch(/55501234|44409876/);
      expect(text).toMatch(/xxxx1234|xxxx9876/);
    }
  });
});
