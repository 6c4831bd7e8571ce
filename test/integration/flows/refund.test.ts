import { refundStep } from '../../../gateway/src/steps/paytrace/refund';
import type { StepConnectors } from '../../../gateway/src/steps/define';
import { findPaymentByReference, getPayment, type Payment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { handOverChargedInvoice, simJson, type Stack, startStack } from '../../helpers/stack';

/** Flow 4: refunds through the API (an Infor OS bearer token), void or refund as PayTrace decides. */
describe('flow 4: refund request → PayTrace void/refund → M3 reversal + GL', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ config: { queue: { retryLimit: 2, retryDelaySeconds: 0 } } });
    token = await stack.gateway.services.infor!.tokens.getAccessToken();
  });
  afterAll(async () => {
    await stack.stop();
  });

  async function paidInvoice(ivno: string, cuno: string, amount: string): Promise<Payment> {
    const payment = await handOverChargedInvoice(stack, { ivno, cuno, amount });
    return eventually(async () => {
      const p = await getPayment(stack.gateway.services.db, payment.id);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, 'invoice paid');
  }

  async function refund(body: Record<string, unknown>, auth = `Bearer ${token}`) {
    const res = await fetch(`${stack.gateway.url}/api/refunds`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const refundPayment = (refundId: string, status: string) =>
    eventually(async () => {
      const p = await findPaymentByReference(stack.gateway.services.db, `REFUND-${refundId}`);
      return p?.status === status ? p : undefined;
    }, 20_000, `refund ${refundId} ${status}`);

  it('refunds part of a settled payment once, reverses the receipt and posts the reversal GL', async () => {
    const paid = await paidInvoice('200002', 'C10001', '300.00');
    await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST', body: {} });
    const first = await refund({ refundId: 'RMA-1', originalTransactionId: paid.paytrace_transaction_id, amount: '100.00', reason: 'damaged goods' });
    expect(first).toMatchObject({ status: 202, body: { refundId: 'RMA-1', accepted: true, duplicate: false } });
    expect((await refund({ refundId: 'RMA-1', originalTransactionId: paid.paytrace_transaction_id, amount: '100.00' })).body).toMatchObject({ duplicate: true });
    const done = await refundPayment('RMA-1', 'completed');
    expect(done).toMatchObject({ flow: 'refund', parent_payment_id: paid.id, amount: '100.0000', ivno: '200002' });
    expect(done.paytrace_transaction_id).not.toBe(paid.paytrace_transaction_id);
    expect(done.gl_batch_key).toMatch(/^PTR/);
    const receipts = await simJson<{ receiptsForInvoice: number }>(stack.infor.url, '/_sim/m3/counts?cino=200002');
    expect(receipts.receiptsForInvoice).toBe(2); // the payment, and its reversal
    const status = await fetch(`${stack.gateway.url}/api/refunds/RMA-1`, { headers: { authorization: `Bearer ${token}` } });
    expect(await status.json()).toMatchObject({ refundId: 'RMA-1', status: 'completed', amount: '100.00' });

    // more than what remains (200.00) is refused, and nothing moves
    await refund({ refundId: 'RMA-2', originalTransactionId: paid.paytrace_transaction_id, amount: '250.00' });
    expect((await refundPayment('RMA-2', 'failed')).last_error_code).toBe('REFUND_EXCEEDS_REMAINING');
  });

  it('voids an unsettled sale refunded in full (PayTrace answers 817 to the refund)', async () => {
    const paid = await paidInvoice('200001', 'C10001', '1250.00');
    await refund({ refundId: 'RMA-3', originalTransactionId: paid.paytrace_transaction_id, amount: '1250.00' });
    const done = await refundPayment('RMA-3', 'completed');
    expect(done.settlement_state).toBe('voided');
    const exported = await stack.gateway.services.paytrace!.exportTransactionById(Number(paid.paytrace_transaction_id));
    expect(exported.transactions[0]!.state).toBe('voided');
  });

  it('refunds when the sale settles between PayTrace\'s 817 and the void (the void is refused, the refund asked again)', async () => {
    const invoice = await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10001', amount: '40.00' } });
    const paid = await paidInvoice(String(invoice.ivno), 'C10001', '40.00');
    await simJson(stack.paytrace.url, '/_sim/calls', { method: 'DELETE' });
    // the void waits at PayTrace's door long enough for the batch to settle while it does
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 3000, pathPattern: '/v1/transactions/void' } });
    try {
      await refund({ refundId: 'RMA-5', originalTransactionId: paid.paytrace_transaction_id, amount: '40.00' });
      await eventually(async () => (await simJson<{ calls: unknown[] }>(stack.paytrace.url, '/_sim/calls?path=/void$')).calls.length > 0, 20_000, 'the void at PayTrace');
      await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST', body: {} });
    } finally {
      await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 0, pathPattern: '' } });
    }
    const done = await refundPayment('RMA-5', 'completed');
    expect(done.settlement_state).toBe('pending_settlement');
    const { calls } = await simJson<{ calls: Array<{ path: string; status: number }> }>(stack.paytrace.url, '/_sim/calls?path=/v1/transactions/(void|refund)');
    expect(calls.map((c) => c.path.replace('/v1/transactions/', ''))).toEqual(['refund/for_transaction', 'void', 'refund/for_transaction']);
    const exported = await stack.gateway.services.paytrace!.exportTransactionById(Number(paid.paytrace_transaction_id));
    expect(exported.transactions[0]!.state).not.toBe('voided');
    expect(done.paytrace_transaction_id).not.toBe(paid.paytrace_transaction_id);
  });

  it('finds its own refund when a lost answer is looked up days later (searched from when the step first recorded it)', async () => {
    const invoice = await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10001', amount: '25.00' } });
    const paid = await paidInvoice(String(invoice.ivno), 'C10001', '25.00');
    await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST', body: {} });
    const db = stack.gateway.services.db;
    const paytrace = stack.gateway.services.paytrace!;
    // the step recorded its intent, sent the refund, and the answer was lost: the intent is unknown
    const key = `lost-answer-${invoice.ivno}:paytrace`;
    await db('intents').insert({ key, system: 'paytrace', operation: 'refund/for_transaction|void', status: 'unknown', attempts: 1 });
    const sent = await paytrace.refundTransaction({ transactionId: Number(paid.paytrace_transaction_id), amount: '25.00' });
    expect(sent.approved).toBe(true);
    const step = refundStep({ paytrace: () => paytrace } as unknown as StepConnectors);
    const request = { transactionId: paid.paytrace_transaction_id!, amount: '25.00', capturedAmount: '25.00', refundedBefore: '0', originalPaymentId: paid.id };
    const env = { db, key } as unknown as Parameters<NonNullable<typeof step.lookup>>[1];
    expect(await step.lookup!(request, env)).toEqual({ found: true, result: { kind: 'refund', transactionId: sent.transactionId } });
    // an operator replays the parked run three days later: the same refund is found, not sent again
    const threeDaysLater = Date.now() + 3 * 86_400_000;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(threeDaysLater);
    try {
      expect(await step.lookup!(request, env)).toEqual({ found: true, result: { kind: 'refund', transactionId: sent.transactionId } });
    } finally {
      clock.mockRestore();
    }
  });

  it('parks a partial refund of an unsettled sale until it settles', async () => {
    const paid = await paidInvoice('200005', 'C10002', '75.50');
    await refund({ refundId: 'RMA-4', originalTransactionId: paid.paytrace_transaction_id, amount: '10.00' });
    expect((await refundPayment('RMA-4', 'failed')).last_error_code).toBe('REFUND_NEEDS_SETTLEMENT');
  });

  it('refuses callers without a valid Infor OS token, and bad requests', async () => {
    expect((await refund({ refundId: 'X', originalTransactionId: 1, amount: '1.00' }, '')).status).toBe(401);
    expect((await refund({ refundId: 'X', originalTransactionId: 1, amount: '1.00' }, 'Bearer forged.token.value')).status).toBe(401);
    const bad = await refund({ refundId: 'bad id!', originalTransactionId: 'abc', amount: '1.005' });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['amount', 'originalTransactionId', 'refundId']);
  });
});
