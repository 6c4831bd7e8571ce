import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../errors';
import { cardCheckKey, findCardData } from '../http/middleware/refuse-card-data';
import { isBigintId, isUuid } from '../http/ids';
import type { GatewayServices } from '../kernel/services';
import { advisoryLockHeld, takeAdvisoryLock } from '../pipeline/advisory-lock';
import type { CompiledFlow } from '../pipeline/definitions/compile';
import { getInbox } from '../pipeline/inbox';
import type { Pipeline } from '../pipeline/pipeline';
import type { StepTrace } from '../pipeline/runner';
import { flowIdParam as flowId, parseAdminInput as parse, type AdminEndpoint } from './endpoint';
import type { InboxEventSummary, KeptTestRun, LastTestRun, SampleOrigin, ShippedSample, TestRunCancelAnswer, TestRunHistory, TestRunResult, TestRunSummary, TestSample, TestSamples, TruncatedValue } from './flow-test-run-types';
import { actorOf } from './guard';
import { hasRole } from './roles';

/**
 * Test runs of a draft from the flow builder: the sample event a flow is tried with (typed in,
 * a shipped sample, or a past real trigger pinned from the inbox — kept per flow so it survives
 * reloads), and the run itself: the definition on the canvas, compiled by the kernel's compiler,
 * run by the kernel's `testRun` against the sandbox simulators, everything it writes to our
 * database rolled back. One run per flow at a time (cluster-wide), within a time limit. The last
 * 20 runs of each flow are kept (table flow_test_runs: who, when, the definition, the sample, the
 * bounded result) so a reload draws the newest again and any of them can be looked at, and a
 * running one can be cancelled from any gateway: the run looks at its row between steps and stops there.
 */

/** a sample is an event, not a document: 64 KB of JSON is far more than any trigger carries */
const MAX_SAMPLE_BYTES = 64 * 1024;
const DEFAULT_TIME_LIMIT_MS = 60_000;
const event = z.unknown().refine((v) => v !== undefined, 'an event is required').refine((v) => JSON.stringify(v ?? null).length <= MAX_SAMPLE_BYTES, `at most ${MAX_SAMPLE_BYTES} bytes of JSON`);
const sampleInput = z.discriminatedUnion('origin', [
  z.object({ origin: z.enum(['typed', 'shipped']), label: z.string().trim().min(1).max(200).optional(), event }).strict(),
  z.object({ origin: z.literal('inbox'), inboxId: z.union([z.string(), z.number().int().positive()]).transform(String).refine(isBigintId, 'not an inbox id'), source: z.string().min(1).max(256 * 1024).optional() }).strict(),
]);
const runInput = z
  .object({
    source: z.string().min(1).max(256 * 1024),
    event: event.optional(),
    timeLimitMs: z.number().int().min(1000).max(120_000).optional(),
  })
  .strict();
const runIdParam = z.string().refine(isUuid, 'not a test run id');
/** a Cancel may name the run it means (the panel following a run does): another run is not stopped */
const cancelInput = z.object({ runId: runIdParam.optional() }).strict();

/** how many test runs of a flow are kept: the oldest goes when a new one starts */
export const KEPT_TEST_RUNS = 20;

function pipelineOf(services: GatewayServices): Pipeline {
  if (!services.pipeline) throw new AppError('the flows module is not running', { code: 'FLOWS_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
  return services.pipeline;
}

/**
 * Card data never becomes a sample. A typed body with a card number is refused before any route
 * (refuseCardData); this check is for what did not come in a request body — an inbox row (kept
 * masked, but checked, not trusted) and the event mapped from it.
 */
function refuseCardData(value: unknown, what: string): void {
  const where = findCardData(value, what);
  if (where) {
    throw new AppError(`${what} holds what looks like a card number or security code (at ${where}): it cannot be a test sample`, {
      code: 'FLOW_TEST_SAMPLE_CARD_DATA', errorClass: 'business', httpStatus: 422, details: { fieldErrors: [{ field: where, message: 'card number or security code' }] },
    });
  }
}

interface SampleRow {
  flow_id: string;
  origin: SampleOrigin;
  label: string;
  inbox_id: string | null;
  event: unknown;
  updated_by: string;
  updated_at: Date;
}

const sampleView = (row: SampleRow): TestSample => ({ origin: row.origin, label: row.label, event: row.event, inboxId: row.inbox_id, updatedBy: row.updated_by, updatedAt: new Date(row.updated_at).toISOString() });

async function savedSample(db: Knex, id: string): Promise<TestSample | null> {
  const row = await db<SampleRow>('flow_test_samples').where({ flow_id: id }).first();
  return row ? sampleView(row) : null;
}

async function storeSample(db: Knex, id: string, sample: { origin: SampleOrigin; label: string; event: unknown; inboxId?: string }, actor: string): Promise<TestSample> {
  const row = { flow_id: id, origin: sample.origin, label: sample.label, inbox_id: sample.inboxId ?? null, event: JSON.stringify(sample.event ?? null), updated_by: actor, updated_at: db.fn.now() };
  const [stored] = await db<SampleRow>('flow_test_samples').insert(row).onConflict('flow_id').merge().returning('*');
  return sampleView(stored!);
}

/** The sample files shipped for a flow: `<rules dir>/flows/samples/<flow>.json` and `<flow>.<anything>.json`. */
async function shippedSamples(rulesDir: string, id: string): Promise<ShippedSample[]> {
  const dir = path.join(rulesDir, 'flows', 'samples');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n === `${id}.json` || (n.startsWith(`${id}.`) && n.endsWith('.json'))).sort();
  } catch {
    return [];
  }
  const out: ShippedSample[] = [];
  for (const name of names) {
    try {
      const parsed: unknown = JSON.parse(await readFile(path.join(dir, name), 'utf8'));
      if (!findCardData(parsed)) out.push({ id: `file:${name}`, label: `${name} (mappings/flows/samples)`, event: parsed });
    } catch {
      // a broken sample file is left out, not a failed page: `npm run flows -- dry-run` names its problem
    }
  }
  return out;
}

async function inboxEvents(db: Knex, id: string): Promise<InboxEventSummary[]> {
  const rows = await db('inbox').where({ flow_id: id }).orderBy('id', 'desc').limit(20).select<Array<{ id: string; kind: string; source: string; status: string; received_at: Date }>>('id', 'kind', 'source', 'status', 'received_at');
  return rows.map((r) => ({ id: String(r.id), kind: r.kind, source: r.source, status: r.status, receivedAt: new Date(r.received_at).toISOString() }));
}

/** The definition to map a pinned trigger with: the canvas's when it compiles, else the published one. */
function flowForPin(pipeline: Pipeline, id: string, source: string | undefined): CompiledFlow | undefined {
  const fromCanvas = source ? pipeline.flows.compile(`${id}.yaml`, source).flow : undefined;
  return fromCanvas?.id === id ? fromCanvas : pipeline.flows.published(id)?.flow;
}

/** A past real trigger of the flow as the event its run starts with (a BOD mapped by the flow's trigger). */
async function pinFromInbox(services: GatewayServices, id: string, inboxId: string, source: string | undefined): Promise<{ event: unknown; label: string }> {
  const pipeline = pipelineOf(services);
  const row = await getInbox(services.db, inboxId);
  if (!row || row.flow_id !== id) throw new AppError(`flow ${id} has no inbox event ${inboxId}`, { code: 'FLOW_TEST_INBOX_EVENT_MISSING', errorClass: 'business', httpStatus: 404 });
  refuseCardData(row.payload, `inbox event ${inboxId}`);
  const flow = flowForPin(pipeline, id, source);
  if (!flow) throw new AppError(`flow ${id} is neither published nor valid on the canvas: its trigger cannot map inbox event ${inboxId}`, { code: 'FLOW_TEST_INBOX_EVENT_MISSING', errorClass: 'business', httpStatus: 404 });
  let events: unknown[];
  try {
    events = await pipeline.deps.triggers.eventsOf(row, flow, pipeline.rules.current.rules);
  } catch (err) {
    throw new AppError(`inbox event ${inboxId} does not map to an event of this flow: ${err instanceof Error ? err.message : String(err)}`, { code: 'FLOW_TEST_INBOX_EVENT_MISSING', errorClass: 'business', httpStatus: 422, cause: err });
  }
  const first = events[0];
  if (first === undefined) throw new AppError(`inbox event ${inboxId} carries no event for this flow`, { code: 'FLOW_TEST_INBOX_EVENT_MISSING', errorClass: 'business', httpStatus: 422 });
  refuseCardData(first, `the event of inbox row ${inboxId}`);
  return { event: first, label: `inbox #${inboxId} (${row.kind}, ${new Date(row.received_at).toISOString()})` };
}

const testRunLockKey = (id: string) => `flow-test-run:${id}`;

/**
 * One run per flow at a time, on every gateway of the database: a session advisory lock on a
 * connection of its own, held until the run has really ended (also after the caller stopped
 * waiting for it), so a second run never overlaps a slow first one.
 */
function lockFlow(db: Knex, id: string): Promise<(() => Promise<void>) | undefined> {
  return takeAdvisoryLock(db, testRunLockKey(id));
}

/** an input or output kept beyond this (as JSON) is cut to a preview with a marker */
const MAX_KEPT_VALUE_BYTES = 8 * 1024;
/** the kept result as a whole; beyond it every input and output is cut to a short preview */
const MAX_KEPT_RESULT_BYTES = 256 * 1024;
const CARD_DATA_REMOVED = '[removed: looked like card data]';
/** a running test run looks for a Cancel (in its row) at most this often, between steps */
const CANCEL_LOOK_MS = 100;

/**
 * `value` with everything the card-data check of every request (findCardData: Luhn-valid card
 * numbers, CSC/track/card fields) would refuse replaced: a text with a card number by a marker, a
 * card field's value by null. What the steps made and the simulators answered in a test run is
 * not a request body, and is kept (and answered) only through this.
 */
function withoutCardData(value: unknown, parentKey = ''): { value: unknown; removed: boolean } {
  if (!findCardData(value, '', parentKey)) return { value, removed: false };
  if (value === null || typeof value !== 'object') return { value: CARD_DATA_REMOVED, removed: true };
  if (Array.isArray(value)) return { value: value.map((v) => withoutCardData(v, parentKey).value), removed: true };
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const where = findCardData({ [key]: child }, '', parentKey);
    // the key itself is a card field (pan, cvv, track2, card.number…): its value goes (null: a
    // card field with any value is card data to the check, the marker too)
    const cardField = where === key && findCardData({ [key]: 'x' }, '', parentKey) === key;
    out[key] = where === undefined ? child : cardField ? null : withoutCardData(child, cardCheckKey(key)).value;
  }
  return { value: out, removed: true };
}

function cut(value: unknown, max: number, previewChars: number): { value: unknown; cut: boolean } {
  if (value === undefined) return { value, cut: false };
  const json = JSON.stringify(value) ?? 'null';
  const bytes = Buffer.byteLength(json);
  if (bytes <= max) return { value, cut: false };
  const truncated: TruncatedValue = { truncated: true, bytes, preview: json.slice(0, previewChars) };
  return { value: truncated, cut: true };
}

/** The result as it is kept and answered: no card data, every input and output bounded. */
export function keptResult(result: TestRunResult): TestRunResult {
  const clean = withoutCardData(result);
  let kept = clean.value as TestRunResult;
  let truncated = false;
  const bound = (max: number, preview: number) => ({
    ...kept,
    ...(kept.error ? { error: { ...kept.error, message: kept.error.message.slice(0, 2000) } } : {}),
    trace: kept.trace.map((t) => {
      const input = cut(t.input, max, preview);
      const output = cut(t.output, max, preview);
      truncated ||= input.cut || output.cut;
      return { ...t, ...(t.input !== undefined ? { input: input.value } : {}), ...(t.output !== undefined ? { output: output.value } : {}), ...(t.error ? { error: { ...t.error, message: t.error.message.slice(0, 2000) } } : {}) };
    }),
  });
  kept = bound(MAX_KEPT_VALUE_BYTES, 1000);
  if (Buffer.byteLength(JSON.stringify(kept)) > MAX_KEPT_RESULT_BYTES) kept = bound(256, 200);
  // cutting never makes card data, but a preview is checked like the rest: nothing card-like is kept
  if (findCardData(kept)) kept = { ...kept, trace: kept.trace.map(({ input: _i, output: _o, ...t }) => t) };
  return { ...kept, ...(truncated ? { truncated: true } : {}), ...(clean.removed ? { redacted: true } : {}) };
}

interface RunRow {
  flow_id: string;
  run_id: string;
  /** interrupted: left running by a gateway that stopped, marked when the flow's next run started */
  state: 'running' | 'ended' | 'interrupted';
  ran_by: string;
  started_at: Date;
  ended_at: Date | null;
  source: string;
  source_sha256: string;
  sample_label: string | null;
  event: unknown;
  result: TestRunResult | null;
  steps_ran: number;
  cancel_requested_at: Date | null;
  cancel_requested_by: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** Whether a test run of the flow holds its lock now, on any gateway of the database. */
function lockHeld(db: Knex, id: string): Promise<boolean> {
  return advisoryLockHeld(db, testRunLockKey(id));
}

/** running as stored: its lock held now (else the gateway running it stopped: interrupted) */
async function liveState(db: Knex, id: string, state: RunRow['state']): Promise<LastTestRun['state']> {
  return state === 'running' ? ((await lockHeld(db, id)) ? 'running' : 'interrupted') : state;
}

async function runView(db: Knex, row: RunRow): Promise<KeptTestRun> {
  return {
    runId: row.run_id, state: await liveState(db, row.flow_id, row.state), ranBy: row.ran_by, startedAt: iso(row.started_at)!, endedAt: iso(row.ended_at), source: row.source, sourceSha256: row.source_sha256,
    event: row.event, sampleLabel: row.sample_label, stepsRan: row.steps_ran, cancelRequestedBy: row.cancel_requested_by, cancelRequestedAt: iso(row.cancel_requested_at), result: row.result,
  };
}

/** the flow's runs, newest first (started_at; the run id orders two of the same millisecond) */
const newestFirst = (q: Knex.QueryBuilder) => q.orderBy([{ column: 'started_at', order: 'desc' }, { column: 'run_id', order: 'desc' }]);

/** The flow's newest test run (what a reload draws again). */
async function lastRun(db: Knex, id: string): Promise<LastTestRun | null> {
  const row = (await newestFirst(db<RunRow>('flow_test_runs').where({ flow_id: id })).first()) as RunRow | undefined;
  return row ? runView(db, row) : null;
}

/** One kept test run of the flow, whole; FLOW_TEST_RUN_NOT_FOUND (404) when the flow has no run of that id (any more). */
async function keptRun(db: Knex, id: string, runId: string): Promise<KeptTestRun> {
  const row = await db<RunRow>('flow_test_runs').where({ flow_id: id, run_id: runId }).first();
  if (!row) throw new AppError(`flow ${id} has no kept test run ${runId} (it keeps its last ${KEPT_TEST_RUNS})`, { code: 'FLOW_TEST_RUN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
  return runView(db, row as RunRow);
}

/**
 * The flow's kept test runs, newest first, without their definition, event and result (the
 * outcome only): what the "Past runs" list shows. Whether each ran the flow's saved draft or its
 * published definition is the SHA-256 of what ran against that of those sources now.
 */
async function runHistory(db: Knex, id: string): Promise<TestRunHistory> {
  const rows = await newestFirst(
    db('flow_test_runs as r')
      .where('r.flow_id', id)
      .select(
        'r.run_id', 'r.state', 'r.ran_by', 'r.started_at', 'r.ended_at', 'r.sample_label', 'r.steps_ran', 'r.source_sha256',
        db.raw(`r.result->>'outcome' as outcome`),
        db.raw(`(select encode(sha256(convert_to(v.source, 'UTF8')), 'hex') = r.source_sha256 from flow_versions v where v.flow_id = r.flow_id and v.status = 'draft' order by v.version desc limit 1) as same_as_draft`),
        db.raw(`(select encode(sha256(convert_to(v.source, 'UTF8')), 'hex') = r.source_sha256 from flow_versions v where v.flow_id = r.flow_id and v.status = 'published') as same_as_published`),
      ),
  ) as Array<Pick<RunRow, 'run_id' | 'state' | 'ran_by' | 'started_at' | 'ended_at' | 'sample_label' | 'steps_ran' | 'source_sha256'> & { outcome: TestRunResult['outcome'] | null; same_as_draft: boolean | null; same_as_published: boolean | null }>;
  // at most one row of a flow is running (flow_test_runs_one_running): one look at its lock
  const running = rows.some((r) => r.state === 'running') ? await liveState(db, id, 'running') : undefined;
  const runs = rows.map((r): TestRunSummary => ({
    runId: r.run_id, state: r.state === 'running' ? running! : r.state, outcome: r.state === 'ended' ? r.outcome : null, ranBy: r.ran_by, startedAt: iso(r.started_at)!, endedAt: iso(r.ended_at),
    sampleLabel: r.sample_label, stepsRan: r.steps_ran, sourceSha256: r.source_sha256, sameAsDraft: r.same_as_draft, sameAsPublished: r.same_as_published,
  }));
  return { runs, keep: KEPT_TEST_RUNS };
}

export async function testRunDraft(services: GatewayServices, id: string, input: { source: string; event?: unknown; timeLimitMs?: number }, actor = 'system'): Promise<TestRunResult> {
  const pipeline = pipelineOf(services);
  // a test run really calls the connected systems: with real M3 and PayTrace it would move money
  if (services.config.mode !== 'sandbox') {
    throw new AppError('test runs call the systems the gateway is connected to: they run in sandbox mode only (the simulators), never against a real M3 or PayTrace', { code: 'FLOW_TEST_RUN_SANDBOX_ONLY', errorClass: 'business', httpStatus: 409 });
  }
  const { flow, problems } = pipeline.flows.compile(`${id}.yaml`, input.source);
  if (!flow) {
    const errors = problems.filter((p) => p.severity !== 'warning');
    throw new AppError(`the draft does not compile, so it cannot run: ${errors.map((p) => `${p.path || p.file}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.message}`).join('; ')}`, {
      code: 'FLOW_DEFINITION_INVALID', errorClass: 'business', httpStatus: 422,
      details: { fieldErrors: errors.map((p) => ({ field: `${p.path || p.file}${p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : ''}`, message: p.message })) },
    });
  }
  if (flow.id !== id) throw new AppError(`the definition's id is "${flow.id}", not "${id}"`, { code: 'FLOW_ID_MISMATCH', errorClass: 'business', httpStatus: 422 });
  let sample = input.event;
  const saved = await savedSample(services.db, id);
  if (sample === undefined) {
    if (!saved) throw new AppError(`flow ${id} has no saved test sample: choose or type one`, { code: 'FLOW_TEST_SAMPLE_MISSING', errorClass: 'business', httpStatus: 409 });
    sample = saved.event;
  }
  refuseCardData(sample, 'the sample');
  const sampleLabel = saved && JSON.stringify(saved.event) === JSON.stringify(sample) ? saved.label : 'sent with the run';

  const release = await lockFlow(services.db, id);
  if (!release) throw new AppError(`a test run of ${id} is running already: wait for it to end, or cancel it`, { code: 'FLOW_TEST_RUN_BUSY', errorClass: 'business', httpStatus: 409 });
  const runId = randomUUID();
  const timeLimitMs = input.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  let startedAt = new Date();
  const started = performance.now();
  const trace: StepTrace[] = [];
  const db = services.db;
  const runRow = () => db<RunRow>('flow_test_runs').where({ flow_id: id, run_id: runId });
  try {
    // the run joins the flow's kept ones, and the oldest beyond 20 go, in one transaction (it holds
    // the lock: no other run of the flow writes here now, so a row still `running` was left by a
    // gateway that stopped mid-run: interrupted)
    const row = {
      flow_id: id, run_id: runId, state: 'running', ran_by: actor, ended_at: null, source: input.source, source_sha256: createHash('sha256').update(input.source).digest('hex'),
      sample_label: sampleLabel, event: JSON.stringify(sample ?? null), result: null, steps_ran: 0, cancel_requested_at: null, cancel_requested_by: null,
    };
    await db.transaction(async (trx) => {
      await trx('flow_test_runs').where({ flow_id: id, state: 'running' }).update({ state: 'interrupted' });
      // the database's clock, not this gateway's: "newest" and the pruning order agree on every gateway
      const [inserted] = await trx('flow_test_runs').insert({ ...row, started_at: trx.fn.now() }).returning<Array<{ started_at: Date }>>('started_at');
      startedAt = inserted!.started_at;
      const keep = newestFirst(trx('flow_test_runs').where({ flow_id: id }).select('run_id')).limit(KEPT_TEST_RUNS);
      await trx('flow_test_runs').where({ flow_id: id }).whereNotIn('run_id', keep).delete();
    });
  } catch (err) {
    await release();
    throw err;
  }
  let timedOut = false;
  let lastLook = -Infinity;
  /**
   * Between steps: whether the run was asked to stop (the time limit; a Cancel on any gateway: its
   * row, read with the step count written). The row is looked at before a step when 100 ms have
   * passed since the last look — always after a step that called M3 or PayTrace (those take
   * longer), not after each of a hundred map steps of a few ms (a round trip each tripled such a run).
   */
  const beforeStep = async (stepId: string, ran: number): Promise<void> => {
    if (timedOut) throw new AppError(`stopped at the time limit of ${timeLimitMs / 1000} s, before step ${stepId}`, { code: 'FLOW_TEST_RUN_TIMEOUT', errorClass: 'business' });
    if (performance.now() - lastLook < CANCEL_LOOK_MS) return;
    const [asked] = await runRow().update({ steps_ran: ran }).returning(['cancel_requested_at', 'cancel_requested_by']);
    lastLook = performance.now();
    if (asked?.cancel_requested_at) {
      throw new AppError(`cancelled by ${asked.cancel_requested_by ?? 'an operator'} before step ${stepId}: the steps shown ran, the rest did not (everything it wrote to the gateway's database is rolled back)`, { code: 'FLOW_TEST_RUN_CANCELLED', errorClass: 'business' });
    }
  };
  const answer = (outcome: TestRunResult['outcome'], steps: StepTrace[], error: TestRunResult['error']): TestRunResult =>
    keptResult({ flowId: id, runId, outcome, startedAt: startedAt.toISOString(), ms: Math.round(performance.now() - started), timeLimitMs, trace: steps, ...(error ? { error } : {}) });
  const timeoutError = { code: 'FLOW_TEST_RUN_TIMEOUT', errorClass: 'business', message: `the run took longer than the time limit of ${timeLimitMs / 1000} s; the steps shown ran before it, the rest are not reached (the run stops before its next step, rolled back)` };

  // a step is never stopped half-way (a call in flight to M3 or PayTrace is not taken back): a
  // Cancel or the time limit stop the run before its next step; the caller of a run past its time
  // limit gets the steps so far at once. The kept row gets the result when the run has really
  // ended, and only then is the lock released, so the next run finds it.
  const running = pipeline
    .testRun(flow, sample, trace, beforeStep)
    .then(async (r) => {
      const stoppedByLimit = r.error?.code === 'FLOW_TEST_RUN_TIMEOUT';
      const result = answer(stoppedByLimit ? 'timeout' : r.outcome, r.trace, stoppedByLimit ? timeoutError : r.error);
      await runRow()
        .update({ state: 'ended', ended_at: db.fn.now(), result: JSON.stringify(result) as never, steps_ran: r.trace.length })
        .catch((err: unknown) => services.logger.warn('could not keep the test run result', { err, flow: id }));
      return result;
    })
    .finally(() => release().catch((err: unknown) => services.logger.warn('could not release the test-run lock', { err, flow: id })));
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeLimitMs);
  });
  try {
    const result = await Promise.race([running, limit]);
    if (result === 'timeout') {
      timedOut = true;
      return answer('timeout', [...trace], timeoutError);
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Ask the flow's running test run to stop (it looks between steps, on whichever gateway runs it). */
async function cancelTestRun(db: Knex, id: string, actor: string, runId?: string): Promise<TestRunCancelAnswer> {
  // the flow's one running row (flow_test_runs_one_running) — the one named, when one is — and only
  // while a run holds the lock: a row left running by a gateway that stopped is not asked (it is
  // marked interrupted by the next run)
  const asked = (await lockHeld(db, id))
    ? (await db<RunRow>('flow_test_runs')
      .where({ flow_id: id, state: 'running' })
      .modify((q) => (runId ? q.where({ run_id: runId }) : q))
      .update({ cancel_requested_at: db.raw('coalesce(cancel_requested_at, now())'), cancel_requested_by: db.raw('coalesce(cancel_requested_by, ?)', [actor]) } as never)
      .returning(['run_id', 'cancel_requested_at', 'cancel_requested_by']))[0]
    : undefined;
  if (!asked) {
    throw new AppError(runId ? `test run ${runId} of ${id} is not running (any more): there is nothing to cancel` : `no test run of ${id} is running: there is nothing to cancel`, { code: 'FLOW_TEST_RUN_NOT_RUNNING', errorClass: 'business', httpStatus: 409 });
  }
  return { runId: asked.run_id, cancelRequestedBy: asked.cancel_requested_by!, cancelRequestedAt: iso(asked.cancel_requested_at)! };
}

export const FLOW_TEST_RUN_ENDPOINTS: AdminEndpoint[] = [
  {
    // viewers see the saved and shipped samples; the inbox's real events only operators (who may test)
    method: 'get', path: '/admin/api/flows/:id/test-samples', role: 'viewer',
    handler: async (req, res, s): Promise<TestSamples> => {
      const id = parse(flowId, req.params.id);
      const operator = hasRole(res.locals.adminSession?.roles ?? [], 'operator');
      return { saved: await savedSample(s.db, id), shipped: await shippedSamples(s.config.rules.dir, id), inbox: operator ? await inboxEvents(s.db, id) : [], lastRun: await lastRun(s.db, id) };
    },
  },
  {
    // the flow's kept runs, newest first: seen by whoever sees the last one (viewers too)
    method: 'get', path: '/admin/api/flows/:id/test-runs', role: 'viewer',
    handler: async (req, _res, s): Promise<TestRunHistory> => runHistory(s.db, parse(flowId, req.params.id)),
  },
  {
    method: 'get', path: '/admin/api/flows/:id/test-runs/:runId', role: 'viewer',
    handler: async (req, _res, s): Promise<KeptTestRun> => keptRun(s.db, parse(flowId, req.params.id), parse(runIdParam, req.params.runId)),
  },
  {
    method: 'post', path: '/admin/api/flows/:id/test-sample', role: 'operator',
    handler: async (req, res, s): Promise<TestSample> => {
      const id = parse(flowId, req.params.id);
      const input = parse(sampleInput, req.body);
      if (input.origin === 'inbox') {
        const pinned = await pinFromInbox(s, id, input.inboxId, input.source);
        return storeSample(s.db, id, { origin: 'inbox', label: pinned.label, event: pinned.event, inboxId: input.inboxId }, actorOf(res));
      }
      refuseCardData(input.event, 'the sample');
      return storeSample(s.db, id, { origin: input.origin, label: input.label ?? (input.origin === 'typed' ? 'typed in' : 'shipped sample'), event: input.event }, actorOf(res));
    },
  },
  {
    method: 'post', path: '/admin/api/flows/:id/test-run', role: 'operator',
    handler: async (req, res, s): Promise<TestRunResult> => testRunDraft(s, parse(flowId, req.params.id), parse(runInput, req.body), actorOf(res)),
  },
  {
    // the running test run stops before its next step; its POST answers with outcome cancelled
    method: 'post', path: '/admin/api/flows/:id/test-run/cancel', role: 'operator',
    handler: async (req, res, s): Promise<TestRunCancelAnswer> => cancelTestRun(s.db, parse(flowId, req.params.id), actorOf(res), parse(cancelInput, req.body ?? {}).runId),
  },
];
