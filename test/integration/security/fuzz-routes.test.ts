import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { createApp } from '../../../gateway/src/http/app';
import { routesOf } from '../../../gateway/src/openapi/routes-of';
import { gatewayModules } from '../../../gateway/src/runtime/modules';
import { startInforSimulator } from '../../../simulators/infor';
import { startPayTraceSimulator } from '../../../simulators/paytrace';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';
import { sessionWithRoles } from '../admin/sign-in';

/**
 * No 500 on hostile input: a seeded property test sends every route the gateway answers (the
 * operator app's /admin/api included) fuzzed path ids, query strings, bodies, cookies and
 * credentials, and asserts that no answer is a 5xx and none carries a stack trace.
 */
const HOSTILE = [
  '-'.repeat(36), '0'.repeat(36), '99999999999999999999999', '-1', '0', '1e309', 'NaN', '%', '%E0%A4%A', '%00', '..%2F..%2Fetc%2Fpasswd',
  '4242424242424242', "' or 1=1 --", '<script>alert(1)</script>', '{{7*7}}', '$where', '__proto__', 'constructor', 'a'.repeat(5000), '\u202e', '😀', ' ',
];
const RAW_ESCAPES = new Set(['%', '%E0%A4%A', '%00', '..%2F..%2Fetc%2Fpasswd']);

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 60, unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
);
const scalar = fc.oneof(segment, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const body = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('id', 'ids', 'from', 'to', 'amount', 'reason', 'refundId', 'originalTransactionId', 'invoiceNumber', 'invoiceYear', 'orderNumber', 'to', 'mode', 'q', 'name', 'definition', 'values', 'billingAddress', 'hpfToken', 'encKey'), fc.string({ maxLength: 12 })), fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 4 })), { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom('{"a":', '[[[[[[[[[[', 'null', '"x"', '{"__proto__":{"x":1}}', `${'['.repeat(5000)}${']'.repeat(5000)}`) },
);

interface Shot {
  route: number;
  params: string[];
  query: Array<[string, string]>;
  body: unknown;
  who: 'none' | 'api' | 'admin' | 'hostile-cookie';
}

describe('fuzzing every route', () => {
  let gateway: TestGateway;
  let routes: Array<{ method: string; path: string }>;
  let infor: Awaited<ReturnType<typeof startInforSimulator>>;
  let paytrace: Awaited<ReturnType<typeof startPayTraceSimulator>>;
  let dir: string;
  let apiToken: string;

  beforeAll(async () => {
    infor = await startInforSimulator();
    paytrace = await startPayTraceSimulator();
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-fuzz-'));
    const ionapiFile = path.join(dir, 'fuzz.ionapi');
    await infor.writeIonapiFile(ionapiFile);
    const modules = gatewayModules().map((m) => m);
    gateway = await startTestGateway({
      modules: [...modules.filter((m) => m !== undefined)],
      config: {
        infor: { ionapiFile },
        paytrace: { baseUrl: paytrace.url, username: 'demo123', password: 'demo123', integratorId: '9TEST0000001' },
        ecommerce: { webhookSecret: `whsec_${randomBytes(24).toString('base64')}` },
        poller: { enabled: false },
        admin: { oidc: { issuer: infor.issuer, clientId: infor.webClient.clientId, clientSecret: infor.webClient.clientSecret }, alerts: { enabled: false } },
        api: { clientRoles: { [infor.ionapi.ci]: 'admin' } },
        log: { level: 'error' },
      },
    });
    routes = routesOf(createApp(gateway.services, modules.flatMap((m) => (m.routes ? [m.routes] : []))));
    apiToken = await gateway.services.infor!.tokens.getAccessToken();
  });
  afterAll(async () => {
    await gateway?.stop();
    await infor?.close();
    await paytrace?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function fire(shot: Shot): Promise<{ status: number; text: string; url: string; method: string }> {
    const route = routes[shot.route % routes.length]!;
    let i = 0;
    const pathname = route.path.replace(/:(\w+)|\{\*(\w+)\}|\*(\w+)/g, () => {
      const value = shot.params[i++ % Math.max(shot.params.length, 1)] ?? 'x';
      return RAW_ESCAPES.has(value) ? value : encodeURIComponent(value);
    });
    const query = shot.query.map(([k, v]) => `${encodeURIComponent(k)}=${RAW_ESCAPES.has(v) ? v : encodeURIComponent(v)}`).join('&');
    const url = `${gateway.url}${pathname}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = { origin: gateway.url };
    if (shot.who === 'api') headers.authorization = `Bearer ${apiToken}`;
    if (shot.who === 'admin') {
      // a fresh session each time: a fuzzed sign-out must not turn the rest of the run into 401s
      const session = await sessionWithRoles(gateway.services.db, ['admin']);
      Object.assign(headers, { cookie: session.cookie, 'x-csrf-token': session.csrfToken });
    }
    if (shot.who === 'hostile-cookie') {
      const value = shot.params[0] ?? '%';
      // a header can only carry visible ASCII: anything else goes percent-encoded
      headers.cookie = `m3pt_session=${/^[\x21-\x7e]*$/.test(value) && !value.includes(';') ? value : encodeURIComponent(value)}`;
    }
    const method = route.method;
    let payload: string | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      headers['content-type'] = 'application/json';
      payload = typeof shot.body === 'string' && /^[[{"n]/.test(shot.body) ? shot.body : JSON.stringify(shot.body ?? null);
    }
    const res = await fetch(url, { method, headers, body: payload, redirect: 'manual' });
    return { status: res.status, text: await res.text(), url, method };
  }

  it('answers every fuzzed request below 500 and without a stack trace (seeded)', async () => {
    expect(routes.length).toBeGreaterThan(60);
    const failures: string[] = [];
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          route: fc.nat(),
          params: fc.array(segment, { minLength: 1, maxLength: 3 }),
          query: fc.array(fc.tuple(fc.oneof(fc.constantFrom('q', 'limit', 'status', 'class', 'by', 'from', 'to', 'cursor', 'page', 'id'), fc.string({ maxLength: 8 })), segment), { maxLength: 3 }),
          body,
          who: fc.constantFrom('none', 'api', 'admin', 'admin', 'hostile-cookie'),
        }),
        async (shot: Shot) => {
          const answer = await fire(shot);
          sent += 1;
          const bad = answer.status >= 500 || /\n\s+at .+\(.+:\d+:\d+\)/.test(answer.text);
          if (bad) failures.push(`${answer.status} ${answer.method} ${answer.url.slice(0, 200)} → ${answer.text.slice(0, 200)}`);
          return !bad;
        },
      ),
      { seed: 20261205, numRuns: Number(process.env.FUZZ_RUNS ?? 600), endOnFailure: true },
    ).catch((err: unknown) => {
      throw new Error(`${failures.join('\n')}\n${String(err).slice(0, 2000)}`);
    });
    expect(sent).toBeGreaterThan(0);
  });

  it('covers each route at least once with every hostile id', async () => {
    const failures: string[] = [];
    for (let r = 0; r < routes.length; r++) {
      for (const value of HOSTILE) {
        for (const who of ['admin', 'api'] as const) {
          const answer = await fire({ route: r, params: [value], query: [['q', value]], body: { id: value, ids: [value], from: value, to: value, amount: value }, who });
          if (answer.status >= 500) failures.push(`${answer.status} ${answer.method} ${answer.url.slice(0, 160)} → ${answer.text.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
