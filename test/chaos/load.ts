/**
 * The outside world's side of the load: a storefront that charges PayTrace and sends signed
 * "order paid" notifications, the pay page's hand-over of charged invoice payments (through the
 * real ingestion functions, on the shared database), and M3 asking for refunds over the API.
 */
import { buildConfig } from '../../gateway/src/config';
import { ingest } from '../../gateway/src/pipeline/inbox';
import { createLogger } from '../../gateway/src/observability/logger';
import { createMetrics } from '../../gateway/src/observability/metrics';
import { JobQueue } from '../../gateway/src/pipeline/job-queue';
import { openPayment } from '../../gateway/src/pipeline/ledger';
import type { PayTraceClient } from '../../gateway/src/paytrace/client';
import { storefrontPayTraceClient, TEST_VISA } from '../helpers/paytrace';
import { freePort, GatewayProcess, inforAccessToken, pool, postUntilAnswered, startWorld, storefrontSigner, type SharedWorld } from './harness';

export interface EcommerceOrder {
  orderId: string;
  amount: string;
  /** what the notification claims (differs from `amount` for an amount-mismatch order) */
  claimed: string;
  transactionId: number;
  webhookId: string;
  storefrontId: string;
}

export interface InvoicePayment {
  reference: string;
  ivno: string;
  yea4: number;
  cuno: string;
  amount: string;
  transactionId: number;
  paymentId: string;
}

export interface RefundAsk {
  refundId: string;
  originalTransactionId: number;
  amount: string;
  /** the original's ledger reference */
  original: string;
}

/** What the driver did, for the test's summary and its checks. */
export interface LoadStats {
  notifications: number;
  duplicateDeliveries: number;
  replays: number;
  invoicePayments: number;
  invoiceHandOverDuplicates: number;
  refundRequests: number;
  refundDuplicates: number;
  /** HTTP attempts that met a dead or restarting gateway and were retried */
  retriedPosts: number;
  /** answers that said "duplicate" */
  acknowledgedDuplicates: number;
}

export function notificationBody(order: EcommerceOrder): string {
  const cents = Math.round(Number(order.claimed) * 100);
  // two lines whose total is the claimed amount (the flow checks PayTrace's amount, not the lines)
  const first = Math.floor(cents / 2);
  const fmt = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  return JSON.stringify({
    type: 'order.paid',
    timestamp: new Date().toISOString(),
    data: {
      orderId: order.orderId,
      paytraceTransactionId: order.transactionId,
      amount: order.claimed,
      currency: 'USD',
      customer: {
        storefrontId: order.storefrontId,
        name: `Shopper ${order.storefrontId}`,
        email: `${order.storefrontId}@example.com`,
        address: { lines: ['1200 North Lake Shore Drive', 'Suite 4500'], city: 'Chicago', state: 'IL', postalCode: '60611', country: 'US' },
      },
      lines: [
        { sku: 'ITM1000', quantity: '1', unitPrice: fmt(first) },
        { sku: 'ITM2000', quantity: '1', unitPrice: fmt(cents - first) },
      ],
    },
  });
}

export class LoadDriver {
  readonly stats: LoadStats = {
    notifications: 0,
    duplicateDeliveries: 0,
    replays: 0,
    invoicePayments: 0,
    invoiceHandOverDuplicates: 0,
    refundRequests: 0,
    refundDuplicates: 0,
    retriedPosts: 0,
    acknowledgedDuplicates: 0,
  };
  readonly #paytrace: PayTraceClient;
  readonly #sign: ReturnType<typeof storefrontSigner>;
  #queue: JobQueue | undefined;
  #token: string | undefined;

  constructor(
    private readonly world: SharedWorld,
    /** where the gateway is now (several gateways: any of them) */
    private readonly gatewayUrl: () => string,
  ) {
    this.#paytrace = storefrontPayTraceClient(world.paytrace.url);
    this.#sign = storefrontSigner(world.ecommerceSecret);
  }

  /** Needs the schema: call after a gateway has migrated the database. */
  async start(): Promise<void> {
    const config = buildConfig({ queue: { schema: 'pgboss' } });
    const logger = createLogger({ level: 'error' });
    this.#queue = new JobQueue(this.world.database.url, this.world.database.db, config.queue, logger, createMetrics());
    // only to create jobs (no workers here): the pay page's side of the gateway
    await this.#queue.boss.start();
    this.#token = await inforAccessToken(this.world.infor);
  }

  async stop(): Promise<void> {
    await this.#queue?.boss.stop({ graceful: false, close: true, wait: true });
  }

  /** The storefront charges the card at PayTrace (as it does before it tells us). */
  async charge(amount: string, reference: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const sale = await this.#paytrace.saleKeyed({ amount, card: TEST_VISA, invoiceId: reference });
      if (sale.approved && sale.transactionId) return sale.transactionId;
      if (attempt >= 3) throw new Error(`storefront charge ${reference} failed: ${sale.statusMessage}`);
    }
  }

  /**
   * `count` storefront orders charged at PayTrace (8 at a time) before a benchmark measures how
   * they are processed: the charges are the storefront's work, not the engine's. Order ids are
   * `<prefix><6-digit n>`, amounts vary from 10.00 to 209.99, 40 storefronts; sorted by order id.
   */
  async chargeStorefrontOrders(prefix: string, count: number): Promise<EcommerceOrder[]> {
    const orders: EcommerceOrder[] = [];
    await pool(
      Array.from({ length: count }, (_, i) => i),
      8,
      async (i) => {
        const orderId = `${prefix}${String(i).padStart(6, '0')}`;
        const amount = `${10 + (i % 200)}.${String((i * 29) % 100).padStart(2, '0')}`;
        orders.push({ orderId, amount, claimed: amount, transactionId: await this.charge(amount, orderId), webhookId: `msg_${orderId}`, storefrontId: `bench-${i % 40}` });
      },
    );
    return orders.sort((a, b) => a.orderId.localeCompare(b.orderId));
  }

  /** POST the signed notification until the gateway answers; `webhookId` decides duplicate or replay. */
  async notify(order: EcommerceOrder, webhookId = order.webhookId): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = notificationBody(order);
    // a storefront that retries re-signs with a fresh timestamp (tolerance is 5 minutes)
    const answer = await postUntilAnswered(this.gatewayUrl, '/events/ecommerce', () => this.#sign(webhookId, body), body, { onRetry: () => this.stats.retriedPosts++ });
    if (answer.body.duplicate === true) this.stats.acknowledgedDuplicates++;
    if (answer.status !== 202) throw new Error(`notification ${order.orderId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  }

  /** The pay page's charge of an invoice and its hand-over to flow 2 (inbox row + job in one transaction). */
  async payInvoice(invoice: { ivno: string; yea4: number; cuno: string; amount: string }, reference: string): Promise<InvoicePayment> {
    return this.recordCharge(invoice, reference, await this.charge(invoice.amount, reference));
  }

  /** The pay page's hand-over of a charge already made (a bench charges first, then hands many over at once). */
  async recordCharge(invoice: { ivno: string; yea4: number; cuno: string; amount: string }, reference: string, transactionId: number): Promise<InvoicePayment> {
    const { payment } = await openPayment(this.world.database.db, {
      flow: 'invoice_payment',
      reference,
      status: 'charged',
      correlationId: `chaos-${reference}`,
      fields: { cono: 100, divi: 'AAA', ivno: invoice.ivno, yea4: invoice.yea4, cuno: invoice.cuno, amount: invoice.amount, currency: 'USD', paytrace_transaction_id: String(transactionId) },
    });
    await this.handOver(payment.id);
    this.stats.invoicePayments++;
    return { reference, ...invoice, transactionId, paymentId: payment.id };
  }

  /**
   * What the pay page does once the card is charged: the `pay-page: charged` trigger stored for the
   * flow that owns it (inbox row + job in one transaction, pinned to the published version).
   */
  async handOver(paymentId: string): Promise<boolean> {
    const db = this.world.database.db;
    const payment = await db('payments').where({ id: paymentId }).first();
    const published = await db('flow_versions').where({ flow_id: 'invoice-payment', status: 'published' }).first('id');
    const result = await ingest(db, this.#queue!, {
      source: 'payment-link',
      dedupeKey: `charged:${payment.id}`,
      kind: 'invoice.charged',
      payload: { paymentId: payment.id, reference: payment.reference, cono: payment.cono, divi: payment.divi, ivno: payment.ivno, yea4: payment.yea4, cuno: payment.cuno, amount: payment.amount, currency: payment.currency, paytraceTransactionId: payment.paytrace_transaction_id },
      correlationId: payment.correlation_id,
      aggregateKey: `invoice:${payment.cono}:${payment.divi}:${payment.yea4}:${payment.ivno}`,
      queue: 'invoice-payment',
      flow: { id: 'invoice-payment', versionId: String(published.id) },
    });
    return result.duplicate;
  }

  /** M3 (an authenticated API caller) asks for a refund; retried until the gateway answers. */
  async refund(ask: RefundAsk): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = JSON.stringify({ refundId: ask.refundId, originalTransactionId: ask.originalTransactionId, amount: ask.amount, reason: 'chaos test' });
    const answer = await postUntilAnswered(this.gatewayUrl, '/api/refunds', () => ({ 'content-type': 'application/json', authorization: `Bearer ${this.#token}` }), body, {
      onRetry: () => this.stats.retriedPosts++,
    });
    if (answer.body.duplicate === true) this.stats.acknowledgedDuplicates++;
    if (answer.status !== 202) throw new Error(`refund ${ask.refundId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  }

  /** A new open invoice in M3 (the simulator's seeding API). */
  async createInvoice(cuno: string, amount: string): Promise<{ ivno: string; yea4: number; cuno: string; amount: string }> {
    const res = await fetch(`${this.world.infor.url}/_sim/m3/invoices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cuno, amount }) });
    if (res.status !== 201) throw new Error(`seeding an invoice: ${res.status} ${await res.text()}`);
    const invoice = (await res.json()) as { ivno: number; yea4: number };
    return { ivno: String(invoice.ivno), yea4: invoice.yea4, cuno, amount };
  }
}

/** What a SIGKILL chaos test works with: the shared world, one gateway process to kill, and a load driver aimed at it. */
export interface KillableGateway {
  world: SharedWorld;
  gateway: GatewayProcess;
  driver: LoadDriver;
  /** stops the driver, the gateway and the world, in that order */
  stop(): Promise<void>;
}

export async function startKillableGateway(options: Parameters<typeof startWorld>[0]): Promise<KillableGateway> {
  const world = await startWorld(options);
  const gateway = new GatewayProcess(world, await freePort());
  await gateway.start();
  const driver = new LoadDriver(world, () => gateway.url);
  await driver.start();
  return {
    world,
    gateway,
    driver,
    async stop() {
      await driver.stop();
      await gateway.stop();
      await world.stop();
    },
  };
}
