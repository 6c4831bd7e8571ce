import { listDeadLetters } from '../../../gateway/src/pipeline/dead-letters';
import { getInbox, type InboxRow } from '../../../gateway/src/pipeline/inbox';
import { getPayment, type Payment } from '../../../gateway/src/pipeline/ledger';
import { invoiceCharged } from '../../../gateway/src/triggers/pay-page/events';
import { eventually } from '../../helpers/gateway';
import { chargedInvoicePayment, simJson, startStack, type Stack } from '../../helpers/stack';

/**
 * Found by the chaos test: a trigger waiting behind an earlier event of its aggregate failed
 * "transiently" on every poll and used up its retries, so under load it was parked (lost until a
 * replay). Waiting now defers it to a fresh job (pipeline.ts `work()` on the runner's `deferred`
 * outcome): no retry is spent, however long the wait. Shown on the product's path: two pay-page
 * charges of one invoice through the published invoice-payment flow, the first held up by a slow
 * M3 (the simulator's latency fault on its receipt line).
 */
describe('inbox: waiting for an earlier event of the aggregate (the flow pipeline)', () => {
  // how long M3 takes over the first payment's receipt line: long enough for the second trigger
  // to be looked at and deferred twice (1–2 s each) on a busy machine, well inside M3's timeout
  const SLOW_MS = 20_000;
  let stack: Stack;
  beforeAll(async () => {
    // no retries at all: a wait that cost one would park the later trigger at once
    stack = await startStack({ config: { queue: { retryLimit: 0, retryDelaySeconds: 0 }, infor: { m3TimeoutMs: 60_000 } } });
  });
  afterAll(async () => {
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: null, pathPattern: null } }).catch(() => undefined);
    await stack.stop();
  });

  const db = () => stack.gateway.services.db;
  const completed = (payment: Payment) =>
    eventually(async () => {
      const p = await getPayment(db(), payment.id);
      return p?.status === 'completed' ? p : undefined;
    }, 45_000, `payment ${payment.reference} completed`);

  it('keeps the later trigger waiting without parking it, then applies both in order', async () => {
    const { ivno } = await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10001', amount: '80.00' } });
    // the new invoice's own Sync.Invoice (the invoice-links flow, same aggregate key) goes first: let it finish
    await eventually(async () => {
      const row = await db()<InboxRow>('inbox').where({ source: 'ion', kind: 'Sync.Invoice' }).andWhere('aggregate_key', 'like', `invoice:%:${ivno}`).first();
      return row && row.status !== 'received' && row.status !== 'processing';
    }, 30_000, "the invoice's Sync.Invoice handled");
    const first = await chargedInvoicePayment(stack, { ivno: String(ivno), cuno: 'C10001', amount: '50.00' });
    const second = await chargedInvoicePayment(stack, { ivno: String(ivno), cuno: 'C10001', amount: '30.00' });
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: SLOW_MS, pathPattern: 'ARS040MI/AddBatchLine' } });
    const firstIn = await invoiceCharged(stack.gateway.services.pipeline, first);
    // the first is inside M3 with its receipt line (the call log records a call as it arrives)
    await eventually(async () => {
      const { calls } = await simJson<{ calls: Array<{ path: string; query?: string }> }>(stack.infor.url, '/_sim/calls?path=ARS040MI/AddBatchLine');
      return calls.some((c) => new URLSearchParams(c.query ?? '').get('IRNO') === first.reference);
    }, 15_000, 'the first payment in M3');
    const secondIn = await invoiceCharged(stack.gateway.services.pipeline, second);
    expect(await getInbox(db(), firstIn.inboxId)).toMatchObject({ status: 'processing' });
    // the second has been looked at and deferred at least twice while the first holds the aggregate
    await eventually(async () => {
      const { rows } = await db().raw(`select count(*)::int as n from pgboss.job where name = 'invoice-payment' and data->'payload'->>'inboxId' = ? and state = 'completed'`, [secondIn.inboxId]);
      return (rows as Array<{ n: number }>)[0]!.n >= 2;
    }, 15_000, 'the second trigger deferred twice');
    expect(await getInbox(db(), secondIn.inboxId)).toMatchObject({ status: 'received' });
    expect(await getInbox(db(), firstIn.inboxId)).toMatchObject({ status: 'processing' });
    // later calls are quick again (the first's call keeps the latency it arrived with)
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: null, pathPattern: null } });

    const firstDone = await completed(first);
    const secondDone = await completed(second);
    const [a, b] = [await getInbox(db(), firstIn.inboxId), await getInbox(db(), secondIn.inboxId)];
    expect(a).toMatchObject({ status: 'done' });
    expect(b).toMatchObject({ status: 'done' });
    expect(b!.processed_at!.getTime()).toBeGreaterThan(a!.processed_at!.getTime());
    // M3 got the second receipt only after the first's: applied in arrival order
    const { calls } = await simJson<{ calls: Array<{ seq: number; query?: string }> }>(stack.infor.url, '/_sim/calls?path=ARS040MI/AddBatchLine');
    const seqOf = (p: Payment) => calls.filter((c) => new URLSearchParams(c.query ?? '').get('IRNO') === p.reference).map((c) => c.seq);
    expect(seqOf(firstDone)).toHaveLength(1);
    expect(seqOf(secondDone)).toHaveLength(1);
    expect(seqOf(secondDone)[0]!).toBeGreaterThan(seqOf(firstDone)[0]!);
    // nothing parked, no retry spent: each job of the second ran once
    expect(await listDeadLetters(db(), { queue: 'invoice-payment' })).toEqual([]);
    const { rows } = await db().raw(`select max(retry_count)::int as retries from pgboss.job where name = 'invoice-payment' and data->'payload'->>'inboxId' = ?`, [secondIn.inboxId]);
    expect((rows as Array<{ retries: number }>)[0]!.retries).toBe(0);
  }, 120_000);
});
