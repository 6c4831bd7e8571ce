import { createHash, randomBytes } from 'node:crypto';

interface InforOsLike {
  ionapi: { pu: string; oa: string; ot: string };
  webClient: { clientId: string; clientSecret: string };
}

/**
 * A demo user's tokens from the Infor simulator, the way a web application gets them: the login
 * form (authorization code + PKCE) and the code exchanged at the token endpoint. The access token
 * carries the user's `roles`; the ID token is for the web client (audience = its client id).
 */
export async function signInAsUser(infor: InforOsLike, username: string): Promise<{ accessToken: string; idToken: string }> {
  const i = infor.ionapi;
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    response_type: 'code', client_id: infor.webClient.clientId, redirect_uri: 'http://127.0.0.1:9/cb', scope: 'openid profile',
    state: 's', nonce: randomBytes(8).toString('hex'), code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  };
  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields), redirect: 'manual' });
  const login = await post(`${i.pu}${i.oa}`, { ...params, username, password: username });
  const code = new URL(login.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (!code) throw new Error(`sign-in of ${username} failed: ${login.status}`);
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(infor.webClient.clientId)}:${encodeURIComponent(infor.webClient.clientSecret)}`).toString('base64')}`;
  const res = await post(`${i.pu}${i.ot}`, { grant_type: 'authorization_code', code, redirect_uri: params.redirect_uri, code_verifier: verifier }, { authorization: basic });
  const body = (await res.json()) as { access_token?: string; id_token?: string };
  if (!body.access_token || !body.id_token) throw new Error(`token exchange for ${username} failed: ${res.status}`);
  return { accessToken: body.access_token, idToken: body.id_token };
}
