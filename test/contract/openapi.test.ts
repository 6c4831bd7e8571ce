import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../gateway/src/http/app';
import { routesOf } from '../../gateway/src/openapi/routes-of';
import { gatewayModules } from '../../gateway/src/runtime/modules';
import { startInforSimulator } from '../../simulators/infor';
import { startPayTraceSimulator } from '../../simulators/paytrace';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/**
 * The OpenAPI document against the gateway as `npm start` builds it (every module): each route the
 * gateway answers is documented and each documented operation exists. Only the operator web app's
 * own browser routes are left out, on purpose (cookie session, not for the ION API suite).
 */

type Doc = { openapi: string; servers?: Array<{ url: string }>; paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>; components: { schemas: Record<string, { required?: string[] }> } };

const OPERATOR_UI = [/^\/$/, /^\/ui\{/, /^\/auth\//, /^\/admin\/api\//];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('OpenAPI document (/openapi.json)', () => {
  let gateway: TestGateway;
  let doc: Doc;
  let routes: Array<{ method: string; path: string }>;
  let infor: Awaited<ReturnType<typeof startInforSimulator>>;
  let paytrace: Awaited<ReturnType<typeof startPayTraceSimulator>>;
  let dir: string;

  beforeAll(async () => {
    infor = await startInforSimulator();
    paytrace = await startPayTraceSimulator();
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-openapi-'));
    const ionapiFile = path.join(dir, 'sandbox.ionapi');
    await infor.writeIonapiFile(ionapiFile);
    const modules = gatewayModules();
    gateway = await startTestGateway({
      modules,
      config: {
        infor: { ionapiFile },
        paytrace: { baseUrl: paytrace.url, username: 'demo123', password: 'demo123', integratorId: '9TEST0000001' },
        ecommerce: { webhookSecret: `whsec_${randomBytes(24).toString('base64')}` },
        poller: { enabled: false },
        // the test calls /api/payment-links with the gateway's own app token
        api: { clientRoles: { [infor.ionapi.ci]: 'm3-user' } },
      },
    });
    // the same modules, started, mount their routes on a second app whose router we can walk
    routes = routesOf(createApp(gateway.services, modules.flatMap((m) => (m.routes ? [m.routes] : []))));
    const res = await fetch(`${gateway.url}/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });
  afterAll(async () => {
    await gateway?.stop();
    await infor?.close();
    await paytrace?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

  it('is OpenAPI 3.1 with this gateway as its server', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: gateway.url }]);
  });

  it('documents every route the gateway answers', () => {
    expect(routes.length).toBeGreaterThan(20);
    const api = routes.filter((r) => !OPERATOR_UI.some((re) => re.test(r.path)));
    const missing = api.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('documents no operation the gateway does not have', () => {
    const answered = new Set(routes.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`));
    const extra = Object.entries(doc.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m} ${p}`)).filter((op) => !answered.has(op));
    // IMS routes live under /ims (a mounted router), found by the walk like any other
    expect(extra).toEqual([]);
  });

  it('gives every operation a unique operationId and responses, and every $ref resolves', () => {
    const ids = Object.values(doc.paths).flatMap((item) => METHODS.filter((m) => item[m]).map((m) => item[m]!));
    expect(ids.every((o) => o.operationId && o.responses && Object.keys(o.responses).length > 0)).toBe(true);
    expect(new Set(ids.map((o) => o.operationId)).size).toBe(ids.length);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((r) => !doc.components.schemas[r])).toEqual([]);
  });

  it('describes what POST /api/payment-links really answers', async () => {
    const token = await gateway.services.infor!.tokens.getAccessToken();
    const res = await fetch(`${gateway.url}/api/payment-links`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ invoiceNumber: '200005', invoiceYear: 2026 }) });
    expect(Object.keys(doc.paths['/api/payment-links']!.post!.responses!)).toContain(String(res.status));
    const link = ((await res.json()) as { links: Array<Record<string, unknown>> }).links[0]!;
    for (const field of doc.components.schemas.PaymentLink!.required!) expect(link).toHaveProperty(field);
    const refused = await fetch(`${gateway.url}/api/payment-links`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ invoiceNumber: '200003', invoiceYear: 2026 }) });
    expect(Object.keys(doc.paths['/api/payment-links']!.post!.responses!)).toContain(String(refused.status));
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });
});
