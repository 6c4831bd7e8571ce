import { invoiceCharged } from '../../../gateway/src/triggers/pay-page/events';
import { intentsOf } from '../../../gateway/src/pipeline/intents';
import { getPayment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { simJson, startStack, type Stack, chargedInvoicePayment } from '../../helpers/stack';

interface SimInvoice {
  ivno: number;
  yea4: number;
  open: string;
}

/**
 * Flow 2 from the moment the pay page's charge succeeded: the receipt lands on the invoice in
 * M3 (simulator), the GL batch is posted, ION gets a Sync.MyPTPayment — once.
 */
describe('flow 2: invoice paid → M3 cash receipt + GL + BOD', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { queue: { retryLimit: 3, retryDelaySeconds: 0 } } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const chargedPayment = (ivno: string, cuno: string, amount: string) => chargedInvoicePayment(stack, { ivno, cuno, amount });

  const invoice = async (ivno: string) => {
    const state = await simJson<{ m3: { invoices: Array<Record<string, unknown>> } }>(stack.infor.url, '/_sim/state');
    return state.m3.invoices.find((i) => String(i.ivno) === ivno) as unknown as SimInvoice & Record<string, unknown>;
  };

  it('applies the payment to the invoice, posts the GL and tells ION, once', async () => {
    const payment = await chargedPayment('200001', 'C10001', '1250.00');
    const first = await invoiceCharged(stack.gateway.services.pipeline, payment);
    const again = await invoiceCharged(stack.gateway.services.pipeline, payment);
    expect(again).toEqual({ inboxId: first.inboxId, duplicate: true });

    const done = await eventually(async () => {
      const p = await getPayment(stack.gateway.services.db, payment.id);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, 'completed');
    expect(done.receipt_ref).toMatch(/^\d{10}$/);
    expect(done.gl_batch_key).toMatch(/^PTS/);
    expect(JSON.stringify(await invoice('200001'))).toMatch(/"open(Amount)?":"0.00"|"paidCents":125000/);
    const counts = await simJson<{ receiptsForInvoice: number; glBatchesWithKey1: number }>(stack.infor.url, `/_sim/m3/counts?cino=200001&key1=${done.gl_batch_key}`);
    expect(counts).toMatchObject({ receiptsForInvoice: 1, glBatchesWithKey1: 1 });
    const messages = await eventually(async () => {
      const m = await simJson<{ messages: Array<{ documentName: string; xml?: string; payload?: string }> }>(stack.infor.url, '/_sim/ion/messages');
      const ours = (m.messages ?? (m as unknown as Array<{ documentName: string }>)).filter((x: { documentName: string }) => x.documentName === 'Sync.MyPTPayment');
      return ours.length ? ours : undefined;
    }, 10_000, 'a BOD at ION');
    expect(messages).toHaveLength(1);
    expect(JSON.stringify(messages[0])).toContain(payment.paytrace_transaction_id!);
  });

  it('parks a payment for an invoice that was paid elsewhere meanwhile, for an operator to refund', async () => {
    const payment = await chargedPayment('200003', 'C10002', '432.10'); // 200003 is already paid in the seed
    await invoiceCharged(stack.gateway.services.pipeline, payment);
    const failed = await eventually(async () => {
      const p = await getPayment(stack.gateway.services.db, payment.id);
      return p?.status === 'failed' ? p : undefined;
    }, 20_000, 'failed');
    expect(failed.last_error_code).toBe('INVOICE_ALREADY_PAID');
    const counts = await simJson<{ receiptsForInvoice: number }>(stack.infor.url, '/_sim/m3/counts?cino=200003');
    expect(counts.receiptsForInvoice).toBe(0);
  });

  it('recovers when the answer to the receipt was lost (applied in M3, not seen by us): no second receipt', async () => {
    const payment = await chargedPayment('200005', 'C10002', '75.50');
    // M3 applies the next ARS040MI AddBatchLine, then the connection drops
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { dropAfterCommit: 1, pathPattern: 'ARS040MI/AddBatchLine' } });
    await invoiceCharged(stack.gateway.services.pipeline, payment);
    await eventually(async () => (await getPayment(stack.gateway.services.db, payment.id))?.status === 'completed', 20_000, 'completed');
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { dropAfterCommit: 0, pathPattern: '' } });
    const counts = await simJson<{ receiptsForInvoice: number }>(stack.infor.url, '/_sim/m3/counts?cino=200005');
    expect(counts.receiptsForInvoice).toBe(1);
    // the receipt step really did meet the lost answer, and found its receipt on the next attempt
    const [receiptIntent] = (await intentsOf(stack.gateway.services.db, payment.id)).filter((i) => i.operation === 'ARS040MI');
    expect(receiptIntent).toMatchObject({ status: 'succeeded' });
    expect(receiptIntent!.attempts).toBeGreaterThanOrEqual(2);
  });
});
