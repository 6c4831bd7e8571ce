import { adminModule } from '../../../gateway/src/admin/module';
import type { FlowOverlay, OverlayRun, OverlayRuns, OverlayStep } from '../../../gateway/src/admin/flow-overlay-types';
import { getPayment, type Payment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { handOverChargedInvoice, simJson, startStack, type Stack } from '../../helpers/stack';
import { adminCall, sessionWithRoles, type SignedIn } from './sign-in';

/**
 * Step attempts in the live overlay, over real runs of the shipped invoice-payment flow (real
 * gateway, queue, M3 and PayTrace simulators, PostgreSQL): M3 takes a cash receipt but its answer is
 * lost (the simulator drops the connection after the commit), the job is retried and the receipt is
 * found — the overlay keeps both attempts at `receipt` (the failed one with its code, then the one
 * done) and counts the payment as retried, while the steps the retry reused keep their one attempt.
 * A run parked at the receipt and replayed from its dead letter adds exactly its replay's attempt.
 */
jest.setTimeout(120_000);

let stack: Stack;
let viewer: SignedIn;
beforeAll(async () => {
  stack = await startStack({ modules: [adminModule()], config: { queue: { retryLimit: 1, retryDelaySeconds: 0 }, admin: { alerts: { enabled: false } } } });
  viewer = await sessionWithRoles(stack.gateway.services.db, ['viewer']);
});
afterAll(async () => {
  await faults({ dropAfterCommit: null, outage: null, pathPattern: null }).catch(() => undefined);
  await stack?.stop();
});

const db = () => stack.gateway.services.db;
const faults = (body: Record<string, unknown>) => simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body });
const newInvoice = async (amount: string) => String((await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10001', amount } })).ivno);
const completed = (p: Payment) => eventually(async () => (await getPayment(db(), p.id))?.status === 'completed', 45_000, `${p.reference} completed`);
async function overlay(): Promise<FlowOverlay> {
  const res = await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/flows/invoice-payment/overlay');
  expect(res.status).toBe(200);
  return res.json as unknown as FlowOverlay;
}
const at = (o: FlowOverlay, step: string): OverlayStep | undefined => o.steps.find((s) => s.stepId === step);
async function runOf(step: string, payment: Payment): Promise<OverlayRun> {
  const res = await adminCall(stack.gateway.url, viewer, 'GET', `/admin/api/flows/invoice-payment/overlay/steps/${step}/runs`);
  expect(res.status).toBe(200);
  const run = (res.json as unknown as OverlayRuns).runs.find((r) => r.payment?.id === payment.id);
  if (!run) throw new Error(`no run of ${payment.reference} at ${step}`);
  return run;
}

let retried: Payment;

it('keeps both attempts of a step retried after a transient failure: the failed one with its code, then the one done', async () => {
  const ivno = await newInvoice('40.00');
  // the next cash-receipt line takes effect in M3, but its answer never comes back: a transient failure, outcome unknown
  await faults({ dropAfterCommit: 1, pathPattern: 'ARS040MI/AddBatchLine' });
  retried = await handOverChargedInvoice(stack, { ivno, cuno: 'C10001', amount: '40.00' });
  await completed(retried);
  // the job did run twice, and the receipt was not taken twice
  expect(await simJson(stack.infor.url, `/_sim/m3/counts?cino=${ivno}`)).toMatchObject({ receiptsForInvoice: 1 });
  const intent = await db()('intents').where({ key: `${retried.id}:receipt` }).first<{ attempts: number }>();
  expect(intent.attempts).toBe(2);

  const run = await runOf('receipt', retried);
  expect(run.state).toBe('done');
  expect(run.attempts).toEqual([
    { startedAt: expect.any(String), ms: expect.any(Number), outcome: 'failed', errorCode: 'M3_CONNECTION' },
    { startedAt: expect.any(String), ms: expect.any(Number), outcome: 'done', errorCode: null },
  ]);
  for (const a of run.attempts) expect(Number.isInteger(a.ms)).toBe(true);
  expect(Date.parse(run.attempts[0]!.startedAt)).toBeLessThanOrEqual(Date.parse(run.attempts[1]!.startedAt));
  // the row's own time and code are the last attempt's; the total is both attempts'
  expect(run.ms).toBe(run.attempts[1]!.ms);
  expect(run.errorCode).toBeNull();
  expect(run.totalMs).toBe(run.attempts[0]!.ms! + run.attempts[1]!.ms!);

  const receipt = at(await overlay(), 'receipt')!;
  expect(receipt).toMatchObject({ retried: 1, timed: 1, settled: 1, failed: 0, inProgress: 0 });
  // one run: the p95 of a successful attempt is its done attempt, the p95 total both attempts
  expect(receipt.p95Ms).toBe(run.attempts[1]!.ms);
  expect(receipt.p95TotalMs).toBe(run.totalMs);
});

it('does not count a step reused from the earlier attempt (nor one already done for the run) as a new attempt', async () => {
  // the retry reused what PayTrace and M3 answered in the first attempt: their intents ran once
  for (const step of ['verify', 'invoice']) {
    expect(await db()('intents').where({ key: `${retried.id}:${step}` }).first()).toMatchObject({ status: 'succeeded', attempts: 1 });
    const run = await runOf(step, retried);
    expect(run.attempts).toEqual([{ startedAt: expect.any(String), ms: expect.any(Number), outcome: 'done', errorCode: null }]);
  }
  // the payment's own step and the checks before the receipt ran again in the retried job, but were done already: one attempt
  for (const step of ['payment', 'complete', 'invoice-known']) expect((await runOf(step, retried)).attempts.map((a) => a.outcome)).toEqual(['done']);
  // after the receipt, steps ran in the second job only
  for (const step of ['gl', 'bod']) expect((await runOf(step, retried)).attempts.map((a) => a.outcome)).toEqual(['done']);
  const o = await overlay();
  for (const step of ['payment', 'verify', 'invoice', 'gl']) expect(at(o, step)).toMatchObject({ retried: 0, timed: 1, settled: 1 });
});

it('adds exactly the replay\'s attempt when a parked run is replayed from its dead letter', async () => {
  const ivno = await newInvoice('55.00');
  // M3 takes no cash receipts: both attempts of the job fail at `receipt`, then the run is parked
  await faults({ outage: true, pathPattern: 'ARS040MI' });
  const parked = await handOverChargedInvoice(stack, { ivno, cuno: 'C10001', amount: '55.00' });
  const letter = await eventually(async () => (await db()('dead_letters').where({ status: 'open', correlation_id: parked.correlation_id }).first()) as { id: string } | undefined, 45_000, 'the dead letter');
  const before = await runOf('receipt', parked);
  expect(before.state).toBe('dead');
  expect(before.attempts.map((a) => [a.outcome, a.errorCode])).toEqual([['failed', before.errorCode], ['failed', before.errorCode]]);
  expect(at(await overlay(), 'receipt')).toMatchObject({ retried: 2, failed: 1, deadLettered: 1 });

  await faults({ outage: null, pathPattern: null });
  // "Replay from this step": the dead-letter replay, as the overlay's button calls it
  const operator = await sessionWithRoles(db(), ['operator']);
  const replay = await adminCall(stack.gateway.url, operator, 'POST', '/admin/api/dead-letters/replay', { ids: [String(letter.id)], reason: 'M3 is back' });
  expect(replay).toMatchObject({ status: 200, json: { replayed: [String(letter.id)] } });
  await completed(parked);
  const after = await runOf('receipt', parked);
  expect(after.state).toBe('done');
  expect(after.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'done']);
  // the replay reused what the parked run had done: one attempt each
  for (const step of ['payment', 'verify', 'invoice']) expect((await runOf(step, parked)).attempts).toHaveLength(1);
  // still two retried runs at the receipt (one row each, however many attempts), none failed any more
  expect(at(await overlay(), 'receipt')).toMatchObject({ retried: 2, failed: 0, deadLettered: 0, settled: 2, timed: 2 });
});
