import { listDeadLetters } from '../../../gateway/src/pipeline/dead-letters';
import { getInbox, type InboxRow } from '../../../gateway/src/pipeline/inbox';
import { intentsOf } from '../../../gateway/src/pipeline/intents';
import { getPayment, type Payment } from '../../../gateway/src/pipeline/ledger';
import { invoiceCharged } from '../../../gateway/src/triggers/pay-page/events';
import { eventually } from '../../helpers/gateway';
import { chargedInvoicePayment, simJson, startStack, type Stack } from '../../helpers/stack';

interface LoggedCall {
  seq: number;
  path: string;
  query?: string;
  status?: number;
}

/**
 * The inbox and per-aggregate order as production runs them: pay-page charges handed to the
 * published invoice-payment flow (aggregate `invoice:<cono>:<divi>:<yea4>:<ivno>`), each stored in
 * the inbox and run by the flow pipeline (pipeline.ts `work()` → runner.ts: earlier-pending check,
 * the aggregate's advisory lock, the claim; a deferred trigger comes back as a fresh job) against
 * the real M3 and PayTrace simulators. Failures come from the simulators' fault injection; order
 * is read from M3's own call log.
 */
describe('inbox: persisted first, processed once, in order per aggregate (the flow pipeline)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { queue: { retryLimit: 3, retryDelaySeconds: 0 } } });
  });
  afterEach(async () => {
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { dropAfterCommit: null, outage: null, pathPattern: null } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const db = () => stack.gateway.services.db;
  const pipeline = () => stack.gateway.services.pipeline;
  const newInvoice = async (amount: string) => String((await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10001', amount } })).ivno);
  const inboxOf = async (payment: Payment) => (await db()<InboxRow>('inbox').where({ source: 'payment-link', dedupe_key: `charged:${payment.id}` }).first())!;
  const settled = (payment: Payment, status: Payment['status']) =>
    eventually(async () => {
      const p = await getPayment(db(), payment.id);
      return p?.status === status ? p : undefined;
    }, 45_000, `payment ${payment.reference} ${status}`);
  /** M3's receipt calls (ARS040MI; the path carries matrix parameters: …/AddBatchLine;cono=100;divi=AAA), oldest first */
  const receiptCalls = async () => (await simJson<{ calls: LoggedCall[] }>(stack.infor.url, '/_sim/calls?path=ARS040MI')).calls;
  /** whose receipt a call is: its IRNO is the payment's reference, its PBID the payment's receipt batch */
  const ownerOf = (call: LoggedCall, payments: Payment[]) => {
    const fields = new URLSearchParams(call.query ?? '');
    return payments.find((p) => fields.get('IRNO') === p.reference || (p.receipt_ref != null && fields.get('PBID') === String(p.receipt_ref)))?.reference;
  };

  it('processes a trigger once, however often it arrives', async () => {
    const ivno = await newInvoice('40.00');
    const payment = await chargedInvoicePayment(stack, { ivno, cuno: 'C10001', amount: '40.00' });
    const first = await invoiceCharged(pipeline(), payment);
    const again = await invoiceCharged(pipeline(), payment);
    const third = await invoiceCharged(pipeline(), payment);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ inboxId: first.inboxId, duplicate: true });
    expect(third).toEqual({ inboxId: first.inboxId, duplicate: true });
    await settled(payment, 'completed');
    expect(await getInbox(db(), first.inboxId)).toMatchObject({ status: 'done', flow_id: 'invoice-payment' });
    expect(await db()('inbox').where({ dedupe_key: `charged:${payment.id}` }).count<Array<{ count: string }>>('* as count')).toEqual([{ count: '1' }]);
    // one receipt in M3, each step of the flow run once
    expect(await simJson(stack.infor.url, `/_sim/m3/counts?cino=${ivno}`)).toMatchObject({ receiptsForInvoice: 1 });
    // (the trigger may have waited for the invoice's own Sync.Invoice, which the invoice-links flow
    // runs under the same aggregate key: waiting is a fresh job, not a run)
    const intents = await intentsOf(db(), payment.id);
    expect(intents.length).toBeGreaterThan(0);
    for (const intent of intents) expect(intent).toMatchObject({ status: 'succeeded', attempts: 1 });
  }, 60_000);

  it('applies events of one aggregate in arrival order even when the first must retry', async () => {
    // three part payments of one invoice; M3 applies the first one's receipt line, then the answer is lost
    const ivno = await newInvoice('90.00');
    const payments = [
      await chargedInvoicePayment(stack, { ivno, cuno: 'C10001', amount: '30.00' }),
      await chargedInvoicePayment(stack, { ivno, cuno: 'C10001', amount: '30.00' }),
      await chargedInvoicePayment(stack, { ivno, cuno: 'C10001', amount: '30.00' }),
    ];
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { dropAfterCommit: 1, pathPattern: 'ARS040MI/AddBatchLine' } });
    const before = (await receiptCalls()).at(-1)?.seq ?? 0;
    for (const p of payments) await invoiceCharged(pipeline(), p);
    const inbox = await Promise.all(payments.map(inboxOf));
    expect(new Set(inbox.map((r) => r.aggregate_key))).toEqual(new Set([expect.stringMatching(new RegExp(`^invoice:100:AAA:\\d{4}:${ivno}$`))]));
    // the retry waits 1–2 s (pg-boss' backoff floor), the later events look again after 1–5 s each:
    // ~6 s on a quiet machine, so the bound leaves room for a busy CI
    const done: Payment[] = [];
    for (const p of payments) done.push(await settled(p, 'completed'));

    // the first did fail once (the lost answer) and was retried: its receipt found again, not repeated
    const [receipt] = (await intentsOf(db(), payments[0]!.id)).filter((i) => i.operation === 'ARS040MI');
    expect(receipt!.attempts).toBeGreaterThanOrEqual(2);
    expect(await simJson(stack.infor.url, `/_sim/m3/counts?cino=${ivno}`)).toMatchObject({ receiptsForInvoice: 3 });
    // M3 saw each payment's receipt calls whole, in arrival order: the second did not start while the first was retrying
    const calls = (await receiptCalls()).filter((c) => c.seq > before);
    const owners = calls.map((c) => ownerOf(c, done));
    expect(owners).not.toContain(undefined);
    expect(owners.filter((o, i) => o !== owners[i - 1])).toEqual(done.map((p) => p.reference));
    const firstCalls = calls.filter((c) => ownerOf(c, done) === done[0]!.reference);
    const dropped = firstCalls.findIndex((c) => /\/AddBatchLine(;|$)/.test(c.path) && c.status === undefined);
    expect(dropped).toBeGreaterThanOrEqual(0); // the connection was dropped, so no status was sent
    expect(firstCalls.length).toBeGreaterThan(dropped + 1); // the retry read M3 again before the second began
    // and the ledger closed them in the same order
    const processed = (await Promise.all(payments.map(inboxOf))).map((r) => r.processed_at!.getTime());
    expect([...processed].sort((a, b) => a - b)).toEqual(processed);
  }, 90_000);

  it('parks a business failure as a dead letter and marks the trigger dead, without blocking its aggregate', async () => {
    const ivno = await newInvoice('50.00'); // a USD invoice
    const bad = await chargedInvoicePayment(stack, { ivno, cuno: 'C10001', amount: '25.00', currency: 'EUR' });
    const good = await chargedInvoicePayment(stack, { ivno, cuno: 'C10001', amount: '25.00' });
    const badIn = await invoiceCharged(pipeline(), bad);
    await invoiceCharged(pipeline(), good);
    await settled(good, 'completed');
    expect(await getInbox(db(), badIn.inboxId)).toMatchObject({ status: 'dead', error_code: 'INVOICE_CURRENCY_MISMATCH' });
    expect(await getPayment(db(), bad.id)).toMatchObject({ status: 'failed', last_error_code: 'INVOICE_CURRENCY_MISMATCH' });
    // the trigger is marked dead first, then the queue parks the job: wait for the dead letter
    const letters = await eventually(async () => {
      const rows = (await listDeadLetters(db(), { queue: 'invoice-payment' })).filter((l) => (l.payload as { inboxId?: string }).inboxId === badIn.inboxId);
      return rows.length ? rows : undefined;
    }, 10_000, 'the dead letter');
    expect(letters).toEqual([expect.objectContaining({ error_class: 'business', error_code: 'INVOICE_CURRENCY_MISMATCH', attempts: 1 })]);
    // only the good payment reached M3
    expect(await simJson(stack.infor.url, `/_sim/m3/counts?cino=${ivno}`)).toMatchObject({ receiptsForInvoice: 1 });
  }, 60_000);

  it('keeps the trigger when processing is impossible (nothing is lost)', async () => {
    const ivno = await newInvoice('60.00');
    const payment = await chargedInvoicePayment(stack, { ivno, cuno: 'C10001', amount: '60.00' });
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { outage: true, pathPattern: 'ARS040MI' } });
    const { inboxId } = await invoiceCharged(pipeline(), payment);
    const stored = (await getInbox(db(), inboxId))!.payload;
    // three retries with backoff (1–2, 2–4, 4–8 s): up to 14 s on a quiet machine
    await eventually(async () => (await getInbox(db(), inboxId))?.status === 'dead', 60_000, 'dead');
    const row = await getInbox(db(), inboxId);
    expect(row).toMatchObject({ error_code: 'M3_UNAVAILABLE', payload: { paymentId: payment.id, reference: payment.reference, ivno, amount: payment.amount } });
    expect(row!.payload).toEqual(stored);
    const letters = await eventually(async () => {
      const rows = (await listDeadLetters(db(), { queue: 'invoice-payment' })).filter((l) => (l.payload as { inboxId?: string }).inboxId === inboxId);
      return rows.length ? rows : undefined;
    }, 10_000, 'the dead letter');
    expect(letters).toEqual([expect.objectContaining({ error_class: 'transient', error_code: 'M3_UNAVAILABLE', attempts: 4 })]);
    expect(await simJson(stack.infor.url, `/_sim/m3/counts?cino=${ivno}`)).toMatchObject({ receiptsForInvoice: 0 });
  }, 90_000);
});
