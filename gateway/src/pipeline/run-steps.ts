import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

/** Where a run is at one step (flow_run_steps.state). */
export type RunStepState = 'running' | 'done' | 'retrying' | 'failed' | 'dead';

/** One attempt of a run at a step, as kept in flow_run_steps.attempts (migration 069). */
export interface RunStepAttempt {
  /** tells this attempt's writes from an earlier attempt's: each write replaces its own element */
  id: string;
  /** when the attempt started (ISO) */
  at: string;
  /** integer milliseconds; null while it runs (or when it never finished: the process stopped) */
  ms: number | null;
  outcome: 'running' | 'done' | 'failed';
  code: string | null;
}

interface Entry {
  /** this attempt's id in the row's attempts */
  attempt: string;
  stepId: string;
  paymentId: string | null;
  startedAt: Date;
  state: RunStepState;
  finishedAt: Date | null;
  ms: number | null;
  errorCode: string | null;
  /** a write of this entry waits for the run's next commit */
  queued: boolean;
}

/**
 * Where a run of a flow is, step by step (table flow_run_steps), for the flow builder's live overlay.
 * Every write goes with the run's next commit (the runner's `later`), so recording costs no commit
 * of its own: a step's start becomes visible when the run commits — before a step that moves money,
 * that is while its call is out — and a step that starts and ends between two commits is written
 * once, already finished. Test runs and partial re-runs are not recorded (they have no trigger row).
 *
 * Each run of a job is one attempt at the steps it executes: the row's `attempts` keeps them all, in
 * order — the same upsert replaces this attempt's element (found by its id) and appends it, so however
 * many commits an attempt is written with, it is one element, and a retried job's or a replayed dead
 * letter's attempt is the next one. A step the runner reuses from an earlier attempt is never started
 * here; a step already done for the run that a retried job executes again (a local or pure step before
 * the one that failed) leaves the row as it is, unless it fails this time.
 */
export class RunStepLog {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly run: { inboxId: string; flowId: string; flowVersionId: string | null },
    private readonly later: (work: (trx: Knex.Transaction) => Promise<void>) => void,
  ) {}

  started(stepId: string, paymentId: string | undefined): void {
    const entry: Entry = { attempt: randomBytes(6).toString('hex'), stepId, paymentId: paymentId ?? null, startedAt: new Date(), state: 'running', finishedAt: null, ms: null, errorCode: null, queued: false };
    this.#entries.set(stepId, entry);
    this.#schedule(entry);
  }

  finished(stepId: string, outcome: 'done' | 'failed', ms: number, paymentId: string | undefined, errorCode?: string): void {
    const entry = this.#entries.get(stepId);
    if (!entry) return;
    Object.assign(entry, { state: outcome, ms: Math.round(ms), finishedAt: new Date(), paymentId: paymentId ?? entry.paymentId, errorCode: errorCode ?? null });
    this.#schedule(entry);
  }

  /** How a failure at the step ends: retried later, failed for good, or failed for good and parked as a dead letter. */
  settle(stepId: string, state: 'retrying' | 'failed' | 'dead'): void {
    const entry = this.#entries.get(stepId);
    if (!entry) return;
    entry.state = state;
    this.#schedule(entry);
  }

  #schedule(entry: Entry): void {
    if (entry.queued) return; // the waiting write reads the entry when it runs: it writes the latest state
    entry.queued = true;
    this.later(async (trx) => {
      entry.queued = false;
      const row = {
        inbox_id: this.run.inboxId,
        flow_id: this.run.flowId,
        flow_version_id: this.run.flowVersionId,
        step_id: entry.stepId,
        payment_id: entry.paymentId,
        state: entry.state,
        started_at: entry.startedAt,
        finished_at: entry.finishedAt,
        ms: entry.ms,
        error_code: entry.errorCode,
      };
      const attempt: RunStepAttempt = {
        id: entry.attempt,
        at: entry.startedAt.toISOString(),
        ms: entry.ms,
        outcome: entry.state === 'running' ? 'running' : entry.state === 'done' ? 'done' : 'failed',
        code: entry.errorCode,
      };
      const { inbox_id: _i, step_id: _s, ...change } = row;
      await trx('flow_run_steps')
        .insert({ ...row, attempts: JSON.stringify([attempt]) })
        .onConflict(['inbox_id', 'step_id'])
        .merge({
          ...change,
          // the earlier attempts, without this one's earlier write, then this one
          attempts: trx.raw(
            `(select coalesce(jsonb_agg(a.e order by a.n), '[]'::jsonb) from jsonb_array_elements(flow_run_steps.attempts) with ordinality as a(e, n) where a.e->>'id' <> ?) || excluded.attempts`,
            [attempt.id],
          ),
        })
        // done for the run by an earlier attempt and executed again (a retried job's local or pure step): not a new attempt, unless it fails
        .where(trx.raw(`flow_run_steps.state <> 'done' or excluded.state not in ('running', 'done') or flow_run_steps.attempts->-1->>'id' = ?`, [attempt.id]));
    });
  }
}
