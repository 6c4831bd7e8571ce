import type { Knex } from 'knex';
import { AppError } from '../errors';
import { formatCents } from './model';
import { getRun, type ReconRun } from './store';

/**
 * Runs and items as the APIs show them (the Infor-token /api/recon routes and the operator app's
 * /admin/api/recon endpoints share these queries and shapes): amounts as decimal text beside
 * their currency, never floats.
 */
const amount = (cents: unknown) => (cents === null || cents === undefined ? null : formatCents(Number(cents)));

/** an item as the API shows it */
export function itemView(r: Record<string, unknown>) {
  return {
    key: r.item_key,
    leg: r.leg,
    status: r.status,
    exceptionClass: r.exception_class,
    rule: r.rule,
    confidence: r.confidence,
    owner: r.owner,
    batch: r.batch_number,
    settled: r.settled_date instanceof Date ? r.settled_date.toISOString().slice(0, 10) : r.settled_date,
    transactions: r.transaction_ids,
    m3: r.m3_refs,
    glBatch: r.gl_key,
    paymentId: r.payment_id,
    currency: r.currency,
    paytraceAmount: amount(r.paytrace_cents),
    m3Amount: amount(r.m3_cents),
    glAmount: amount(r.gl_cents),
    difference: amount(r.difference_cents),
    reason: r.reason,
    suggestedFix: r.suggested_fix,
    fix: r.fix_kind ? { kind: r.fix_kind, action: r.fix_action, status: r.fix_status, detail: r.fix_detail } : null,
  };
}

/** a run as the API shows it; `base` is where its links point (/api/recon/runs or /admin/api/recon/runs) */
export function runView(run: ReconRun, base: string) {
  return {
    id: run.id,
    runKey: run.run_key,
    period: { from: run.period_from, to: run.period_to },
    mode: run.mode,
    status: run.status,
    stage: run.stage,
    trigger: run.trigger,
    requestedBy: run.requested_by,
    attempts: run.attempts,
    summary: run.summary,
    errorCode: run.error_code,
    error: run.error,
    createdAt: run.created_at,
    finishedAt: run.finished_at,
    links: { self: `${base}/${run.id}`, items: `${base}/${run.id}/items`, itemsCsv: `${base}/${run.id}/items.csv`, reportCsv: `${base}/${run.id}/report.csv` },
  };
}

/** the run, or a 404 (an id that is not a UUID is no run either) */
export async function runOr404(db: Knex, id: string): Promise<ReconRun> {
  const run = /^[0-9a-f-]{36}$/i.test(id) ? await getRun(db, id) : undefined;
  if (!run) throw new AppError(`no reconciliation run ${id}`, { code: 'RECON_RUN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
  return run;
}

export interface ItemFilter {
  status?: string;
  exceptionClass?: string;
  /** 1..5000, default 500 */
  limit?: number;
}

/** a run's items in item order, filtered by status and exception class */
export async function listItems(db: Knex, runId: string, filter: ItemFilter = {}) {
  const limit = Math.min(Math.max(filter.limit ?? 500, 1), 5000);
  const query = db('recon_run_items').where({ run_id: runId }).orderBy('item_key').limit(limit);
  if (filter.status !== undefined) query.andWhere({ status: filter.status });
  if (filter.exceptionClass !== undefined) query.andWhere({ exception_class: filter.exceptionClass });
  return ((await query) as Array<Record<string, unknown>>).map(itemView);
}

/** the most recent runs, newest first (their summary is on the run row) */
export async function listRuns(db: Knex, limit = 50): Promise<ReconRun[]> {
  const rows = await db('recon_runs')
    .select('*', db.raw(`to_char(period_from, 'YYYY-MM-DD') as period_from`), db.raw(`to_char(period_to, 'YYYY-MM-DD') as period_to`))
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(Math.min(Math.max(limit, 1), 500));
  return rows as ReconRun[];
}
