import { card, expectNoStateChange, MASTERCARD, PayTraceHarness, VISA } from './paytrace-harness';

describe('PayTrace simulator: customer vault', () => {
  let h: PayTraceHarness;
  beforeEach(async () => {
    h = await PayTraceHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (id: string, extra: Record<string, unknown> = {}) =>
    h.call('/v1/customer/create', { customer_id: id, credit_card: card(), billing_address: { name: 'Nathan Williams', street_address: '1 Main St', city: 'Spokane', state: 'WA', zip: '99201' }, ...extra });

  it('creates a profile with the recorded response and message pattern', async () => {
    const res = await create('cust-001', { email: 'n@example.com' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      response_code: 160,
      status_message: 'The customer profile for cust-001/Nathan Williams was successfully created.',
      customer_id: 'cust-001',
      masked_card_number: 'xxxxxxxxxxxx5439',
    });
  });

  it('refuses a duplicate customer_id with 171 and keeps the first profile', async () => {
    await create('dup');
    await expectNoStateChange(h, async () => {
      const res = await h.call('/v1/customer/create', { customer_id: 'dup', credit_card: card(MASTERCARD) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '171': ['Please provide a unique customer ID.'] } });
    });
  });

  it('reports a bad card and a missing id together, creating nothing', async () => {
    await expectNoStateChange(h, async () => {
      const res = await h.call('/v1/customer/create', { credit_card: card('1234567890123', '13', '2030') });
      expect(Object.keys(res.body.errors as object).sort()).toEqual(['31', '35', '43']);
    });
  });

  it('updates (161) addresses and the card expiry, keeping the stored number', async () => {
    await create('upd');
    const res = await h.call('/v1/customer/update', { customer_id: 'upd', credit_card: { expiration_month: '01', expiration_year: '2032' }, billing_address: { name: 'Nate W' }, email: 'new@example.com' });
    expect(res.body).toEqual({
      success: true,
      response_code: 161,
      status_message: 'The customer profile for upd/Nate W was successfully updated.',
      customer_id: 'upd',
      masked_card_number: 'xxxxxxxxxxxx5439',
    });
    const exported = await h.call('/v1/customer/export', { customer_id: 'upd' });
    expect(exported.body.customers).toEqual([
      expect.objectContaining({ customer_id: 'upd', email: 'new@example.com', credit_card: { masked_number: 'xxxxxxxxxxxx5439', expiration_month: '01', expiration_year: '2032' } }),
    ]);
  });

  it('refuses a bad update without changing the profile, and an unknown id with 30', async () => {
    await create('keep');
    await expectNoStateChange(h, async () => {
      const bad = await h.call('/v1/customer/update', { customer_id: 'keep', credit_card: { number: '4012000098765438' }, email: 'changed@example.com' });
      expect(bad.body).toMatchObject({ errors: { '35': [expect.any(String)] } });
      const unknown = await h.call('/v1/customer/update', { customer_id: 'ghost', email: 'x@example.com' });
      expect(unknown.body).toMatchObject({ errors: { '30': ['Customer ID, ghost, was not found or is incomplete.'] } });
    });
  });

  it('renames with new_customer_id, refusing a taken id (171)', async () => {
    await create('old');
    await create('taken');
    expect((await h.call('/v1/customer/update', { customer_id: 'old', new_customer_id: 'taken' })).body).toMatchObject({ errors: { '171': [expect.any(String)] } });
    expect((await h.call('/v1/customer/update', { customer_id: 'old', new_customer_id: 'renamed' })).body.customer_id).toBe('renamed');
    expect(((await h.call('/v1/customer/export', { customer_id: 'old' })).body.customers as unknown[]).length).toBe(0);
  });

  it('deletes (162); the deleted id is unknown afterwards and free again', async () => {
    await create('gone');
    const res = await h.call('/v1/customer/delete', { customer_id: 'gone' });
    expect(res.body).toEqual({ success: true, response_code: 162, status_message: 'The customer profile for gone/Nathan Williams was successfully deleted.', customer_id: 'gone' });
    expect((await h.call('/v1/customer/delete', { customer_id: 'gone' })).body).toMatchObject({ errors: { '30': [expect.any(String)] } });
    expect((await h.call('/v1/transactions/sale/by_customer', { customer_id: 'gone', amount: '1.00' })).body).toMatchObject({ errors: { '30': [expect.any(String)] } });
    expect((await create('gone')).body.response_code).toBe(160);
  });

  it('exports all profiles, one by id, and an empty list for an unknown id', async () => {
    await create('a1');
    await h.call('/v1/customer/create', { customer_id: 'a2', credit_card: card(MASTERCARD, 6, 2029), phone: '555-0100', discretionary_data: { 'Customer #': 'M3-42' } });
    const all = await h.call('/v1/customer/export');
    expect(all.body).toMatchObject({ success: true, customers: [expect.objectContaining({ customer_id: 'a1' }), expect.objectContaining({ customer_id: 'a2' })] });
    const one = await h.call('/v1/customer/export', { customer_id: 'a2' });
    expect(one.body.customers).toEqual([
      {
        customer_id: 'a2',
        credit_card: { masked_number: 'xxxxxxxxxxxx0057', expiration_month: '06', expiration_year: '2029' },
        billing_address: {},
        email: '',
        phone: '555-0100',
        fax: '',
        discretionary_data: { 'Customer #': 'M3-42' },
      },
    ]);
    expect((await h.call('/v1/customer/export', { customer_id: 'dummy-credentials-check' })).body).toMatchObject({ success: true, customers: [] });
  });

  it('never shows a full card number in /_sim/state', async () => {
    await create('pci', { credit_card: card(VISA) });
    const text = JSON.stringify(await h.simState());
    expect(text).not.toContain(VISA);
    expect(text).toContain('xxxxxxxxxxxx5439');
  });
});
