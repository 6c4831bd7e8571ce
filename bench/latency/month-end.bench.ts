/**
 * Month end at the latency of real systems: every M3 MI call takes 150–300 ms and every PayTrace
 * call 1–3 s (the simulators' /_sim/faults latency ranges), and 10,000 charged invoice payments
 * (flow 2) and 10,000 storefront notifications (flow 1) are queued at once. The gateway runs as
 * its own process (test/chaos/harness.ts), so this bench measures whatever pipeline is behind
 * that process interface, today's or the next.
 *
 * Figures: time until all are done (or, past MONTH_END_MAX_MINUTES, how many were done and the
 * time that rate gives for all), per flow; p50/p99 end to end (queued → completed); the peak of
 * concurrent MI calls measured at the M3 simulator, against the configured limit. Ceiling: the
 * time M3's capacity allows — every MI call the run made, each the range's mean latency, with
 * `limit` of them always in flight.
 *
 *   npm run bench -- month-end
 *   MONTH_END_PAYMENTS=10000 MONTH_END_EVENTS=10000 MONTH_END_WORKERS=8 MONTH_END_MI_LIMIT=40 MONTH_END_MAX_MINUTES=15
 */
import { startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { freePort, GatewayProcess, pool, startWorld, type SharedWorld } from '../../test/chaos/harness';
import { LoadDriver, type EcommerceOrder } from '../../test/chaos/load';
import { benchDataDir } from '../lib/pg';
import { percentile, report } from '../lib/report';

const PAYMENTS = Number(process.env.MONTH_END_PAYMENTS ?? 10_000);
const EVENTS = Number(process.env.MONTH_END_EVENTS ?? 10_000);
const WORKERS = Number(process.env.MONTH_END_WORKERS ?? 8);
const MI_LIMIT = Number(process.env.MONTH_END_MI_LIMIT ?? 40);
const MAX_MINUTES = Number(process.env.MONTH_END_MAX_MINUTES ?? 15);
const M3_LATENCY = { latencyMs: 150, latencyMaxMs: 300 };
const PAYTRACE_LATENCY = { latencyMs: 1000, latencyMaxMs: 3000 };
const log = (line: string) => process.stderr.write(`[month-end] ${line}\n`);

async function sim<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/_sim${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

interface FlowFigures {
  queued: number;
  done: number;
  minutes: number;
  /** minutes for all of them at the measured rate, when the run stopped before they were done */
  projectedMinutes?: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

async function completions(world: SharedWorld, flow: string, prefix: string): Promise<Map<string, number>> {
  const rows = await world.database.db('payment_events as e')
    .join('payments as p', 'p.id', 'e.payment_id')
    .where({ 'e.to_status': 'completed', 'p.flow': flow })
    .andWhere('p.reference', 'like', prefix)
    .select('p.reference as reference', 'e.at as at');
  return new Map((rows as Array<{ reference: string; at: Date }>).map((r) => [r.reference, r.at.getTime()]));
}

function figures(queuedAt: Map<string, number>, done: Map<string, number>, started: number, ended: number): FlowFigures {
  const latencies = [...done].filter(([ref]) => queuedAt.has(ref)).map(([ref, at]) => at - queuedAt.get(ref)!).sort((a, b) => a - b);
  const last = done.size ? Math.max(...done.values()) : ended;
  const finished = done.size >= queuedAt.size;
  const seconds = ((finished ? last : ended) - started) / 1000;
  const perSecond = done.size / seconds;
  return {
    queued: queuedAt.size,
    done: done.size,
    minutes: seconds / 60,
    ...(finished ? {} : { projectedMinutes: perSecond > 0 ? queuedAt.size / perSecond / 60 : Infinity }),
    perSecond,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
  };
}

async function main(): Promise<void> {
  const server = await startEmbeddedPostgres({ dataDir: benchDataDir('month-end'), maxConnections: 200 });
  process.env.TEST_PG_SERVER_URL = server.url;
  const world = await startWorld({
    config: {
      queue: { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, expireInSeconds: 600 },
      flows: { concurrency: WORKERS },
      poller: { enabled: false },
      infor: { m3MaxConcurrentCalls: MI_LIMIT },
    },
  });
  const gateway = new GatewayProcess(world, await freePort());
  let driver: LoadDriver | undefined;
  try {
    await gateway.start();
    driver = new LoadDriver(world, () => gateway.url);
    await driver.start();

    // --- before month end, at zero latency: the invoices in M3, the cards charged (not the gateway's work)
    const seedStarted = Date.now();
    const customers = ['C10001', 'C10002'];
    const amountOf = (i: number) => `${10 + (i % 490)}.${String((i * 37) % 100).padStart(2, '0')}`;
    const invoices: Array<{ invoice: { ivno: string; yea4: number; cuno: string; amount: string }; reference: string; transactionId: number }> = [];
    await pool(
      Array.from({ length: PAYMENTS }, (_, i) => i),
      12,
      async (i) => {
        const invoice = await driver!.createInvoice(customers[i % 2]!, amountOf(i));
        const reference = `LNK-ME${String(i).padStart(6, '0')}`;
        invoices.push({ invoice, reference, transactionId: await driver!.charge(invoice.amount, reference) });
      },
    );
    const orders: EcommerceOrder[] = [];
    await pool(
      Array.from({ length: EVENTS }, (_, i) => i),
      12,
      async (i) => {
        const orderId = `ME${String(i).padStart(6, '0')}`;
        const amount = amountOf(i + 3);
        orders.push({ orderId, amount, claimed: amount, transactionId: await driver!.charge(amount, orderId), webhookId: `msg_${orderId}`, storefrontId: `month-end-${i % 200}` });
      },
    );
    log(`seeded ${PAYMENTS} invoices and ${PAYMENTS + EVENTS} charges in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);

    // --- month end: real latency, everything queued at once
    await sim(world.infor.url, 'PUT', '/faults', { ...M3_LATENCY, pathPattern: '/M3/' });
    await sim(world.paytrace.url, 'PUT', '/faults', PAYTRACE_LATENCY);
    await sim(world.infor.url, 'PUT', '/concurrency', { pathPattern: '/M3/' });
    const queuedAt = { invoice: new Map<string, number>(), ecommerce: new Map<string, number>() };
    const cpuBefore = gateway.cpuMs();
    const started = Date.now();
    await Promise.all([
      pool(invoices, 8, async ({ invoice, reference, transactionId }) => {
        queuedAt.invoice.set(reference, Date.now());
        await driver!.recordCharge(invoice, reference, transactionId);
      }),
      pool(orders, 16, async (order) => {
        queuedAt.ecommerce.set(`ECOM-100-${order.orderId}`, Date.now());
        await driver!.notify(order);
      }),
    ]);
    log(`all ${PAYMENTS + EVENTS} queued after ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const deadline = started + MAX_MINUTES * 60_000;
    let done = 0;
    while (done < PAYMENTS + EVENTS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10_000));
      const { rows } = await world.database.db.raw(
        `select count(*)::int as n from payments where status = 'completed' and (reference like 'LNK-ME%' or reference like 'ECOM-100-ME%')`,
      );
      done = (rows[0] as { n: number }).n;
      const failed = await world.database.db('payments').where({ status: 'failed' }).select('reference', 'last_error_code').limit(3);
      if (failed.length) throw new Error(`failed payments: ${JSON.stringify(failed)}`);
      const gauge = await sim<{ peak: number; inFlight: number }>(world.infor.url, 'GET', '/concurrency');
      log(`${((Date.now() - started) / 60_000).toFixed(1)} min: ${done} of ${PAYMENTS + EVENTS} done; MI calls in flight ${gauge.inFlight}, peak ${gauge.peak}`);
    }
    const ended = Date.now();
    const cpuMs = gateway.cpuMs() - cpuBefore;
    const gauge = await sim<{ peak: number; requests: number }>(world.infor.url, 'GET', '/concurrency');
    const invoiceFigures = figures(queuedAt.invoice, await completions(world, 'invoice_payment', 'LNK-ME%'), started, ended);
    const ecommerceFigures = figures(queuedAt.ecommerce, await completions(world, 'ecommerce_sale', 'ECOM-100-ME%'), started, ended);
    const totalDone = invoiceFigures.done + ecommerceFigures.done;
    const all = figures(new Map([...queuedAt.invoice, ...queuedAt.ecommerce]), new Map([...(await completions(world, 'invoice_payment', 'LNK-ME%')), ...(await completions(world, 'ecommerce_sale', 'ECOM-100-ME%'))]), started, ended);
    const callsPerEvent = gauge.requests / Math.max(1, totalDone);
    const meanMiSeconds = (M3_LATENCY.latencyMs + M3_LATENCY.latencyMaxMs) / 2 / 1000;
    // M3's capacity: every MI call of the run (per event as measured), MI_LIMIT always in flight
    const capacityMinutes = ((PAYMENTS + EVENTS) * callsPerEvent * meanMiSeconds) / MI_LIMIT / 60;
    const minutes = all.projectedMinutes ?? all.minutes;
    report({
      name: `month-end: ${PAYMENTS} invoice payments + ${EVENTS} storefront events queued at once (M3 150–300 ms, PayTrace 1–3 s)`,
      unit: 'minutes',
      value: minutes,
      ceiling: capacityMinutes,
      ceilingDescription: `M3's capacity: ${callsPerEvent.toFixed(1)} MI calls per event × ${(meanMiSeconds * 1000).toFixed(0)} ms, ${MI_LIMIT} always in flight`,
      ratio: capacityMinutes / minutes,
      target: '10,000 payments through flow 2 in under 10 minutes at 200 ms M3 latency',
      extra: { workersPerFlow: WORKERS, miLimit: MI_LIMIT, peakConcurrentMiCalls: gauge.peak, miCalls: gauge.requests, callsPerEvent, gatewayCpuMsPerEvent: cpuMs / Math.max(1, totalDone), all, invoicePayments: invoiceFigures, storefrontEvents: ecommerceFigures, stoppedAfterMinutes: all.projectedMinutes ? MAX_MINUTES : undefined },
    });
    const line = (name: string, f: FlowFigures) =>
      `  ${name}: ${f.done} of ${f.queued} done in ${f.minutes.toFixed(1)} min (${f.perSecond.toFixed(2)}/s)${f.projectedMinutes ? `; all of them would take ${f.projectedMinutes.toFixed(0)} min at that rate` : ''}; end to end p50 ${(f.p50ms / 1000).toFixed(0)} s, p99 ${(f.p99ms / 1000).toFixed(0)} s`;
    console.log(line('invoice payments (flow 2)', invoiceFigures));
    console.log(line('storefront events (flow 1)', ecommerceFigures));
    console.log(`  peak concurrent MI calls at the M3 simulator: ${gauge.peak} (limit ${MI_LIMIT}${gauge.peak > MI_LIMIT ? ' — EXCEEDED' : ', never exceeded'}); ${callsPerEvent.toFixed(1)} MI calls per event; ${WORKERS} workers per flow; gateway CPU ${(cpuMs / Math.max(1, totalDone)).toFixed(1)} ms per event`);
    if (gauge.peak > MI_LIMIT) process.exitCode = 1;
  } finally {
    await driver?.stop();
    await gateway.stop();
    await world.stop();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
