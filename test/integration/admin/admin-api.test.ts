import { randomUUID } from 'node:crypto';
import { ADMIN_ENDPOINTS } from '../../../gateway/src/admin/admin-api';
import { adminModule } from '../../../gateway/src/admin/module';
import type { Role } from '../../../gateway/src/admin/roles';
const INVOICE_PAYMENT_QUEUE = 'invoice-payment';
import { recordDeadLetter } from '../../../gateway/src/pipeline/dead-letters';
import { openPayment, updatePayment } from '../../../gateway/src/pipeline/ledger';
import { simJson, startStack, type Stack } from '../../helpers/stack';
import { adminCall, sessionWithRoles, signInThroughInforOs, type SignedIn } from './sign-in';

/**
 * The admin API on a real gateway + real PostgreSQL + the Infor OS simulator's login:
 * authentication, roles, CSRF, dead letters, configuration versions, trace search.
 */
let stack: Stack;
let url: string;
let admin: SignedIn;
let operator: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  stack = await startStack({ modules: [adminModule()], config: { admin: { alerts: { enabled: false } } } });
  url = stack.gateway.url;
  admin = await signInThroughInforOs(url, 'admin');
  operator = await signInThroughInforOs(url, 'operator');
  viewer = await signInThroughInforOs(url, 'viewer');
});
afterAll(async () => {
  await stack.stop();
});

// random UUIDs: 1 in 855 has digit groups that read as a card number, which the door once refused (400, not 401)
const concrete = (path: string) => path.replace(':id', path.includes('trace') || path.includes('recon') ? randomUUID() : '1').replace(':system', 'paytrace');
const below: Record<Role, Role[]> = { viewer: [], operator: ['viewer'], admin: ['viewer', 'operator'] };

it('the role table covers the reconciliation page: reads for viewers, runs and applies for operators', () => {
  const recon = ADMIN_ENDPOINTS.filter((e) => e.path.startsWith('/admin/api/recon/')).map((e) => [e.method, e.path, e.role]);
  expect(recon).toEqual(
    expect.arrayContaining([
      ['get', '/admin/api/recon/runs', 'viewer'],
      ['get', '/admin/api/recon/runs/:id', 'viewer'],
      ['get', '/admin/api/recon/runs/:id/items', 'viewer'],
      ['get', '/admin/api/recon/runs/:id/fixes', 'viewer'],
      ['get', '/admin/api/recon/runs/:id/items.csv', 'viewer'],
      ['get', '/admin/api/recon/runs/:id/report.csv', 'viewer'],
      ['post', '/admin/api/recon/runs', 'operator'],
      ['post', '/admin/api/recon/runs/:id/apply', 'operator'],
    ]),
  );
  expect(recon).toHaveLength(8);
});

describe('every admin endpoint refuses the unauthenticated and the under-privileged', () => {
  it.each(ADMIN_ENDPOINTS.map((e) => [e.method === 'get' ? ('GET' as const) : ('POST' as const), e.path, e.role] as const))('%s %s (needs %s)', async (method, path, role) => {
    const anonymous = await adminCall(url, undefined, method, concrete(path), method === 'POST' ? {} : undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ code: 'ADMIN_UNAUTHENTICATED' });
    // a signed-in user without any role, and every role below the one needed
    for (const roles of [[], ...below[role].map((r) => [r])] as Role[][]) {
      const weak = await sessionWithRoles(stack.gateway.services.db, roles);
      const refused = await adminCall(url, weak, method, concrete(path), method === 'POST' ? {} : undefined);
      expect({ roles, status: refused.status, code: refused.json.code }).toEqual({ roles, status: 403, code: 'ADMIN_FORBIDDEN' });
    }
  });

  it('a forged or expired cookie is no session', async () => {
    const forged = await adminCall(url, { cookie: 'm3pt_session=forged-value', csrfToken: 'x' }, 'GET', '/admin/api/me');
    expect(forged.status).toBe(401);
    const session = await sessionWithRoles(stack.gateway.services.db, ['admin']);
    expect((await adminCall(url, session, 'GET', '/admin/api/me')).status).toBe(200);
    await stack.gateway.services.db('admin_sessions').update({ expires_at: new Date(Date.now() - 1000) }).where('subject', 'test-admin');
    expect((await adminCall(url, session, 'GET', '/admin/api/me')).status).toBe(401);
  });
});

describe('sign-in', () => {
  it('takes roles from the Infor OS token and gives an httpOnly SameSite=Lax cookie', async () => {
    const me = await adminCall(url, operator, 'GET', '/admin/api/me');
    expect(me.json).toMatchObject({ subject: 'operator', roles: ['operator'], name: 'Otto Operator' });
    const start = await fetch(`${url}/auth/login?returnTo=/ui/`, { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${url}/auth/callback`);
  });

  it('refuses a callback with an unknown state and never redirects off-site after sign-in', async () => {
    const bad = await fetch(`${url}/auth/callback?code=abc&state=not-ours`, { redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'ADMIN_LOGIN_STATE' });
    const start = await fetch(`${url}/auth/login?returnTo=${encodeURIComponent('https://evil.example/')}`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state');
    const row = await stack.gateway.services.db('admin_login_attempts').where({ state }).first<{ return_to: string }>();
    expect(row.return_to).toBe('/ui/');
  });

  it('sets the cookie flags and logs out', async () => {
    const start = await fetch(`${url}/auth/login`, { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!);
    const page = await fetch(authorize);
    const fields = Object.fromEntries([...(await page.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll('&amp;', '&')]));
    const login = await fetch(authorize.origin + authorize.pathname, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, username: 'viewer', password: 'viewer' }), redirect: 'manual' });
    const callback = await fetch(login.headers.get('location')!, { redirect: 'manual' });
    const setCookie = callback.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/); // plain http here; behind TLS (req.secure) it adds Secure
    const cookie = /m3pt_session=[^;]+/.exec(setCookie)![0];
    expect((await fetch(`${url}/admin/api/me`, { headers: { cookie } })).status).toBe(200);
    await fetch(`${url}/auth/logout`, { method: 'POST', headers: { cookie } });
    expect((await fetch(`${url}/admin/api/me`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('CSRF on state-changing calls', () => {
  const body = { ids: ['999999'], reason: 'csrf test' };
  it('refuses a POST without the token, with a wrong token, or from another origin', async () => {
    const noToken = await adminCall(url, { ...operator, csrfToken: '' }, 'POST', '/admin/api/dead-letters/abandon', body, { 'x-csrf-token': '' });
    expect(noToken).toMatchObject({ status: 403, json: { code: 'ADMIN_CSRF' } });
    const wrong = await adminCall(url, { ...operator, csrfToken: 'guessed-token-value-guessed-token' }, 'POST', '/admin/api/dead-letters/abandon', body);
    expect(wrong).toMatchObject({ status: 403, json: { code: 'ADMIN_CSRF' } });
    const crossSite = await adminCall(url, operator, 'POST', '/admin/api/dead-letters/abandon', body, { origin: 'https://evil.example' });
    expect(crossSite).toMatchObject({ status: 403, json: { code: 'ADMIN_CSRF' } });
    const ok = await adminCall(url, operator, 'POST', '/admin/api/dead-letters/abandon', body);
    expect(ok).toMatchObject({ status: 200, json: { abandoned: [], skipped: ['999999'] } });
  });
});

describe('dead letters', () => {
  async function park(payload: unknown, code = 'M3_UNAVAILABLE') {
    await recordDeadLetter(stack.gateway.services.db, { queue: INVOICE_PAYMENT_QUEUE, jobId: randomUUID(), payload, correlationId: `c-${randomUUID()}`, errorClass: 'transient', errorCode: code, errorMessage: 'M3 did not answer', attempts: 3 });
    const row = await stack.gateway.services.db('dead_letters').orderBy('id', 'desc').first<{ id: string }>();
    return row.id;
  }

  it('lists with filters and shows the payload masked', async () => {
    const id = await park({ note: 'card 4111 1111 1111 1111 typed in a memo', password: 'hunter2', invoice: '200001' }, 'DLQ_FILTER_TEST');
    const list = await adminCall(url, viewer, 'GET', '/admin/api/dead-letters?errorCode=DLQ_FILTER_TEST&status=open&errorClass=transient');
    expect((list.json.deadLetters as Array<{ id: string }>).map((d) => d.id)).toEqual([id]);
    const none = await adminCall(url, viewer, 'GET', '/admin/api/dead-letters?errorCode=DLQ_FILTER_TEST&errorClass=bug');
    expect(none.json.deadLetters).toEqual([]);
    const old = await adminCall(url, viewer, 'GET', '/admin/api/dead-letters?errorCode=DLQ_FILTER_TEST&olderThanMinutes=60');
    expect(old.json.deadLetters).toEqual([]);
    const detail = await adminCall(url, viewer, 'GET', `/admin/api/dead-letters/${id}`);
    expect(detail.text).not.toContain('4111 1111 1111 1111');
    expect(detail.text).not.toContain('hunter2');
    expect(detail.json).toMatchObject({ deadLetter: { payload: { invoice: '200001', password: '[REDACTED]' } } });
    const badFilter = await adminCall(url, viewer, 'GET', '/admin/api/dead-letters?errorClass=nonsense');
    expect(badFilter).toMatchObject({ status: 400, json: { code: 'ADMIN_BAD_REQUEST' } });
  });

  it('replay and abandon need a reason, work in bulk and are audited with the operator', async () => {
    const a = await park({ n: 1 });
    const b = await park({ n: 2 });
    const c = await park({ n: 3 });
    const noReason = await adminCall(url, operator, 'POST', '/admin/api/dead-letters/replay', { ids: [a] });
    expect(noReason).toMatchObject({ status: 400, json: { code: 'ADMIN_BAD_REQUEST' } });
    expect(JSON.stringify(noReason.json)).toContain('reason');
    const replayed = await adminCall(url, operator, 'POST', '/admin/api/dead-letters/replay', { ids: [a, b], reason: 'M3 is back up' });
    expect(replayed.json).toEqual({ replayed: [a, b], skipped: [] });
    const again = await adminCall(url, operator, 'POST', '/admin/api/dead-letters/replay', { ids: [a], reason: 'double click' });
    expect(again.json).toEqual({ replayed: [], skipped: [a] });
    const abandoned = await adminCall(url, operator, 'POST', '/admin/api/dead-letters/abandon', { ids: [c], reason: 'refunded by hand' });
    expect(abandoned.json).toEqual({ abandoned: [c], skipped: [] });
    const auditLog = await adminCall(url, viewer, 'GET', '/admin/api/audit?subjectType=dead_letter');
    const entries = auditLog.json.entries as Array<{ actor: string; action: string; subject_id: string; reason: string }>;
    expect(entries.filter((e) => [a, b, c].includes(e.subject_id)).map((e) => [e.action, e.subject_id, e.actor, e.reason]).sort()).toEqual(
      [
        ['dead_letter.abandon', c, 'operator:operator', 'refunded by hand'],
        ['dead_letter.replay', a, 'operator:operator', 'M3 is back up'],
        ['dead_letter.replay', b, 'operator:operator', 'M3 is back up'],
      ].sort(),
    );
  });
});

describe('configuration', () => {
  it('validates a .ionapi upload: bad files are refused with the keys named, good ones versioned without secrets', async () => {
    const notJson = await adminCall(url, admin, 'POST', '/admin/api/config/ionapi', { content: '{"ti": "X", "cs": "top-secret-value"' });
    expect(notJson).toMatchObject({ status: 422, json: { code: 'IONAPI_INVALID' } });
    expect(notJson.text).not.toContain('top-secret-value');
    const missing = await adminCall(url, admin, 'POST', '/admin/api/config/ionapi', { content: JSON.stringify({ ti: 'ACME_TST', cn: 'app', cs: 'top-secret-value', iu: 'not a url' }) });
    expect(missing.status).toBe(422);
    const fields = (missing.json.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['ci', 'iu', 'pu', 'oa', 'ot', 'or']));
    expect(missing.text).not.toContain('top-secret-value');

    const good = { ...stack.infor.ionapi, cs: 'top-secret-value', sask: 'service-secret-value' };
    const saved = await adminCall(url, admin, 'POST', '/admin/api/config/ionapi', { content: JSON.stringify(good), reason: 'new tenant' });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ kind: 'ionapi', version: 1, summary: { tenant: 'M3PT_TST', serviceAccount: true } });
    expect(saved.text).not.toMatch(/top-secret-value|service-secret-value/);
    const overview = await adminCall(url, admin, 'GET', '/admin/api/config');
    expect(overview.text).not.toMatch(/top-secret-value|service-secret-value|demo123/);
    expect(overview.json).toMatchObject({ infor: { tenant: 'M3PT_TST' }, paytrace: { passwordSet: true } });
  });

  it('keeps PayTrace credentials write-only and refuses malformed ones field by field', async () => {
    const bad = await adminCall(url, admin, 'POST', '/admin/api/config/paytrace', { baseUrl: 'ftp://x', username: '', password: 'p', integratorId: 'MUCH-TOO-LONG-ID' });
    expect(bad.status).toBe(422);
    expect((bad.json.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['baseUrl', 'integratorId', 'username']);
    const ok = await adminCall(url, admin, 'POST', '/admin/api/config/paytrace', { baseUrl: 'https://api.paytrace.com', username: 'api-user', password: 'pw-never-shown', integratorId: '9TEST0000001' });
    expect(ok.status).toBe(200);
    expect(ok.text).not.toContain('pw-never-shown');
    const versions = await stack.gateway.services.db('config_versions').where({ kind: 'paytrace' });
    expect(JSON.stringify(versions)).not.toContain('pw-never-shown');
  });

  it('validates rules with the domain loader and shows each problem with file and line', async () => {
    const current = await adminCall(url, admin, 'GET', '/admin/api/config/rules');
    const files = current.json.files as Record<string, string>;
    expect(Object.keys(files)).toContain('status-map.yaml');
    const broken = await adminCall(url, admin, 'POST', '/admin/api/config/rules', { files: { 'status-map.yaml': 'version: 1\nstatuses: [unclosed' } });
    expect(broken).toMatchObject({ status: 422, json: { code: 'RULES_INVALID' } });
    expect((broken.json.errors as Array<{ field: string }>)[0]!.field).toMatch(/^status-map\.yaml:\d+/);
    const unknownFile = await adminCall(url, admin, 'POST', '/admin/api/config/rules', { files: { 'evil.yaml': 'x: 1' } });
    expect(unknownFile.status).toBe(422);
    const same = await adminCall(url, admin, 'POST', '/admin/api/config/rules', { files: { 'status-map.yaml': files['status-map.yaml'] }, reason: 'no-op save' });
    expect(same.json).toMatchObject({ kind: 'rules', version: 1, unchanged: true }); // the same texts publish nothing
    const edited = `${files['status-map.yaml']}\n# reviewed by AR\n`;
    const noReason = await adminCall(url, admin, 'POST', '/admin/api/config/rules', { files: { 'status-map.yaml': edited } });
    expect(noReason).toMatchObject({ status: 400, json: { code: 'FLOW_PUBLISH_REASON_REQUIRED' } });
    const published = await adminCall(url, admin, 'POST', '/admin/api/config/rules', { files: { 'status-map.yaml': edited }, reason: 'AR reviewed the map' });
    expect(published.json).toMatchObject({ kind: 'rules', version: 2, unchanged: false, changed: ['status-map.yaml'] });
    expect(stack.gateway.services.rulesVersions!.current.version).toBe(2); // in force at once, no restart
    expect((await adminCall(url, admin, 'GET', '/admin/api/config/rules')).json.files).toMatchObject({ 'status-map.yaml': edited });
    const audited = await stack.gateway.services.db('audit_log').where({ action: 'rules.published', actor: 'operator:admin' }).first<{ actor: string; reason: string }>();
    expect(audited).toMatchObject({ actor: 'operator:admin', reason: 'AR reviewed the map' });
  });

  it('tests each connection with a harmless call', async () => {
    for (const system of ['infor-os', 'm3', 'ion', 'paytrace']) {
      const result = await adminCall(url, admin, 'POST', `/admin/api/config/test/${system}`, {});
      expect({ system, ok: result.json.ok }).toEqual({ system, ok: true });
    }
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { outage: true } });
    const down = await adminCall(url, admin, 'POST', '/admin/api/config/test/paytrace', {});
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { outage: false } });
    expect(down.json).toMatchObject({ system: 'paytrace', ok: false });
  });
});

describe('trace search and dashboard', () => {
  it('finds a payment by IVNO, link id, correlation id and PayTrace id, with its timeline', async () => {
    const db = stack.gateway.services.db;
    const reference = `LINK-${randomUUID().slice(0, 8)}`;
    const { payment } = await openPayment(db, { flow: 'invoice_payment', reference, status: 'charged', correlationId: `corr-${reference}`, fields: { ivno: '777001', cuno: 'C10001', amount: '10.50', currency: 'USD', paytrace_transaction_id: '987654321' } });
    await updatePayment(db, payment.id, { status: 'completed', step: 'receipt' });
    for (const q of ['777001', reference, `corr-${reference}`, '987654321']) {
      const found = await adminCall(url, viewer, 'GET', `/admin/api/trace?q=${encodeURIComponent(q)}`);
      expect({ q, ids: (found.json.hits as Array<{ paymentId: string }>).map((h) => h.paymentId) }).toEqual({ q, ids: [payment.id] });
    }
    const trace = await adminCall(url, viewer, 'GET', `/admin/api/trace/payments/${payment.id}`);
    expect((trace.json.timeline as Array<{ system: string; status: string }>).map((t) => [t.system, t.status])).toEqual([
      ['payment', '∅ → charged'],
      ['payment', 'charged → completed'],
    ]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/m3pt_payment_transitions_total\{flow="invoice_payment",step="receipt",status="completed"\} 1/);
    await db('intents').insert({ key: `${payment.id}:receipt`, payment_id: payment.id, system: 'm3', operation: 'ARS040MI', status: 'succeeded', attempts: 3, resolved_by: 'lookup' });
    const dashboard = await adminCall(url, viewer, 'GET', '/admin/api/dashboard');
    expect(dashboard.json.retries).toEqual([{ system: 'm3', outcome: 'recovered', retries: 2 }]);
    expect(dashboard.json.outcomes).toEqual(expect.arrayContaining([{ flow: 'invoice_payment', outcome: 'completed', count: 1 }]));
    const perFlow = dashboard.json.perFlow as Array<{ flow: string; collected: string }>;
    expect(perFlow.find((p) => p.flow === 'invoice_payment')?.collected).toBe('10.50');
    const badRange = await adminCall(url, viewer, 'GET', '/admin/api/dashboard?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(badRange.status).toBe(400);
  });
});

describe('payment states: money collected, declines from every source, charged but not posted', () => {
  const db = () => stack.gateway.services.db;
  const pay = async (status: string, amount: string, fields: Record<string, unknown> = {}) =>
    (await openPayment(db(), { flow: 'invoice_payment', reference: `PL-${randomUUID()}`, status, correlationId: `corr-${randomUUID()}`, fields: { ivno: '200008', cuno: 'C10001', amount, currency: 'USD', paytrace_transaction_id: String(Math.floor(Math.random() * 1e9)), ...fields } })).payment;

  it('counts only money collected, every decline (pay page, storefront, PayTrace direct), and names the charged-but-not-posted payment', async () => {
    await db()('dead_letters').del();
    await db()('payments').del();
    await db()('paytrace_transactions').del();
    await pay('completed', '4090.24');
    await pay('declined', '420.29', { last_error_code: 'PAYMENT_DECLINED' }); // a pay-page decline: status declined
    const storefront = (await openPayment(db(), { flow: 'ecommerce_sale', reference: `ECOM-${randomUUID()}`, status: 'failed', correlationId: randomUUID(), fields: { last_error_code: 'ECOMMERCE_TRANSACTION_NOT_PAID', amount: '15.00', currency: 'USD' } })).payment;
    expect(storefront).toBeDefined();
    // card testing straight at PayTrace: a declined transaction no payment of ours made
    await db()('paytrace_transactions').insert({ transaction_id: 55501, state: 'declined', transaction_type: 'SALE', amount: '1.00', raw: '{}' });
    // invoice 200008: charged $1,999.95, the receipt is in M3, the GL post failed with 403 and parked
    const stuck = await pay('receipt_posted', '1999.95', { last_error_code: 'M3_FORBIDDEN' });
    for (const [step, status] of [['verify', 'succeeded'], ['invoice', 'succeeded'], ['receipt', 'succeeded'], ['amounts', 'succeeded'], ['gl', 'failed']] as const) {
      await db()('intents').insert({ key: `${stuck.id}:${step}`, payment_id: stuck.id, system: step === 'verify' ? 'paytrace' : 'm3', operation: step === 'gl' ? 'GLS840MI/LstBatchHead' : step, status, attempts: 1, error_code: status === 'failed' ? 'M3_FORBIDDEN' : null });
    }
    await recordDeadLetter(db(), { queue: INVOICE_PAYMENT_QUEUE, jobId: randomUUID(), payload: { inboxId: '21' }, correlationId: stuck.correlation_id, errorClass: 'configuration', errorCode: 'M3_FORBIDDEN', errorMessage: 'GLS840MI/LstBatchHead: ION API answered 403', attempts: 1 });

    const dashboard = await adminCall(url, viewer, 'GET', `/admin/api/dashboard?timeZone=${encodeURIComponent('America/Chicago')}`);
    const attempts = dashboard.json.attempts as Array<{ source: string; state: string; count: number; amount: string }>;
    const of = (source: string, state: string) => attempts.find((a) => a.source === source && a.state === state);
    expect(of('invoice_payment', 'completed')).toMatchObject({ count: 1, amount: '4090.24' });
    expect(of('invoice_payment', 'declined')).toMatchObject({ count: 1 });
    expect(of('ecommerce_sale', 'declined')).toMatchObject({ count: 1 });
    expect(of('paytrace_direct', 'declined')).toMatchObject({ count: 1 });
    expect(of('invoice_payment', 'charged_not_posted')).toMatchObject({ count: 1, amount: '1999.95' });
    const collected = (dashboard.json.perFlow as Array<{ flow: string; collected: string }>).filter((p) => p.flow === 'invoice_payment').map((p) => p.collected);
    expect(collected).toEqual(['6090.19']); // 4090.24 + 1999.95: the decline's 420.29 moved nothing
    expect(dashboard.json.range).toMatchObject({ timeZone: 'America/Chicago' });
    expect((await adminCall(url, viewer, 'GET', '/admin/api/dashboard?timeZone=Mars/Olympus')).status).toBe(400);

    // the list the tile links to, and the trace of the payment
    const list = await adminCall(url, viewer, 'GET', '/admin/api/trace?state=charged_not_posted');
    expect(list.json).toMatchObject({ recent: true, hits: [{ paymentId: stuck.id, state: 'charged_not_posted', customerCharged: true, ivno: '200008', cuno: 'C10001', amount: '1999.95' }] });
    const recent = await adminCall(url, viewer, 'GET', '/admin/api/trace');
    expect((recent.json.hits as unknown[]).length).toBe(4);
    const trace = await adminCall(url, viewer, 'GET', `/admin/api/trace/payments/${stuck.id}`);
    expect(trace.json).toMatchObject({ state: 'charged_not_posted', customerCharged: true, deadLetters: [{ status: 'open', errorCode: 'M3_FORBIDDEN' }] });
    expect((trace.json.steps as Array<{ key: string; status: string }>).map((x) => [x.key, x.status])).toEqual([['sale', 'done'], ['verify', 'done'], ['invoice', 'done'], ['receipt', 'done'], ['amounts', 'done'], ['gl', 'failed'], ['bod', 'not_started']]);

    // the dead letter with its payment, and what a replay would do
    const dlq = await adminCall(url, viewer, 'GET', '/admin/api/dead-letters?status=open');
    const row = (dlq.json.deadLetters as Array<{ id: string; payment: Record<string, unknown> }>)[0]!;
    expect(row.payment).toMatchObject({ ivno: '200008', cuno: 'C10001', amount: '1999.95', currency: 'USD', customerCharged: true, state: 'charged_not_posted' });
    const preview = await adminCall(url, viewer, 'GET', `/admin/api/dead-letters/${row.id}/preview`);
    expect(preview.json).toMatchObject({ customerCharged: true, deadLetter: { status: 'open', errorCode: 'M3_FORBIDDEN' } });
    expect((preview.json.done as Array<{ key: string }>).map((d) => d.key)).toEqual(['sale', 'verify', 'invoice', 'receipt', 'amounts']);
    expect((preview.json.willRun as Array<{ key: string }>).map((d) => d.key)).toEqual(['gl', 'bod']);
    expect(preview.json.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^The customer was charged\. A replay never charges again/)]));
  });

  it('lists customers\' new-link requests and lets an operator mark one done, audited', async () => {
    const link = await db()('payment_links').insert({ id: randomUUID().replace(/-/g, '').slice(0, 22), cono: 100, divi: 'AAA', ivno: '200099', yea4: 2026, cuno: 'C10001', amount: '10.00', currency: 'USD', status: 'expired', expires_at: new Date(), created_by: 'test' }).returning('id');
    const [request] = await db()('link_requests').insert({ link_id: link[0]!.id, link_status: 'expired', contact_email: 'ap@acme.example' }).returning('id');
    const open = await adminCall(url, viewer, 'GET', '/admin/api/link-requests?status=open');
    expect(open.json.requests).toEqual(expect.arrayContaining([expect.objectContaining({ id: String(request.id), invoice: '200099', sendTo: 'ap@acme.example', status: 'open' })]));
    expect((await adminCall(url, operator, 'POST', `/admin/api/link-requests/${request.id}/done`, {})).status).toBe(400); // a reason is required
    const done = await adminCall(url, operator, 'POST', `/admin/api/link-requests/${request.id}/done`, { reason: 'new link sent from OIS350' });
    expect(done.json).toMatchObject({ status: 'done' });
    expect(await db()('audit_log').where({ action: 'payment-link.request-done', subject_id: String(request.id) }).first()).toMatchObject({ actor: 'operator:operator', reason: 'new link sent from OIS350' });
    expect((await adminCall(url, operator, 'POST', `/admin/api/link-requests/${request.id}/done`, { reason: 'again' })).status).toBe(404);
  });
});
