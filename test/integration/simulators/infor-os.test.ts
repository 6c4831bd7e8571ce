import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeJwt, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { passwordGrant, startInforTestClient, type InforTestClient } from './infor-client';

let c: InforTestClient;
beforeAll(async () => {
  c = await startInforTestClient();
});
afterAll(async () => {
  await c.sim.close();
});
beforeEach(async () => {
  await c.sim_('POST', '/reset');
});

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields),
});
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const getBasicData = (token: string) => fetch(`${c.m3Base}/execute/CRS610MI/GetBasicData?CUNO=C10001`, { headers: { authorization: `Bearer ${token}` } });

describe('.ionapi', () => {
  it('has every key in the documented shapes, and pu+ot is the token URL', async () => {
    const i = c.sim.ionapi;
    expect(Object.keys(i).sort()).toEqual(['ci', 'cn', 'cs', 'dt', 'ev', 'iu', 'or', 'ot', 'oa', 'pu', 'saak', 'sask', 'ti', 'v'].sort());
    expect(i.ti).toBe('M3PT_TST');
    expect(i.ci).toMatch(/^M3PT_TST~[A-Za-z0-9_-]{43}$/);
    expect(i.saak).toMatch(/^M3PT_TST#[A-Za-z0-9_-]+$/);
    expect(i.pu).toBe(`${c.sim.url}/M3PT_TST/as/`);
    expect(i.iu).toBe(c.sim.url);
    expect([i.ot, i.oa, i.or, i.v]).toEqual(['token.oauth2', 'authorization.oauth2', 'revoke_token.oauth2', '1.0']);
    const dir = await mkdtemp(join(tmpdir(), 'ionapi-'));
    try {
      await c.sim.writeIonapiFile(join(dir, 'sim.ionapi'));
      expect(JSON.parse(await readFile(join(dir, 'sim.ionapi'), 'utf8'))).toEqual(i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('token endpoint', () => {
  it('password grant with client credentials as form fields returns a Bearer JWT that M3 accepts', async () => {
    const res = await passwordGrant(c.sim);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 7200 });
    expect(typeof body.refresh_token).toBe('string');
    expect((await getBasicData(body.access_token as string)).status).toBe(200);
  });

  it('password grant with HTTP Basic client authentication', async () => {
    const i = c.sim.ionapi;
    const res = await fetch(c.tokenUrl, form({ grant_type: 'password', username: i.saak, password: i.sask }, { authorization: basic(i.ci, i.cs) }));
    expect(res.status).toBe(200);
  });

  it('the token verifies against the JWKS with jose (RS256, issuer, audience)', async () => {
    const { access_token } = (await (await passwordGrant(c.sim)).json()) as { access_token: string };
    const discovery = (await (await fetch(`${c.sim.ionapi.pu}.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(discovery.issuer).toBe(c.sim.ionapi.pu.replace(/\/$/, ''));
    expect(discovery.token_endpoint).toBe(c.tokenUrl);
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload, protectedHeader } = await jwtVerify(access_token, jwks, { issuer: discovery.issuer, audience: 'infor-ionapi' });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ client_id: c.sim.ionapi.ci, tenant: 'M3PT_TST', sub: 'M3SRVADM' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(7200);
  });

  it.each([
    ['wrong client secret', { client_secret: 'nope' }, 401, 'invalid_client'],
    ['unknown client', { client_id: 'M3PT_TST~unknown' }, 401, 'invalid_client'],
    ['wrong service-account secret', { password: 'wrong' }, 400, 'invalid_grant'],
    ['unknown grant type', { grant_type: 'urn:ietf:params:oauth:grant-type:saml2-bearer' }, 400, 'unsupported_grant_type'],
    ['missing grant type', { grant_type: '' }, 400, 'invalid_request'],
  ])('%s %j → %i %s', async (_name, override, status, error) => {
    const i = c.sim.ionapi;
    const fields = { grant_type: 'password', username: i.saak, password: i.sask, client_id: i.ci, client_secret: i.cs, ...override };
    const res = await fetch(c.tokenUrl, form(fields));
    expect(res.status).toBe(status);
    const body = (await res.json()) as Record<string, string>;
    expect(body.error).toBe(error);
    expect(typeof body.error_description).toBe('string');
    if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('client credentials grant issues a token without a refresh token', async () => {
    const i = c.sim.ionapi;
    const res = await fetch(c.tokenUrl, form({ grant_type: 'client_credentials' }, { authorization: basic(i.ci, i.cs) }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.refresh_token).toBeUndefined();
    expect(decodeJwt(body.access_token as string).sub).toBe(i.ci);
  });

  it('refresh_token grant gives a new working access token; disabled refresh is unauthorized_client', async () => {
    const i = c.sim.ionapi;
    const first = (await (await passwordGrant(c.sim)).json()) as { refresh_token: string; access_token: string };
    const res = await fetch(c.tokenUrl, form({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: i.ci, client_secret: i.cs }));
    expect(res.status).toBe(200);
    const second = (await res.json()) as { access_token: string };
    expect(second.access_token).not.toBe(first.access_token);
    expect((await getBasicData(second.access_token)).status).toBe(200);

    const bad = await fetch(c.tokenUrl, form({ grant_type: 'refresh_token', refresh_token: 'made-up', client_id: i.ci, client_secret: i.cs }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_grant');

    expect((await c.sim_('PUT', '/infor-os', { refreshTokens: false })).status).toBe(200);
    const off = await fetch(c.tokenUrl, form({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: i.ci, client_secret: i.cs }));
    expect(off.status).toBe(400);
    expect(((await off.json()) as { error: string }).error).toBe('unauthorized_client');
  });

  it('revoking the refresh token revokes the grant: its access tokens get 401, the refresh token invalid_grant', async () => {
    const i = c.sim.ionapi;
    const t = (await (await passwordGrant(c.sim)).json()) as { refresh_token: string; access_token: string };
    const revoke = await fetch(i.pu + i.or, form({ token: t.refresh_token, token_type_hint: 'refresh_token' }, { authorization: basic(i.ci, i.cs) }));
    expect(revoke.status).toBe(200);
    const res = await getBasicData(t.access_token);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'The access token was revoked' });
    const again = await fetch(c.tokenUrl, form({ grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: i.ci, client_secret: i.cs }));
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('revoking an access token revokes only that token; revoke needs client authentication', async () => {
    const i = c.sim.ionapi;
    const a = (await (await passwordGrant(c.sim)).json()) as { access_token: string };
    const b = (await (await passwordGrant(c.sim)).json()) as { access_token: string };
    expect((await fetch(i.pu + i.or, form({ token: a.access_token }))).status).toBe(401);
    expect((await fetch(i.pu + i.or, form({ token: a.access_token, client_id: i.ci, client_secret: i.cs }))).status).toBe(200);
    expect((await getBasicData(a.access_token)).status).toBe(401);
    expect((await getBasicData(b.access_token)).status).toBe(200);
  });
});

describe('ION API gateway bearer check', () => {
  it('missing, forged, expired tokens get 401 JSON', async () => {
    const missing = await fetch(`${c.m3Base}/execute/CRS610MI/GetBasicData?CUNO=C10001`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.json()).toEqual({ error: 'invalid_token', error_description: 'Missing bearer token' });

    // same claims, signed with a key that is not Infor OS's
    const real = decodeJwt(((await (await passwordGrant(c.sim)).json()) as { access_token: string }).access_token);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(real).setProtectedHeader({ alg: 'RS256', kid: 'x' }).sign(privateKey);
    const forgedRes = await getBasicData(forged);
    expect(forgedRes.status).toBe(401);
    expect(((await forgedRes.json()) as { error_description: string }).error_description).toBe('The access token is invalid');

    expect((await c.sim_('PUT', '/infor-os', { tokenLifetimeSeconds: 0 })).body).toMatchObject({ tokenLifetimeSeconds: 0 });
    const expired = (await (await passwordGrant(c.sim)).json()) as { access_token: string; expires_in: number };
    expect(expired.expires_in).toBe(0);
    const expiredRes = await getBasicData(expired.access_token);
    expect(expiredRes.status).toBe(401);
    expect(((await expiredRes.json()) as { error_description: string }).error_description).toBe('The access token expired');
    const ims = await fetch(`${c.imsBase}/ping`, { headers: { authorization: `Bearer ${expired.access_token}` } });
    expect(ims.status).toBe(401);
  });

  it('/_sim/infor-os refuses bad settings', async () => {
    expect((await c.sim_('PUT', '/infor-os', { tokenLifetimeSeconds: -1 })).status).toBe(400);
    expect((await c.sim_('PUT', '/infor-os', { lifetime: 5 })).status).toBe(400);
  });
});

describe('OIDC authorization code + PKCE login', () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://127.0.0.1:9999/auth/callback';

  async function login(username: string, password: string): Promise<Response> {
    const i = c.sim.ionapi;
    const params = {
      response_type: 'code', client_id: c.sim.webClient.clientId, redirect_uri: redirectUri, scope: 'openid profile',
      state: 'st-1', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256',
    };
    const page = await fetch(`${i.pu}${i.oa}?${new URLSearchParams(params).toString()}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain('name="code_challenge"');
    return fetch(`${i.pu}${i.oa}`, { ...form({ ...params, username, password }), redirect: 'manual' });
  }

  it('signs in a demo user, redirects with code+state, exchanges the code for tokens with roles', async () => {
    const res = await login('operator', 'operator');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe('st-1');
    const code = location.searchParams.get('code') ?? '';
    const web = c.sim.webClient;
    const exchange = await fetch(
      c.tokenUrl,
      form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }, { authorization: basic(web.clientId, web.clientSecret) }),
    );
    expect(exchange.status).toBe(200);
    const tokens = (await exchange.json()) as { id_token: string; access_token: string };
    const jwks = createRemoteJWKSet(new URL(`${c.sim.issuer}/jwks.json`));
    const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer: c.sim.issuer, audience: web.clientId });
    expect(payload).toMatchObject({ sub: 'operator', roles: ['operator'], nonce: 'n-1' });
    const info = await fetch(`${c.sim.issuer}/userinfo.openid`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await info.json()).toMatchObject({ sub: 'operator', roles: ['operator'] });

    // codes are single-use
    const reuse = await fetch(
      c.tokenUrl,
      form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }, { authorization: basic(web.clientId, web.clientSecret) }),
    );
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('a wrong PKCE verifier is invalid_grant; a wrong password re-shows the form with 401', async () => {
    const res = await login('admin', 'admin');
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const web = c.sim.webClient;
    const exchange = await fetch(
      c.tokenUrl,
      form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: 'not-the-verifier' }, { authorization: basic(web.clientId, web.clientSecret) }),
    );
    expect(exchange.status).toBe(400);
    expect(((await exchange.json()) as { error: string }).error).toBe('invalid_grant');

    const wrong = await login('viewer', 'nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('User name or password is wrong');
  });

  it('refuses a redirect_uri off this machine with an error page, not a redirect', async () => {
    const i = c.sim.ionapi;
    const res = await fetch(
      `${i.pu}${i.oa}?${new URLSearchParams({ response_type: 'code', client_id: c.sim.webClient.clientId, redirect_uri: 'https://evil.example/cb' }).toString()}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
  });
});
