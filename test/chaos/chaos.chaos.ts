/**
 * Chaos: the gateway (the real entry point, its own process, connected mode) is SIGKILLed several
 * times and restarted while more than 2,000 mixed events arrive — signed storefront notifications
 * with duplicate deliveries and replays, charged invoice payments handed over (with duplicates),
 * refund requests over the API (with duplicates). The simulators and the database outlive every
 * gateway process. At the end every event has exactly one effect in M3 and PayTrace and no
 * trigger is lost. `npm run test:chaos`.
 */
import { pool, seededRandom, type GatewayProcess, type SharedWorld } from './harness';
import { startKillableGateway, type KillableGateway, type LoadDriver, type EcommerceOrder, type InvoicePayment, type RefundAsk } from './load';
import { audit, waitUntilSettled } from './verify';

const SCALE = Number(process.env.CHAOS_SCALE ?? 1);
const ORDERS = Math.round(1000 * SCALE);
const MISMATCHED = Math.round(40 * SCALE);
const DUPLICATE_DELIVERIES = Math.round(150 * SCALE);
const REPLAYS = Math.round(100 * SCALE);
const INVOICES = Math.round(450 * SCALE);
const INVOICE_DUPLICATES = Math.round(50 * SCALE);
const FULL_REFUNDS = Math.round(80 * SCALE); // of unsettled sales: PayTrace answers 817, the sale is voided
const PARTIAL_REFUND_SALES = Math.round(40 * SCALE); // two partial refunds each, after settlement
const INVOICE_REFUNDS = Math.round(40 * SCALE);
const REFUND_DUPLICATES = Math.round(40 * SCALE);
/** events per second the outside world sends (about what the gateway processes on two cores) */
const RATE = Number(process.env.CHAOS_RATE ?? 40);
const MIN_KILLS = 4;
/** workers per flow queue in the gateway */
const WORKERS = 8;

const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);
const plusOneDollar = (amount: string) => {
  const [units, cents] = amount.split('.');
  return `${Number(units) + 1}.${cents}`;
};

describe('chaos: a gateway SIGKILLed again and again under 2,000+ mixed events', () => {
  let world: SharedWorld;
  let gateway: GatewayProcess;
  let driver: LoadDriver;
  let scene: KillableGateway;

  beforeAll(async () => {
    scene = await startKillableGateway({
      config: {
        // a killed gateway's jobs come back once expired; maintenance checks every 2 s
        queue: { expireInSeconds: 15, maintenanceIntervalSeconds: 2, pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, retryLimit: 10 },
        // pg-boss workers fetch at most once per polling interval: 8 workers ≈ 16 jobs/s per flow
        flows: { concurrency: WORKERS },
        poller: { enabled: false },
        shutdown: { graceMs: 5000 },
      },
    });
    ({ world, gateway, driver } = scene);
  });

  afterAll(async () => {
    await scene?.stop();
  });

  it('ends with exactly one effect per event in M3 and PayTrace, and nothing lost', async () => {
    const random = seededRandom(20261126);
    const started = Date.now();
    let events = 0;
    // pacing: the n-th event of the run leaves at started + n / RATE
    const paced = async () => {
      const slot = events++;
      const wait = started + (slot * 1000) / RATE - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    };

    // --- the chaos monkey: SIGKILL, restart at the same address, again, while the load runs
    let loadRunning = true;
    let failed = false;
    const kills: Array<{ at: number; downMs: number }> = [];
    const monkey = (async () => {
      while (!failed && (loadRunning || kills.length < MIN_KILLS)) {
        await new Promise((r) => setTimeout(r, 5000 + random() * 5000));
        if (failed) return;
        const at = Date.now();
        await gateway.kill();
        await gateway.start();
        kills.push({ at: at - started, downMs: Date.now() - at });
        log(`kill #${kills.length} at ${((at - started) / 1000).toFixed(1)} s, back after ${Date.now() - at} ms`);
      }
    })();

    // --- the load
    const orders: EcommerceOrder[] = [];
    const mismatched: EcommerceOrder[] = [];
    const invoicePayments: InvoicePayment[] = [];
    const refunds: RefundAsk[] = [];
    let salesMade = 0;
    const amountOf = (i: number) => `${10 + (i % 490)}.${String((i * 37) % 100).padStart(2, '0')}`;

    const storefront = async () => {
      const all = Array.from({ length: ORDERS + MISMATCHED }, (_, i) => i);
      await pool(all, 6, async (i) => {
        await paced();
        const orderId = `CH${String(i).padStart(6, '0')}`;
        const amount = amountOf(i);
        const bad = i >= ORDERS;
        const transactionId = await driver.charge(amount, orderId);
        salesMade++;
        const order: EcommerceOrder = {
          orderId,
          amount,
          claimed: bad ? plusOneDollar(amount) : amount, // the storefront claims a dollar more
          transactionId,
          webhookId: `msg_chaos_${i}`,
          storefrontId: `shopper-${i % 60}`, // shoppers come back: the same M3 customer for many orders
        };
        await driver.notify(order);
        driver.stats.notifications++;
        (bad ? mismatched : orders).push(order);
        if (i < DUPLICATE_DELIVERIES) {
          // the storefront did not see our 202 and delivers again: same webhook-id
          await paced();
          await driver.notify(order);
          driver.stats.duplicateDeliveries++;
        }
      });
      // replays: the same order in a new notification (new webhook-id) — no second effect
      await pool(orders.slice(0, REPLAYS), 4, async (order) => {
        await paced();
        await driver.notify(order, `${order.webhookId}_replay`);
        driver.stats.replays++;
      });
    };

    const payPage = async () => {
      const customers = ['C10001', 'C10002']; // USD customers (C10004 pays in CAD)
      await pool(
        Array.from({ length: INVOICES }, (_, i) => i),
        3,
        async (i) => {
          await paced();
          const invoice = await driver.createInvoice(customers[i % customers.length]!, amountOf(i + 7));
          const payment = await driver.payInvoice(invoice, `LNK-CH${String(i).padStart(6, '0')}`);
          salesMade++;
          invoicePayments.push(payment);
          if (i < INVOICE_DUPLICATES) {
            await paced();
            if (!(await driver.handOver(payment.paymentId))) throw new Error(`hand-over of ${payment.reference} twice was not seen as a duplicate`);
            driver.stats.invoiceHandOverDuplicates++;
          }
        },
      );
    };

    const completedPayment = async (reference: string) => {
      const deadline = Date.now() + 240_000;
      for (;;) {
        if (Date.now() > deadline || failed) throw new Error(`${reference} did not complete in time`);
        const p = await world.database.db('payments').where({ reference }).first('status', 'last_error_code', 'last_error');
        if (p?.status === 'completed') return;
        if (p?.status === 'failed') throw new Error(`${reference} failed before its refund was asked for: ${p.last_error_code} ${p.last_error}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    const refundCaller = async () => {
      // full refunds of sales PayTrace has not settled: the flow voids them (817)
      const waitForOrders = async (n: number) => {
        while (orders.length < n) {
          if (failed) throw new Error('the load failed');
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      const gap = Math.round(ORDERS / 10); // let some orders go by between the groups
      await waitForOrders(gap + FULL_REFUNDS);
      const fullTargets = orders.slice(gap, gap + FULL_REFUNDS);
      await pool(fullTargets, 3, async (order, i) => {
        await completedPayment(`ECOM-100-${order.orderId}`);
        await paced();
        const ask: RefundAsk = { refundId: `RMA-FULL-${i}`, originalTransactionId: order.transactionId, amount: order.amount, original: `ECOM-100-${order.orderId}` };
        await driver.refund(ask);
        refunds.push(ask);
        driver.stats.refundRequests++;
        if (i < REFUND_DUPLICATES) {
          await driver.refund(ask); // M3 asks again with the same refund id
          driver.stats.refundDuplicates++;
        }
      });

      // nightly settlement comes early: every sale so far is settled
      const partialStart = 2 * gap + FULL_REFUNDS;
      await waitForOrders(partialStart + PARTIAL_REFUND_SALES);
      const settledBefore = new Set(orders.slice(partialStart, partialStart + PARTIAL_REFUND_SALES).map((o) => o.orderId));
      await Promise.all([...settledBefore].map((id) => completedPayment(`ECOM-100-${id}`)));
      while (invoicePayments.length < INVOICE_REFUNDS) await new Promise((r) => setTimeout(r, 200));
      const invoiceTargets = invoicePayments.slice(0, INVOICE_REFUNDS);
      await Promise.all(invoiceTargets.map((p) => completedPayment(p.reference)));
      world.paytrace.settle();
      log(`settled PayTrace's open batch at ${((Date.now() - started) / 1000).toFixed(1)} s`);

      // partial refunds of settled sales: two each, a third of the amount every time
      const partialTargets = orders.filter((o) => settledBefore.has(o.orderId));
      await pool(partialTargets, 3, async (order, i) => {
        const cents = Math.round(Number(order.amount) * 100);
        const part = Math.floor(cents / 3);
        const amount = `${Math.floor(part / 100)}.${String(part % 100).padStart(2, '0')}`;
        for (const n of [1, 2]) {
          await paced();
          const ask: RefundAsk = { refundId: `RMA-PART-${i}-${n}`, originalTransactionId: order.transactionId, amount, original: `ECOM-100-${order.orderId}` };
          await driver.refund(ask);
          refunds.push(ask);
          driver.stats.refundRequests++;
        }
      });
      // refunds of paid invoices: PayTrace refund, reversing receipt on the invoice, reversal GL
      await pool(invoiceTargets, 3, async (payment, i) => {
        await paced();
        const ask: RefundAsk = { refundId: `RMA-INV-${i}`, originalTransactionId: payment.transactionId, amount: payment.amount, original: payment.reference };
        await driver.refund(ask);
        refunds.push(ask);
        driver.stats.refundRequests++;
      });
    };

    const progress = setInterval(() => {
      void world.database.db('inbox').select('status').count('* as n').groupBy('status').then(
        (rows) => log(`${((Date.now() - started) / 1000).toFixed(0)} s: ${events} events sent; inbox ${rows.map((r) => `${r.status} ${r.n}`).join(', ')}`),
        () => undefined,
      );
    }, 10_000);
    try {
      await Promise.all([storefront(), payPage(), refundCaller()].map((p) => p.catch((err: unknown) => {
        failed = true;
        throw err;
      })));
    } catch (err) {
      failed = true;
      clearInterval(progress);
      await monkey.catch(() => undefined);
      throw err;
    } finally {
      loadRunning = false;
    }
    const sentMs = Date.now() - started;
    log(`all events sent after ${(sentMs / 1000).toFixed(1)} s; ${kills.length} kills so far`);
    await monkey;
    try {
      await waitUntilSettled(world, 240_000);
    } finally {
      clearInterval(progress);
    }
    const elapsedMs = Date.now() - started;

    const { violations, summary } = await audit(world, { orders, mismatched, invoicePayments, refunds, salesMade });
    const s = driver.stats;
    const total = s.notifications + s.duplicateDeliveries + s.replays + s.invoicePayments + s.invoiceHandOverDuplicates + s.refundRequests + s.refundDuplicates;
    log(
      [
        `${total} events in ${(elapsedMs / 1000).toFixed(1)} s (sent in ${(sentMs / 1000).toFixed(1)} s), ${kills.length} SIGKILLs, ${gateway.starts} gateway starts`,
        `  storefront: ${s.notifications} notifications (${mismatched.length} with a wrong amount), ${s.duplicateDeliveries} duplicate deliveries, ${s.replays} replays`,
        `  pay page: ${s.invoicePayments} invoice payments, ${s.invoiceHandOverDuplicates} duplicate hand-overs`,
        `  M3 → refunds API: ${s.refundRequests} refunds, ${s.refundDuplicates} duplicate requests`,
        `  ${s.retriedPosts} POSTs met a dead gateway and were retried; ${s.acknowledgedDuplicates} answered "duplicate"`,
        `  effects: ${JSON.stringify(summary)}`,
        violations.length ? `  VIOLATIONS (${violations.length}):\n    ${violations.slice(0, 50).join('\n    ')}` : '  every event: exactly one effect, none lost',
      ].join('\n'),
    );
    expect(total).toBeGreaterThanOrEqual(2000 * Math.min(1, SCALE));
    expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
    // kills happened while events were still arriving, not only afterwards
    expect(kills.filter((k) => k.at < sentMs).length).toBeGreaterThanOrEqual(Math.min(MIN_KILLS, 3));
    expect(violations).toEqual([]);
    // a kill can strand at most one unconfirmed batch head per order in flight (not an order)
    expect(summary.orphanBatchHeads).toBeLessThanOrEqual(kills.length * WORKERS);
  });
});
