import type { Knex } from 'knex';
import { Money } from '../../domain/money';
import { AppError } from '../../errors';
import type { Payment } from '../../pipeline/ledger';
import { chargebackReference } from '../../domain/chargeback';
import { CHARGEBACK_SOURCE } from './notice';

/** What the API and the operator app show of a chargeback case (no card data: there is none to show). */
export interface CaseView {
  caseNumber: string;
  status: string;
  paytraceTransactionId: string;
  amount: string;
  fee: string;
  currency: string;
  reasonCode: string | null;
  reason: string | null;
  receivedOn: string | null;
  respondBy: string | null;
  /** hours until the response deadline (negative: passed); null without a deadline or once answered */
  hoursLeft: number | null;
  source: string;
  history: Array<{ stage: string; at: string; source: string }>;
  evidenceSubmittedAt: string | null;
  resolvedAt: string | null;
  /** the disputed payment of ours */
  payment: { id: string; reference: string; flow: string; ivno: string | null; cuno: string | null } | null;
  /** the ledger payments that moved money: CB-<case> (booked) and CBW-<case> (won back) */
  postings: Array<{ reference: string; status: string; glBatch: string | null; receipt: string | null; lastErrorCode: string | null }>;
  /** notices that could not be processed (review, conflicts) */
  problems: Array<{ stage: string; status: string; errorCode: string | null; error: string | null }>;
}

interface CaseRow {
  case_number: string;
  status: string;
  paytrace_transaction_id: string;
  payment_id: string | null;
  amount: string;
  fee: string;
  currency: string;
  reason_code: string | null;
  reason: string | null;
  received_on: Date | string | null;
  respond_by: Date | null;
  source: string;
  history: CaseView['history'];
  evidence_submitted_at: Date | null;
  resolved_at: Date | null;
}

const OPEN = new Set(['received', 'review']);
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const day = (d: Date | string | null) => (d === null ? null : typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);

function view(row: CaseRow, now: Date, extra: Pick<CaseView, 'payment' | 'postings' | 'problems'>): CaseView {
  return {
    caseNumber: row.case_number,
    status: row.status,
    paytraceTransactionId: String(row.paytrace_transaction_id),
    amount: Money.fromM3(row.amount, row.currency).toFixedString(),
    fee: Money.fromM3(row.fee, row.currency).toFixedString(),
    currency: row.currency,
    reasonCode: row.reason_code,
    reason: row.reason,
    receivedOn: day(row.received_on),
    respondBy: iso(row.respond_by),
    hoursLeft: row.respond_by && OPEN.has(row.status) ? Math.round((new Date(row.respond_by).getTime() - now.getTime()) / 3_600_000) : null,
    source: row.source,
    history: row.history ?? [],
    evidenceSubmittedAt: iso(row.evidence_submitted_at),
    resolvedAt: iso(row.resolved_at),
    ...extra,
  };
}

/** Cases, open ones with the nearest deadline first, then the rest newest first. */
export async function listCases(db: Knex, filter: { status?: string; limit?: number } = {}, now = new Date()): Promise<CaseView[]> {
  const rows: CaseRow[] = await db<CaseRow>('chargebacks')
    .modify((q) => (filter.status ? q.where({ status: filter.status }) : q))
    .orderByRaw(`case when status in ('received', 'review') then 0 else 1 end, respond_by asc nulls last, updated_at desc`)
    .limit(filter.limit ?? 200);
  const payments = rows.some((r) => r.payment_id) ? await db<Payment>('payments').whereIn('id', rows.flatMap((r) => (r.payment_id ? [r.payment_id] : []))) : [];
  const byId = new Map(payments.map((p) => [p.id, p]));
  return rows.map((r) => {
    const p = r.payment_id ? byId.get(r.payment_id) : undefined;
    return view(r, now, { payment: p ? { id: p.id, reference: p.reference, flow: p.flow, ivno: p.ivno ?? null, cuno: p.cuno ?? null } : null, postings: [], problems: [] });
  });
}

export async function getCase(db: Knex, caseNumber: string, now = new Date()): Promise<CaseView | undefined> {
  const row = await db<CaseRow>('chargebacks').where({ case_number: caseNumber }).first();
  if (!row) return undefined;
  const p = row.payment_id ? await db<Payment>('payments').where({ id: row.payment_id }).first() : undefined;
  const postings = await db<Payment>('payments').whereIn('reference', [chargebackReference(caseNumber), chargebackReference(caseNumber, true)]).orderBy('created_at');
  const problems = await db('inbox')
    .where({ source: CHARGEBACK_SOURCE })
    .whereIn('dedupe_key', ['received', 'evidence_submitted', 'won', 'lost', 'accepted'].map((s) => `${caseNumber}:${s}`))
    .whereIn('status', ['rejected', 'dead'])
    .orderBy('id')
    .select<Array<{ dedupe_key: string; status: string; error_code: string | null; error: string | null }>>('dedupe_key', 'status', 'error_code', 'error');
  return view(row, now, {
    payment: p ? { id: p.id, reference: p.reference, flow: p.flow, ivno: p.ivno ?? null, cuno: p.cuno ?? null } : null,
    postings: postings.map((x) => ({ reference: x.reference, status: x.status, glBatch: x.gl_batch_key ?? null, receipt: x.receipt_ref ?? null, lastErrorCode: x.last_error_code ?? null })),
    problems: problems.map((x) => ({ stage: x.dedupe_key.slice(caseNumber.length + 1), status: x.status, errorCode: x.error_code, error: x.error })),
  });
}

export async function caseOr404(db: Knex, caseNumber: string): Promise<CaseView> {
  const found = await getCase(db, caseNumber);
  if (!found) throw new AppError(`no chargeback case ${caseNumber}`, { code: 'CHARGEBACK_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
  return found;
}

/** Counts for the dashboard tile: open cases, those due within the alert window, and the amount at stake. */
export async function caseSummary(db: Knex, withinHours: number, now = new Date()): Promise<{ open: number; dueSoon: number; review: number; openAmount: string }> {
  const r = await db('chargebacks')
    .whereIn('status', ['received', 'evidence_submitted', 'review'])
    .select(
      db.raw('count(*)::int as open'),
      db.raw(`count(*) filter (where status in ('received', 'review') and respond_by <= ?)::int as "dueSoon"`, [new Date(now.getTime() + withinHours * 3_600_000)]),
      db.raw(`count(*) filter (where status = 'review')::int as review`),
      db.raw(`coalesce(sum(amount), 0)::text as "openAmount"`),
    )
    .first<{ open: number; dueSoon: number; review: number; openAmount: string }>();
  return r ?? { open: 0, dueSoon: 0, review: 0, openAmount: '0' };
}
