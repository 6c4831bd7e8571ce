import * as oidc from 'openid-client';
import { startInforTestClient, type InforTestClient } from './infor-client';

/** the operator UI's login path with a real OIDC client library: discovery, PKCE, code exchange, refresh */

let c: InforTestClient;
beforeAll(async () => {
  c = await startInforTestClient();
});
afterAll(async () => {
  await c.sim.close();
});

it('openid-client discovers the issuer from pu, logs a demo user in with PKCE and refreshes', async () => {
  const issuer = new URL(c.sim.ionapi.pu.replace(/\/$/, ''));
  const config = await oidc.discovery(issuer, c.sim.webClient.clientId, c.sim.webClient.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  expect(config.serverMetadata().issuer).toBe(c.sim.issuer);

  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const redirectUri = 'http://localhost:7777/auth/callback';
  const authorizationUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid profile email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256', nonce, state,
  });

  // the browser: open the page, post the form back with the demo user's credentials
  const page = await fetch(authorizationUrl);
  expect(page.status).toBe(200);
  const formFields = Object.fromEntries([...(await page.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2].replaceAll('&amp;', '&')]));
  const login = await fetch(authorizationUrl.origin + authorizationUrl.pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...formFields, username: 'admin', password: 'admin' }),
    redirect: 'manual',
  });
  expect(login.status).toBe(302);

  const tokens = await oidc.authorizationCodeGrant(config, new URL(login.headers.get('location') ?? ''), {
    pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true,
  });
  expect(tokens.claims()).toMatchObject({ sub: 'admin', roles: ['admin'], iss: c.sim.issuer, aud: c.sim.webClient.clientId });
  const info = await oidc.fetchUserInfo(config, tokens.access_token, 'admin');
  expect(info).toMatchObject({ sub: 'admin', roles: ['admin'] });
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
  expect(refreshed.access_token).not.toBe(tokens.access_token);
  await oidc.tokenRevocation(config, tokens.refresh_token ?? '');
  await expect(oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
});
