import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError, errorClassOf } from '../errors';
import { publishEvent } from '../events/outbound';
import { scopeOf, type ReconServices } from './context';
import { asSingleton } from '../pipeline/advisory-lock';
import { jobDbFor, type JobQueue } from '../pipeline/job-queue';
import type { ReconConfig } from './config';
import { applyFixes } from './fixes';
import { matchRun } from './match';
import { stageM3, stagePayTrace, type StageHooks } from './sources';
import { getRun, type ReconRun } from './store';

export const RECON_QUEUE = 'recon-run';

export interface ReconJob {
  runId: string;
}

export interface ReconContext {
  flow: ReconServices;
  recon: ReconConfig;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-11-25').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

export const runRequestSchema = z
  .object({
    from: day,
    to: day,
    mode: z.enum(['dry_run', 'apply']).default('dry_run'),
    /** asking again with the same key gives the same run */
    runKey: z.string().min(1).max(100).optional(),
  })
  .strict()
  .refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['to'] });

export type RunRequest = z.input<typeof runRequestSchema>;

/**
 * Record a run and its job in one transaction. The same runKey again returns the run already
 * there (the nightly schedule firing twice, an API client retrying): nothing is done twice; a
 * run of that key that failed is resumed.
 */
export async function createRun(db: Knex, queue: JobQueue, config: ReconConfig, request: RunRequest, by: { trigger: 'api' | 'schedule'; requestedBy: string }): Promise<{ run: ReconRun; created: boolean }> {
  const parsed = runRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new AppError('the reconciliation request is not valid', {
      code: 'RECON_REQUEST_INVALID',
      errorClass: 'business',
      httpStatus: 422,
      details: { fieldErrors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) },
    });
  }
  const { from, to, mode, runKey } = parsed.data;
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > config.maxPeriodDays) {
    throw new AppError(`a run covers at most ${config.maxPeriodDays} days (asked: ${days})`, { code: 'RECON_PERIOD_TOO_LONG', errorClass: 'business', httpStatus: 422, details: { fieldErrors: [{ field: 'to', message: `at most ${config.maxPeriodDays} days` }] } });
  }
  const id = randomUUID();
  const created = await db.transaction(async (trx) => {
    const inserted = await trx('recon_runs')
      .insert({ id, run_key: runKey ?? null, period_from: from, period_to: to, mode, status: 'queued', trigger: by.trigger, requested_by: by.requestedBy })
      .onConflict('run_key')
      .ignore()
      .returning('id');
    if (!inserted.length) return false;
    await queue.send<ReconJob>(RECON_QUEUE, { runId: id }, { db: await jobDbFor(trx), correlationId: `recon-${id}` });
    return true;
  });
  if (created) return { run: (await getRun(db, id))!, created: true };
  const existing = (await getRun(db, (await db('recon_runs').where({ run_key: runKey }).first('id')).id as string))!;
  // asking again for a run that failed (its retries used up) resumes it where it stopped
  if (existing.status === 'failed') await resume(db, queue, existing.id);
  return { run: (await getRun(db, existing.id))!, created: false };
}

async function resume(db: Knex, queue: JobQueue, runId: string): Promise<void> {
  await db.transaction(async (trx) => {
    const updated = await trx('recon_runs').where({ id: runId, status: 'failed' }).update({ status: 'queued', updated_at: trx.fn.now() });
    if (updated) await queue.send<ReconJob>(RECON_QUEUE, { runId }, { db: await jobDbFor(trx), correlationId: `recon-${runId}` });
  });
}

/** "Dry run first, then apply": apply the automatic fixes a finished dry run proposed. */
export async function requestApply(db: Knex, queue: JobQueue, runId: string): Promise<ReconRun> {
  const run = await getRun(db, runId);
  if (!run) throw new AppError(`no reconciliation run ${runId}`, { code: 'RECON_RUN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
  if (run.mode === 'apply') return run; // applying twice is applying once
  if (run.status !== 'completed') throw new AppError(`run ${runId} is ${run.status}: apply it once its dry run completed`, { code: 'RECON_RUN_NOT_READY', errorClass: 'business', httpStatus: 409 });
  await db.transaction(async (trx) => {
    await trx('recon_runs').where({ id: runId }).update({ mode: 'apply', status: 'queued', updated_at: trx.fn.now() });
    await queue.send<ReconJob>(RECON_QUEUE, { runId }, { db: await jobDbFor(trx), correlationId: `recon-${runId}` });
  });
  return (await getRun(db, runId))!;
}

async function setRun(db: Knex, id: string, change: Record<string, unknown>): Promise<void> {
  await db('recon_runs').where({ id }).update({ ...change, updated_at: db.fn.now() });
}

/**
 * Execute (or resume) a run. Stages, each recorded when done: PayTrace batches staged → M3 lists
 * staged → matched (items written) → fixes applied (apply mode only). A failure leaves the
 * finished stages in place and the next attempt continues after them. One run at a time per
 * database (advisory lock): another worker finding it busy retries later.
 */
export async function runRecon(ctx: ReconContext, runId: string, hooks: StageHooks = {}): Promise<ReconRun> {
  const { db } = ctx.flow;
  const outcome = await asSingleton(db, 'recon-run', async () => {
    let run = await getRun(db, runId);
    if (!run) throw new AppError(`no reconciliation run ${runId}`, { code: 'RECON_RUN_NOT_FOUND', errorClass: 'bug' });
    if (run.status === 'completed' && (run.mode === 'dry_run' || run.stage === 'applied')) return run;
    await setRun(db, runId, { status: 'running', attempts: run.attempts + 1, error: null, error_code: null });
    const sources = { db, paytrace: ctx.flow.paytrace, m3: ctx.flow.m3, scope: scopeOf(ctx.flow.config), localCurrency: ctx.flow.config.flows.localCurrency, exportConcurrency: ctx.recon.exportConcurrency };
    try {
      if (run.stage === 'created') {
        await stagePayTrace(sources, run, hooks);
        await setRun(db, runId, { stage: 'paytrace' });
        await hooks.afterPayTrace?.();
        run = (await getRun(db, runId))!;
      }
      if (run.stage === 'paytrace') {
        await stageM3(sources, run, hooks);
        await setRun(db, runId, { stage: 'm3' });
        run = (await getRun(db, runId))!;
      }
      if (run.stage === 'm3') {
        const { timings } = await matchRun(db, run, { localCurrency: ctx.flow.config.flows.localCurrency, roundingToleranceCents: ctx.recon.roundingToleranceCents }, ctx.flow.rules.matching);
        ctx.flow.logger.info('reconciliation run matched', { runId, timingsMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])) });
        run = (await getRun(db, runId))!;
      }
      if (run.mode === 'apply' && run.stage === 'matched') {
        const applied = await applyFixes(ctx.flow, runId, `recon:${run.requested_by}`);
        await setRun(db, runId, { stage: 'applied', summary: JSON.stringify({ ...run.summary, fixesApplied: applied.done, fixesFailed: applied.failed }) });
        run = (await getRun(db, runId))!;
      }
      // "completed" and its event commit together: a crash between them would otherwise lose the
      // event for good (a completed run is never executed again), and readers never see one without the other
      const done = await db.transaction(async (trx) => {
        await trx('recon_runs').where({ id: runId }).update({ status: 'completed', finished_at: trx.fn.now(), updated_at: trx.fn.now() });
        const finished = (await getRun(trx, runId))!;
        await publishEvent(db, ctx.flow.queue, ctx.flow.config.webhooks, {
          type: 'reconciliation.completed',
          eventId: `recon:${runId}:${finished.mode}`,
          data: { runId, mode: finished.mode, period: { from: finished.period_from, to: finished.period_to }, summary: finished.summary },
        }, trx);
        return finished;
      });
      ctx.flow.logger.info('reconciliation run completed', { runId, mode: done.mode, summary: done.summary });
      return done;
    } catch (err) {
      const classified = errorClassOf(err);
      await setRun(db, runId, { status: 'failed', error_code: classified.code, error: classified.message.slice(0, 1000) });
      throw err;
    }
  });
  if (!outcome.ran) throw new AppError('another reconciliation run is in progress', { code: 'RECON_BUSY', errorClass: 'transient' });
  return outcome.value;
}
