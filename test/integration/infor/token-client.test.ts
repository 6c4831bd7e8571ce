/**
 * The openid-client token flow against the Infor OS simulator: password grant with the service
 * account, client credentials, caching and renewal before expiry, single flight, 401 → refresh
 * and retry once, revoke on shutdown, classified failures; and JWKS verification of tokens.
 */
import { AppError } from '../../../gateway/src/errors';
import { createInforTokenVerifier } from '../../../gateway/src/infor/os/verify-token';
import { Secret } from '../../../gateway/src/config/secret';
import { signInAsUser } from '../../helpers/infor-users';
import { startInforFixture, type InforFixture } from './infor-fixture';

let fx: InforFixture;
beforeAll(async () => {
  fx = await startInforFixture();
});
afterAll(async () => {
  await fx.sim.close();
});
afterEach(async () => {
  await fx.simPut('/faults', { outage: false, errorRate: 0, latencyMs: 0, pathPattern: '' });
});

async function m3Status(token: string): Promise<number> {
  const response = await fetch(`${fx.credentials.apiBaseUrl}/M3/m3api-rest/v2/execute/CRS610MI/GetBasicData?CUNO=C10001`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
}

test('password grant with saak/sask: a token M3 accepts, cached for the next caller', async () => {
  const tokens = fx.tokens();
  const first = await tokens.getAccessToken();
  expect(await m3Status(first)).toBe(200);
  expect(await tokens.getAccessToken()).toBe(first);
  expect(tokens.requestCount).toBe(1);
  expect(fx.status.snapshot()['infor-os']!.status).toBe('ok');
});

test('client id/secret as HTTP Basic works too', async () => {
  const token = await fx.tokens({ clientAuth: 'basic' }).getAccessToken();
  expect(await m3Status(token)).toBe(200);
});

test('client-credentials grant', async () => {
  const token = await fx.tokens({ grant: 'client_credentials' }).getAccessToken();
  expect(await m3Status(token)).toBe(200);
});

test('concurrent callers share one token request (single flight)', async () => {
  const tokens = fx.tokens();
  const all = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken()));
  expect(new Set(all).size).toBe(1);
  expect(tokens.requestCount).toBe(1);
});

test('renewed shortly before expiry: past the renewal point a new token is fetched', async () => {
  let now = Date.now();
  const tokens = fx.tokens({ now: () => now, renewBeforeSeconds: 120 });
  const first = await tokens.getAccessToken();
  now += (7200 - 119) * 1000; // inside the last two minutes of a 7200 s token
  const second = await tokens.getAccessToken();
  expect(second).not.toBe(first);
  expect(tokens.requestCount).toBe(2);
  expect(await m3Status(second)).toBe(200);
});

test('a short-lived token really expires at Infor OS, and the client renews it before using it again', async () => {
  await fx.simPut('/infor-os', { tokenLifetimeSeconds: 1 });
  try {
    const tokens = fx.tokens();
    const first = await tokens.getAccessToken();
    // the server rejects it once it has expired …
    await new Promise((r) => setTimeout(r, 1100));
    expect(await m3Status(first)).toBe(401);
    // … and the client, past its renewal point, no longer hands it out
    const second = await tokens.getAccessToken();
    expect(second).not.toBe(first);
  } finally {
    await fx.simPut('/infor-os', { tokenLifetimeSeconds: 7200 });
  }
});

test('a 401 from the API: invalidate, one new token, the call succeeds on the retry', async () => {
  const tokens = fx.tokens();
  const m3 = fx.m3({ tokens });
  const stale = await tokens.getAccessToken();
  // revoke the cached access token behind the client's back (as an admin would)
  const revoke = await fetch(fx.credentials.revokeUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: stale, token_type_hint: 'access_token', client_id: fx.credentials.clientId, client_secret: fx.credentials.clientSecret.reveal() }),
  });
  expect(revoke.ok).toBe(true);
  expect(await m3Status(stale)).toBe(401);
  const result = await m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'C10001' });
  expect(result.records[0]!.CUNO).toBe('C10001');
  const fresh = await tokens.getAccessToken();
  expect(fresh).not.toBe(stale);
});

test('revoke on shutdown: the grant is dead afterwards', async () => {
  const tokens = fx.tokens();
  const token = await tokens.getAccessToken();
  expect(await m3Status(token)).toBe(200);
  await tokens.revoke();
  expect(await m3Status(token)).toBe(401);
});

test('wrong client secret → configuration error INFOR_OS_AUTH_REJECTED, secret not in the message', async () => {
  const tokens = fx.tokens({ credentials: { ...fx.credentials, clientSecret: new Secret('not-the-secret') } });
  const err = (await tokens.getAccessToken().catch((e: unknown) => e)) as AppError;
  expect(err).toBeInstanceOf(AppError);
  expect(err.code).toBe('INFOR_OS_AUTH_REJECTED');
  expect(err.errorClass).toBe('configuration');
  expect(err.details).toMatchObject({ status: 401, error: 'invalid_client' });
  expect(err.message).not.toContain('not-the-secret');
});

test('wrong service-account secret → invalid_grant', async () => {
  const tokens = fx.tokens({ credentials: { ...fx.credentials, serviceAccountSecret: new Secret('wrong') } });
  const err = (await tokens.getAccessToken().catch((e: unknown) => e)) as AppError;
  expect(err.code).toBe('INFOR_OS_AUTH_REJECTED');
  expect(err.details).toMatchObject({ error: 'invalid_grant' });
});

test('token endpoint down → transient INFOR_OS_UNAVAILABLE, recorded for /health', async () => {
  await fx.simPut('/faults', { outage: true, pathPattern: '/as/token' });
  const err = (await fx.tokens().getAccessToken().catch((e: unknown) => e)) as AppError;
  expect(err.code).toBe('INFOR_OS_UNAVAILABLE');
  expect(err.errorClass).toBe('transient');
  expect(fx.status.snapshot()['infor-os']!.status).toBe('degraded');
});

describe('verifying Infor OS tokens against the JWKS', () => {
  const verifier = (clients?: string[]) => createInforTokenVerifier({ jwksUrl: `${fx.sim.issuer}/jwks.json`, issuer: fx.sim.issuer, audience: 'infor-ionapi', clients });

  test('a token Infor OS issued is accepted, with its claims', async () => {
    const token = await fx.tokens().getAccessToken();
    const claims = await verifier()(`Bearer ${token}`);
    expect(claims.iss).toBe(fx.sim.issuer);
    expect(claims.client_id).toBe(fx.credentials.clientId);
  });

  test('a forged token (payload changed, signature kept) is refused', async () => {
    const token = await fx.tokens().getAccessToken();
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    payload.sub = 'someone-else';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const err = (await verifier()(`Bearer ${forged}`).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('INFOR_TOKEN_INVALID');
    expect(err.httpStatus).toBe(401);
    expect(err.details).toEqual({ reason: 'bad signature' });
  });

  test('an expired token is refused', async () => {
    await fx.simPut('/infor-os', { tokenLifetimeSeconds: 0 });
    try {
      const token = await fx.tokens().getAccessToken();
      const err = (await createInforTokenVerifier({ jwksUrl: `${fx.sim.issuer}/jwks.json`, audience: 'infor-ionapi', clockToleranceSeconds: 0 })(token).catch((e: unknown) => e)) as AppError;
      expect(err.code).toBe('INFOR_TOKEN_INVALID');
      expect(err.details).toEqual({ reason: 'expired' });
    } finally {
      await fx.simPut('/infor-os', { tokenLifetimeSeconds: 7200 });
    }
  });

  test("a genuine ID token (audience = the web client) is refused: it is not an API credential", async () => {
    const { idToken, accessToken } = await signInAsUser(fx.sim, 'operator');
    const err = (await verifier()(`Bearer ${idToken}`).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('INFOR_TOKEN_INVALID');
    expect(err.httpStatus).toBe(401);
    expect(err.details).toEqual({ reason: 'for another audience' });
    // even where the audience is set to the web client's, an ID token is told apart from an access token
    const lax = createInforTokenVerifier({ jwksUrl: `${fx.sim.issuer}/jwks.json`, issuer: fx.sim.issuer, audience: fx.sim.webClient.clientId });
    expect(((await lax(idToken).catch((e: unknown) => e)) as AppError).details).toEqual({ reason: 'an ID token, not an access token' });
    // the same user's access token is fine
    expect((await verifier()(`Bearer ${accessToken}`)).roles).toEqual(['operator']);
  });

  test('with infor.tokenClients set, a token of another client app is refused', async () => {
    const token = await fx.tokens().getAccessToken();
    expect((await verifier([fx.credentials.clientId])(`Bearer ${token}`)).client_id).toBe(fx.credentials.clientId);
    const err = (await verifier(['SOME~OTHER_APP'])(`Bearer ${token}`).catch((e: unknown) => e)) as AppError;
    expect(err.details).toEqual({ reason: 'issued to a client this gateway does not accept' });
  });

  test('no token at all', async () => {
    const err = (await verifier()(undefined).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('INFOR_TOKEN_MISSING');
  });
});
