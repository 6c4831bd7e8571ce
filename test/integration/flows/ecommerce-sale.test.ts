import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { listDeadLetters } from '../../../gateway/src/pipeline/dead-letters';
import { findPaymentByReference, paymentHistory } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../../helpers/paytrace';
import { simJson, startStack, type Stack } from '../../helpers/stack';

/**
 * Flow 1 end to end, through real HTTP: the storefront charges PayTrace (simulator), signs an
 * "order paid" notification, the gateway verifies it with PayTrace and creates customer, order,
 * card reference and GL batch in M3 (simulator) — exactly once, whatever happens.
 */
describe('flow 1: e-commerce sale → M3 order + GL', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { queue: { retryLimit: 4, retryDelaySeconds: 0 } } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  async function charge(amount: string, orderId: string): Promise<number> {
    const result = await storefrontPayTraceClient(stack.paytrace.url).saleKeyed({ amount, card: TEST_VISA, invoiceId: orderId });
    if (!result.approved || !result.transactionId) throw new Error(`test charge failed: ${result.statusMessage}`);
    return result.transactionId;
  }

  function notification(orderId: string, transactionId: number, amount: string, overrides: Record<string, unknown> = {}) {
    return {
      type: 'order.paid',
      timestamp: new Date().toISOString(),
      data: {
        orderId,
        paytraceTransactionId: transactionId,
        amount,
        currency: 'USD',
        customer: {
          storefrontId: `shopper-${orderId}`,
          name: 'Jürgen Müller Workshop Supplies',
          email: 'jm@example.com',
          address: { lines: ['1200 North Lake Shore Drive, Suite 4500, Building C, Loading Dock entrance'], city: 'Chicago', state: 'Illinois', postalCode: '60611', country: 'United States' },
        },
        lines: [
          { sku: 'ITM1000', quantity: '2', unitPrice: '25.00' },
          { sku: 'ITM2000', quantity: '1', unitPrice: '149.99' },
        ],
        ...overrides,
      },
    };
  }

  async function post(body: unknown, options: { id?: string; secret?: string; timestamp?: Date } = {}) {
    const id = options.id ?? `msg_${randomUUID()}`;
    const raw = JSON.stringify(body);
    const timestamp = options.timestamp ?? new Date();
    const signature = new Webhook(options.secret ?? stack.ecommerceSecret).sign(id, timestamp, raw);
    const res = await fetch(`${stack.gateway.url}/events/ecommerce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, id };
  }

  const counts = (cuor: string, key1 = '') => simJson<{ ordersWithCuor: number; glBatchesWithKey1: number }>(stack.infor.url, `/_sim/m3/counts?cuor=${cuor}&key1=${key1}`);

  async function completed(orderId: string) {
    let last: unknown;
    try {
      return await eventually(async () => {
        const p = await findPaymentByReference(stack.gateway.services.db, `ECOM-100-${orderId}`);
        last = p;
        return p?.status === 'completed' ? p : undefined;
      }, 20_000, `order ${orderId} completed`);
    } catch (err) {
      throw new Error(`${(err as Error).message}; payment: ${JSON.stringify(last)}`, { cause: err });
    }
  }

  it('creates the customer, the order, the card reference and a balanced GL batch, once', async () => {
    const tx = await charge('199.99', 'WEB-7001');
    const first = await post(notification('WEB-7001', tx, '199.99'));
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: true, duplicate: false, orderId: 'WEB-7001' });
    // the storefront retries the same delivery, and later sends a second notification for the same order
    expect((await post(notification('WEB-7001', tx, '199.99'), { id: first.id })).body).toMatchObject({ duplicate: true });
    await post(notification('WEB-7001', tx, '199.99'));

    const payment = await completed('WEB-7001');
    expect(payment).toMatchObject({ flow: 'ecommerce_sale', amount: '199.9900', currency: 'USD', local_amount: '199.9900', paytrace_transaction_id: String(tx), cono: 100, divi: 'AAA' });
    expect(payment.orno).toMatch(/^\d+$/);
    expect(payment.cuno).toMatch(/^W[0-9A-F]{9}$/);
    expect(payment.gl_batch_key).toMatch(/^PTS[0-9A-F]{12}$/);

    const state = await simJson<{ m3: { customers: Array<Record<string, unknown>>; glBatches: Array<Record<string, unknown>>; cardTransactions: Array<Record<string, unknown>> } }>(stack.infor.url, '/_sim/state');
    const customer = JSON.stringify(state.m3.customers.find((c) => JSON.stringify(c).includes(payment.cuno!)));
    expect(customer).toContain('Chicago');
    expect(customer).toContain('"IL"'); // Illinois harmonized to its code
    expect(await counts('WEB-7001', payment.gl_batch_key!)).toMatchObject({ ordersWithCuor: 1, glBatchesWithKey1: 1 });
    const history = await paymentHistory(stack.gateway.services.db, payment.id);
    expect(history.map((h) => h.to_status)).toEqual(['received', 'verified', 'customer_ready', 'ordered', 'completed']);
  });

  it('refuses a forged signature, a stale timestamp and a body that breaks the contract', async () => {
    const body = notification('WEB-7002', 1, '10.00');
    expect((await post(body, { secret: `whsec_${Buffer.from('not-the-shared-secret-at-all').toString('base64')}` })).body).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID', status: 401 });
    expect((await post(body, { timestamp: new Date(Date.now() - 10 * 60_000) })).body).toMatchObject({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE' });
    const invalid = await post({ type: 'order.paid', data: { orderId: 'WEB-7002', amount: 10.5 } });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ code: 'ECOMMERCE_NOTIFICATION_INVALID' });
    const unsigned = await fetch(`${stack.gateway.url}/events/ecommerce`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(unsigned.status).toBe(401);
    expect(await stack.gateway.services.db('inbox').where({ source: 'ecommerce' }).whereRaw(`payload->'data'->>'orderId' = 'WEB-7002'`)).toEqual([]);
  });

  it('never trusts the notified amount: a mismatch is parked, and M3 gets nothing', async () => {
    const tx = await charge('10.00', 'WEB-7003');
    await post(notification('WEB-7003', tx, '1000.00'));
    const payment = await eventually(async () => {
      const p = await findPaymentByReference(stack.gateway.services.db, 'ECOM-100-WEB-7003');
      return p?.status === 'failed' ? p : undefined;
    }, 20_000, 'failed');
    expect(payment.last_error_code).toBe('ECOMMERCE_AMOUNT_MISMATCH');
    expect((await counts('WEB-7003')).ordersWithCuor).toBe(0);
    // the payment is marked failed first, then the queue parks the job: wait for the dead letter
    const letters = await eventually(async () => {
      const rows = await listDeadLetters(stack.gateway.services.db, { errorCode: 'ECOMMERCE_AMOUNT_MISMATCH' });
      return rows.length ? rows : undefined;
    }, 10_000, 'the dead letter');
    expect(letters).toHaveLength(1);
  });

  it('waits out an M3 outage and completes once M3 is back', async () => {
    const tx = await charge('50.00', 'WEB-7004');
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { outage: true, pathPattern: '/M3/' } });
    await post(notification('WEB-7004', tx, '199.99', { amount: '50.00', lines: [{ sku: 'ITM1000', quantity: '2', unitPrice: '25.00' }] }));
    await eventually(async () => {
      const p = await findPaymentByReference(stack.gateway.services.db, 'ECOM-100-WEB-7004');
      return p?.last_error_code?.startsWith('M3_') ? p : undefined;
    }, 20_000, 'an M3 error recorded');
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { outage: false, pathPattern: '' } });
    await completed('WEB-7004');
    expect((await counts('WEB-7004')).ordersWithCuor).toBe(1);
  });

  it('parks an order M3 refuses (unknown item) with M3 own explanation', async () => {
    const tx = await charge('5.00', 'WEB-7005');
    await post(notification('WEB-7005', tx, '5.00', { lines: [{ sku: 'NO-SUCH-ITEM', quantity: '1', unitPrice: '5.00' }] }));
    const payment = await eventually(async () => {
      const p = await findPaymentByReference(stack.gateway.services.db, 'ECOM-100-WEB-7005');
      return p?.status === 'failed' ? p : undefined;
    }, 20_000, 'failed');
    expect(payment.last_error_code).toMatch(/^M3_/);
    expect((await counts('WEB-7005')).ordersWithCuor).toBe(0);
  });
});
