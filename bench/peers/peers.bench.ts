/**
 * Side by side with the engines users would pick instead: the gateway's flow 1 (e-commerce sale),
 * n8n and Node-RED doing the same job — verify the signed storefront notification, read the
 * transaction at the PayTrace simulator, create the customer, order, card reference and GL batch
 * in the M3 simulator, record the result in PostgreSQL — against the same simulators and the same
 * PostgreSQL server, driven by the same load driver (test/chaos/load.ts) at the same concurrency
 * (16 storefront clients; 8 flows at once where the engine has that setting).
 *
 * Per engine: events/s, p50/p99 end to end (notification sent → result recorded), CPU ms per
 * event (the engine's process), and the chaos audit under SIGKILL: the engine is killed and
 * restarted while notifications (with duplicate deliveries) arrive, then the simulators' own
 * records say how many events were lost, stopped half way or doubled.
 *
 *   npm run bench -- peers
 *   BENCH_EVENTS=300 PEERS_CHAOS_EVENTS=300 PEERS=gateway,n8n,node-red PEERS_WRITE_DOCS=1
 *
 * The peers are installed at bench time into `PEERS_DIR` (default <tmp>/m3pt-bench-peers, kept
 * for the next run); a peer that cannot be installed or started is reported with the reason and
 * the others still run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { freePort, GatewayProcess, pool, seededRandom, startWorld, type SharedWorld } from '../../test/chaos/harness';
import { LoadDriver, type EcommerceOrder } from '../../test/chaos/load';
import { audit, orderEffects, waitUntilSettled } from '../../test/chaos/verify';
import { benchDataDir } from '../lib/pg';
import { percentile, report } from '../lib/report';
import { N8nPeer, NodeRedPeer, type PeerEngine } from './engines';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 300);
const CHAOS_EVENTS = Number(process.env.PEERS_CHAOS_EVENTS ?? 300);
const CHAOS_RATE = Number(process.env.PEERS_CHAOS_RATE ?? 20);
const KILLS = Number(process.env.PEERS_KILLS ?? 3);
const CLIENTS = 16;
const CONCURRENCY = 8;
const ENGINES = (process.env.PEERS ?? 'gateway,n8n,node-red').split(',').map((s) => s.trim().toLowerCase());
const log = (line: string) => process.stderr.write(`[peers] ${line}\n`);

interface Row {
  engine: string;
  version: string;
  eventsPerSecond?: number;
  p50ms?: number;
  p99ms?: number;
  cpuMsPerEvent?: number;
  events?: number;
  chaos?: { sent: number; duplicates: number; kills: number; complete: number; lost: number; incomplete: number; doubled: number };
  guarantee: string;
  /** the gateway's full exactly-once audit (test/chaos/verify.ts audit()): violations */
  fullAudit?: number;
  error?: string;
}

/** How an engine is driven: where to post, how to see an order finished, how to kill it. */
interface Driven {
  name: string;
  version: string;
  url: () => string;
  /** finished orders (orderId → ms since epoch) among `orderIds`, and the failed ones */
  finished(prefix: string): Promise<{ done: Map<string, number>; failed: string[] }>;
  cpuMs(): number;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** wait until the engine has nothing left to do after a chaos run */
  settle(orders: EcommerceOrder[]): Promise<void>;
}

/** A storefront keeps retrying while the engine is down, however long its restart takes. */
async function deliver(driver: LoadDriver, order: EcommerceOrder, giveUp: () => boolean = () => false): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await driver.notify(order);
      return;
    } catch (err) {
      if (giveUp()) return;
      if (attempt >= 5 || !/no answer before the deadline/.test((err as Error).message)) throw err;
    }
  }
}

/** All notifications at once from CLIENTS storefront clients; latency = sent → result recorded. */
async function throughput(engine: Driven, driver: LoadDriver, prefix: string, count: number, sink: EcommerceOrder[]): Promise<Pick<Row, 'eventsPerSecond' | 'p50ms' | 'p99ms' | 'cpuMsPerEvent' | 'events'>> {
  const orders = await driver.chargeStorefrontOrders(prefix, count);
  sink.push(...orders);
  const sentAt = new Map<string, number>();
  const cpuBefore = engine.cpuMs();
  const started = Date.now();
  await pool(orders, CLIENTS, async (order) => {
    sentAt.set(order.orderId, Date.now());
    await deliver(driver, order);
  });
  let done = new Map<string, number>();
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const seen = await engine.finished(prefix);
    done = seen.done;
    if (seen.failed.length) throw new Error(`${seen.failed.length} orders failed, e.g. ${seen.failed.slice(0, 3).join(', ')}`);
    if (done.size >= count) break;
    if (done.size !== last) {
      last = done.size;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 90_000) {
      throw new Error(`only ${done.size} of ${count} orders finished; no progress for 90 s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const cpu = engine.cpuMs() - cpuBefore;
  const seconds = (Math.max(...done.values()) - started) / 1000;
  const latencies = orders.map((o) => done.get(o.orderId)! - sentAt.get(o.orderId)!).sort((a, b) => a - b);
  return { events: count, eventsPerSecond: count / seconds, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99), cpuMsPerEvent: cpu / count };
}

/**
 * The chaos run: notifications paced at CHAOS_RATE/s (the first tenth delivered twice, as a
 * storefront does that missed our answer), the engine SIGKILLed and restarted KILLS times, each
 * 4–7 s after it came back, while they arrive; then the simulators are audited.
 */
async function chaos(engine: Driven, driver: LoadDriver, world: SharedWorld, prefix: string, sink: EcommerceOrder[]): Promise<NonNullable<Row['chaos']>> {
  const orders = await driver.chargeStorefrontOrders(prefix, CHAOS_EVENTS);
  sink.push(...orders);
  const random = seededRandom(18);
  const duplicates = Math.round(CHAOS_EVENTS / 10);
  let kills = 0;
  let down: Error | undefined;
  const monkey = (async () => {
    // KILLS kills, each 4–7 s after the engine came back, while the notifications arrive
    while (kills < KILLS) {
      await new Promise((r) => setTimeout(r, 4000 + random() * 3000));
      await engine.kill();
      kills++;
      const at = Date.now();
      await engine.start();
      log(`${engine.name}: kill #${kills}, back after ${Date.now() - at} ms`);
    }
  })().catch((err: unknown) => {
    // an engine that does not come back is a result, not a crash of the bench
    down = new Error(`did not come back after SIGKILL #${kills}: ${(err as Error).message.split('\n')[0]}`);
  });
  const started = Date.now();
  let slot = 0;
  const paced = async () => {
    const wait = started + (slot++ * 1000) / CHAOS_RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  await pool(orders, 6, async (order, i) => {
    if (down) return;
    await paced();
    await deliver(driver, order, () => down !== undefined);
    if (i < duplicates && !down) {
      await paced();
      await deliver(driver, order, () => down !== undefined);
    }
  });
  await monkey;
  if (down) throw down;
  await engine.settle(orders);
  const effects = orderEffects(world, orders);
  return { sent: orders.length, duplicates, kills, complete: effects.complete, lost: effects.lost.length, incomplete: effects.incomplete.length, doubled: effects.doubled.length };
}

function gatewayDriven(world: SharedWorld, gateway: GatewayProcess): Driven {
  return {
    name: 'm3-paytrace gateway',
    version: (JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version,
    url: () => gateway.url,
    async finished(prefix) {
      const rows = await world.database.db('payment_events as e')
        .join('payments as p', 'p.id', 'e.payment_id')
        .where('e.to_status', 'completed')
        .andWhere('p.reference', 'like', `ECOM-100-${prefix}%`)
        .select('p.storefront_order_id as order', 'e.at as at');
      const failed = (await world.database.db('payments').where('reference', 'like', `ECOM-100-${prefix}%`).andWhere({ status: 'failed' }).select('reference', 'last_error_code')).map(
        (p: { reference: string; last_error_code: string }) => `${p.reference} (${p.last_error_code})`,
      );
      return { done: new Map((rows as Array<{ order: string; at: Date }>).map((r) => [r.order, r.at.getTime()])), failed };
    },
    cpuMs: () => gateway.cpuMs(),
    kill: () => gateway.kill(),
    start: () => gateway.start(),
    settle: () => waitUntilSettled(world, 300_000),
  };
}

function peerDriven(world: SharedWorld, peer: PeerEngine): Driven {
  return {
    name: peer.name,
    version: peer.version,
    url: () => peer.webhookBase,
    async finished(prefix) {
      const { rows } = await peer.db.query<{ order_id: string; status: string; error: string | null; finished_at: Date | null }>(
        `select order_id, status, error, finished_at from peer_payments where order_id like $1 and status <> 'received'`,
        [`${prefix}%`],
      );
      return {
        done: new Map(rows.filter((r) => r.status === 'completed').map((r) => [r.order_id, r.finished_at!.getTime()])),
        failed: rows.filter((r) => r.status === 'failed').map((r) => `${r.order_id} (${r.error})`),
      };
    },
    cpuMs: () => peer.cpuMs(),
    kill: () => peer.kill(),
    start: () => peer.start(),
    async settle(orders) {
      // a peer has no queue to drain: wait until its table and M3 stop changing for 10 s
      let last = '';
      let since = Date.now();
      const deadline = Date.now() + 300_000;
      while (Date.now() - since < 10_000 && Date.now() < deadline) {
        const { rows } = await peer.db.query<{ s: string }>(`select status || ':' || count(*) as s from peer_payments group by status order by 1`);
        const e = orderEffects(world, orders);
        const now = `${rows.map((r) => r.s).join(',')}|${e.complete}/${e.incomplete.length}/${e.doubled.length}`;
        if (now !== last) {
          last = now;
          since = Date.now();
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    },
  };
}

const GUARANTEES: Record<string, string> = {
  'm3-paytrace gateway': 'exactly once: notification and job persisted before the 202, every M3 write an intent looked up before any retry',
  n8n: 'at most once after the 202: a running execution lives in the process and dies with it (regular mode)',
  'Node-RED': 'at most once after the 202: messages in flight live in the process and die with it',
};

async function runEngine(engine: Driven, driver: LoadDriver, world: SharedWorld, tag: string, sink: EcommerceOrder[] = []): Promise<Row> {
  const row: Row = { engine: engine.name, version: engine.version, guarantee: GUARANTEES[engine.name] ?? '' };
  try {
    await throughput(engine, driver, `W${tag}`, 20, sink); // warm-up: JIT, tokens, M3 customers
    Object.assign(row, await throughput(engine, driver, `B${tag}`, EVENTS, sink));
    log(`${engine.name}: ${row.eventsPerSecond!.toFixed(1)} events/s, p50 ${row.p50ms!.toFixed(0)} ms, p99 ${row.p99ms!.toFixed(0)} ms, ${row.cpuMsPerEvent!.toFixed(1)} CPU ms/event`);
    row.chaos = await chaos(engine, driver, world, `K${tag}`, sink);
    log(`${engine.name} under SIGKILL: ${JSON.stringify(row.chaos)}`);
  } catch (err) {
    row.error = `${row.eventsPerSecond === undefined ? '' : 'chaos run: '}${(err as Error).message.split('\n')[0]!.slice(0, 400)}`;
    log(`${engine.name} failed: ${(err as Error).stack ?? String(err)}`);
  }
  return row;
}

function table(rows: Row[]): string {
  const f = (n: number | undefined, digits = 0) => (n === undefined ? '–' : n.toFixed(digits));
  const lines = [
    '| engine | events/s | p50 end to end | p99 end to end | CPU per event | SIGKILL chaos: sent (+dup.) / kills | lost | stopped half way | doubled | what a kill costs |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    if (r.error && r.eventsPerSecond === undefined) {
      lines.push(`| ${r.engine} ${r.version} | – | – | – | – | – | – | – | – | not measured: ${r.error.replace(/\|/g, '/')} |`);
      continue;
    }
    const c = r.chaos;
    lines.push(
      `| ${r.engine} ${r.version} | ${f(r.eventsPerSecond, 1)} | ${f(r.p50ms)} ms | ${f(r.p99ms)} ms | ${f(r.cpuMsPerEvent, 1)} ms | ${c ? `${c.sent} (+${c.duplicates}) / ${c.kills}` : `– (${r.error ?? ''})`} | ${c ? c.lost : '–'} | ${c ? c.incomplete : '–'} | ${c ? c.doubled : '–'} | ${r.guarantee} |`,
    );
  }
  return lines.join('\n');
}

/** Keep docs/performance.md's peer table in step with the run (PEERS_WRITE_DOCS=1). */
function writeDocs(markdown: string): void {
  const file = path.join(__dirname, '../../docs/performance.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- peers:start -->';
  const end = '<!-- peers:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error('docs/performance.md has no peers markers');
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
}

async function main(): Promise<void> {
  // one real PostgreSQL for the gateway and the peers, durable like production (fsync on)
  const server = await startEmbeddedPostgres({ dataDir: benchDataDir('peers'), maxConnections: 300 });
  process.env.TEST_PG_SERVER_URL = server.url;
  const world = await startWorld({
    config: {
      queue: { expireInSeconds: 15, maintenanceIntervalSeconds: 2, pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, retryLimit: 10 },
      flows: { concurrency: CONCURRENCY },
      poller: { enabled: false },
      shutdown: { graceMs: 5000 },
    },
  });
  const rows: Row[] = [];
  try {
    if (ENGINES.includes('gateway')) {
      const gateway = new GatewayProcess(world, await freePort());
      try {
        await gateway.start();
        const engine = gatewayDriven(world, gateway);
        const driver = new LoadDriver(world, engine.url);
        const orders: EcommerceOrder[] = [];
        const row = await runEngine(engine, driver, world, 'GW', orders);
        rows.push(row);
        if (row.chaos) {
          // the gateway's own, stricter audit too: ledger, inbox, dead letters, one BOD per payment
          const sales = [...world.paytrace.context.state.transactions.values()].filter((t) => t.type === 'SALE').length;
          const { violations } = await audit(world, { orders, mismatched: [], invoicePayments: [], refunds: [], salesMade: sales });
          row.fullAudit = violations.length;
          log(`gateway full audit: ${violations.length ? `${violations.length} violations: ${violations.slice(0, 5).join('; ')}` : 'every event exactly once, nothing lost'}`);
        }
      } finally {
        await gateway.stop();
      }
    }
    const peers: PeerEngine[] = [];
    if (ENGINES.includes('n8n')) peers.push(new N8nPeer(world, server.url, await freePort()));
    if (ENGINES.includes('node-red')) peers.push(new NodeRedPeer(world, server.url, await freePort()));
    for (const peer of peers) {
      const row: Row = { engine: peer.name, version: peer.version, guarantee: GUARANTEES[peer.name] ?? '' };
      try {
        await peer.install(log);
        log(`${peer.name} ${peer.version}: preparing (database, workflow import)…`);
        await peer.prepare();
        await peer.start();
      } catch (err) {
        row.error = `could not be installed or started: ${(err as Error).message.split('\n')[0]!.slice(0, 300)}`;
        log(`${peer.name}: ${(err as Error).message}`);
        rows.push(row);
        await peer.stop();
        continue;
      }
      try {
        const engine = peerDriven(world, peer);
        rows.push(await runEngine(engine, new LoadDriver(world, engine.url), world, peer.name === 'n8n' ? 'NN' : 'NR'));
      } finally {
        await peer.stop();
        await peer.db?.end();
      }
    }
  } finally {
    await world.stop();
    await server.stop();
  }

  const markdown = table(rows);
  console.log(`\n${markdown}\n`);
  console.log(`${EVENTS} notifications at once from ${CLIENTS} storefront clients (after 20 to warm up); chaos: ${CHAOS_EVENTS} paced at ${CHAOS_RATE}/s, the first tenth delivered twice, ${KILLS} SIGKILLs and restarts, each 4–7 s after the engine came back, while they arrive.`);
  if (process.env.PEERS_WRITE_DOCS === '1') writeDocs(markdown);
  const ours = rows.find((r) => r.engine === 'm3-paytrace gateway');
  for (const r of rows) {
    if (r === ours || r.eventsPerSecond === undefined || ours?.eventsPerSecond === undefined) continue;
    report({
      name: `peers: flow 1, gateway vs ${r.engine}`,
      unit: 'events/s',
      value: ours.eventsPerSecond,
      ceiling: r.eventsPerSecond,
      ceilingDescription: `${r.engine} ${r.version} doing the same job on the same simulators, same run`,
      ratio: ours.eventsPerSecond / r.eventsPerSecond,
      extra: { gateway: ours, peer: r },
    });
  }
  if (rows.every((r) => r.eventsPerSecond === undefined)) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
