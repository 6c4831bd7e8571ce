/**
 * The tenant's limit of concurrent M3 MI calls, against the real M3 simulator (which counts the
 * calls it serves at once) and, for the shared scope, real PostgreSQL sessions: never exceeded,
 * per process or across processes; a 429/503 lowers it and its Retry-After holds new calls; a
 * throttled write is tried again and has one effect; a dead process's slots come free.
 */
import pg from 'pg';
import { M3CallLimiter, retryAfterMs } from '../../../gateway/src/infor/m3/call-limiter';
import { M3Client } from '../../../gateway/src/infor/m3/m3-client';
import { connectionStringOf, PgSharedPermits } from '../../../gateway/src/infor/m3/shared-permits';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { startInforFixture, type InforFixture } from './infor-fixture';

let fx: InforFixture;
let database: TestDatabase;
beforeAll(async () => {
  fx = await startInforFixture();
  database = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await fx.sim.close();
  await database.drop();
});
beforeEach(async () => {
  await fx.simPost('/reset');
});

interface Reading {
  inFlight: number;
  peak: number;
  requests: number;
}
async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const gauge = () => fx.simGet<Reading>('/concurrency');
const countFrom = () => fx.simPut('/concurrency', { pathPattern: '/M3/' });

function client(limiter: M3CallLimiter, tokens = fx.tokens()): M3Client {
  return new M3Client({ baseUrl: `${fx.credentials.apiBaseUrl}/M3/m3api-rest`, tokens, timeoutMs: 10_000, readRetries: 2, retryDelayMs: 10, limiter, throttleRetries: 6 });
}

const read = (m3: M3Client) => m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'C10001' });

test('one process: never more MI calls at once than the limit, and the limit is used', async () => {
  const tokens = fx.tokens();
  await tokens.getAccessToken();
  await fx.simPut('/faults', { latencyMs: 20, latencyMaxMs: 60, pathPattern: '/M3/' });
  await countFrom();
  const limiter = new M3CallLimiter({ maxConcurrent: 4 });
  const m3 = client(limiter, tokens);
  await Promise.all(Array.from({ length: 40 }, () => read(m3)));
  const g = await gauge();
  expect(g.requests).toBe(40);
  expect(g.peak).toBeLessThanOrEqual(4);
  expect(g.peak).toBeGreaterThanOrEqual(3);
  expect(limiter.stats()).toMatchObject({ inFlight: 0, waiting: 0 });
});

test('429 with Retry-After: the limit halves, new calls wait for the Retry-After, every call (writes too) ends with one effect', async () => {
  const tokens = fx.tokens();
  await tokens.getAccessToken();
  // M3 behind a gateway that serves 3 at once and asks for 1 s of patience beyond that
  await fx.simPut('/faults', { latencyMs: 80, maxConcurrent: 3, retryAfterSeconds: 1, pathPattern: '/M3/' });
  await countFrom();
  const limiter = new M3CallLimiter({ maxConcurrent: 12 });
  const m3 = client(limiter, tokens);
  const started = Date.now();
  // writes: each AddBatchHead takes our PBID; a second run of one would be refused as a duplicate
  await Promise.all(Array.from({ length: 12 }, (_, i) => m3.execute('ARS040MI', 'AddBatchHead', { PBID: String(7100 + i), BOPE: 'CC' })));
  const elapsed = Date.now() - started;
  expect(limiter.stats().throttled).toBeGreaterThan(0);
  expect(limiter.limit).toBeLessThan(12);
  // the refused ones were sent again only after the Retry-After
  expect(elapsed).toBeGreaterThanOrEqual(1000);
  const { calls } = await fx.simGet<{ calls: Array<{ status: number; at: string }> }>('/calls?path=AddBatchHead');
  expect(calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
  expect(calls.filter((c) => c.status === 200)).toHaveLength(12);
  // every PBID taken once: a second run of any of them would have been refused (XRE0103) above
  const again = await m3.execute('ARS040MI', 'AddBatchHead', { PBID: '7100', BOPE: 'CC' }).catch((e: unknown) => e as { code: string });
  expect(again).toMatchObject({ code: 'M3_NOK' });
});

test('the limit comes back up as calls succeed again', async () => {
  const limiter = new M3CallLimiter({ maxConcurrent: 8, defaultPauseMs: 0 });
  limiter.throttled(undefined);
  limiter.throttled(undefined); // the same pause (none): halves again
  expect(limiter.limit).toBe(2);
  for (let i = 0; i < 2 + 3 + 4 + 5 + 6 + 7; i++) limiter.succeeded();
  expect(limiter.limit).toBe(8);
});

test('after a Retry-After no new call starts before it has passed; calls already running go on', async () => {
  const limiter = new M3CallLimiter({ maxConcurrent: 4 });
  const running = await limiter.acquire();
  limiter.throttled(800);
  const asked = Date.now();
  const next = await limiter.acquire();
  expect(Date.now() - asked).toBeGreaterThanOrEqual(790);
  running();
  next();
  expect(limiter.stats()).toMatchObject({ inFlight: 0, limit: 2 });
});

test('calls refused together halve the limit once, not once per refusal', () => {
  const limiter = new M3CallLimiter({ maxConcurrent: 16, defaultPauseMs: 5000 });
  for (let i = 0; i < 10; i++) limiter.throttled(undefined);
  expect(limiter.limit).toBe(8);
  expect(limiter.stats().pausedForMs).toBeGreaterThan(4000);
  void limiter.close();
});

test('503 from M3 also holds new calls for its Retry-After; a read is tried again after it', async () => {
  const tokens = fx.tokens();
  await tokens.getAccessToken();
  await fx.simPut('/faults', { errorRate: 1, errorStatus: 503, retryAfterSeconds: 1, pathPattern: 'GetBasicData' });
  const limiter = new M3CallLimiter({ maxConcurrent: 4 });
  const m3 = client(limiter, tokens);
  const started = Date.now();
  const failing = read(m3).catch((e: unknown) => e as { code: string });
  // the outage ends while the call waits
  setTimeout(() => void fx.simPut('/faults', { errorRate: 0 }), 300);
  const result = await failing;
  expect((result as { records?: unknown[] }).records).toHaveLength(1);
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
});

test('Retry-After as seconds or as an HTTP date', () => {
  expect(retryAfterMs('3')).toBe(3000);
  expect(retryAfterMs(new Date(Date.now() + 2000).toUTCString(), Date.now())).toBeGreaterThan(900);
  expect(retryAfterMs('soon')).toBeUndefined();
  expect(retryAfterMs(null)).toBeUndefined();
});

describe('shared by every gateway of the tenant (slots in PostgreSQL)', () => {
  test("the gateway's database is where the slots are held (its knex connection string)", () => {
    expect(connectionStringOf(database.db)).toBe(database.url);
  });

  const shared = (slots: number) => new PgSharedPermits({ connectionString: database.url, tenant: fx.sim.tenant, slots, rebalanceMs: 50, idleReleaseMs: 300 });

  test('two processes (two database sessions) together never exceed the limit, and both get calls through', async () => {
    const tokens = fx.tokens();
    await tokens.getAccessToken();
    await fx.simPut('/faults', { latencyMs: 20, latencyMaxMs: 50, pathPattern: '/M3/' });
    await countFrom();
    const a = new M3CallLimiter({ maxConcurrent: 5, shared: shared(5) });
    const b = new M3CallLimiter({ maxConcurrent: 5, shared: shared(5) });
    try {
      const m3a = client(a, tokens);
      const m3b = client(b, tokens);
      let doneA = 0;
      let doneB = 0;
      await Promise.all([
        ...Array.from({ length: 60 }, () => read(m3a).then(() => doneA++)),
        ...Array.from({ length: 60 }, () => read(m3b).then(() => doneB++)),
      ]);
      const g = await gauge();
      expect(g.requests).toBe(120);
      expect(g.peak).toBeLessThanOrEqual(5);
      expect(g.peak).toBeGreaterThanOrEqual(4);
      expect(doneA).toBe(60);
      expect(doneB).toBe(60);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a process that dies (its session ends) gives its slots back; an idle one lets them go", async () => {
    const tokens = fx.tokens();
    await tokens.getAccessToken();
    await fx.simPut('/faults', { latencyMs: 2500, pathPattern: '/M3/' });
    const a = new M3CallLimiter({ maxConcurrent: 3, shared: shared(3) });
    const b = new M3CallLimiter({ maxConcurrent: 3, shared: shared(3) });
    try {
      const m3a = client(a, tokens);
      const m3b = client(b, tokens);
      const inA = Array.from({ length: 3 }, () => read(m3a).catch(() => undefined));
      await eventually(() => a.stats().held === 3);
      // the whole limit is A's: B waits
      const inB = read(m3b);
      await eventually(() => b.stats().waiting === 1);
      expect(b.stats().held).toBe(0);
      // A's process dies: PostgreSQL ends its session, its locks go with it
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'm3-paytrace-m3-slots' and pid in (select pid from pg_locks where locktype = 'advisory' group by pid having count(*) = 4)`);
      await admin.end();
      await inB;
      await Promise.all(inA);
      // B's call reached M3 while A's three were still running there: it did not wait for them to end
      const { calls } = await fx.simGet<{ calls: Array<{ at: string; ms: number }> }>('/calls?path=GetBasicData');
      const byArrival = calls.map((c) => ({ at: Date.parse(c.at), end: Date.parse(c.at) + c.ms })).sort((x, y) => x.at - y.at);
      expect(byArrival).toHaveLength(4);
      expect(byArrival[3]!.at).toBeLessThan(Math.min(...byArrival.slice(0, 3).map((x) => x.end)));
      // idle: B lets its slots go after idleReleaseMs
      await eventually(() => b.stats().held === 0);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
