import { API_ROUTE_ROLES, type ApiRole } from '../../../gateway/src/http/middleware/infor-auth';
import { openApiModule } from '../../../gateway/src/openapi/module';
import { linksModule } from '../../../gateway/src/links/module';
import { reconModule } from '../../../gateway/src/recon/module';
import { signInAsUser } from '../../helpers/infor-users';
import { startStack, type Stack } from '../../helpers/stack';

/**
 * Who may move money: every /api route with every caller below the role it needs answers 403
 * API_FORBIDDEN naming the role; a caller with the role gets past the check; an Infor OS ID token
 * (audience = the web client) is refused with 401 everywhere. Callers are real Infor OS tokens:
 * the demo users signed in through the simulator's login (clerk = m3-user, viewer, operator,
 * admin) and the gateway's own backend app, which has no API role here.
 */
describe('API roles per route', () => {
  let stack: Stack;
  const tokens: Record<string, string> = {};
  let idToken: string;
  beforeAll(async () => {
    stack = await startStack({ modules: [linksModule(), reconModule({ scheduleEnabled: false }), openApiModule()], ownAppRole: null });
    tokens.none = await stack.gateway.services.infor!.tokens.getAccessToken();
    for (const user of ['clerk', 'viewer', 'operator', 'admin']) {
      const signedIn = await signInAsUser(stack.infor, user);
      tokens[user] = signedIn.accessToken;
      idToken = signedIn.idToken;
    }
  });
  afterAll(async () => {
    await stack.stop();
  });

  const RUN = '00000000-0000-4000-8000-000000000000';
  const LINK = 'AAAAAAAAAAAAAAAAAAAAAA';
  const calls: Array<{ route: string; path: string; body?: unknown }> = [
    { route: 'POST /api/payment-links', path: '/api/payment-links', body: { invoiceNumber: 'NOPE', invoiceYear: 2026 } },
    { route: 'GET /api/payment-links/:id', path: `/api/payment-links/${LINK}` },
    { route: 'POST /api/payment-links/:id/cancel', path: `/api/payment-links/${LINK}/cancel`, body: {} },
    { route: 'POST /api/payment-links/:id/email', path: `/api/payment-links/${LINK}/email`, body: { to: 'a@example.com' } },
    { route: 'POST /api/refunds', path: '/api/refunds', body: { refundId: 'R-ROLES', originalTransactionId: 1, amount: '1.00' } },
    { route: 'GET /api/refunds/:refundId', path: '/api/refunds/R-NONE' },
    { route: 'POST /api/recon/runs', path: '/api/recon/runs', body: { from: '2026-01-01', to: '2026-01-01' } },
    { route: 'GET /api/recon/runs/:id', path: `/api/recon/runs/${RUN}` },
    { route: 'GET /api/recon/runs/:id/items', path: `/api/recon/runs/${RUN}/items` },
    { route: 'GET /api/recon/runs/:id/items.csv', path: `/api/recon/runs/${RUN}/items.csv` },
    { route: 'GET /api/recon/runs/:id/report.csv', path: `/api/recon/runs/${RUN}/report.csv` },
    { route: 'POST /api/recon/runs/:id/apply', path: `/api/recon/runs/${RUN}/apply`, body: {} },
    { route: 'POST /api/chargebacks', path: '/api/chargebacks', body: {} },
    { route: 'POST /api/chargebacks/reports', path: '/api/chargebacks/reports', body: {} },
    { route: 'GET /api/chargebacks/:caseNumber', path: '/api/chargebacks/CB-NONE' },
  ];
  const CALLERS: Array<{ name: string; rank: number }> = [
    { name: 'none', rank: -1 },
    { name: 'clerk', rank: 0 },
    { name: 'viewer', rank: 1 },
    { name: 'operator', rank: 2 },
    { name: 'admin', rank: 3 },
  ];
  const RANK: Record<ApiRole, number> = { 'm3-user': 0, viewer: 1, operator: 2, admin: 3 };

  async function call(c: (typeof calls)[number], token: string) {
    const [method] = c.route.split(' ') as [string];
    const res = await fetch(`${stack.gateway.url}${c.path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: c.body !== undefined ? JSON.stringify(c.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  it('covers every /api operation (the OpenAPI contract test proves the document lists every route answered)', async () => {
    const doc = (await (await fetch(`${stack.gateway.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    expect(documented).toEqual(Object.keys(API_ROUTE_ROLES).sort());
    expect(calls.map((c) => c.route).sort()).toEqual(Object.keys(API_ROUTE_ROLES).sort());
  });

  it('refuses every caller below the role a route needs with 403 API_FORBIDDEN naming the role, and lets the others through', async () => {
    const seen: string[] = [];
    for (const c of calls) {
      const needed = API_ROUTE_ROLES[c.route]!;
      for (const caller of CALLERS) {
        const res = await call(c, tokens[caller.name]!);
        if (caller.rank < RANK[needed]) {
          expect({ route: c.route, caller: caller.name, status: res.status }).toEqual({ route: c.route, caller: caller.name, status: 403 });
          expect(res.type).toMatch(/application\/problem\+json/);
          expect(res.body).toMatchObject({ code: 'API_FORBIDDEN', status: 403, roleNeeded: needed });
          expect(String(res.body.detail)).toContain(needed);
        } else {
          expect({ route: c.route, caller: caller.name, passed: res.status !== 401 && res.status !== 403 && res.status < 500 }).toEqual({ route: c.route, caller: caller.name, passed: true });
        }
        seen.push(`${c.route} ${caller.name} ${res.status}`);
      }
    }
    expect(seen).toHaveLength(calls.length * CALLERS.length);
  });

  it('refuses an Infor OS ID token on every route with 401, even the admin user\'s', async () => {
    for (const c of calls) {
      const res = await call(c, idToken);
      expect({ route: c.route, status: res.status, code: res.body.code }).toEqual({ route: c.route, status: 401, code: 'INFOR_TOKEN_INVALID' });
    }
  });

  it('the OpenAPI document names the role of each /api operation and its 403', async () => {
    const doc = (await (await fetch(`${stack.gateway.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-required-role'?: string; responses: Record<string, unknown> }>> };
    for (const [route, role] of Object.entries(API_ROUTE_ROLES)) {
      const [method, path] = route.split(' ') as [string, string];
      const operation = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect({ route, role: operation?.['x-required-role'], has403: Boolean(operation?.responses[403]) }).toEqual({ route, role, has403: true });
    }
  });
});
