/**
 * Scale-out: two gateway processes (the real entry point) on one database. The outside world
 * sends to either of them (a load balancer); both take jobs from the shared queue; the PayTrace
 * poller runs in one of them at a time (advisory lock), and when the one polling dies the other
 * takes over. Every effect still happens exactly once. `npm run test:chaos`.
 */
import { eventually } from '../helpers/gateway';
import { freePort, GatewayProcess, pool, startWorld, type SharedWorld } from './harness';
import { LoadDriver, type EcommerceOrder, type InvoicePayment, type RefundAsk } from './load';
import { audit, waitUntilSettled } from './verify';

const ORDERS = 240;
const MISMATCHED = 10;
const INVOICES = 60;
const REFUNDS = 30;

const log = (line: string) => process.stderr.write(`[scale-out] ${line}\n`);

/** completed jobs of a queue, from a gateway's own Prometheus metrics */
async function completedJobs(gateway: GatewayProcess, queue: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('m3pt_jobs_total{') && l.includes(`queue="${queue}"`) && l.includes('outcome="completed"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

interface PollRun {
  pid: number;
  from: number;
  to: number;
}

function pollsOf(gateway: GatewayProcess): { ran: PollRun[]; skipped: number } {
  const ran: PollRun[] = [];
  let skipped = 0;
  for (const line of gateway.logLines()) {
    if (line.message === 'PayTrace poll ran') ran.push({ pid: Number(line.pid), from: Date.parse(String(line.startedAt)), to: Date.parse(String(line.finishedAt)) });
    else if (String(line.message).startsWith('PayTrace poll skipped')) skipped++;
  }
  return { ran, skipped };
}

describe('scale-out: two gateway processes on one database', () => {
  let world: SharedWorld;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let driver: LoadDriver;

  beforeAll(async () => {
    world = await startWorld({
      config: {
        queue: { expireInSeconds: 15, maintenanceIntervalSeconds: 2, pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, retryLimit: 10 },
        flows: { concurrency: 4 },
        poller: { enabled: true, intervalSeconds: 1 },
        shutdown: { graceMs: 5000 },
      },
    });
    // debug: the poller logs each poll it runs or skips
    const env = { LOG_LEVEL: 'debug' };
    a = new GatewayProcess(world, await freePort(), env);
    b = new GatewayProcess(world, await freePort(), env);
    await a.start(); // migrates
    await b.start();
    let turn = 0;
    driver = new LoadDriver(world, () => {
      turn++;
      return a.running && turn % 2 === 0 ? a.url : b.url; // round robin while both live
    });
    await driver.start();
    // the PayTrace exports take a while, as the real ones do: polls overlap in time unless locked
    await fetch(`${world.paytrace.url}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 150, pathPattern: 'by_date_range|/batches' }) });
  });

  afterAll(async () => {
    await driver?.stop();
    await a?.stop();
    await b?.stop();
    await world?.stop();
  });

  it('both process jobs, one polls at a time, the survivor takes over, every effect once', async () => {
    const started = Date.now();
    const orders: EcommerceOrder[] = [];
    const mismatched: EcommerceOrder[] = [];
    const invoicePayments: InvoicePayment[] = [];
    const refunds: RefundAsk[] = [];
    let salesMade = 0;
    const amountOf = (i: number) => `${20 + (i % 300)}.${String((i * 53) % 100).padStart(2, '0')}`;

    const sendOrders = async (from: number, to: number) =>
      pool(
        Array.from({ length: to - from }, (_, k) => from + k),
        4,
        async (i) => {
          const orderId = `SO${String(i).padStart(6, '0')}`;
          const amount = amountOf(i);
          const bad = i % 25 === 24 && mismatched.length < MISMATCHED;
          const transactionId = await driver.charge(amount, orderId);
          salesMade++;
          const order: EcommerceOrder = { orderId, amount, claimed: bad ? `${Number(amount.split('.')[0]) + 1}.${amount.split('.')[1]}` : amount, transactionId, webhookId: `msg_so_${i}`, storefrontId: `so-shopper-${i % 30}` };
          (bad ? mismatched : orders).push(order);
          await driver.notify(order);
          if (i % 10 === 0) await driver.notify(order); // a duplicate delivery, maybe to the other gateway
        },
      );
    const payInvoices = async (from: number, to: number) =>
      pool(
        Array.from({ length: to - from }, (_, k) => from + k),
        2,
        async (i) => {
          const invoice = await driver.createInvoice(i % 2 ? 'C10001' : 'C10002', amountOf(i + 3));
          invoicePayments.push(await driver.payInvoice(invoice, `LNK-SO${String(i).padStart(6, '0')}`));
          salesMade++;
        },
      );

    // first half with both gateways
    await Promise.all([sendOrders(0, ORDERS / 2), payInvoices(0, INVOICES / 2)]);
    // keep both alive until each has finished jobs and one poller tick has found the lock taken
    await eventually(
      async () => (await completedJobs(a, 'ecommerce-sale')) > 0 && (await completedJobs(b, 'ecommerce-sale')) > 0 && pollsOf(a).skipped + pollsOf(b).skipped > 0,
      60_000,
      'both gateways working and the poller lock contended',
    );
    const completedBeforeKill = { a: await completedJobs(a, 'ecommerce-sale'), b: await completedJobs(b, 'ecommerce-sale') };
    const aPolls = () => pollsOf(a);
    // the gateway A dies (whatever it was doing, the poller included); B carries on alone
    const killedAt = Date.now();
    await a.kill();
    log(`gateway A SIGKILLed at ${((killedAt - started) / 1000).toFixed(1)} s; ecommerce jobs completed so far: A ${completedBeforeKill.a}, B ${completedBeforeKill.b}`);

    await Promise.all([sendOrders(ORDERS / 2, ORDERS), payInvoices(INVOICES / 2, INVOICES)]);
    // refunds of the first orders (full amounts: voids while unsettled)
    const targets = orders.slice(0, REFUNDS);
    await pool(targets, 3, async (order, i) => {
      for (;;) {
        const p = await world.database.db('payments').where({ reference: `ECOM-100-${order.orderId}` }).first('status');
        if (p?.status === 'completed') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const ask: RefundAsk = { refundId: `RMA-SO-${i}`, originalTransactionId: order.transactionId, amount: order.amount, original: `ECOM-100-${order.orderId}` };
      await driver.refund(ask);
      refunds.push(ask);
    });
    await waitUntilSettled(world, 180_000);
    // the poller (now in B) mirrors every PayTrace transaction, the refunds included
    const transactions = world.paytrace.context.state.transactions.size;
    await waitUntilMirrored(world, transactions);
    await waitUntilSettled(world, 60_000);

    const { violations, summary } = await audit(world, { orders, mismatched, invoicePayments, refunds, salesMade });
    const polls = { a: aPolls(), b: pollsOf(b) };
    const all = [...polls.a.ran, ...polls.b.ran].sort((x, y) => x.from - y.from);
    const overlaps = all.filter((run, i) => i > 0 && run.from < all[i - 1]!.to);
    log(
      [
        `${orders.length + mismatched.length} notifications, ${invoicePayments.length} invoice payments, ${refunds.length} refunds in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `  ecommerce jobs completed before A died: A ${completedBeforeKill.a}, B ${completedBeforeKill.b}; B in all: ${await completedJobs(b, 'ecommerce-sale')}`,
        `  polls: A ran ${polls.a.ran.length} (skipped ${polls.a.skipped}), B ran ${polls.b.ran.length} (skipped ${polls.b.skipped}), overlapping ${overlaps.length}; B polls after A died: ${polls.b.ran.filter((r) => r.from > killedAt).length}`,
        `  effects: ${JSON.stringify(summary)}`,
        violations.length ? `  VIOLATIONS:\n    ${violations.slice(0, 40).join('\n    ')}` : '  every event: exactly one effect, none lost',
      ].join('\n'),
    );

    // both gateways took jobs from the shared queue
    expect(completedBeforeKill.a).toBeGreaterThan(0);
    expect(completedBeforeKill.b).toBeGreaterThan(0);
    // the poller ran in one gateway at a time: the locked windows never overlap, and the other
    // gateway's ticks found the lock taken
    expect(all.length).toBeGreaterThan(2);
    expect(overlaps).toEqual([]);
    expect(polls.a.skipped + polls.b.skipped).toBeGreaterThan(0);
    // the survivor took the poller over
    expect(polls.b.ran.filter((r) => r.from > killedAt).length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });
});

async function waitUntilMirrored(world: SharedWorld, transactions: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [row] = await world.database.db('paytrace_transactions').count<Array<{ count: string }>>('* as count');
    if (Number(row!.count) >= transactions) return;
    if (Date.now() > deadline) throw new Error(`the poller mirrored ${row!.count} of ${transactions} PayTrace transactions`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
