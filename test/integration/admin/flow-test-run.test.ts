import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { adminModule } from '../../../gateway/src/admin/module';
import type { KeptTestRun, TestRunCancelAnswer, TestRunHistory, TestRunResult, TestSample, TestSamples, TruncatedValue } from '../../../gateway/src/admin/flow-test-run-types';
import { eventually } from '../../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../../helpers/paytrace';
import { simJson, startStack, type Stack } from '../../helpers/stack';
import { adminCall, signInThroughInforOs, type SignedIn } from './sign-in';

/**
 * The builder's test-run API on a real gateway, PostgreSQL and simulators: who may test, the
 * sample kept per flow (typed, shipped, pinned from the inbox — never card data), the draft run
 * with the kernel's compiler and runner, one run per flow at a time within a time limit, and a
 * clear 4xx for every wrong request.
 */
let stack: Stack;
let url: string;
let operator: SignedIn;
let viewer: SignedIn;

const flowFile = (id: string) => readFileSync(path.join(__dirname, '..', '..', '..', 'mappings', 'flows', `${id}.yaml`), 'utf8');
const shippedSample = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'mappings', 'flows', 'samples', 'invoice-links.json'), 'utf8')) as Record<string, unknown>;
// a Luhn-valid test card number (Visa), as a careless sender would put it in an event
const PAN = '4111111111111111';

beforeAll(async () => {
  stack = await startStack({ modules: [adminModule()], config: { admin: { alerts: { enabled: false } } } });
  url = stack.gateway.url;
  operator = await signInThroughInforOs(url, 'operator');
  viewer = await signInThroughInforOs(url, 'viewer');
});
afterAll(async () => {
  await stack.stop();
});

const run = (who: SignedIn, id: string, body: unknown) => adminCall(url, who, 'POST', `/admin/api/flows/${id}/test-run`, body);

it('a viewer sees the samples but may neither test nor keep a sample (403); an operator may', async () => {
  const samples = await adminCall(url, viewer, 'GET', '/admin/api/flows/invoice-links/test-samples');
  expect(samples.status).toBe(200);
  expect((samples.json as unknown as TestSamples).shipped.map((s) => s.id)).toEqual(['file:invoice-links.json']);
  expect((samples.json as unknown as TestSamples).inbox).toEqual([]); // real events: operators only
  const refused = await run(viewer, 'invoice-links', { source: flowFile('invoice-links'), event: shippedSample });
  expect(refused).toMatchObject({ status: 403, json: { code: 'ADMIN_FORBIDDEN' } });
  const keep = await adminCall(url, viewer, 'POST', '/admin/api/flows/invoice-links/test-sample', { origin: 'typed', event: shippedSample });
  expect(keep).toMatchObject({ status: 403, json: { code: 'ADMIN_FORBIDDEN' } });
});

it('runs a draft with a shipped sample against the simulators: every step with input, output, time and outcome; nothing kept', async () => {
  // the draft differs from the published flow: its qualify rules take any currency
  const draft = flowFile('invoice-links').replace('currencies: [USD]', 'currencies: []');
  const res = await run(operator, 'invoice-links', { source: draft, event: shippedSample });
  expect(res.status).toBe(200);
  const result = res.json as unknown as TestRunResult;
  expect(result).toMatchObject({ flowId: 'invoice-links', outcome: 'done', timeLimitMs: 60_000 });
  const step = (id: string) => result.trace.find((s) => s.stepId === id);
  expect(step('linked')).toMatchObject({ outcome: 'succeeded', input: { ivno: '200005' }, output: { alreadyLinked: false } });
  // the invoice as the M3 simulator has it (invoice 200005: 75.50 open)
  expect(step('invoice')).toMatchObject({ outcome: 'succeeded', output: { found: true, openAmount: '75.50' } });
  expect(step('qualify')!.input).toMatchObject({ invoice: { openAmount: '75.50' } });
  expect(typeof step('invoice')!.ms).toBe('number');
  // the run's writes are rolled back
  expect(await stack.gateway.services.db('invoice_links').count<Array<{ count: string }>>('* as count')).toEqual([{ count: '0' }]);
});

it('refuses a draft that does not compile with the compiler\'s error (422), never a 500', async () => {
  const broken = await run(operator, 'invoice-links', { source: 'version: 1\nid: invoice-links\nsteps: [unclosed', event: shippedSample });
  expect(broken.status).toBe(422);
  expect(broken.json).toMatchObject({ code: 'FLOW_DEFINITION_INVALID' });
  expect((broken.json.errors as Array<{ field: string }>)[0]!.field).toMatch(/:\d+:\d+$/); // where: line and column
  const unknownStep = await run(operator, 'invoice-links', { source: flowFile('invoice-links').replace('type: m3.get-invoice', 'type: m3.get-invoyce'), event: shippedSample });
  expect(unknownStep.status).toBe(422);
  expect(String(unknownStep.json.detail)).toContain('m3.get-invoyce');
  const otherId = await run(operator, 'invoice-links', { source: flowFile('refund'), event: shippedSample });
  expect(otherId).toMatchObject({ status: 422, json: { code: 'FLOW_ID_MISMATCH' } });
  for (const body of [{}, { source: 42 }, { source: 'x', event: shippedSample, timeLimitMs: 5 }, { source: 'x', extra: true }]) {
    const bad = await run(operator, 'invoice-links', body);
    expect({ body, status: bad.status, code: bad.json.code }).toEqual({ body, status: 400, code: 'ADMIN_BAD_REQUEST' });
  }
  expect((await run(operator, 'Not_A_Flow', { source: 'x' })).status).toBe(400);
  // no event and no saved sample
  expect(await run(operator, 'refund', { source: flowFile('refund') })).toMatchObject({ status: 409, json: { code: 'FLOW_TEST_SAMPLE_MISSING' } });
});

it('never takes card data as a sample: typed (400 before any route), pinned from the inbox (422), nothing stored', async () => {
  const typed = await adminCall(url, operator, 'POST', '/admin/api/flows/invoice-links/test-sample', { origin: 'typed', event: { ...shippedSample, note: `card ${PAN}` } });
  expect(typed).toMatchObject({ status: 400, json: { code: 'CARD_DATA_REFUSED' } });
  const csc = await run(operator, 'invoice-links', { source: flowFile('invoice-links'), event: { ...shippedSample, cvv: '123' } });
  expect(csc).toMatchObject({ status: 400, json: { code: 'CARD_DATA_REFUSED' } });
  // an inbox row that kept a card number (the inbox masks them: this one was written around it)
  const [row] = await stack.gateway.services.db('inbox').insert({ source: 'schedule', dedupe_key: 'test-pan', kind: 'invoice', payload: JSON.stringify({ ...shippedSample, memo: PAN }), correlation_id: 'c-pan', flow_id: 'invoice-links', status: 'done' }).returning<Array<{ id: string }>>('id');
  const pinned = await adminCall(url, operator, 'POST', '/admin/api/flows/invoice-links/test-sample', { origin: 'inbox', inboxId: String(row!.id) });
  expect(pinned).toMatchObject({ status: 422, json: { code: 'FLOW_TEST_SAMPLE_CARD_DATA' } });
  expect(JSON.stringify(pinned.json)).not.toContain(PAN);
  await stack.gateway.services.db('inbox').where({ id: row!.id }).delete();
  expect(await stack.gateway.services.db('flow_test_samples').where({ flow_id: 'invoice-links' }).first()).toBeUndefined();
});

it('keeps the sample per flow: typed, then pinned from a real inbox event of the flow; a run without an event uses it', async () => {
  const typed = await adminCall(url, operator, 'POST', '/admin/api/flows/invoice-links/test-sample', { origin: 'typed', event: shippedSample });
  expect(typed).toMatchObject({ status: 200, json: { origin: 'typed', label: 'typed in', updatedBy: 'operator:operator' } });
  // a real trigger of the flow: M3 publishes a new invoice through ION (Sync.Invoice)
  const invoice = await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10002', amount: '19.99' } });
  const listed = await eventually(async () => {
    const samples = (await adminCall(url, operator, 'GET', '/admin/api/flows/invoice-links/test-samples')).json as unknown as TestSamples;
    return samples.inbox.find((e) => e.kind === 'Sync.Invoice');
  }, 30_000, 'the Sync.Invoice in the inbox');
  const pinned = await adminCall(url, operator, 'POST', '/admin/api/flows/invoice-links/test-sample', { origin: 'inbox', inboxId: listed.id });
  expect(pinned.status).toBe(200);
  const sample = pinned.json as unknown as TestSample;
  // the BOD as the flow's trigger maps it: the event its run starts with
  expect(sample).toMatchObject({ origin: 'inbox', inboxId: listed.id, event: { ivno: String(invoice.ivno), cuno: 'C10002', totalAmount: '19.99', source: 'ion' } });
  expect(((await adminCall(url, viewer, 'GET', '/admin/api/flows/invoice-links/test-samples')).json as unknown as TestSamples).saved).toMatchObject({ origin: 'inbox', label: sample.label });
  const ran = await run(operator, 'invoice-links', { source: flowFile('invoice-links') });
  expect(ran).toMatchObject({ status: 200, json: { outcome: 'done' } });
  expect((ran.json as unknown as TestRunResult).trace.find((s) => s.stepId === 'invoice')).toMatchObject({ output: { found: true, openAmount: '19.99' } });
  // another flow's inbox row is not this flow's to pin
  expect((await adminCall(url, operator, 'POST', '/admin/api/flows/refund/test-sample', { origin: 'inbox', inboxId: listed.id })).json).toMatchObject({ code: 'FLOW_TEST_INBOX_EVENT_MISSING' });
});

it('runs one test of a flow at a time and answers within the time limit with the steps so far', async () => {
  await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 2500, pathPattern: '/M3/' } });
  try {
    const source = flowFile('invoice-links');
    const slow = run(operator, 'invoice-links', { source, event: shippedSample, timeLimitMs: 1000 });
    // the second asks once the first holds the flow's lock (a session advisory lock of this database)
    await eventually(async () => {
      const { rows } = await stack.gateway.services.db.raw<{ rows: Array<{ held: boolean }> }>(
        `select exists (select 1 from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
           and ((classid::bigint << 32) | objid::bigint) = hashtextextended('flow-test-run:invoice-links', 0)) as held`,
      );
      return rows[0]!.held;
    }, 5000, 'the first run holding the lock');
    const second = await run(operator, 'invoice-links', { source, event: shippedSample, timeLimitMs: 1000 });
    expect(second).toMatchObject({ status: 409, json: { code: 'FLOW_TEST_RUN_BUSY' } });
    const first = await slow;
    expect(first.status).toBe(200);
    const result = first.json as unknown as TestRunResult;
    expect(result).toMatchObject({ outcome: 'timeout', timeLimitMs: 1000, error: { code: 'FLOW_TEST_RUN_TIMEOUT' } });
    expect(result.ms).toBeLessThan(2500);
    // the steps before the M3 read at most (on a busy machine even the first may not have ended)
    expect(['linked'].slice(0, result.trace.length)).toEqual(result.trace.map((s) => s.stepId));
  } finally {
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 0, pathPattern: '' } });
  }
  // once the slow run has ended (rolled back), the flow can be tested again
  const again = await eventually(async () => {
    const r = await run(operator, 'invoice-links', { source: flowFile('invoice-links'), event: shippedSample });
    return r.status === 200 ? r : undefined;
  }, 15_000, 'the lock released');
  expect((again.json as unknown as TestRunResult).outcome).toBe('done');
});

it('shows the M3 error text on the step that failed, and what did not run is not in the trace', async () => {
  const orderId = 'WEB-TR-1';
  const sale = await storefrontPayTraceClient(stack.paytrace.url).saleKeyed({ amount: '25.00', card: TEST_VISA, invoiceId: orderId });
  const event = { type: 'order.paid', data: { orderId, paytraceTransactionId: String(sale.transactionId), amount: '25.00', currency: 'USD', customer: { storefrontId: 'shop-tr', name: 'Test Run', email: 'tr@example.com', address: { lines: ['1 Main St'], city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' } }, lines: [{ sku: 'ITM1000', quantity: '1', unitPrice: '25.00' }] } };
  await simJson(stack.infor.url, '/_sim/m3/setup', { method: 'PUT', body: { glInterfaces: ['OTHER'] } });
  try {
    const result = (await run(operator, 'ecommerce-sale', { source: flowFile('ecommerce-sale'), event })).json as unknown as TestRunResult;
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'M3_NOK' } });
    const gl = result.trace.find((s) => s.stepId === 'gl')!;
    expect(gl).toMatchObject({ outcome: 'failed', error: { code: 'M3_NOK' } });
    expect(gl.error!.message).toBe('GLS840MI/AddBatchHead: Interface is invalid'); // M3's own words
    expect(gl.error!.said).toEqual({ m3Code: 'XIM0002', field: 'INTN' }); // and its message id and field
    expect(result.trace.find((s) => s.stepId === 'order')).toMatchObject({ outcome: 'succeeded' });
    expect(result.trace.some((s) => s.stepId === 'bod' || s.stepId === 'event')).toBe(false);
  } finally {
    await simJson(stack.infor.url, '/_sim/m3/setup', { method: 'PUT', body: { glInterfaces: ['PAYTRACE'] } });
  }
});

const history = (who: SignedIn | undefined, id: string) => adminCall(url, who, 'GET', `/admin/api/flows/${id}/test-runs`);
const keptRun = (who: SignedIn, id: string, runId: string) => adminCall(url, who, 'GET', `/admin/api/flows/${id}/test-runs/${encodeURIComponent(runId)}`);
const lastRun = async (who: SignedIn, id: string) => ((await adminCall(url, who, 'GET', `/admin/api/flows/${id}/test-samples`)).json as unknown as TestSamples).lastRun;

it('keeps the last run of a flow on the server — who, when, the definition, the sample, the result — for viewers too', async () => {
  const draft = flowFile('invoice-links').replace('currencies: [USD]', 'currencies: []');
  const res = await run(operator, 'invoice-links', { source: draft, event: shippedSample });
  expect(res.status).toBe(200);
  const answered = res.json as unknown as TestRunResult;
  expect(answered.outcome).toBe('done');
  for (const who of [operator, viewer]) {
    const kept = await lastRun(who, 'invoice-links');
    expect(kept).toMatchObject({ runId: answered.runId, state: 'ended', ranBy: 'operator:operator', source: draft, sourceSha256: createHash('sha256').update(draft).digest('hex'), event: shippedSample, stepsRan: answered.trace.length, cancelRequestedBy: null });
    // the kept result is the answer the run gave, step for step
    expect(kept!.result).toEqual(answered);
    expect(Date.parse(kept!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(kept!.startedAt));
  }
  // a new run is the last one now; the one before is kept too, in the flow's history
  const again = (await run(operator, 'invoice-links', { source: flowFile('invoice-links'), event: shippedSample })).json as unknown as TestRunResult;
  expect((await lastRun(viewer, 'invoice-links'))).toMatchObject({ runId: again.runId, source: flowFile('invoice-links') });
  const runs = ((await history(viewer, 'invoice-links')).json as unknown as TestRunHistory).runs;
  expect(runs.slice(0, 2)).toMatchObject([
    // the published definition ran; the flow has no saved draft
    { runId: again.runId, state: 'ended', outcome: 'done', ranBy: 'operator:operator', sameAsPublished: true, sameAsDraft: null },
    { runId: answered.runId, state: 'ended', outcome: 'done', sourceSha256: createHash('sha256').update(draft).digest('hex'), sameAsPublished: false, sameAsDraft: null },
  ]);
});

it('keeps no card data and no unbounded output: what a step made card-like is replaced, a big output cut with a marker', async () => {
  // a draft whose map step makes a card number at run time (the request itself carries none) and 20 000 characters
  const draft = [
    'version: 1', 'id: customer-sync', 'name: kept-result bounds', 'triggers:', '  - type: m3-invoice-pull', 'steps:',
    '  - id: made', '    type: map', '    input:', `      pan: '"4111" & "111111111111"'`, `      note: '"card " & "4111" & "111111111111"'`, `      small: '"ok"'`,
    '  - id: big', '    type: map', '    input:', `      text: '$pad("", 20000, "x")'`,
  ].join('\n');
  const res = await run(operator, 'customer-sync', { source: draft, event: { ivno: '1' } });
  expect(res.status).toBe(200);
  const result = res.json as unknown as TestRunResult;
  expect(result).toMatchObject({ outcome: 'done', redacted: true, truncated: true });
  const made = result.trace.find((t) => t.stepId === 'made')!;
  // a card field's value goes; a text holding a card number is replaced by a marker
  expect(made.output).toEqual({ pan: null, note: '[removed: looked like card data]', small: 'ok' });
  expect(made.input).toEqual(made.output);
  // 20 000 x's and the JSON around them: the input cut here (over 8 KB), the output by the runner's trace (over 20 000), each with its size and a preview
  const big = result.trace.find((t) => t.stepId === 'big')!;
  for (const [value, previewMax] of [[big.input, 1000], [big.output, 2000]] as const) {
    const cutValue = value as TruncatedValue;
    expect(cutValue).toMatchObject({ truncated: true, bytes: 20_011 });
    expect(cutValue.preview).toMatch(/^\{"text":"x{900,}/);
    expect(cutValue.preview.length).toBeLessThanOrEqual(previewMax);
  }
  const row = await stack.gateway.services.db('flow_test_runs').where({ flow_id: 'customer-sync', run_id: result.runId }).first<{ result: unknown; event: unknown }>();
  const stored = JSON.stringify(row);
  expect(stored).not.toContain('4111111111111111');
  expect(stored.length).toBeLessThan(12_000);
  expect(row!.result).toEqual(result);
});

it('keeps the last 20 test runs of a flow, newest first: the 21st drops the oldest; one is fetched whole, card data scrubbed; a bad id is a 400, an unknown one a 404', async () => {
  // map steps only (no simulator call: 21 runs are quick), one of them making a card number at run time
  const draft = (n: number) => [
    'version: 1', 'id: customer-sync', `name: history ${n}`, 'triggers:', '  - type: m3-invoice-pull', 'steps:',
    '  - id: made', '    type: map', '    input:', `      pan: '"4111" & "111111111111"'`, `      n: '${n}'`,
  ].join('\n');
  // the flow's saved draft is the 21st run's definition
  const admin = await signInThroughInforOs(url, 'admin');
  expect((await adminCall(url, admin, 'POST', '/admin/api/flows/customer-sync/draft', { source: draft(21) })).status).toBe(200);
  const ids: string[] = [];
  for (let n = 1; n <= 21; n++) {
    const res = await run(operator, 'customer-sync', { source: draft(n), event: { ivno: String(n) } });
    expect(res).toMatchObject({ status: 200, json: { outcome: 'done', redacted: true } });
    ids.push((res.json as unknown as TestRunResult).runId!);
    if (n === 20) {
      // 20 kept: the runs of this flow before them (the test above) are gone, the first of these is there
      expect(((await history(viewer, 'customer-sync')).json as unknown as TestRunHistory).runs.map((r) => r.runId)).toEqual([...ids].reverse());
      expect((await keptRun(viewer, 'customer-sync', ids[0]!)).status).toBe(200);
    }
  }
  const listed = await history(viewer, 'customer-sync');
  expect(listed.status).toBe(200);
  const { runs, keep } = listed.json as unknown as TestRunHistory;
  expect(keep).toBe(20);
  // the 21st run dropped the oldest: newest first, the last 20
  expect(runs.map((r) => r.runId)).toEqual(ids.slice(1).reverse());
  expect(await stack.gateway.services.db('flow_test_runs').where({ flow_id: 'customer-sync' }).count<Array<{ count: string }>>('* as count')).toEqual([{ count: '20' }]);
  expect(runs.map((r) => Date.parse(r.startedAt))).toEqual(runs.map((r) => Date.parse(r.startedAt)).sort((a, b) => b - a));
  expect(runs[0]).toEqual({
    runId: ids[20], state: 'ended', outcome: 'done', ranBy: 'operator:operator', startedAt: expect.any(String), endedAt: expect.any(String), sampleLabel: 'sent with the run', stepsRan: 1,
    sourceSha256: createHash('sha256').update(draft(21)).digest('hex'), sameAsDraft: true, sameAsPublished: false,
  });
  expect(runs.slice(1).every((r) => r.sameAsDraft === false && r.sameAsPublished === false)).toBe(true);
  const gone = await keptRun(viewer, 'customer-sync', ids[0]!);
  expect(gone).toMatchObject({ status: 404, json: { code: 'FLOW_TEST_RUN_NOT_FOUND' } });

  // one run, whole (a viewer too): its definition, sample and per-step result — no card data
  const one = await keptRun(viewer, 'customer-sync', ids[5]!);
  expect(one.status).toBe(200);
  const kept = one.json as unknown as KeptTestRun;
  expect(kept).toMatchObject({ runId: ids[5], state: 'ended', source: draft(6), event: { ivno: '6' }, result: { runId: ids[5], outcome: 'done', redacted: true } });
  expect(kept.result!.trace).toMatchObject([{ stepId: 'made', output: { pan: null, n: 6 } }]);
  for (const answer of [listed, one]) expect(JSON.stringify(answer.json)).not.toContain('4111111111111111');

  // a bad id is a 400 with the field named; a run of another flow, or none, a 404; never a 500
  for (const bad of ['not-a-run', '123', `${ids[5]!}x`, "' or 1=1 --"]) {
    const res = await keptRun(viewer, 'customer-sync', bad);
    expect({ bad, status: res.status, code: res.json.code }).toEqual({ bad, status: 400, code: 'ADMIN_BAD_REQUEST' });
  }
  expect((await adminCall(url, viewer, 'GET', `/admin/api/flows/Not_A_Flow/test-runs/${ids[5]!}`)).status).toBe(400);
  expect((await history(viewer, 'Not_A_Flow')).json).toMatchObject({ code: 'ADMIN_BAD_REQUEST' });
  expect(await keptRun(viewer, 'customer-sync', randomUUID())).toMatchObject({ status: 404, json: { code: 'FLOW_TEST_RUN_NOT_FOUND' } });
  expect(await keptRun(viewer, 'invoice-links', ids[5]!)).toMatchObject({ status: 404, json: { code: 'FLOW_TEST_RUN_NOT_FOUND' } });
  expect(await history(viewer, 'no-such-flow')).toMatchObject({ status: 200, json: { runs: [] } });
  // signed-in users only
  expect((await history(undefined, 'customer-sync')).status).toBe(401);
});

it('cancels a running test between steps, from another gateway of the database: the step in flight ends, the rest never runs, the flow can be tested again at once', async () => {
  const source = flowFile('invoice-links');
  // the run goes on this gateway; the second one (same database) is where the operator cancels
  const other = (await stack.startAnotherGateway()).url;
  // where the customer read is in a run (the steps before it)
  const order = ((await run(operator, 'invoice-links', { source, event: shippedSample })).json as unknown as TestRunResult).trace.map((t) => t.stepId);
  const before = order.indexOf('customer');
  expect(before).toBeGreaterThan(0);
  expect(await adminCall(other, operator, 'POST', '/admin/api/flows/invoice-links/test-run/cancel', {})).toMatchObject({ status: 409, json: { code: 'FLOW_TEST_RUN_NOT_RUNNING' } });
  // a run left running by a gateway that stopped mid-run (its lock went with its connection): interrupted, not cancellable
  const dead = randomUUID();
  await stack.gateway.services.db('flow_test_runs').insert({
    flow_id: 'invoice-links', run_id: dead, state: 'running', ran_by: 'operator:gone', started_at: new Date(), source, source_sha256: createHash('sha256').update(source).digest('hex'), event: JSON.stringify(shippedSample), steps_ran: 1,
  });
  expect(((await history(viewer, 'invoice-links')).json as unknown as TestRunHistory).runs[0]).toMatchObject({ runId: dead, state: 'interrupted', outcome: null });
  expect(await adminCall(other, operator, 'POST', '/admin/api/flows/invoice-links/test-run/cancel', {})).toMatchObject({ status: 409, json: { code: 'FLOW_TEST_RUN_NOT_RUNNING' } });
  await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 3000, pathPattern: '/M3/' } });
  try {
    const slow = run(operator, 'invoice-links', { source, event: shippedSample, timeLimitMs: 120_000 });
    // the run is in the customer read (it wrote how many steps ran before it starts that step)
    const running = await eventually(async () => {
      const r = await lastRun(viewer, 'invoice-links');
      return r?.state === 'running' && r.stepsRan === before ? r : undefined;
    }, 30_000, 'the run at the customer read');
    expect(running.ranBy).toBe('operator:operator');
    // the next run marked the one left running interrupted: one running run of the flow, the newest, with its past runs ended
    const runs = ((await history(viewer, 'invoice-links')).json as unknown as TestRunHistory).runs;
    expect(runs.slice(0, 2)).toMatchObject([{ runId: running.runId, state: 'running', outcome: null }, { runId: dead, state: 'interrupted' }]);
    expect(runs.slice(2).every((r) => r.state === 'ended')).toBe(true);
    expect(await stack.gateway.services.db('flow_test_runs').where({ run_id: dead }).first()).toMatchObject({ state: 'interrupted' });
    // one run per flow on every gateway: the other one refuses a second
    expect(await adminCall(other, operator, 'POST', '/admin/api/flows/invoice-links/test-run', { source, event: shippedSample })).toMatchObject({ status: 409, json: { code: 'FLOW_TEST_RUN_BUSY' } });
    expect(await adminCall(other, viewer, 'POST', '/admin/api/flows/invoice-links/test-run/cancel', {})).toMatchObject({ status: 403, json: { code: 'ADMIN_FORBIDDEN' } });
    // a Cancel that names a run stops that run only: the interrupted one is not running, a bad id is refused
    expect(await adminCall(other, operator, 'POST', '/admin/api/flows/invoice-links/test-run/cancel', { runId: dead })).toMatchObject({ status: 409, json: { code: 'FLOW_TEST_RUN_NOT_RUNNING' } });
    expect(await adminCall(other, operator, 'POST', '/admin/api/flows/invoice-links/test-run/cancel', { runId: 'not-a-run' })).toMatchObject({ status: 400, json: { code: 'ADMIN_BAD_REQUEST' } });
    expect(await adminCall(other, operator, 'POST', '/admin/api/flows/invoice-links/test-run/cancel', { runId: running.runId, more: 1 })).toMatchObject({ status: 400 });
    const cancel = await adminCall(other, operator, 'POST', '/admin/api/flows/invoice-links/test-run/cancel', { runId: running.runId });
    expect(cancel.status).toBe(200);
    expect(cancel.json as unknown as TestRunCancelAnswer).toMatchObject({ runId: running.runId, cancelRequestedBy: 'operator:operator' });
    const answer = await slow;
    expect(answer.status).toBe(200);
    const result = answer.json as unknown as TestRunResult;
    expect(result).toMatchObject({ outcome: 'cancelled', runId: running.runId, error: { code: 'FLOW_TEST_RUN_CANCELLED' } });
    expect(result.error!.message).toContain('cancelled by operator:operator before step qualify');
    // the M3 call in flight was not cut: the customer read ended; nothing after it ran
    expect(result.trace.map((t) => t.stepId)).toEqual(order.slice(0, before + 1));
    expect(result.trace.at(-1)).toMatchObject({ stepId: 'customer', outcome: 'succeeded' });
    expect(result.ms).toBeLessThan(60_000);
    expect(await lastRun(viewer, 'invoice-links')).toMatchObject({ state: 'ended', runId: running.runId, cancelRequestedBy: 'operator:operator', result: { outcome: 'cancelled' } });
    // the cancel asked the running run only
    expect((await keptRun(viewer, 'invoice-links', dead)).json).toMatchObject({ state: 'interrupted', cancelRequestedBy: null });
  } finally {
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 0, pathPattern: '' } });
  }
  // the lock went with the run's end: a new run starts at once, no waiting
  expect((await run(operator, 'invoice-links', { source, event: shippedSample })).json).toMatchObject({ outcome: 'done' });
});
