import { PayTraceHarness } from './paytrace-harness';

describe('PayTrace simulator: OAuth, Bearer, integrator_id, wire conventions', () => {
  let h: PayTraceHarness;
  beforeEach(async () => {
    h = await PayTraceHarness.start({ tokenLifetimeSeconds: 600 });
  });
  afterEach(async () => {
    await h.close();
  });

  it('issues a Bearer token for the form-encoded password grant, with created_at and no-store', async () => {
    const res = await h.login();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'created_at', 'expires_in', 'token_type']);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, created_at: Math.floor(Date.parse('2026-03-10T15:00:00Z') / 1000) });
    expect(res.body.access_token).toMatch(/^[0-9a-f]+:[0-9a-f]+:[A-Za-z0-9_-]+$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('accepts a JSON body on /oauth/token too', async () => {
    const res = await h.raw('/oauth/token', JSON.stringify({ grant_type: 'password', username: 'demo123', password: 'demo123' }), { 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  it('refuses a wrong password with invalid_grant (400) and an unknown grant type with unsupported_grant_type', async () => {
    const bad = await h.login('demo123', 'wrong');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'invalid_grant', error_description: expect.stringMatching(/^The provided authorization grant is invalid/) });
    const grant = await h.raw('/oauth/token', 'grant_type=client_credentials&client_id=demo123&client_secret=demo123', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
  });

  it('uses the configured API user', async () => {
    const custom = await PayTraceHarness.start({ username: 'apiuser1', password: 'Secr3tPass' }).catch((e: unknown) => e);
    // start() logs in as demo123, which this user does not accept
    expect(custom).toBeInstanceOf(PayTraceHarness);
    const c = custom as PayTraceHarness;
    try {
      expect(c.token).toBe('');
      expect((await c.login('apiuser1', 'Secr3tPass')).status).toBe(200);
      expect((await c.call('/v1/customer/export')).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  it('answers every v1 call with Rails-style headers and no CORS headers', async () => {
    const res = await h.call('/v1/customer/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-runtime')).toMatch(/^\d+\.\d{6}$/);
    expect(res.headers.get('etag')).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(res.headers.get('cache-control')).toBe('max-age=0, private, must-revalidate');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'self';");
    expect(res.headers.get('status')).toBe('200 OK');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${h.url}/v1/transactions/sale/keyed`, { method: 'OPTIONS', headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rejects a missing token, an unknown token and the lower-case "bearer" scheme with 401 invalid_token', async () => {
    const none = await h.raw('/v1/customer/export', '{}', { 'Content-Type': 'application/json' });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid' });
    const unknown = await h.call('/v1/customer/export', {}, { Authorization: 'Bearer a:b:c' });
    expect(unknown.status).toBe(401);
    const lower = await h.call('/v1/customer/export', {}, { Authorization: `bearer ${h.token}` });
    expect(lower.status).toBe(401);
    expect(lower.body.error).toBe('invalid_token');
    expect(lower.headers.get('www-authenticate')).toMatch(/^Bearer realm="Doorkeeper", error="invalid_token"/);
  });

  it('expires tokens mid-run on the simulated clock; a new token works', async () => {
    expect((await h.call('/v1/customer/export')).status).toBe(200);
    h.sim.advanceClock(599);
    expect((await h.call('/v1/customer/export')).status).toBe(200);
    await h.simPost('/_sim/clock/advance', { seconds: 1 });
    const expired = await h.call('/v1/customer/export');
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
    // an expired token changes nothing: the sale is refused before it takes effect
    expect((await h.sale('5.00')).status).toBe(401);
    expect((await h.simState()).transactions).toHaveLength(0);
    await h.login();
    expect((await h.sale('5.00')).body.response_code).toBe(101);
  });

  it('takes the token lifetime from /_sim/config at run time', async () => {
    await h.simPost('/_sim/config', { tokenLifetimeSeconds: 5 });
    const res = await h.login();
    expect(res.body.expires_in).toBe(5);
    h.sim.advanceClock(5);
    expect((await h.call('/v1/customer/export')).status).toBe(401);
  });

  it('answers /v1/ping without a token', async () => {
    const res = await h.raw('/v1/ping', '');
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
  });

  it('requires integrator_id when configured to, without changing state', async () => {
    await h.simPost('/_sim/config', { integratorIdRequired: true });
    const res = await h.raw('/v1/transactions/sale/keyed', JSON.stringify({ amount: '1.00', credit_card: { number: '4012000098765439', expiration_month: '12', expiration_year: '2030' } }), {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${h.token}`,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '2002': ['Please provide a valid Integrator ID.'] } });
    expect((await h.simState()).transactions).toHaveLength(0);
    expect((await h.sale('1.00')).body.response_code).toBe(101); // the harness sends one
  });

  it('answers a malformed JSON body with error 2006 in the API shape', async () => {
    const res = await h.raw('/v1/transactions/sale/keyed', '{"amount": "1.00",', { 'Content-Type': 'application/json', Authorization: `Bearer ${h.token}` });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, response_code: 1, errors: { '2006': ['The request body is not valid JSON.'] } });
  });

  it('refuses bad /_sim/config values with the key named', async () => {
    expect(await h.simPost('/_sim/config', { declineHttpStatus: 500 })).toMatchObject({ error: 'bad value for declineHttpStatus' });
    expect(await h.simPost('/_sim/config', { nope: 1 })).toMatchObject({ error: 'unknown setting nope' });
    await expect(PayTraceHarness.start({ settleAt: '25:00' })).rejects.toThrow('bad value for settleAt');
  });
});
