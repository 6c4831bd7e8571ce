import type { Knex } from 'knex';
import { adminModule } from '../../../gateway/src/admin/module';
import { overlaySql, moneySteps } from '../../../gateway/src/admin/flow-overlay';
import type { FlowOverlay, OverlayRuns, OverlayStep } from '../../../gateway/src/admin/flow-overlay-types';
import { abandonDeadLetters } from '../../../gateway/src/pipeline/dead-letter-actions';
import type { Payment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { handOverChargedInvoice, simJson, startStack, type Stack } from '../../helpers/stack';
import { adminCall, sessionWithRoles, type SignedIn } from './sign-in';

/**
 * The live overlay's aggregate over real runs of the shipped invoice-payment flow (real gateway,
 * queue, M3 and PayTrace simulators, PostgreSQL): one payment completed, one parked at the cash
 * receipt (M3 down: its receipt's outcome unknown), one failed for good at `invoice-known` (its
 * dead letter abandoned), two in flight at the cash receipt (M3 slow) in two currencies. Then the
 * query's plan on a ledger with history: indexes only.
 */
jest.setTimeout(120_000);

let stack: Stack;
let viewer: SignedIn;
beforeAll(async () => {
  stack = await startStack({ modules: [adminModule()], config: { queue: { retryLimit: 1, retryDelaySeconds: 0 }, admin: { alerts: { enabled: false } } } });
  viewer = await sessionWithRoles(stack.gateway.services.db, ['viewer']);
});
afterAll(async () => {
  await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: null, outage: null, pathPattern: null } }).catch(() => undefined);
  await stack?.stop();
});

const db = () => stack.gateway.services.db;
const faults = (body: Record<string, unknown>) => simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body });
const charged = (ivno: string, cuno: string, amount: string, currency = 'USD') => handOverChargedInvoice(stack, { ivno, cuno, amount, currency });
const openDeadLetter = (payment: Payment) => eventually(async () => (await db()('dead_letters').where({ status: 'open', correlation_id: payment.correlation_id }).first()) as { id: string } | undefined, 30_000, `a dead letter for ${payment.reference}`);
async function overlay(): Promise<FlowOverlay> {
  const res = await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/flows/invoice-payment/overlay');
  expect(res.status).toBe(200);
  return res.json as unknown as FlowOverlay;
}
const at = (o: FlowOverlay, step: string): OverlayStep => o.steps.find((s) => s.stepId === step) ?? { stepId: step, inProgress: 0, failed: 0, deadLettered: 0, moneyInFlight: [], p95Ms: null, timed: 0, p95TotalMs: null, settled: 0, retried: 0 };

it('counts per step what is in progress, failed, parked and the money in flight per currency, exactly', async () => {
  const done = await charged('200005', 'C10002', '75.50');
  await eventually(async () => (await db()('payments').where({ id: done.id }).first<Payment>())?.status === 'completed', 30_000, 'the first payment completed');

  // M3 takes no cash receipts: the run retries once, then parks at `receipt` with its outcome unknown
  await faults({ outage: true, pathPattern: 'ARS040MI' });
  const parked = await charged('200002', 'C10001', '300.00');
  await openDeadLetter(parked);
  // an invoice M3 does not have: a business failure at `invoice-known`; its dead letter is abandoned
  const unknown = await charged('299999', 'C10001', '12.34');
  const letter = await openDeadLetter(unknown);
  await abandonDeadLetters(db(), { ids: [String(letter.id)], actor: 'operator:test', reason: 'not our invoice' });

  // M3 answers cash receipts slowly: two runs are out at `receipt`, in two currencies
  await faults({ outage: false, latencyMs: 20_000, pathPattern: 'ARS040MI' });
  const usd = await charged('200001', 'C10001', '1250.00');
  const eur = await charged('200004', 'C10003', '990.00', 'EUR');
  await eventually(async () => (await db()('intents').whereIn('key', [`${usd.id}:receipt`, `${eur.id}:receipt`]).where({ status: 'pending' })).length === 2, 30_000, 'both cash receipts out');

  const o = await overlay();
  expect(o).toMatchObject({ flowId: 'invoice-payment', publishedVersion: 1, windowMinutes: 60 });
  const receipt = at(o, 'receipt');
  expect(receipt).toMatchObject({ inProgress: 2, failed: 1, deadLettered: 1 });
  // 1250.00 + 300.00 (parked, outcome unknown) in USD; 990.00 in EUR — decimal strings, summed by PostgreSQL
  expect(receipt.moneyInFlight).toEqual([{ currency: 'EUR', amount: '990.0000' }, { currency: 'USD', amount: '1550.0000' }]);
  expect(at(o, 'invoice-known')).toMatchObject({ inProgress: 0, failed: 1, deadLettered: 0, moneyInFlight: [] });
  // every run passed `verify`: five timed executions, a p95 from them
  const verify = at(o, 'verify');
  expect(verify).toMatchObject({ inProgress: 0, failed: 0, deadLettered: 0, timed: 5 });
  expect(verify.p95Ms).toEqual(expect.any(Number));
  // the GL step after the receipt ran once (the completed payment), a step that moves no money has none in flight
  expect(at(o, 'gl')).toMatchObject({ timed: 1, moneyInFlight: [] });
  expect(moneySteps(stack.gateway.services.pipeline!.flows.published('invoice-payment')!.flow)).toEqual(['receipt', 'gl']);

  // a node's recent runs: the parked one carries its open dead letter; the abandoned one none
  const runs = (await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/flows/invoice-payment/overlay/steps/receipt/runs')).json as unknown as OverlayRuns;
  expect(runs.runs.map((r) => [r.payment?.reference, r.state])).toEqual(expect.arrayContaining([[usd.reference, 'running'], [eur.reference, 'running'], [parked.reference, 'dead'], [done.reference, 'done']]));
  expect(runs.runs.find((r) => r.payment?.id === parked.id)!.deadLetterId).toEqual(expect.any(String));
  expect(runs.runs.find((r) => r.payment?.id === eur.id)!.payment).toMatchObject({ amount: '990.0000', currency: 'EUR' });
  const failedRuns = (await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/flows/invoice-payment/overlay/steps/invoice-known/runs')).json as unknown as OverlayRuns;
  expect(failedRuns.runs.find((r) => r.payment?.id === unknown.id)).toMatchObject({ state: 'dead', errorCode: 'INVOICE_UNKNOWN', deadLetterId: null });
  await faults({ latencyMs: null, pathPattern: null });
});

it('answers clear errors and needs a session (a viewer may see)', async () => {
  expect((await adminCall(stack.gateway.url, undefined, 'GET', '/admin/api/flows/invoice-payment/overlay')).status).toBe(401);
  const none = await sessionWithRoles(db(), []);
  expect((await adminCall(stack.gateway.url, none, 'GET', '/admin/api/flows/invoice-payment/overlay')).status).toBe(403);
  const bad = await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/flows/invoice-payment/overlay?windowMinutes=0');
  expect(bad).toMatchObject({ status: 400, json: { code: 'ADMIN_BAD_REQUEST' } });
  expect((await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/flows/invoice-payment/overlay?windowMinutes=abc')).status).toBe(400);
  expect(await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/flows/no-such-flow/overlay')).toMatchObject({ status: 404, json: { code: 'ADMIN_NOT_FOUND' } });
  expect((await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/flows/invoice-payment/overlay/steps/Bad_Step/runs')).status).toBe(400);
  // replaying is the dead-letter action, for operators
  expect((await adminCall(stack.gateway.url, viewer, 'POST', '/admin/api/dead-letters/replay', { ids: ['1'], reason: 'try it' })).status).toBe(403);
});

it('reads indexes only, however long the history (one query per refresh)', async () => {
  // a year of history: 100 000 finished step runs, 50 000 payments with their intents
  await db().raw(`insert into payments (id, flow, status, reference, correlation_id, amount, currency, created_at)
    select md5('p' || g)::uuid, 'invoice_payment', 'completed', 'HIST-' || g, 'c-hist-' || g, 10.00, 'USD', now() - interval '30 days' from generate_series(1, 50000) g`);
  await db().raw(`insert into intents (key, payment_id, system, operation, status, attempts) select md5('p' || g)::uuid::text || ':receipt', md5('p' || g)::uuid, 'm3', 'ARS040MI', 'succeeded', 1 from generate_series(1, 50000) g`);
  // each with its attempts (every tenth needed two: a failed one, then the one done)
  await db().raw(`insert into flow_run_steps (inbox_id, flow_id, step_id, payment_id, state, started_at, finished_at, ms, attempts)
    select 1000000 + g, 'invoice-payment', (array['verify', 'receipt'])[1 + g % 2], md5('p' || (g / 2 + 1))::uuid, 'done', now() - make_interval(hours => 2 + g % 8000), now() - make_interval(hours => 2 + g % 8000), 40 + g % 200,
           case when g % 10 = 0 then jsonb_build_array(jsonb_build_object('id', 'a' || g, 'ms', 1000, 'outcome', 'failed', 'code', 'M3_UNAVAILABLE'), jsonb_build_object('id', 'b' || g, 'ms', 40 + g % 200, 'outcome', 'done', 'code', null))
                else jsonb_build_array(jsonb_build_object('id', 'b' || g, 'ms', 40 + g % 200, 'outcome', 'done', 'code', null)) end
      from generate_series(1, 100000) g`);
  await db().raw('analyze flow_run_steps, intents, payments, dead_letters');
  const flow = stack.gateway.services.pipeline!.flows.published('invoice-payment')!.flow;
  const sql = overlaySql(db(), flow.id, 60, moneySteps(flow)).toSQL().toNative();
  const { rows } = await db().raw(`explain (analyze, format json) ${sql.sql.replace(/\$(\d+)/g, '?')}`, sql.bindings as readonly Knex.RawBinding[]);
  const plan = (rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> })['QUERY PLAN'][0]!;
  const scans: string[] = [];
  const walk = (n: PlanNode) => {
    if (n['Relation Name']) scans.push(`${n['Node Type']} ${n['Relation Name']}${n['Index Name'] ? ` (${n['Index Name']})` : ''}`);
    n.Plans?.forEach(walk);
  };
  walk(plan.Plan);
  process.stdout.write(`overlay query on 100k step runs / 50k payments: ${plan['Execution Time'].toFixed(2)} ms; ${scans.join('; ')}\n`);
  for (const table of ['flow_run_steps', 'intents', 'payments']) expect(scans.filter((s) => s.startsWith('Seq Scan') && s.includes(` ${table}`))).toEqual([]);
  expect(scans.some((s) => s.includes('flow_run_steps_recent'))).toBe(true);
  expect(scans.some((s) => s.includes('flow_run_steps_open'))).toBe(true);
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
