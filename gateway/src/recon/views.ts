import type { Knex } from 'knex';
import { isUuid } from '../http/ids';
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
  const run = isUuid(id) ? await getRun(db, id) : undefined;
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
  return explainStorefrontTransactions(db, ((await query) as Array<Record<string, unknown>>).map(itemView));
}

/**
 * A transaction the ledger has no payment for is not always "not made through the gateway": a
 * storefront notification the gateway refused (a dead letter, e.g. an amount mismatch) names the
 * transaction in its inbox payload but never got as far as the payment row. Such items say so,
 * with the order, the dead letter and its error, and the gateway as owner.
 */
async function explainStorefrontTransactions<T extends ReturnType<typeof itemView>>(db: Knex, items: T[]): Promise<T[]> {
  const orphans = items.filter((i) => !i.paymentId && typeof i.transactions === 'string' && /^\d{1,18}$/.test(i.transactions));
  if (!orphans.length) return items;
  const ids = [...new Set(orphans.map((i) => String(i.transactions)))];
  const rows = (await db('inbox as i')
    .leftJoin('dead_letters as d', 'd.correlation_id', 'i.correlation_id')
    .where('i.source', 'ecommerce')
    .whereRaw(`i.payload->'data'->>'paytraceTransactionId' = any(?)`, [ids])
    .select(db.raw(`i.payload->'data'->>'paytraceTransactionId' as tx`), db.raw(`i.payload->'data'->>'orderId' as order_id`), 'i.status', 'i.error_code', 'd.id as dead_letter_id', 'd.status as dead_letter_status', 'd.error_code as dead_letter_code', 'd.error_message')) as Array<{ tx: string; order_id: string; status: string; error_code: string | null; dead_letter_id: string | null; dead_letter_status: string | null; dead_letter_code: string | null; error_message: string | null }>;
  if (!rows.length) return items;
  const byTx = new Map(rows.map((r) => [r.tx, r]));
  return items.map((item) => {
    const hit = !item.paymentId && typeof item.transactions === 'string' ? byTx.get(item.transactions) : undefined;
    if (!hit) return item;
    const why = hit.dead_letter_id
      ? `its notification is dead letter ${hit.dead_letter_id} (${hit.dead_letter_status}): ${hit.dead_letter_code}${hit.error_message ? ` ${hit.error_message}` : ''}`
      : `its notification stopped with ${hit.error_code ?? hit.status}`;
    return {
      ...item,
      owner: 'gateway',
      reason: `Storefront order ${hit.order_id} (PayTrace transaction ${hit.tx}) came through the gateway but was not posted: ${why}`,
      suggestedFix: hit.dead_letter_id ? `Resolve dead letter ${hit.dead_letter_id} (fix the cause, then replay it) so the order, receipt and GL are made` : item.suggestedFix,
    };
  });
}

/**
 * What "Apply fixes" would post, before it posts: the run's automatic fixes still to make, one
 * per payment and action as applyFixes() takes them (fixes.ts), with the payment's invoice and amount.
 */
export async function pendingFixes(db: Knex, runId: string) {
  const rows = (await db('recon_items as r')
    .join('payments as p', 'p.id', 'r.payment_id')
    .where({ 'r.run_id': runId, 'r.fix_kind': 'auto' })
    .whereIn('r.fix_status', ['pending', 'failed'])
    .orderBy('r.item_key')
    .select('r.item_key', 'r.fix_action', 'r.fix_status', 'r.reason', 'p.id as payment_id', 'p.reference', 'p.flow', 'p.ivno', 'p.yea4', 'p.cuno', 'p.amount', 'p.currency', 'p.gl_batch_key')) as Array<{ item_key: string; fix_action: 'post_receipt' | 'post_gl'; fix_status: string; reason: string | null; payment_id: string; reference: string; flow: string; ivno: string | null; yea4: number | null; cuno: string | null; amount: string | null; currency: string | null; gl_batch_key: string | null }>;
  const seen = new Set<string>();
  const fixes = [];
  for (const r of rows) {
    const once = `${r.payment_id}:${r.fix_action}`;
    if (seen.has(once)) continue;
    seen.add(once);
    const amount = r.amount === null ? null : String(r.amount).replace(/^(-?\d+\.\d{2})0*$/, '$1');
    fixes.push({
      item: r.item_key,
      action: r.fix_action,
      retry: r.fix_status === 'failed',
      paymentId: r.payment_id,
      reference: r.reference,
      invoice: r.ivno ? `${r.ivno}/${r.yea4}` : null,
      customer: r.cuno,
      amount,
      currency: r.currency,
      posts:
        r.fix_action === 'post_receipt'
          ? `ARS040MI cash receipt of ${amount} ${r.currency} on invoice ${r.ivno}/${r.yea4}${r.cuno ? ` for customer ${r.cuno}` : ''}, reference (IRNO) ${r.reference}`
          : `GLS840MI batch for payment ${r.reference}: ${amount} ${r.currency} to the card clearing account against receivables, by the GL rules`,
      reason: r.reason,
    });
  }
  return fixes;
}

/** the most recent runs, newest first (their summary is on the run row) */
export async function listRuns(db: Knex, limit = 50): Promise<ReconRun[]> {
  const rows = await db('recon_runs')
    .select('*', db.raw(`to_char(period_from, 'YYYY-MM-DD') as period_from`), db.raw(`to_char(period_to, 'YYYY-MM-DD') as period_to`))
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(Math.min(Math.max(limit, 1), 500));
  return rows as ReconRun[];
}
