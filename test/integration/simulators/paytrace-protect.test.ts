import { card, expectNoStateChange, PayTraceHarness, VISA } from './paytrace-harness';

/**
 * Protect on the server side: the clientKey, the tokenize call the fields iframe makes (same origin,
 * no CORS), and the pt_protect endpoints' single-use, expiry and enc_key rules. The browser flow
 * itself is in test/browser/protect-hosted-fields.test.ts.
 */
describe('PayTrace simulator: Protect tokens', () => {
  let h: PayTraceHarness;
  beforeEach(async () => {
    h = await PayTraceHarness.start({ hpfTokenLifetimeSeconds: 120 });
  });
  afterEach(async () => {
    await h.close();
  });

  async function clientKey(): Promise<string> {
    const res = await h.call('/v1/payment_fields/token/create');
    expect(res.status).toBe(200);
    return res.body.clientKey as string;
  }

  /** what the iframe posts to its own origin */
  async function tokenize(body: Record<string, unknown>) {
    const res = await fetch(`${h.url}/protect/hpf/tokenize`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { message?: { hpf_token: string; enc_key: string }; errors?: Array<{ responseCode: string }> } };
  }

  async function tokens(): Promise<{ hpf_token: string; enc_key: string }> {
    const res = await tokenize({ clientKey: await clientKey(), number: VISA, expiration_month: '12', expiration_year: '2030', csc: '999' });
    expect(res.status).toBe(200);
    return res.body.message!;
  }

  it('returns a clientKey at the top level, needing a Bearer token but no integrator_id', async () => {
    await h.simPost('/_sim/config', { integratorIdRequired: true });
    const res = await h.raw('/v1/payment_fields/token/create', '', { Authorization: `Bearer ${h.token}` });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['clientKey']);
    expect((await h.raw('/v1/payment_fields/token/create', '', {})).status).toBe(401);
  });

  it('tokenizes a card into a UUID hpf_token and a 44-character enc_key, with no CORS headers', async () => {
    const res = await tokenize({ clientKey: await clientKey(), number: VISA, expiration_month: '12', expiration_year: '2030' });
    expect(res.body.message!.hpf_token).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.message!.enc_key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses to tokenize with an unknown or expired clientKey, and reports bad card fields', async () => {
    expect((await tokenize({ clientKey: 'nope', number: VISA, expiration_month: '12', expiration_year: '2030' })).status).toBe(401);
    const key = await clientKey();
    const bad = await tokenize({ clientKey: key, number: '4012000098765438', expiration_month: '13', expiration_year: '2030', csc: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors!.map((e) => e.responseCode)).toEqual(['35', '43', '148']);
    h.sim.advanceClock(900);
    await h.login();
    expect((await tokenize({ clientKey: key, number: VISA, expiration_month: '12', expiration_year: '2030' })).status).toBe(401);
  });

  it('authorizes with Protect tokens, then captures', async () => {
    const auth = await h.call('/v1/transactions/authorization/pt_protect', { amount: '30.00', ...(await tokens()) });
    expect(auth.body).toMatchObject({ success: true, response_code: 101, masked_card_number: 'xxxxxxxxxxxx5439', csc_response: 'Match' });
    expect((await h.call('/v1/transactions/authorization/capture', { transaction_id: auth.body.transaction_id })).body.response_code).toBe(112);
  });

  it('refuses a wrong enc_key, an expired token and a used token with 2001, changing nothing', async () => {
    const pair = await tokens();
    await expectNoStateChange(h, async () => {
      const wrongKey = await h.call('/v1/transactions/sale/pt_protect', { amount: '1.00', hpf_token: pair.hpf_token, enc_key: 'A'.repeat(43) + '=' });
      expect(wrongKey.body).toEqual({
        success: false,
        response_code: 1,
        status_message: 'One or more errors has occurred.',
        errors: { '2001': ['The Protect token (hpf_token/enc_key) is invalid, expired or has already been used.'] },
      });
      const missing = await h.call('/v1/transactions/sale/pt_protect', { amount: '1.00' });
      expect(missing.body).toMatchObject({ errors: { '2001': [expect.any(String)] } });
    });
    // a bad amount with good tokens does not spend them
    expect((await h.call('/v1/transactions/sale/pt_protect', { amount: '1.001', ...pair })).body).toMatchObject({ errors: { '40': [expect.any(String)] } });
    expect((await h.call('/v1/transactions/sale/pt_protect', { amount: '1.00', ...pair })).body.response_code).toBe(101);
    expect((await h.call('/v1/transactions/sale/pt_protect', { amount: '1.00', ...pair })).body).toMatchObject({ errors: { '2001': [expect.any(String)] } });

    const late = await tokens();
    h.sim.advanceClock(120);
    await h.login();
    expect((await h.call('/v1/transactions/sale/pt_protect', { amount: '1.00', ...late })).body).toMatchObject({ errors: { '2001': [expect.any(String)] } });
  });

  it('creates and updates vault profiles from Protect tokens; a duplicate create keeps the token usable', async () => {
    const created = await h.call('/v1/customer/pt_protect_create', { customer_id: 'p1', ...(await tokens()) });
    expect(created.body).toMatchObject({ success: true, response_code: 160, customer_id: 'p1' });
    const pair = await tokens();
    expect((await h.call('/v1/customer/pt_protect_create', { customer_id: 'p1', ...pair })).body).toMatchObject({ errors: { '171': [expect.any(String)] } });
    const updated = await h.call('/v1/customer/pt_protect_update', { customer_id: 'p1', ...pair });
    expect(updated.body).toMatchObject({ success: true, response_code: 161, customer_id: 'p1' });
  });

  it('sells and stores the card as a profile with sale/pt_protect_customer; a taken id spends nothing', async () => {
    await h.call('/v1/customer/create', { customer_id: 'taken', credit_card: card() });
    const pair = await tokens();
    await expectNoStateChange(h, async () => {
      expect((await h.call('/v1/transactions/sale/pt_protect_customer', { customer_id: 'taken', amount: '5.00', ...pair })).body).toMatchObject({ errors: { '171': [expect.any(String)] } });
    });
    const sale = await h.call('/v1/transactions/sale/pt_protect_customer', { customer_id: 'fresh', amount: '5.00', ...pair });
    expect(sale.body).toMatchObject({ success: true, response_code: 101, customer_id: 'fresh', masked_card_number: 'xxxxxxxxxxxx5439' });
    expect((await h.call('/v1/transactions/sale/by_customer', { customer_id: 'fresh', amount: '1.00' })).body.response_code).toBe(101);
    const declined = await h.call('/v1/transactions/sale/pt_protect_customer', { customer_id: 'never', amount: '0.29', ...(await tokens()) });
    expect(declined.body.response_code).toBe(102);
    expect(((await h.call('/v1/customer/export', { customer_id: 'never' })).body.customers as unknown[]).length).toBe(0);
  });

  it('masks card numbers and CSCs in the call log', async () => {
    await tokens();
    await h.call('/v1/transactions/sale/keyed', { amount: '1.00', credit_card: card(), csc: '999' });
    const log = JSON.stringify(await (await fetch(`${h.url}/_sim/calls`)).json());
    expect(log).not.toContain(VISA);
    expect(log).not.toContain('"999"');
    expect(log).toContain('xxxxxxxxxxxx5439');
  });
});
