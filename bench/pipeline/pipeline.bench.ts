/**
 * The exactly-once pipeline end to end: signed storefront notification → inbox + job → PayTrace
 * verification → M3 customer, order, card reference, GL batch → Sync BOD, with the gateway as
 * its own process (the real entry point) and zero-latency simulators.
 *
 * Figures: events/s, p50/p99 latency (POST sent → payment completed), gateway CPU ms per event,
 * and database commits per event. Ceiling, measured in the same run on the same PostgreSQL: that
 * many plain one-row INSERT/UPDATE transactions per event, at the same client concurrency; and
 * the same HTTP calls made by a bare script without durability (bare-flow1.ts), at the same concurrency.
 * A second run sets 200 ms of latency on every M3 call to show the concurrency the pipeline keeps.
 *
 *   npm run bench -- pipeline        (BENCH_EVENTS=400, BENCH_SLOW_EVENTS=120)
 */
import pg from 'pg';
import { startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { freePort, GatewayProcess, pool, startWorld, type SharedWorld } from '../../test/chaos/harness';
import { LoadDriver } from '../../test/chaos/load';
import { benchDataDir } from '../lib/pg';
import { bareFlow1 } from './bare-flow1';
import { percentile, report } from '../lib/report';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 400);
const SLOW_EVENTS = Number(process.env.BENCH_SLOW_EVENTS ?? 120);
const CLIENTS = 16;
const CONCURRENCY = 8; // flows.concurrency: workers per flow queue in the gateway

interface RunResult {
  events: number;
  seconds: number;
  perSecond: number;
  /** POST sent → payment completed (includes the wait in the queue behind the burst) */
  p50ms: number;
  p99ms: number;
  meanMs: number;
  /** the flow's own time: job picked up (ledger row opened) → completed */
  processingP50ms: number;
  processingP99ms: number;
  processingMeanMs: number;
  cpuMsPerEvent: number;
  commitsPerEvent: number;
  /** mean events in flight (Little's law: throughput × mean latency) */
  inFlight: number;
}

async function commits(db: SharedWorld['database']): Promise<number> {
  const { rows } = await db.db.raw('select xact_commit::bigint as n from pg_stat_database where datname = current_database()');
  return Number((rows as Array<{ n: string }>)[0]!.n);
}

/** Let the statistics collector catch up (it reports every ~500 ms), then read the counter. */
async function settledCommits(db: SharedWorld['database']): Promise<number> {
  await new Promise((r) => setTimeout(r, 1200));
  await db.db.raw('select pg_stat_clear_snapshot()');
  return commits(db);
}

async function runFlow1(world: SharedWorld, gateway: GatewayProcess, driver: LoadDriver, prefix: string, count: number): Promise<RunResult> {
  const orders = await driver.chargeStorefrontOrders(prefix, count);
  // idle commits of a running gateway (pg-boss polling, maintenance): measured, then subtracted
  const idleFrom = await settledCommits(world.database);
  const idleStarted = Date.now();
  await new Promise((r) => setTimeout(r, 3000));
  const idleRate = ((await settledCommits(world.database)) - idleFrom) / ((Date.now() - idleStarted) / 1000);

  const sentAt = new Map<string, number>();
  const commitsBefore = await settledCommits(world.database);
  const cpuBefore = gateway.cpuMs();
  const started = Date.now();
  await pool(orders, CLIENTS, async (order) => {
    sentAt.set(order.orderId, Date.now());
    await driver.notify(order);
  });
  // completion times from the ledger's own history (same machine clock)
  const done = new Map<string, number>();
  const began = new Map<string, number>();
  const deadline = Date.now() + 600_000;
  while (done.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${done.size} of ${count} events completed`);
    const rows = await world.database.db('payment_events as e')
      .join('payments as p', 'p.id', 'e.payment_id')
      .where('e.to_status', 'completed')
      .andWhere('p.reference', 'like', `ECOM-100-${prefix}%`)
      .select('p.storefront_order_id as order', 'e.at as at', 'p.created_at as began');
    for (const r of rows as Array<{ order: string; at: Date; began: Date }>) {
      done.set(r.order, r.at.getTime());
      began.set(r.order, r.began.getTime());
    }
    const failed = await world.database.db('payments').where('reference', 'like', `ECOM-100-${prefix}%`).andWhere({ status: 'failed' }).first('reference', 'last_error_code');
    if (failed) throw new Error(`${failed.reference} failed: ${failed.last_error_code}`);
    if (done.size < count) await new Promise((r) => setTimeout(r, 200));
  }
  const finished = Math.max(...done.values());
  const cpu = gateway.cpuMs() - cpuBefore;
  const seconds = (finished - started) / 1000;
  const writeCommits = (await settledCommits(world.database)) - commitsBefore - idleRate * ((Date.now() - started) / 1000);
  const latencies = orders.map((o) => done.get(o.orderId)! - sentAt.get(o.orderId)!).sort((a, b) => a - b);
  const meanMs = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const processing = orders.map((o) => done.get(o.orderId)! - began.get(o.orderId)!).sort((a, b) => a - b);
  const processingMeanMs = processing.reduce((a, b) => a + b, 0) / processing.length;
  return {
    events: count,
    seconds,
    perSecond: count / seconds,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    meanMs,
    processingP50ms: percentile(processing, 50),
    processingP99ms: percentile(processing, 99),
    processingMeanMs,
    cpuMsPerEvent: cpu / count,
    commitsPerEvent: writeCommits / count,
    inFlight: (count / seconds) * (processingMeanMs / 1000),
  };
}

/** The ceiling: `transactions` one-row INSERT or UPDATE transactions (half each), CLIENTS at a time. */
async function plainCommits(url: string, transactions: number): Promise<{ perSecond: number }> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query('create table if not exists bench_ceiling (id bigserial primary key, payload jsonb, status text, updated_at timestamptz default now())');
  await setup.end();
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (;;) {
        const i = next++;
        if (i >= transactions) return;
        if (i % 2 === 0) await c.query(`insert into bench_ceiling (payload, status) values ($1, 'received')`, [JSON.stringify({ i, orderId: `X${i}` })]);
        else await c.query(`update bench_ceiling set status = 'done', updated_at = now() where id = (select max(id) from bench_ceiling)`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return { perSecond: transactions / seconds };
}

async function main(): Promise<void> {
  // one real PostgreSQL for the gateway and the ceiling, durable like production (fsync on)
  const server = await startEmbeddedPostgres({ dataDir: benchDataDir('pipeline'), maxConnections: 200 });
  process.env.TEST_PG_SERVER_URL = server.url;
  const world = await startWorld({
    config: {
      queue: { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1 },
      flows: { concurrency: CONCURRENCY },
      poller: { enabled: false },
    },
  });
  const gateway = new GatewayProcess(world, await freePort());
  let driver: LoadDriver | undefined;
  try {
    await gateway.start();
    driver = new LoadDriver(world, () => gateway.url);
    await driver.start();
    await runFlow1(world, gateway, driver, 'WU', 20); // warm-up: JIT, token, M3 customers

    const fast = await runFlow1(world, gateway, driver, 'BF', EVENTS);
    const transactions = Math.round(fast.commitsPerEvent * EVENTS);
    const ceiling = await plainCommits(world.database.url, transactions);
    const ceilingEventsPerSecond = ceiling.perSecond / fast.commitsPerEvent;
    report({
      name: 'pipeline flow 1 (zero-latency simulators)',
      unit: 'events/s',
      value: fast.perSecond,
      ceiling: ceilingEventsPerSecond,
      ceilingDescription: `PostgreSQL alone: ${ceiling.perSecond.toFixed(0)} one-row INSERT/UPDATE commits/s ÷ ${fast.commitsPerEvent.toFixed(1)} commits per event`,
      ratio: fast.perSecond / ceilingEventsPerSecond,
      extra: { ...fast, workersPerFlow: CONCURRENCY, pollingIntervalSeconds: 0.5, clients: CLIENTS },
    });
    // the same calls by a bare script with no durability, same simulators, same concurrency
    await bareFlow1(world, await driver.chargeStorefrontOrders('XW', 20), CONCURRENCY); // warm-up: JIT, tokens, customers
    const bare = await bareFlow1(world, await driver.chargeStorefrontOrders('XB', EVENTS), CONCURRENCY);
    report({
      name: 'pipeline flow 1 against a bare script',
      unit: 'events/s',
      value: fast.perSecond,
      ceiling: bare.perSecond,
      ceilingDescription: `the same PayTrace, M3 and ION calls made by a bare script (no inbox, queue, intents or ledger), ${CONCURRENCY} at a time: ${bare.perSecond.toFixed(1)} events/s, ${bare.cpuMsPerEvent.toFixed(1)} ms CPU/event`,
      ratio: fast.perSecond / bare.perSecond,
      extra: { gatewayCpuMsPerEvent: fast.cpuMsPerEvent, bareCpuMsPerEvent: bare.cpuMsPerEvent, commitsPerEvent: fast.commitsPerEvent, bareCommitsPerEvent: 0 },
    });
    console.log(
      `  ${fast.events} events sent at once, done in ${fast.seconds.toFixed(1)} s; end-to-end latency p50 ${fast.p50ms.toFixed(0)} ms, p99 ${fast.p99ms.toFixed(0)} ms (queue wait included); processing p50 ${fast.processingP50ms.toFixed(0)} ms, p99 ${fast.processingP99ms.toFixed(0)} ms; gateway CPU ${fast.cpuMsPerEvent.toFixed(1)} ms/event; ${fast.commitsPerEvent.toFixed(1)} commits/event; ${fast.inFlight.toFixed(1)} in flight`,
    );

    // every M3 call takes 200 ms: the pipeline keeps several events in flight
    await fetch(`${world.infor.url}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 200, pathPattern: '/M3/' }) });
    const slow = await runFlow1(world, gateway, driver, 'BS', SLOW_EVENTS);
    const m3CallsPerEvent = await m3Calls(world, 'BS', SLOW_EVENTS);
    // one event at a time would take its processing time: the ceiling is every worker busy in parallel
    const serial = 1000 / slow.processingMeanMs;
    report({
      name: 'pipeline flow 1 (M3 latency 200 ms)',
      unit: 'events/s',
      value: slow.perSecond,
      ceiling: serial * CONCURRENCY,
      ceilingDescription: `${CONCURRENCY} workers each completing one event per mean processing time (${slow.processingMeanMs.toFixed(0)} ms, ${m3CallsPerEvent.toFixed(1)} M3 calls × 200 ms)`,
      ratio: slow.perSecond / (serial * CONCURRENCY),
      extra: { ...slow, m3CallsPerEvent, oneAtATimeEventsPerSecond: serial },
    });
    console.log(
      `  ${slow.events} events in ${slow.seconds.toFixed(1)} s; processing p50 ${slow.processingP50ms.toFixed(0)} ms, p99 ${slow.processingP99ms.toFixed(0)} ms; end-to-end p50 ${slow.p50ms.toFixed(0)} ms; ${slow.inFlight.toFixed(1)} events in flight on average (one at a time: ${serial.toFixed(2)} events/s)`,
    );
  } finally {
    await driver?.stop();
    await gateway.stop();
    await world.stop();
    await server.stop();
  }
}

/** M3 MI calls per event in the slow run, from the Infor simulator's call log. */
async function m3Calls(world: SharedWorld, _prefix: string, events: number): Promise<number> {
  const res = await fetch(`${world.infor.url}/_sim/calls?path=${encodeURIComponent('/M3/')}&limit=5000`);
  const { calls } = (await res.json()) as { calls: Array<{ at: string }> };
  // the call log keeps the newest calls: count those made since the slow run's first event
  const first = await world.database.db('payments').where('reference', 'like', 'ECOM-100-BS%').min<{ min: Date }[]>('created_at as min');
  const since = first[0]!.min.getTime();
  return calls.filter((c) => Date.parse(c.at) >= since).length / events;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
