import type { Knex } from 'knex';
import { formatCents } from './model';

/**
 * Reports of a run as CSV (RFC 4180: CRLF, quoted when needed): every item, and totals per
 * PayTrace batch or per settlement day. Text cells that a spreadsheet would run as a formula are
 * prefixed with an apostrophe.
 */

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+@\t\r]/.test(text) || /^-[^\d]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

const money = (cents: unknown) => (cents === null || cents === undefined ? '' : formatCents(Number(cents)));

export async function itemsCsv(db: Knex, runId: string): Promise<string> {
  const rows = await db('recon_run_items')
    .where({ run_id: runId })
    .orderBy([{ column: 'leg' }, { column: 'batch_number' }, { column: 'item_key' }])
    .select('*', db.raw(`to_char(settled_date, 'YYYY-MM-DD') as settled_day`));
  return toCsv(
    ['leg', 'item', 'status', 'exception_class', 'rule', 'confidence', 'owner', 'batch', 'settled', 'paytrace_transactions', 'm3', 'gl_batch', 'currency', 'paytrace_amount', 'm3_amount', 'gl_amount', 'difference', 'reason', 'suggested_fix', 'fix', 'fix_status'],
    rows.map((r) => [
      r.leg, r.item_key, r.status, r.exception_class, r.rule, r.confidence, r.owner, r.batch_number, r.settled_day, r.transaction_ids, r.m3_refs, r.gl_key, r.currency,
      money(r.paytrace_cents), money(r.m3_cents), money(r.gl_cents), money(r.difference_cents), r.reason, r.suggested_fix, r.fix_kind, r.fix_status,
    ]),
  );
}

export interface GroupTotals {
  group: string;
  transactions: number;
  paytraceNet: string;
  glPosted: string;
  matched: number;
  review: number;
  exceptions: number;
  classes: string;
}

/** totals per batch (the B:batch item holds the batch sums) or per settlement day */
export async function groupTotals(db: Knex, runId: string, by: 'batch' | 'day'): Promise<GroupTotals[]> {
  const groupExpr = by === 'batch' ? `batch_number::text` : `to_char(settled_date, 'YYYY-MM-DD')`;
  const result = await db.raw(
    `select ${groupExpr} as grp,
            count(*) filter (where leg = 'A' and item_key like 'A:tx:%')::int as transactions,
            coalesce(sum(paytrace_cents) filter (where item_key like 'B:batch:%'), 0)::bigint as paytrace_net,
            coalesce(sum(gl_cents) filter (where item_key like 'B:batch:%'), 0)::bigint as gl_posted,
            count(*) filter (where status = 'matched' and item_key not like 'B:batch:%')::int as matched,
            count(*) filter (where status = 'review')::int as review,
            count(*) filter (where status = 'exception' and item_key not like 'B:batch:%')::int as exceptions,
            coalesce(string_agg(distinct exception_class, ' ') filter (where exception_class is not null), '') as classes
       from recon_run_items where run_id = ? and ${groupExpr} is not null
      group by 1 order by 1`,
    [runId],
  );
  return (result.rows as Array<Record<string, unknown>>).map((r) => ({
    group: String(r.grp),
    transactions: Number(r.transactions),
    paytraceNet: money(r.paytrace_net),
    glPosted: money(r.gl_posted),
    matched: Number(r.matched),
    review: Number(r.review),
    exceptions: Number(r.exceptions),
    classes: String(r.classes),
  }));
}

export async function groupCsv(db: Knex, runId: string, by: 'batch' | 'day'): Promise<string> {
  const totals = await groupTotals(db, runId, by);
  return toCsv(
    [by === 'batch' ? 'batch' : 'settled', 'transactions', 'paytrace_net', 'gl_posted', 'matched', 'review', 'exceptions', 'exception_classes'],
    totals.map((t) => [t.group, t.transactions, t.paytraceNet, t.glPosted, t.matched, t.review, t.exceptions, t.classes]),
  );
}
