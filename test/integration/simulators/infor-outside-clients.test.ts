import { createHash, randomBytes } from 'node:crypto';
import { passwordGrant, startInforTestClient, type InforTestClient } from './infor-client';

/**
 * The Infor simulator driven the way clients nobody here wrote drive the real thing:
 *  - Infor's M3 JavaScript SDK (m3-odin), as an H5 or Odin app starts: CSRF probe, then
 *    MNS150MI/GetUserData with no USID, v1, `;metadata=true;maxrecs=100;excludempty=false`, `_rid`,
 *    `Accept: application/json`, a user's token — then the other user-context programs;
 *  - an XML client of MI REST v1 (`Accept: application/xml`), and what v2 says to one;
 *  - a Python ION client posting Data Lake / Data Catalog documents whose names are not Verb.Noun;
 *  - OAuth clients (.ionapi password grant with form fields, HTTP Basic, refresh, revoke), then
 *    /_sim/calls, which must not show their secrets.
 */

let c: InforTestClient;
beforeAll(async () => {
  c = await startInforTestClient();
});
afterAll(async () => {
  await c.sim.close();
});

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** a demo user's access token through the login page (authorization code + PKCE), as a web app gets one */
async function userToken(username: string): Promise<string> {
  const i = c.sim.ionapi;
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    response_type: 'code', client_id: c.sim.webClient.clientId, redirect_uri: 'http://127.0.0.1:9999/cb', scope: 'openid',
    state: 's', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  };
  const login = await fetch(`${i.pu}${i.oa}`, { ...form({ ...params, username, password: username }), redirect: 'manual' });
  const code = new URL(login.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const web = c.sim.webClient;
  const res = await fetch(c.tokenUrl, form({ grant_type: 'authorization_code', code, redirect_uri: params.redirect_uri, code_verifier: verifier }, { authorization: basic(web.clientId, web.clientSecret) }));
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('a Python ION client: documents whose name is not Verb.Noun', () => {
  async function sendDocument(documentName: string, payload: string, contentType: string): Promise<Response> {
    // requests' multipart encoding: ParameterRequest (JSON) + MessagePayload (the document bytes)
    const body = new FormData();
    body.append('ParameterRequest', new Blob([JSON.stringify({ documentName, messageId: `m-${documentName}`, fromLogicalId: 'lid://infor.ims.m3paytrace', toLogicalId: 'lid://default', encoding: 'NONE', characterSet: 'UTF-8' })], { type: 'application/json' }), 'ParameterRequest.json');
    body.append('MessagePayload', new Blob([payload], { type: contentType }), 'MessagePayload');
    return fetch(`${c.imsBase}/v3/multipartMessage`, { method: 'POST', headers: { Authorization: `Bearer ${await c.token()}`, Accept: 'application/json' }, body });
  }

  it('accepts Data Lake / Data Catalog objects (JSON, CSV) as ION does, and keeps them', async () => {
    expect((await sendDocument('M3_OCUSMA', '{"OKCUNO":"C10001","OKCUNM":"Acme"}', 'application/json')).status).toBe(202);
    expect((await sendDocument('PaymentExtract_CSV', 'id,amount\n1,12.50\n', 'text/csv')).status).toBe(202);
    expect((await sendDocument('ln.erp.FinanceLedger-v2', '<x/>', 'application/xml')).status).toBe(202);
    const { messages } = (await c.sim_('GET', '/ion/messages')).body as { messages: Array<{ documentName: string; payload: string }> };
    expect(messages.map((m) => m.documentName)).toEqual(expect.arrayContaining(['M3_OCUSMA', 'PaymentExtract_CSV', 'ln.erp.FinanceLedger-v2']));
    expect(messages.find((m) => m.documentName === 'M3_OCUSMA')!.payload).toBe('{"OKCUNO":"C10001","OKCUNM":"Acme"}');
  });

  it.each([[''], ['has space'], ['../../etc/passwd'], ['1Starts.With.Digit']])('still refuses the name %p (400)', async (name) => {
    const res = await sendDocument(name, '<x/>', 'application/xml');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/documentName/);
  });
});

describe('OAuth clients, then /_sim/calls: secrets masked, as the PayTrace simulator does', () => {
  it('password and client_secret (form fields), refresh_token, revoked token and code_verifier never show in clear', async () => {
    await c.sim_('DELETE', '/calls');
    const i = c.sim.ionapi;
    const grant = (await (await passwordGrant(c.sim)).json()) as { access_token: string; refresh_token: string };
    await fetch(c.tokenUrl, form({ grant_type: 'refresh_token', refresh_token: grant.refresh_token }, { authorization: basic(i.ci, i.cs) }));
    await fetch(c.tokenUrl, form({ grant_type: 'password', username: i.saak, password: i.sask }, { authorization: basic(i.ci, i.cs) }));
    await fetch(`${i.pu}${i.or}`, form({ token: grant.access_token, client_id: i.ci, client_secret: i.cs }));
    await userToken('admin');
    const { calls } = (await c.sim_('GET', '/calls')).body as { calls: Array<{ path: string; body?: Record<string, unknown> }> };
    const text = JSON.stringify(calls);
    for (const secret of [i.sask, i.cs, grant.refresh_token, grant.access_token, c.sim.webClient.clientSecret]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"password":"admin"/);
    const tokenCall = calls.find((call) => call.body?.grant_type === 'password' && call.body?.client_id);
    expect(tokenCall?.body).toMatchObject({ username: i.saak, password: '[REDACTED]', client_id: i.ci, client_secret: '[REDACTED]' });
    expect(calls.find((call) => call.body?.grant_type === 'authorization_code')?.body).toMatchObject({ code: '[REDACTED]', code_verifier: '[REDACTED]' });
  });
});
