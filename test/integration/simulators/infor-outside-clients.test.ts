import { createHash, randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
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

/** m3-odin's MIServiceCore: v1 URL with the matrix it always adds, `_rid`, JSON headers */
async function odinExecute(token: string, program: string, transaction: string, record: Record<string, string> = {}, userContext?: { cono: string; divi: string }) {
  let url = `${c.m3Base}/execute/${program}/${transaction};metadata=true;maxrecs=100;excludempty=false`;
  if (userContext) url += `;cono=${userContext.cono};divi=${userContext.divi}`;
  const fields = Object.entries(record).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  url += `?${[...fields, `_rid=${Math.floor(Math.random() * 1e9)}`].join('&')}`;
  const res = await fetch(url, { headers: { 'Content-Type': 'application/json; charset=UTF-8', Accept: 'application/json', Authorization: `Bearer ${token}` } });
  const body = (await res.json()) as Record<string, unknown>;
  // parseResponse: records from NameValue, values trimEnd()ed; errors from @code/@type/Message
  const records = ((body.MIRecord as Array<{ NameValue: Array<{ Name: string; Value: string }> }> | undefined) ?? []).map((r) => Object.fromEntries(r.NameValue.map((nv) => [nv.Name, nv.Value.trimEnd()])));
  const metadata = (body.Metadata as { Field: Array<Record<string, unknown>> } | undefined)?.Field;
  return { status: res.status, records, metadata, error: body['@code'] || body['@type'] ? { code: body['@code'], type: body['@type'], message: String(body.Message ?? '').trim() } : undefined };
}

describe("Infor's M3 JavaScript SDK (m3-odin): an H5 / Odin app starting up", () => {
  it('CSRF probe answers 404, which the SDK takes as "no CSRF token needed"', async () => {
    const res = await fetch(`${c.m3Base}/csrf`, { headers: { Authorization: `Bearer ${await c.token()}` } });
    expect(res.status).toBe(404);
  });

  it("MNS150MI/GetUserData without USID answers the caller's own context: a signed-in user's, and the service account's", async () => {
    const operator = await odinExecute(await userToken('operator'), 'MNS150MI', 'GetUserData');
    expect(operator.status).toBe(200);
    expect(operator.error).toBeUndefined();
    expect(operator.records).toEqual([
      expect.objectContaining({ USID: 'OPERATOR', NAME: 'Otto Operator', EMAL: 'operator@m3pt.example', EUID: 'operator', CONO: '100', DIVI: 'AAA', LANC: 'GB', DTFM: 'MDY', DCFM: '.', TIZO: 'CST', TX40: 'Northwind Supply Co.', CONM: 'Demo division US', FADT: '20250101' }),
    ]);
    // the SDK builds its metadata map from @name/@type/@length
    expect(operator.metadata).toEqual(expect.arrayContaining([{ '@name': 'DTFM', '@type': 'A', '@length': 3, '@description': 'Date format' }, expect.objectContaining({ '@name': 'FADT', '@type': 'D' })]));
    const service = await odinExecute(await c.token(), 'MNS150MI', 'GetUserData');
    expect(service.records[0]).toMatchObject({ USID: 'M3SRVADM', USTP: 'SERVICE', CONO: '100', DIVI: 'AAA' });
  });

  it('then, with the user context (;cono=;divi=), the other start-up programs: another user, companies/divisions, the division, by external id', async () => {
    const token = await userToken('viewer');
    const context = { cono: '100', divi: 'AAA' };
    expect((await odinExecute(token, 'MNS150MI', 'GetUserData', { USID: 'ADMIN' }, context)).records[0]).toMatchObject({ USID: 'ADMIN', NAME: 'Ada Admin' });
    expect((await odinExecute(token, 'MNS150MI', 'LstCmpDivi', { USID: 'VIEWER' }, context)).records).toEqual([{ CONO: '100', DIVI: 'AAA', TX40: 'Northwind Supply Co.', CONM: 'Demo division US' }]);
    expect((await odinExecute(token, 'MNS100MI', 'GetBasicData', {}, context)).records[0]).toMatchObject({ CONO: '100', DIVI: 'AAA', LOCD: 'USD', CSCD: 'US', CONM: 'Northwind Supply Co.' });
    expect((await odinExecute(token, 'MNS150MI', 'GetUserByEuid', { EUID: 'viewer' }, context)).records[0]).toMatchObject({ USID: 'VIEWER', NAME: 'Vera Viewer' });
    expect((await odinExecute(token, 'MNS150MI', 'LstUserData', {}, context)).records.map((r) => r.USID)).toEqual(['ADMIN', 'CLERK', 'M3SRVADM', 'OPERATOR', 'VIEWER']);
    const unknown = await odinExecute(token, 'MNS150MI', 'GetUserData', { USID: 'NOBODY' }, context);
    expect(unknown.error).toMatchObject({ type: 'ServerReturnedNOK', message: expect.stringContaining('NOBODY') });
  });

  it('the same call over v2 (the newer SDK path) gives the same context', async () => {
    const records = await c.v2Records('MNS150MI/GetUserData');
    expect(records[0]).toMatchObject({ USID: 'M3SRVADM', DTFM: 'MDY', DCFM: '.' });
  });
});

describe('MI REST v1 with Accept: application/xml', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: false, isArray: (name) => ['MIRecord', 'NameValue', 'Field'].includes(name) });
  const get = async (path: string, accept: string) =>
    fetch(`${c.m3Base}/${path}`, { headers: { Authorization: `Bearer ${await c.token()}`, Accept: accept } });

  it('answers the documented XML form: Program, Transaction, Metadata/Field attributes, MIRecord/RowIndex/NameValue, padded values', async () => {
    const res = await get('execute/CRS610MI/GetBasicData;metadata=true?CUNO=C10001', 'application/xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?>/);
    const doc = parser.parse(xml) as { miResult: { Program: string; Transaction: string; Metadata: { Field: Array<Record<string, string>> }; MIRecord: Array<{ RowIndex: string; NameValue: Array<{ Name: string; Value: string }> }> } };
    expect(doc.miResult.Program).toBe('CRS610MI');
    expect(doc.miResult.Transaction).toBe('GetBasicData');
    expect(doc.miResult.Metadata.Field).toEqual(expect.arrayContaining([{ '@name': 'CUNO', '@type': 'A', '@length': '10', '@description': expect.any(String) }]));
    const [record] = doc.miResult.MIRecord;
    expect(record!.RowIndex).toBe('0');
    const cunm = record!.NameValue.find((nv) => nv.Name === 'CUNM')!;
    expect(cunm.Value).toBe('Acme Supply Co'.padEnd(36, ' '));
    // the JSON form of the same call carries the same values
    const json = (await (await get('execute/CRS610MI/GetBasicData?CUNO=C10001', 'application/json')).json()) as { MIRecord: Array<{ NameValue: Array<{ Name: string; Value: string }> }> };
    expect(json.MIRecord[0]!.NameValue.find((nv) => nv.Name === 'CUNM')!.Value).toBe(cunm.Value);
  });

  it('a NOK is an ErrorMessage element with type/code/field attributes and the padded Message; text escaped', async () => {
    const res = await get('execute/CRS610MI/GetBasicData?CUNO=NONE', 'text/xml');
    expect(res.status).toBe(200);
    const doc = parser.parse(await res.text()) as { ErrorMessage: Record<string, string> & { Message: string } };
    expect(doc.ErrorMessage).toMatchObject({ '@type': 'ServerReturnedNOK', '@code': 'XIM0002', '@field': 'CUNO' });
    expect(doc.ErrorMessage.Message).toBe('Customer number is invalid'.padEnd(120, ' '));
    const escaped = await (await get('execute/MNS150MI/GetUserData?USID=%3Ca%26b%3E', 'application/xml')).text();
    expect(escaped).toContain('User &lt;a&amp;b&gt; does not exist');
    expect((parser.parse(escaped) as { ErrorMessage: { Message: string } }).ErrorMessage.Message.trim()).toBe('User <a&b> does not exist');
  });

  it('406 for a type it has neither form of; v2 answers JSON only (406 to an XML-only client); */* and no Accept get JSON', async () => {
    expect((await get('execute/CRS610MI/GetBasicData?CUNO=C10001', 'text/csv')).status).toBe(406);
    expect((await get('v2/execute/CRS610MI/GetBasicData?CUNO=C10001', 'application/xml')).status).toBe(406);
    for (const accept of ['*/*', 'application/json, text/plain, */*']) {
      const res = await get('execute/CRS610MI/GetBasicData?CUNO=C10001', accept);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    const none = await fetch(`${c.m3Base}/execute/CRS610MI/GetBasicData?CUNO=C10001`, { headers: { Authorization: `Bearer ${await c.token()}` } });
    expect(none.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

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
