import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { intentsOf } from '../../../gateway/src/pipeline/intents';
import { findPaymentByReference } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../../helpers/paytrace';
import { simJson, startStack, type Stack } from '../../helpers/stack';

/**
 * Found by the chaos test: when M3 confirmed the order but the answer was lost, the next attempt
 * must find that order by its CUOR and not enter a second one. OIS100MI/SearchHead does not
 * return CUOR, so the read-back uses LstHead of the customer.
 */
describe('flow 1: the answer to OIS100MI/Confirm is lost', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { queue: { retryLimit: 4, retryDelaySeconds: 0 } } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  async function sendAfterFault(orderId: string, pathPattern: string) {
    const sale = await storefrontPayTraceClient(stack.paytrace.url).saleKeyed({ amount: '75.00', card: TEST_VISA, invoiceId: orderId });
    // M3 applies the next matching call, then the connection drops before the answer
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { dropAfterCommit: 1, pathPattern } });
    const body = JSON.stringify({
      type: 'order.paid',
      data: {
        orderId,
        paytraceTransactionId: sale.transactionId,
        amount: '75.00',
        currency: 'USD',
        customer: { storefrontId: 'lost-answer-shopper', name: 'Lost Answer Ltd', address: { lines: ['1 Main St'], city: 'Spokane', state: 'WA', postalCode: '99201', country: 'US' } },
        lines: [{ sku: 'ITM1000', quantity: '3', unitPrice: '25.00' }],
      },
    });
    const id = `msg_${randomUUID()}`;
    const at = new Date();
    const res = await fetch(`${stack.gateway.url}/events/ecommerce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(stack.ecommerceSecret).sign(id, at, body) },
      body,
    });
    expect(res.status).toBe(202);

    const payment = await eventually(async () => {
      const p = await findPaymentByReference(stack.gateway.services.db, `ECOM-100-${orderId}`);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, 'completed');
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { dropAfterCommit: 0, pathPattern: '' } });
    return payment;
  }

  it('finds the confirmed order by CUOR on the next attempt: one order in M3', async () => {
    const orderId = 'WEB-LOST-1';
    const payment = await sendAfterFault(orderId, 'OIS100MI/Confirm');

    const counts = await simJson<{ ordersWithCuor: number; batchOrdersWithCuor: number }>(stack.infor.url, `/_sim/m3/counts?cuor=${orderId}`);
    expect(counts).toMatchObject({ ordersWithCuor: 1, batchOrdersWithCuor: 1 });
    // the order step met the lost answer and resumed with the order M3 already had
    const orderIntent = (await intentsOf(stack.gateway.services.db, payment.id)).find((i) => i.key.endsWith(':order'));
    expect(orderIntent).toMatchObject({ status: 'succeeded' });
    expect(orderIntent!.attempts).toBeGreaterThanOrEqual(2);
    expect(orderIntent!.result).toMatchObject({ orno: payment.orno, resumed: true });
  });

  it('removes the batch order an attempt left unconfirmed (it died among the lines) and enters one order', async () => {
    const orderId = 'WEB-LOST-2';
    const payment = await sendAfterFault(orderId, 'OIS100MI/AddBatchLine');
    const counts = await simJson<{ ordersWithCuor: number; batchOrdersWithCuor: number }>(stack.infor.url, `/_sim/m3/counts?cuor=${orderId}`);
    expect(counts).toMatchObject({ ordersWithCuor: 1, batchOrdersWithCuor: 1 });
    const orderIntent = (await intentsOf(stack.gateway.services.db, payment.id)).find((i) => i.key.endsWith(':order'));
    expect(orderIntent!.attempts).toBeGreaterThanOrEqual(2);
    expect(orderIntent!.request).toMatchObject({ input: { cuor: orderId }, checkpoint: { tempOrno: expect.stringMatching(/^B\d+$/) } });
  });
});
