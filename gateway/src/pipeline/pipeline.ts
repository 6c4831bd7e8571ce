import type { Knex } from 'knex';
import type { Rules } from '../domain/rules-loader';
import { AppError, errorClassOf } from '../errors';
import { runWithContext } from '../observability/context';
import type { Logger } from '../observability/logger';
import type { CompiledFlow } from './definitions/compile';
import type { Bindings } from './expressions';
import { deferralDelaySeconds, getInbox, ingest, type InboxJob, type InboxRow } from './inbox';
import type { JobMeta, JobQueue } from './job-queue';
import type { Payment } from './ledger';
import { FlowRunner, type RunOutcome, type RunRequest, type StepTrace } from './runner';
import type { FlowSettings } from './step-contract';
import type { FlowRegistry, PublishedFlow } from './versions/flow-registry';
import type { RulesRegistry } from './versions/rules-registry';

/** How the triggers layer turns a stored trigger into events, and tells a sender its trigger was refused. */
export interface TriggerEvents {
  /** the events an inbox row carries for its flow (a BOD may carry several nouns); throw a business error to refuse it */
  eventsOf(row: InboxRow, flow: CompiledFlow, rules: Rules): Promise<unknown[]>;
  /** the trigger was refused, or its run failed for good: tell the sender (e.g. a ConfirmBOD to ION) */
  refused?(row: InboxRow, error: { code: string; message: string }): Promise<void>;
  /** the run completed: tell a sender that asked to hear it (a ConfirmBOD for `ConfirmationCode Always`) */
  accepted?(row: InboxRow): Promise<void>;
}

export interface PipelineDeps {
  db: Knex;
  queue: JobQueue;
  flows: FlowRegistry;
  rules: RulesRegistry;
  runner: FlowRunner;
  logger: Logger;
  settings: FlowSettings;
  functions: (rules: Rules) => Bindings;
  triggers: TriggerEvents;
  /** jobs of each flow one gateway runs at once, unless the definition says otherwise */
  concurrency: number;
}

export interface IngestInput {
  source: string;
  dedupeKey: string;
  kind: string;
  /** what is stored (the event itself, or the document it comes from) */
  payload: unknown;
  /** the event, when the payload is a document (for the aggregate key) */
  event?: unknown;
  correlationId: string;
}

/**
 * The pipeline as the rest of the gateway sees it: triggers come in (persisted with their job and
 * the versions they will run with), one worker per flow queue runs them through the runner.
 */
export class Pipeline {
  readonly #registered = new Set<string>();

  constructor(readonly deps: PipelineDeps) {}

  get flows(): FlowRegistry {
    return this.deps.flows;
  }

  get rules(): RulesRegistry {
    return this.deps.rules;
  }

  /** Persist a trigger for a flow, with its job, pinned to the published versions. Duplicates stop here. */
  async ingest(flowId: string, input: IngestInput): Promise<{ inboxId: string; duplicate: boolean }> {
    const published = this.deps.flows.published(flowId);
    if (!published) throw new AppError(`flow ${flowId} is not published on this gateway`, { code: 'FLOW_NOT_PUBLISHED', errorClass: 'configuration', httpStatus: 503 });
    return this.#ingest(published, input);
  }

  /** Persist a trigger for the flow that owns it (`bod:Process.MyPTRefundRequest`, …); undefined when no flow does. */
  async ingestClaim(claim: string, input: IngestInput): Promise<{ inboxId: string; duplicate: boolean; flowId: string } | undefined> {
    const published = this.deps.flows.claimant(claim);
    if (!published) return undefined;
    return { ...(await this.#ingest(published, input)), flowId: published.flow.id };
  }

  async #ingest(published: PublishedFlow, input: IngestInput): Promise<{ inboxId: string; duplicate: boolean }> {
    const rules = this.deps.rules.current;
    const flow = published.flow;
    let aggregateKey: string | undefined;
    if (flow.aggregateKey) {
      const value = await flow.aggregateKey.evaluate({ event: input.event ?? input.payload, settings: this.deps.settings, trigger: { source: input.source, kind: input.kind } }, this.deps.functions(rules.rules));
      if (value !== undefined && value !== null && value !== '') aggregateKey = String(value);
    }
    return ingest(this.deps.db, this.deps.queue, {
      source: input.source,
      dedupeKey: input.dedupeKey,
      kind: input.kind,
      payload: input.payload,
      correlationId: input.correlationId,
      aggregateKey,
      queue: flow.id,
      flow: { id: flow.id, versionId: published.versionId, rulesVersionId: rules.versionId },
    });
  }

  /** Register the queue of every published flow, now and whenever one is published. */
  async start(): Promise<void> {
    const register = async (published: PublishedFlow[]) => {
      for (const p of published) {
        if (this.#registered.has(p.flow.id)) continue;
        this.#registered.add(p.flow.id);
        await this.deps.queue.register<InboxJob>({ name: p.flow.id, concurrency: p.flow.concurrency ?? this.deps.concurrency, handler: (job, meta) => this.work(p.flow.id, job, meta) });
      }
    };
    this.deps.flows.onChange(register);
    await register(this.deps.flows.list());
  }

  /**
   * The one worker: load the stored trigger, keep per-aggregate order, run the flow version it was
   * pinned to, record the outcome. A trigger already done is skipped, so a duplicate job does nothing.
   */
  async work(flowId: string, { inboxId, deferrals = 0 }: InboxJob, meta: JobMeta): Promise<void> {
    const row = await getInbox(this.deps.db, inboxId);
    if (!row) throw new AppError(`inbox row ${inboxId} does not exist`, { code: 'INBOX_MISSING', errorClass: 'bug' });
    if (row.status === 'done' || row.status === 'rejected') return;
    await runWithContext({ correlationId: row.correlation_id, inboxId: row.id, kind: row.kind, flow: flowId }, async () => {
      const flow = row.flow_version_id ? await this.deps.flows.byId(row.flow_version_id) : this.deps.flows.published(row.flow_id ?? flowId)?.flow;
      if (!flow) throw new AppError(`flow ${row.flow_id ?? flowId} is not published`, { code: 'FLOW_NOT_PUBLISHED', errorClass: 'configuration' });
      const rules = await this.deps.rules.byId(row.rules_version_id);
      let events: unknown[];
      try {
        events = await this.deps.triggers.eventsOf(row, flow, rules);
      } catch (err) {
        const c = errorClassOf(err);
        if (c.errorClass !== 'business') throw err;
        await this.#refuse(row, { code: c.code, message: c.message });
        return;
      }
      let outcome: RunOutcome;
      try {
        outcome = await this.deps.runner.run(this.#request(flow, rules, row, events, meta));
      } catch (err) {
        const c = errorClassOf(err);
        const final = c.errorClass !== 'transient' || meta.attempt >= meta.maxAttempts;
        if (final && this.deps.triggers.refused) await this.deps.triggers.refused(row, { code: c.code, message: c.message }).catch((e: unknown) => this.deps.logger.warn('could not tell the sender its trigger failed', { err: e }));
        throw err;
      }
      if (outcome.status === 'deferred') {
        // waiting for another event of the same aggregate is not a failure: a fresh job comes back
        // later, so the wait never uses up this trigger's retries
        const seconds = deferralDelaySeconds(deferrals);
        await this.deps.queue.send<InboxJob>(meta.queue, { inboxId, deferrals: deferrals + 1 }, { startAfterSeconds: seconds, correlationId: row.correlation_id });
        this.deps.logger.debug('trigger deferred', { inboxId, aggregateKey: row.aggregate_key, reason: outcome.reason, seconds, deferrals: deferrals + 1 });
      } else if (outcome.status === 'rejected' && this.deps.triggers.refused) {
        await this.deps.triggers.refused(row, outcome.error);
      } else if (outcome.status === 'done' && this.deps.triggers.accepted) {
        // the run is committed: a failed confirmation must not run it again, so it is only logged
        await this.deps.triggers.accepted(row).catch((e: unknown) => this.deps.logger.warn('could not tell the sender its trigger was accepted', { err: e }));
      }
    });
  }

  async #refuse(row: InboxRow, error: { code: string; message: string }): Promise<void> {
    this.deps.logger.warn('trigger refused', { errorCode: error.code, error: error.message });
    await this.deps.triggers.refused?.(row, error);
    await this.deps.db('inbox').where({ id: row.id }).update({ status: 'rejected', processed_at: this.deps.db.fn.now(), error_code: error.code, error: error.message.slice(0, 2000) });
  }

  #request(flow: CompiledFlow, rules: Rules, row: InboxRow, events: unknown[], meta: JobMeta): RunRequest {
    return {
      flow,
      rules,
      inbox: row,
      events,
      trigger: { type: row.source, kind: row.kind, source: row.source, receivedAt: new Date(row.received_at).toISOString(), inboxId: row.id },
      attempt: meta.attempt,
      maxAttempts: meta.maxAttempts,
      correlationId: row.correlation_id,
    };
  }

  /**
   * Run some steps of a flow again for an existing payment, under intents of their own
   * (`<payment>:<keyPrefix><step>`): the steps see the payment and the event it came with.
   * Answers each step's output.
   */
  async runSteps(flow: CompiledFlow, payment: Payment, steps: string[], keyPrefix: string): Promise<Record<string, unknown>> {
    const rules = this.deps.rules.current.rules;
    const origin = await this.deps.db<InboxRow>('inbox').where({ flow_id: flow.id, correlation_id: payment.correlation_id }).orderBy('id').first();
    let event: unknown = null;
    if (origin) {
      try {
        event = (await this.deps.triggers.eventsOf(origin, flow, rules))[0] ?? null;
      } catch {
        event = null;
      }
    }
    const outcome = await this.deps.runner.run({
      flow,
      rules,
      events: [event],
      trigger: { type: 'fix', kind: 'fix', source: 'reconciliation', receivedAt: new Date().toISOString() },
      attempt: 1,
      maxAttempts: 1,
      correlationId: payment.correlation_id,
      partial: { payment, steps, keyPrefix },
    });
    return outcome.status === 'done' ? outcome.outputs : {};
  }

  /**
   * A test run of a definition (a draft, say) with a sample event: every step really runs against
   * the connected systems (the sandbox simulators), and everything the run writes to our database
   * is rolled back at the end. Answers the trace: each step's input, output, time and outcome.
   * `trace` is filled as the steps run, so a caller that stops waiting still has the steps so far.
   */
  async testRun(
    flow: CompiledFlow,
    event: unknown,
    trace: StepTrace[] = [],
    beforeStep?: (stepId: string, ran: number) => Promise<void>,
  ): Promise<{ outcome: 'done' | 'failed' | 'rejected' | 'cancelled'; trace: StepTrace[]; error?: { code: string; errorClass: string; message: string } }> {
    const rules = this.deps.rules.current.rules;
    const runner = new FlowRunner({ ...this.deps.runner.deps, traceSink: trace, ...(beforeStep ? { beforeStep } : {}) });
    try {
      const outcome = await runner.run({ flow, rules, events: [event], trigger: { type: 'test', kind: 'test', source: 'test-run', receivedAt: new Date().toISOString() }, attempt: 1, maxAttempts: 1, test: true, correlationId: `test-${Date.now()}` });
      return { outcome: outcome.status === 'rejected' ? 'rejected' : 'done', trace };
    } catch (err) {
      const c = errorClassOf(err);
      // stopped between steps by the caller's beforeStep (a Cancel): not a failure of the flow
      return { outcome: c.code === 'FLOW_TEST_RUN_CANCELLED' ? 'cancelled' : 'failed', trace, error: { code: c.code, errorClass: c.errorClass, message: c.message } };
    }
  }
}
