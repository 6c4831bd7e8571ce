import type { Knex } from 'knex';
import type pg from 'pg';
import type { Rules } from '../domain/rules-loader';
import { AppError, errorClassOf } from '../errors';
import { addToContext } from '../observability/context';
import type { Logger } from '../observability/logger';
import type { CompiledFlow, CompiledStep } from './definitions/compile';
import { evaluateMapping, Expression, type Bindings } from './expressions';
import { earlierPending, type InboxRow } from './inbox';
import { emitIntentOutcome, type IntentRow } from './intents';
import { paymentTransitionListeners, type Payment, type PaymentTransition } from './ledger';
import { RunStepLog } from './run-steps';
import type { FlowSettings, StepEnv } from './step-contract';

/**
 * The flow runner: runs one trigger event through a flow definition, exactly once in effect.
 *
 * It owns what every flow needs and no flow writes itself: the intent key of each step
 * (`<run key>:<step id>`, the run key being the payment's id or the flow's runKey), the record
 * before a step that moves money or can only be looked up, the record after, the lookup after an
 * unknown outcome, the payment's status changes and history, error recording, and the trace.
 *
 * Database work of a run happens on one connection, which also holds the aggregate's advisory
 * lock. Writes that need not be durable before the next call to another system (the result of a
 * read, of a read-before-write step, of a step the provider deduplicates, a status change) are
 * buffered and written with the run's next commit; a crash before it repeats only steps that are
 * safe to repeat. So a run commits at its start, before each step that moves money or needs a
 * lookup, at checkpoints inside long steps, and at its end.
 */

export interface RunnerDeps {
  db: Knex;
  /** a connection for the run (from the lock pool: the aggregate lock lives on it) */
  connect: () => Promise<pg.PoolClient>;
  logger: Logger;
  settings: FlowSettings;
  /** the $functions expressions may call, for the pinned rules */
  functions: (rules: Rules) => Bindings;
  /** where a test run's trace goes (so a failed test run still shows the steps before the failure) */
  traceSink?: StepTrace[];
  /**
   * Called before each step of the flow (never during one): a test run's Cancel is looked for here,
   * and the hook throws to stop the run between steps. `ran` is how many steps have run so far.
   */
  beforeStep?: (stepId: string, ran: number) => Promise<void>;
}

export interface RunRequest {
  flow: CompiledFlow;
  rules: Rules;
  /** the persisted trigger (absent for a test run) */
  inbox?: InboxRow;
  /** the events of the trigger (a BOD may carry several nouns): each runs the steps */
  events: unknown[];
  trigger: { type: string; kind: string; source: string; receivedAt: string; inboxId?: string };
  attempt: number;
  maxAttempts: number;
  /** test run: everything happens in one transaction that is rolled back at the end; the trace is returned */
  test?: boolean;
  /**
   * Run only these steps of the flow, for an existing payment, with intents of their own
   * (`<payment id>:<keyPrefix><step id>`): a reconciliation fix re-runs the flow's own receipt step.
   */
  partial?: { payment: Payment; steps: string[]; keyPrefix: string };
  correlationId: string;
}

export interface StepTrace {
  stepId: string;
  type: string;
  name: string;
  outcome: 'succeeded' | 'skipped' | 'reused' | 'found_by_lookup' | 'failed';
  input?: unknown;
  output?: unknown;
  ms: number;
  error?: { code: string; errorClass: string; message: string; /** the other system's own words: M3's message id and field, PayTrace's response code */ said?: SystemSaid };
}

export interface SystemSaid {
  m3Code?: string;
  field?: string;
  responseCode?: string;
}

/** What M3 or PayTrace itself said about a failure, from the error's details (nothing else of them: they may hold inputs). */
function systemSaid(err: unknown): SystemSaid | undefined {
  const details = err instanceof AppError ? err.details : undefined;
  if (!details) return undefined;
  const said: SystemSaid = {};
  for (const key of ['m3Code', 'field', 'responseCode'] as const) {
    const value = details[key];
    if ((typeof value === 'string' || typeof value === 'number') && String(value).trim()) said[key] = String(value).trim().slice(0, 40);
  }
  return Object.keys(said).length ? said : undefined;
}

export type RunOutcome =
  | { status: 'done'; trace: StepTrace[]; paymentIds: string[]; /** the step outputs of the (last) event */ outputs: Record<string, unknown> }
  | { status: 'rejected'; trace: StepTrace[]; error: { code: string; message: string } }
  | { status: 'skipped'; reason: string }
  | { status: 'deferred'; reason: string; earlier?: string };

/** Thrown (wrapping the cause) when the step's error policy says: no retry, park now. */
export class ParkNow extends AppError {
  constructor(readonly original: unknown) {
    const c = errorClassOf(original);
    super(c.message, { code: c.code, errorClass: c.errorClass === 'transient' ? 'business' : c.errorClass, cause: original });
  }
}

interface RunDocument {
  event: unknown;
  trigger: RunRequest['trigger'];
  settings: FlowSettings;
  scope: { company: number; division: string };
  payment: Partial<Payment> | null;
  steps: Record<string, unknown>;
}

type Work = (trx: Knex.Transaction) => Promise<void>;

const LOG_KEYS: Record<string, string> = { cono: 'CONO', divi: 'DIVI', cuno: 'CUNO', orno: 'ORNO', ivno: 'IVNO', paytrace_transaction_id: 'paytraceTransactionId' };

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0 && !(Array.isArray(value) && value.length === 0);
}

/** One run: its connection, its open transaction and the writes waiting for the next commit. */
class Session {
  #trx: Knex.Transaction | undefined;
  #buffer: Work[] = [];
  #afterCommit: Array<() => void> = [];
  locked: string | undefined;

  constructor(
    private readonly db: Knex,
    readonly connection: pg.PoolClient | undefined,
    private readonly test: boolean,
  ) {}

  /** Buffer a write for the next commit. */
  later(work: Work, afterCommit?: () => void): void {
    this.#buffer.push(work);
    if (afterCommit) this.#afterCommit.push(afterCommit);
  }

  /** The open transaction (opened, with the buffered writes applied, when none is). */
  async tx(): Promise<Knex.Transaction> {
    if (!this.#trx) {
      this.#trx = this.connection ? await this.db.transaction(undefined, { connection: this.connection } as Knex.TransactionConfig) : await this.db.transaction();
    }
    const trx = this.#trx;
    while (this.#buffer.length) await this.#buffer.shift()!(trx);
    return trx;
  }

  /** Commit what is open or buffered. A test run never commits: it only moves on. */
  async commit(): Promise<void> {
    if (this.test) return;
    if (!this.#trx && !this.#buffer.length) return;
    const trx = await this.tx();
    this.#trx = undefined;
    await trx.commit();
    const done = this.#afterCommit;
    this.#afterCommit = [];
    for (const fn of done) fn();
  }

  /** Commit only if a transaction is open (before a call to another system: never hold one across it). */
  async release(): Promise<void> {
    if (this.#trx && !this.test) await this.commit();
  }

  async rollback(): Promise<void> {
    const trx = this.#trx;
    this.#trx = undefined;
    this.#afterCommit = [];
    if (trx && !trx.isCompleted()) await trx.rollback().catch(() => undefined);
  }

  /** Drop buffered writes (a test run's end). */
  discard(): void {
    this.#buffer = [];
    this.#afterCommit = [];
  }
}

export class FlowRunner {
  constructor(readonly deps: RunnerDeps) {}

  async run(request: RunRequest): Promise<RunOutcome> {
    const connection = request.test ? undefined : await this.deps.connect();
    const session = new Session(this.deps.db, connection, Boolean(request.test));
    let broken: Error | undefined;
    try {
      if (request.inbox) {
        const start = await this.#start(session, request.inbox);
        if (start) {
          await session.rollback();
          return start;
        }
      }
      const trace: StepTrace[] = this.deps.traceSink ?? [];
      const paymentIds: string[] = [];
      let outputs: Record<string, unknown> = {};
      const functions = this.deps.functions(request.rules);
      try {
        for (const event of request.events) {
          const run = new Run(this.deps, request, session, functions, trace, event);
          await run.execute();
          if (run.paymentId) paymentIds.push(run.paymentId);
          outputs = run.doc.steps;
        }
      } catch (err) {
        if (err instanceof RunRejected) {
          await this.#end(session, request, 'rejected', err.error);
          return { status: 'rejected', trace, error: { code: err.error.code, message: err.error.message } };
        }
        throw err;
      }
      await this.#end(session, request, 'done');
      return { status: 'done', trace, paymentIds, outputs };
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      if (request.test) {
        await session.rollback();
        session.discard();
      } else {
        await session.rollback();
        if (session.locked && connection) {
          // normally released inside the last transaction; after a failure, here
          await connection.query('select pg_advisory_unlock(hashtextextended($1, 0))', [session.locked]).catch((err: Error) => (broken = err));
        }
        // a connection whose unlock failed may still hold the lock: throw it away
        connection?.release(session.locked && broken ? broken : undefined);
      }
    }
  }

  /** Take the aggregate's lock, keep arrival order, claim the trigger. Answers why not when it must wait. */
  async #start(session: Session, row: InboxRow): Promise<RunOutcome | undefined> {
    if (row.aggregate_key) {
      // An earlier event still pending: wait without taking the lock. Taken just to look, it made
      // the earlier event — the one everyone waits for — find its aggregate busy and wait too.
      const earlier = await earlierPending(this.deps.db, row);
      if (earlier) return { status: 'deferred', reason: `waiting for earlier event ${earlier}`, earlier };
    }
    const trx = await session.tx();
    if (row.aggregate_key) {
      const key = `aggregate:${row.aggregate_key}`;
      const { rows } = await trx.raw<{ rows: Array<{ locked: boolean }> }>('select pg_try_advisory_lock(hashtextextended(?, 0)) as locked', [key]);
      if (!rows[0]?.locked) return { status: 'deferred', reason: 'another worker is processing the aggregate' };
      session.locked = key;
      const earlier = await earlierPending(trx, row);
      if (earlier) {
        await trx.raw('select pg_advisory_unlock(hashtextextended(?, 0))', [key]);
        session.locked = undefined;
        return { status: 'deferred', reason: `waiting for earlier event ${earlier}`, earlier };
      }
    }
    const claimed = await trx('inbox').where({ id: row.id }).whereNotIn('status', ['done', 'rejected']).update({ status: 'processing', processed_at: null, error_code: null, error: null }, ['id']);
    if (!claimed.length) {
      if (session.locked) await trx.raw('select pg_advisory_unlock(hashtextextended(?, 0))', [session.locked]);
      session.locked = undefined;
      return { status: 'skipped', reason: 'already processed' };
    }
    return undefined;
  }

  async #end(session: Session, request: RunRequest, status: 'done' | 'rejected', error?: { code: string; message: string }): Promise<void> {
    const trx = await session.tx();
    if (request.inbox) {
      await trx('inbox').where({ id: request.inbox.id }).update({ status, processed_at: trx.fn.now(), error_code: error?.code ?? null, error: error?.message.slice(0, 2000) ?? null });
      if (session.locked && !request.test) {
        // released inside the last transaction: a duplicate job blocks on the inbox row until this commits, then sees it done
        await trx.raw('select pg_advisory_unlock(hashtextextended(?, 0))', [session.locked]);
        session.locked = undefined;
      }
    }
    await session.commit();
  }

  /**
   * Record a failed run (intent, payment, inbox) durably, then let the queue retry or park it. The
   * work of the steps before the failure (the claim, the payment opened) commits with the record;
   * only when the open transaction itself is broken is it rolled back and the record written anew.
   */
  static async recordFailure(session: Session, run: Run, err: unknown, final: boolean): Promise<void> {
    try {
      await FlowRunner.#writeFailure(await session.tx(), session, run, err, final);
    } catch {
      await session.rollback();
      await FlowRunner.#writeFailure(await session.tx(), session, run, err, final);
    }
    await session.commit();
  }

  static async #writeFailure(trx: Knex.Transaction, session: Session, run: Run, err: unknown, final: boolean): Promise<void> {
    const classified = errorClassOf(err);
    if (run.paymentId) {
      const updated = await trx('payments').where({ id: run.paymentId }).update({ ...(final ? { status: 'failed' } : {}), last_error_code: classified.code, last_error: classified.message.slice(0, 1000), updated_at: trx.fn.now() });
      const from = run.doc.payment?.status ?? null;
      const detail = JSON.stringify({ last_error_code: classified.code, last_error: classified.message.slice(0, 1000) });
      if (updated && final && from !== 'failed') await trx('payment_events').insert({ payment_id: run.paymentId, from_status: from, to_status: 'failed', step: 'error', detail });
      else if (updated && !final) await trx('payment_events').insert({ payment_id: run.paymentId, from_status: from, to_status: from ?? 'unknown', step: 'retry', detail });
    }
    const inbox = run.request.inbox;
    if (inbox && final) await trx('inbox').where({ id: inbox.id }).update({ status: 'dead', processed_at: trx.fn.now(), error_code: classified.code, error: classified.message.slice(0, 2000) });
    if (inbox && session.locked) {
      await trx.raw('select pg_advisory_unlock(hashtextextended(?, 0))', [session.locked]);
      session.locked = undefined;
    }
  }
}

/** A business failure the flow's policy ends without a dead letter: the trigger is recorded as rejected. */
class RunRejected extends Error {
  constructor(readonly error: { code: string; message: string }) {
    super(error.message);
  }
}

/** One event through the steps. */
class Run {
  readonly doc: RunDocument;
  paymentId: string | undefined;
  runKey: string | undefined;
  readonly #intents = new Map<string, IntentRow>();
  /** intent keys whose attempt is not counted yet: the first write for it counts it (attempts = how often the step ran) */
  readonly #toCount = new Set<string>();
  /** where the run is, step by step, for the builder's live overlay (runs of a stored trigger only) */
  readonly #stepLog: RunStepLog | undefined;

  constructor(
    private readonly deps: RunnerDeps,
    readonly request: RunRequest,
    private readonly session: Session,
    private readonly functions: Bindings,
    private readonly trace: StepTrace[],
    event: unknown,
  ) {
    this.doc = { event, trigger: request.trigger, settings: deps.settings, scope: { company: deps.settings.company, division: deps.settings.division }, payment: request.partial?.payment ?? null, steps: {} };
    this.paymentId = request.partial?.payment.id;
    const inbox = request.test || request.partial ? undefined : request.inbox;
    this.#stepLog = inbox && new RunStepLog({ inboxId: inbox.id, flowId: request.flow.id, flowVersionId: inbox.flow_version_id ?? null }, (work) => session.later(work));
  }

  get flow(): CompiledFlow {
    return this.request.flow;
  }

  async execute(): Promise<void> {
    try {
      await this.#scope();
      if (this.flow.runKey) {
        this.runKey = String(await this.flow.runKey.evaluate(this.doc, this.functions));
        await this.#loadIntents(await this.session.tx());
      }
      if (this.request.partial) await this.#loadIntents(await this.session.tx());
      await this.#steps(this.flow.steps);
      if (this.paymentId && !this.request.partial) await this.#complete();
    } catch (err) {
      if (err instanceof Finished) {
        return;
      }
      await this.#fail(err);
    }
  }

  /** Runs steps in order (a branch runs the steps of its first branch whose condition holds). */
  async #steps(steps: CompiledStep[]): Promise<void> {
    const only = this.request.partial?.steps;
    for (const step of steps) {
      if (only && step.type !== 'branch' && !only.includes(step.id)) continue;
      if (this.deps.beforeStep) await this.deps.beforeStep(step.id, this.trace.length);
      if (step.when && !truthy(await step.when.evaluate(this.doc, this.functions))) {
        this.trace.push({ stepId: step.id, type: step.type, name: step.name, outcome: 'skipped', ms: 0 });
        continue;
      }
      if (step.type === 'branch') {
        let chosen: CompiledStep[] | undefined;
        for (const branch of step.branches ?? []) {
          if (truthy(await branch.when.evaluate(this.doc, this.functions))) {
            chosen = branch.steps;
            break;
          }
        }
        await this.#steps(chosen ?? step.otherwise ?? []);
        continue;
      }
      await this.#step(step);
    }
  }

  async #scope(): Promise<void> {
    const s = this.flow.scope;
    const company = s.company ? await s.company.evaluate(this.doc, this.functions) : undefined;
    const division = s.division ? await s.division.evaluate(this.doc, this.functions) : undefined;
    this.doc.scope = {
      company: company === undefined || company === null || company === '' ? this.deps.settings.company : Number(company),
      division: division === undefined || division === null || division === '' ? this.deps.settings.division : String(division),
    };
  }

  async #loadIntents(trx: Knex.Transaction): Promise<void> {
    const key = this.paymentId ?? this.runKey;
    if (!key) return;
    const prefix = this.request.partial?.keyPrefix ?? '';
    const ids = [...allIds(this.flow.steps), ...this.flow.compensations.keys()].map((id) => `${key}:${prefix}${id}`);
    const rows = await trx<IntentRow>('intents').whereIn('key', ids);
    for (const row of rows) this.#intents.set(row.key, row);
  }

  #env(step: CompiledStep, key: string, trx?: Knex.Transaction): StepEnv {
    const session = this.session;
    const intent = this.#intents.get(key);
    return {
      config: step.config,
      settings: this.deps.settings,
      rules: this.request.rules,
      scope: { cono: this.doc.scope.company, divi: this.doc.scope.division },
      flowId: this.flow.id,
      stepId: step.id,
      correlationId: this.request.correlationId,
      key,
      paymentId: this.paymentId,
      logger: this.deps.logger,
      trx,
      db: trx && (this.request.test || step.exactlyOnce === 'local') ? trx : this.deps.db,
      testRun: Boolean(this.request.test),
      checkpoint: {
        earlier: (intent?.request as { checkpoint?: Record<string, unknown> } | null)?.checkpoint,
        save: async (data) => {
          const t = await session.tx();
          const count = this.#toCount.delete(key);
          await t('intents')
            .insert({ key, payment_id: this.paymentId ?? null, system: step.stepType!.system, operation: step.operation, status: 'pending', attempts: 1, request: JSON.stringify({ checkpoint: data }) })
            .onConflict('key')
            .merge({ request: t.raw(`coalesce(intents.request, '{}'::jsonb) || ?::jsonb`, [JSON.stringify({ checkpoint: data })]), ...(count ? { attempts: t.raw('intents.attempts + 1') } : {}), updated_at: t.fn.now() });
          await session.commit();
        },
      },
    };
  }

  async #step(step: CompiledStep): Promise<void> {
    const stepType = step.stepType;
    if (!stepType) throw new AppError(`step ${step.id} has no type`, { code: 'FLOW_STEP_TYPE_UNKNOWN', errorClass: 'configuration' });
    const started = performance.now();
    await this.#scope();
    const mapped = await evaluateMapping(step.input, this.doc, this.functions);
    const parsed = stepType.input.safeParse(mapped ?? {});
    if (!parsed.success) {
      throw new AppError(`step ${step.id} (${step.type}) cannot run with this input: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`, {
        code: 'FLOW_STEP_INPUT_INVALID',
        errorClass: 'business',
        details: { step: step.id, fieldErrors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'input', message: i.message })) },
      });
    }
    const input = parsed.data;
    const mechanism = step.exactlyOnce;
    const pure = stepType.system === 'none';
    const key = `${this.paymentId ?? this.runKey ?? 'run'}:${this.request.partial?.keyPrefix ?? ''}${step.id}`;
    const existing = pure ? undefined : this.#intents.get(key);
    let output: unknown;
    let outcome: StepTrace['outcome'] = 'succeeded';
    // a step reused from an earlier attempt keeps the record (and the time) of the attempt that ran it
    if (existing?.status !== 'succeeded') this.#stepLog?.started(step.id, this.paymentId);

    try {
      if (existing?.status === 'succeeded') {
        output = existing.result;
        outcome = 'reused';
      } else if (pure) {
        output = await stepType.execute(input, this.#env(step, key));
      } else if (mechanism === 'local' && stepType.deferred) {
        // written with the run's next commit; its output is not available to later steps
        this.session.later(async (trx) => {
          await stepType.execute(input, this.#env(step, key, trx));
        });
      } else if (mechanism === 'local') {
        // runs in the run's open transaction (in a savepoint of its own: a failing step leaves nothing
        // half-written), every time the step runs (local steps are idempotent writes)
        const trx = await this.session.tx();
        output = await trx.transaction((savepoint) => stepType.execute(input, this.#env(step, key, savepoint)));
        if (stepType.type === 'ledger.open-payment' || stepType.type === 'ledger.use-payment') {
          const payment = output as Payment;
          this.paymentId = payment.id;
          this.doc.payment = payment;
          addToContext(Object.fromEntries(Object.entries(LOG_KEYS).flatMap(([f, k]) => (payment[f as keyof Payment] != null ? [[k, String(payment[f as keyof Payment])]] : []))));
          await this.#loadIntents(trx);
          if (payment.status === this.flow.completeStatus) {
            this.trace.push({ stepId: step.id, type: step.type, name: step.name, outcome: 'reused', input, output: summary(output), ms: performance.now() - started });
            throw new Finished();
          }
          output = payment;
        }
      } else {
        const recordBefore = mechanism === 'lookup' || mechanism === 'at-least-once' || Boolean(stepType.movesMoney);
        let found = false;
        if (existing && (existing.status === 'pending' || existing.status === 'unknown') && mechanism === 'lookup') {
          if (!stepType.lookup) throw new AppError(`the outcome of ${step.operation} (${key}) is unknown and ${step.type} has no lookup: an operator must check ${stepType.system}`, { code: 'INTENT_OUTCOME_UNKNOWN', errorClass: 'configuration' });
          const looked = await stepType.lookup(input, this.#env(step, key)); // a failing lookup is transient: the job retries
          if (looked.found) {
            found = true;
            output = looked.result;
            outcome = 'found_by_lookup';
            this.deps.logger.info('side effect found by lookup, not repeated', { intent: key, operation: step.operation });
          } else this.deps.logger.info('side effect not found by lookup, executing again', { intent: key, operation: step.operation });
        }
        if (!found) {
          this.#toCount.add(key);
          if (recordBefore) {
            const trx = await this.session.tx();
            await this.#recordIntent(trx, step, key, 'pending', undefined, undefined, input);
            await this.session.commit();
          } else {
            await this.session.release();
          }
          try {
            output = await stepType.execute(input, this.#env(step, key, this.request.test ? await this.session.tx() : undefined));
          } catch (err) {
            const classified = errorClassOf(err);
            const notApplied = stepType.certainlyNotApplied ? stepType.certainlyNotApplied(err) : classified.errorClass === 'business' || classified.errorClass === 'configuration';
            const status = notApplied ? 'failed' : 'unknown';
            this.session.later((trx) => this.#recordIntent(trx, step, key, status, undefined, undefined, input, classified));
            emitIntentOutcome({ system: stepType.system, operation: step.operation, outcome: status, errorClass: classified.errorClass });
            throw err;
          }
        }
        const resolvedBy = found ? 'lookup' : 'execute';
        const result = output;
        this.session.later((trx) => this.#recordIntent(trx, step, key, 'succeeded', result, resolvedBy, recordBefore ? undefined : input));
        emitIntentOutcome({ system: stepType.system, operation: step.operation, outcome: found ? 'found_by_lookup' : 'succeeded' });
      }
    } catch (err) {
      if (!(err instanceof Finished)) {
        const c = errorClassOf(err);
        const said = systemSaid(err);
        this.trace.push({ stepId: step.id, type: step.type, name: step.name, outcome: 'failed', input, ms: performance.now() - started, error: { code: c.code, errorClass: c.errorClass, message: c.message, ...(said ? { said } : {}) } });
        (err as { failedStep?: CompiledStep }).failedStep ??= step;
        this.#stepLog?.finished(step.id, 'failed', performance.now() - started, this.paymentId, c.code);
      } else this.#stepLog?.finished(step.id, 'done', performance.now() - started, this.paymentId);
      throw err;
    }
    this.doc.steps[step.id] = output;
    // a partial re-run (a fix) leaves the payment's status to its caller
    if (step.ledger && !this.request.partial) await this.#ledger(step);
    this.trace.push({ stepId: step.id, type: step.type, name: step.name, outcome, input, output: summary(output), ms: performance.now() - started });
    if (outcome !== 'reused') this.#stepLog?.finished(step.id, 'done', performance.now() - started, this.paymentId);
  }

  async #recordIntent(trx: Knex.Transaction, step: CompiledStep, key: string, status: IntentRow['status'], result: unknown, resolvedBy?: 'execute' | 'lookup', request?: unknown, error?: { code: string; message: string }): Promise<void> {
    const counted = this.#toCount.delete(key);
    const row = {
      key,
      payment_id: this.paymentId ?? null,
      system: step.stepType!.system,
      operation: step.operation,
      status,
      attempts: 1,
      ...(request !== undefined ? { request: JSON.stringify({ input: request }) } : {}),
      result: result === undefined ? null : JSON.stringify(result),
      resolved_by: resolvedBy ?? null,
      error_code: error?.code ?? null,
      error: error?.message.slice(0, 2000) ?? null,
    };
    const merge: Record<string, unknown> = { status, result: row.result, resolved_by: row.resolved_by, error_code: row.error_code, error: row.error, updated_at: trx.fn.now() };
    if (counted) merge.attempts = trx.raw('intents.attempts + 1');
    if (request !== undefined) merge.request = trx.raw(`coalesce(intents.request, '{}'::jsonb) || ?::jsonb`, [JSON.stringify({ input: request })]);
    await trx('intents').insert(row).onConflict('key').merge(merge);
    this.#intents.set(key, { ...(this.#intents.get(key) ?? ({} as IntentRow)), key, status, result } as IntentRow);
  }

  /** A step's effect on the payment: status and recorded fields, with a history row, written with the next commit. */
  async #ledger(step: CompiledStep): Promise<void> {
    const effect = step.ledger!;
    const paymentId = this.paymentId;
    if (!paymentId) throw new AppError(`step ${step.id} records on the payment, but the run has none`, { code: 'FLOW_NO_PAYMENT', errorClass: 'configuration' });
    const fields = (await evaluateMapping(effect.record, this.doc, this.functions)) as Record<string, unknown> | undefined;
    const values = Object.fromEntries(Object.entries(fields ?? {}).map(([k, v]) => [k, v === undefined ? null : typeof v === 'object' && v !== null ? JSON.stringify(v) : v]));
    const status = effect.status instanceof Expression ? await effect.status.evaluate(this.doc, this.functions) : effect.status;
    if (status !== undefined && (typeof status !== 'string' || !/^[a-z_]{1,40}$/.test(status))) {
      throw new AppError(`step ${step.id}: the payment status expression gave ${JSON.stringify(status)}, not a status word`, { code: 'FLOW_LEDGER_STATUS_INVALID', errorClass: 'configuration' });
    }
    const from = this.doc.payment?.status ?? null;
    const to = status ?? from;
    const changed = Boolean(status && status !== from);
    this.doc.payment = { ...this.doc.payment, ...values, ...(status ? { status } : {}) } as Partial<Payment>;
    addToContext(Object.fromEntries(Object.entries(LOG_KEYS).flatMap(([f, k]) => (values[f] != null ? [[k, String(values[f])]] : []))));
    const transition: PaymentTransition | undefined = changed ? { flow: String(this.doc.payment.flow ?? this.flow.id), from: String(from), to: String(to), step: step.id } : undefined;
    this.session.later(
      async (trx) => {
        await trx('payments').where({ id: paymentId }).update({ ...values, ...(status ? { status } : {}), updated_at: trx.fn.now() });
        if (changed || effect.event) await trx('payment_events').insert({ payment_id: paymentId, from_status: from, to_status: to, step: step.id, detail: JSON.stringify(fields ?? {}) });
      },
      transition ? () => paymentTransitionListeners.forEach((l) => l(transition)) : undefined,
    );
  }

  async #complete(): Promise<void> {
    const paymentId = this.paymentId!;
    const from = this.doc.payment?.status ?? null;
    const to = this.flow.completeStatus;
    if (from === to) return;
    this.doc.payment = { ...this.doc.payment, status: to };
    const transition: PaymentTransition = { flow: String(this.doc.payment.flow ?? this.flow.id), from: String(from), to, step: 'complete' };
    this.session.later(
      async (trx) => {
        await trx('payments').where({ id: paymentId }).update({ status: to, updated_at: trx.fn.now() });
        await trx('payment_events').insert({ payment_id: paymentId, from_status: from, to_status: to, step: this.trace[this.trace.length - 1]?.stepId ?? 'complete', detail: '{}' });
      },
      () => paymentTransitionListeners.forEach((l) => l(transition)),
    );
  }

  async #fail(err: unknown): Promise<never> {
    const classified = errorClassOf(err);
    const step = (err as { failedStep?: CompiledStep }).failedStep;
    const policy = step?.onError ?? this.flow.onError;
    const noRetry = policy.retry === 'never';
    const final = classified.errorClass !== 'transient' || noRetry || this.request.attempt >= this.request.maxAttempts;
    // a test run or a partial re-run (a fix) records nothing on the payment: its caller reports
    if (this.request.test || this.request.partial) throw err;
    const parks = !(final && classified.errorClass === 'business' && !policy.deadLetter);
    if (step) this.#stepLog?.settle(step.id, !final ? 'retrying' : parks ? 'dead' : 'failed');
    if (final && classified.errorClass === 'business' && policy.compensate.length) {
      for (const id of policy.compensate) {
        const compensation = this.flow.compensations.get(id);
        if (compensation) await this.#step(compensation);
      }
    }
    if (final && classified.errorClass === 'business' && !policy.deadLetter) {
      await this.#recordOnly(err);
      throw new RunRejected({ code: classified.code, message: classified.message });
    }
    await FlowRunner.recordFailure(this.session, this, err, final);
    throw noRetry && classified.errorClass === 'transient' ? new ParkNow(err) : err;
  }

  /** A failure that ends the run without a dead letter: the payment is failed, the run goes on to its end. */
  async #recordOnly(err: unknown): Promise<void> {
    const classified = errorClassOf(err);
    if (!this.paymentId) return;
    const paymentId = this.paymentId;
    const from = this.doc.payment?.status ?? null;
    this.session.later(async (trx) => {
      await trx('payments').where({ id: paymentId }).update({ status: 'failed', last_error_code: classified.code, last_error: classified.message.slice(0, 1000), updated_at: trx.fn.now() });
      await trx('payment_events').insert({ payment_id: paymentId, from_status: from, to_status: 'failed', step: 'error', detail: JSON.stringify({ last_error_code: classified.code }) });
    });
  }
}

/** The run found its payment already complete: nothing more to do. */
class Finished extends Error {}

function allIds(steps: CompiledStep[]): string[] {
  return steps.flatMap((s) => [s.id, ...(s.branches?.flatMap((b) => allIds(b.steps)) ?? []), ...allIds(s.otherwise ?? [])]);
}

/** Outputs kept in a trace are bounded: a test run shows them, a normal run keeps them in intents already. */
function summary(value: unknown): unknown {
  const text = JSON.stringify(value ?? null);
  return text.length > 20_000 ? { truncated: true, bytes: Buffer.byteLength(text), preview: text.slice(0, 2000) } : value;
}

export { Expression };
