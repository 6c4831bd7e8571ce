import type { Knex } from 'knex';
import { AppError } from '../errors';
import type { Pipeline } from '../pipeline/pipeline';
import { audit } from '../store/audit';

/**
 * The operator's side of the automatic payment links (issue 22, flow `invoice-links`): the review
 * list (invoices that qualified but could not be sent, e.g. no e-mail address in M3), retrying
 * or dismissing an item, an invoice's whole story (trace), and the dashboard's figures.
 */

export const INVOICE_LINKS_FLOW = 'invoice-links';

export interface ReviewItem {
  id: string;
  invoice: { company: number; division: string; year: number; number: string };
  customer: string;
  amount: string | null;
  currency: string | null;
  dueDate: string | null;
  status: 'needs_review' | 'dismissed';
  code: string | null;
  reason: string | null;
  retries: number;
  reviewedBy: string | null;
  reviewedAt: string | null;
  createdAt: string;
}

interface Row {
  id: string;
  cono: number;
  divi: string;
  yea4: number;
  ivno: string;
  cuno: string;
  open_amount: string | null;
  currency: string | null;
  due_date: string | null;
  status: string;
  review_code: string | null;
  review_reason: string | null;
  retries: number;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
  event: Record<string, unknown>;
}

const view = (r: Row): ReviewItem => ({
  id: String(r.id),
  invoice: { company: r.cono, division: r.divi, year: r.yea4, number: r.ivno },
  customer: r.cuno,
  amount: r.open_amount,
  currency: r.currency,
  dueDate: r.due_date,
  status: r.status as ReviewItem['status'],
  code: r.review_code,
  reason: r.review_reason,
  retries: r.retries,
  reviewedBy: r.reviewed_by,
  reviewedAt: r.reviewed_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
});

export async function listReviews(db: Knex, status: 'needs_review' | 'dismissed' = 'needs_review'): Promise<ReviewItem[]> {
  const rows = await db<Row>('invoice_links').where({ status }).orderBy('created_at', 'desc').limit(500);
  return rows.map(view);
}

async function waiting(db: Knex, id: string): Promise<Row> {
  const row = await db<Row>('invoice_links').where({ id }).first();
  if (!row) throw new AppError(`there is no review item ${id}`, { code: 'INVOICE_LINK_REVIEW_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
  if (row.status !== 'needs_review') throw new AppError(`review item ${id} is ${row.status}, not waiting for review`, { code: 'INVOICE_LINK_REVIEW_CLOSED', errorClass: 'business', httpStatus: 409, details: { status: row.status } });
  return row;
}

/**
 * Run the invoice through the flow again (after the address was added in M3): a new trigger of
 * its own (`review-<id>-<n>`), so every read is fresh and the one-link, one-e-mail guarantees hold.
 */
export async function retryReview(db: Knex, pipeline: Pipeline | undefined, id: string, actor: string, reason?: string): Promise<{ id: string; inboxId: string }> {
  if (!pipeline?.flows.published(INVOICE_LINKS_FLOW)) throw new AppError('the invoice-links flow is not published on this gateway', { code: 'INVOICE_LINK_FLOW_OFF', errorClass: 'configuration', httpStatus: 503 });
  const row = await waiting(db, id);
  const attempt = row.retries + 1;
  const triggerId = `review-${row.id}-${attempt}`;
  const stored = await pipeline.ingest(INVOICE_LINKS_FLOW, {
    source: 'review',
    dedupeKey: triggerId,
    kind: 'invoice.review-retry',
    payload: { ...row.event, triggerId, source: 'review' },
    correlationId: triggerId,
  });
  await db('invoice_links').where({ id: row.id }).update({ retries: attempt, updated_at: db.fn.now() });
  await audit(db, { actor, action: 'invoice-link.retry', subjectType: 'invoice_link', subjectId: String(row.id), reason, details: { inboxId: stored.inboxId, invoice: `${row.cono}/${row.divi}/${row.yea4}/${row.ivno}` } });
  return { id: String(row.id), inboxId: stored.inboxId };
}

export async function dismissReview(db: Knex, id: string, actor: string, reason: string): Promise<ReviewItem> {
  const row = await waiting(db, id);
  const [updated] = await db<Row>('invoice_links').where({ id: row.id, status: 'needs_review' }).update({ status: 'dismissed', reviewed_by: actor, reviewed_at: db.fn.now(), updated_at: db.fn.now() } as never).returning('*');
  if (!updated) throw new AppError(`review item ${id} changed meanwhile`, { code: 'INVOICE_LINK_REVIEW_CLOSED', errorClass: 'business', httpStatus: 409 });
  await audit(db, { actor, action: 'invoice-link.dismiss', subjectType: 'invoice_link', subjectId: String(row.id), reason });
  return view(updated as Row);
}

/** An invoice's story: the automatic record, every link (by hand or automatic), every e-mail, the reminders, the payments and the flow runs. */
export async function invoiceTrace(db: Knex, key: { cono: number; divi: string; yea4: number; ivno: string }) {
  const record = await db<Row & Record<string, unknown>>('invoice_links').where(key).first();
  const links = await db('payment_links').where(key).orderBy('created_at').select('id', 'status', 'status_reason', 'amount', 'currency', 'created_by', 'created_at', 'expires_at', 'paid_payment_id');
  const emails = links.length
    ? await db('email_outbox').whereIn('link_id', links.map((l: { id: string }) => l.id)).orderBy('created_at').select('id', 'link_id', 'kind', 'to_address', 'subject', 'status', 'requested_by', 'created_at', 'sent_at')
    : [];
  const reminders = record ? await db('invoice_link_reminders').where({ invoice_link_id: record.id }).orderBy('due_at').select('id', 'kind', 'days', 'due_at', 'status', 'reason', 'email_id', 'link_id', 'sent_at') : [];
  const payments = await db('payments').where({ cono: key.cono, divi: key.divi, ivno: key.ivno }).orderBy('created_at').select('id', 'flow', 'reference', 'status', 'amount', 'currency', 'created_at');
  const runs = await db('inbox')
    .where({ aggregate_key: `invoice:${key.cono}:${key.divi}:${key.yea4}:${key.ivno}` })
    .orderBy('id')
    .select('id', 'source', 'kind', 'flow_id', 'status', 'error_code', 'received_at', 'processed_at');
  if (!record && !links.length && !runs.length) return undefined;
  return {
    invoice: { company: key.cono, division: key.divi, year: key.yea4, number: key.ivno },
    automatic: record
      ? { id: String(record.id), status: record.status, customer: record.cuno, email: record.email, linkId: record.link_id, code: record.review_code, reason: record.review_reason, paidHow: record.paid_how, paidAt: record.paid_at, createdAt: record.created_at }
      : null,
    links: links.map((l: Record<string, unknown>) => ({ ...l, automatic: String(l.created_by).startsWith('flow:') })),
    emails,
    reminders,
    payments,
    runs,
  };
}

/** The traces of every invoice with this number the gateway knows (companies, divisions and years may repeat a number). */
export async function invoiceTracesByNumber(db: Knex, ivno: string, only: { cono?: number; divi?: string; yea4?: number } = {}) {
  const filter = Object.fromEntries(Object.entries({ ivno, ...only }).filter(([, v]) => v !== undefined));
  const keys = await db
    .select('cono', 'divi', 'yea4', 'ivno')
    .from(db('invoice_links').where(filter).select('cono', 'divi', 'yea4', 'ivno').union(db('payment_links').where(filter).select('cono', 'divi', 'yea4', 'ivno')).as('k'))
    .orderBy(['yea4', 'cono', 'divi'])
    .limit(20);
  const traces = [];
  for (const k of keys as Array<{ cono: number; divi: string; yea4: number; ivno: string }>) {
    const trace = await invoiceTrace(db, k);
    if (trace) traces.push(trace);
  }
  return traces;
}

const days = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v).toFixed(1));

/**
 * The dashboard's figures for automatic links in a time range: invoices linked automatically,
 * paid through the link, paid elsewhere, waiting for review; and days-to-pay (invoice date → paid
 * through a link) for links sent by hand ("before") and automatically ("after").
 */
export async function invoiceLinkSummary(db: Knex, range: { from: Date; to: Date }) {
  const between = [range.from, range.to];
  const counts = (
    await db.raw<{ rows: Array<Record<string, string>> }>(
      `select count(*) filter (where il.status in ('linked', 'paid'))::text as linked,
              count(*) filter (where il.status = 'needs_review')::text as needs_review,
              count(*) filter (where il.status = 'paid' and il.paid_how = 'elsewhere')::text as paid_elsewhere,
              count(*) filter (where exists (select 1 from payment_links pl where pl.cono = il.cono and pl.divi = il.divi and pl.yea4 = il.yea4 and pl.ivno = il.ivno and pl.status = 'paid' and pl.created_by like 'flow:%'))::text as paid_through_link
         from invoice_links il where il.created_at between ? and ?`,
      between,
    )
  ).rows[0]!;
  const dtp = (
    await db.raw<{ rows: Array<{ automatic: boolean; invoices: string; days: string | null }> }>(
      `select (created_by like 'flow:%') as automatic, count(*)::text as invoices,
              avg(extract(epoch from (updated_at - to_timestamp(invoice_date, 'YYYYMMDD'))) / 86400)::text as days
         from payment_links where status = 'paid' and invoice_date is not null and updated_at between ? and ?
        group by 1`,
      between,
    )
  ).rows;
  const by = (automatic: boolean) => dtp.find((r) => r.automatic === automatic);
  return {
    linkedAutomatically: Number(counts.linked),
    paidThroughLink: Number(counts.paid_through_link),
    paidElsewhere: Number(counts.paid_elsewhere),
    needsReview: Number(counts.needs_review),
    daysToPay: {
      byHand: { invoices: Number(by(false)?.invoices ?? 0), averageDays: days(by(false)?.days) },
      automatic: { invoices: Number(by(true)?.invoices ?? 0), averageDays: days(by(true)?.days) },
    },
  };
}
