import type { Knex } from 'knex';
import { isUuid } from '../http/ids';
import { redact } from '../observability/redact';
import { COLLECTED_SQL, STATE_SQL } from './payment-states';
import type { FlowRegistry } from '../pipeline/versions/flow-registry';
import { paymentState, paymentSteps } from './payment-views';
import { twoDecimals } from './wire-amount';

export interface TraceHit {
  paymentId: string | null;
  flow: string | null;
  status: string | null;
  /** completed | declined | charged_not_posted | failed | in_progress (payment-states.ts); null for an inbox row */
  state: string | null;
  customerCharged: boolean;
  reference: string | null;
  matchedOn: string;
  correlationId: string;
  ivno: string | null;
  orno: string | null;
  cuno: string | null;
  amount: string | null;
  currency: string | null;
  createdAt: string;
}


const PAYMENT_COLUMNS = ['p.id', 'p.flow', 'p.status', 'p.reference', 'p.correlation_id', 'p.ivno', 'p.orno', 'p.cuno', 'p.amount', 'p.currency', 'p.created_at'];

type PaymentRow = { id: string; flow: string; status: string; state: string; collected: boolean; reference: string; correlation_id: string; ivno: string | null; orno: string | null; cuno: string | null; amount: string | null; currency: string | null; created_at: Date };

/**
 * Find payments by any id an operator may hold: ORNO, IVNO, CUNO, PayTrace transaction id,
 * BODID (ION inbox dedupe key), link id / reference, storefront order, correlation id.
 */
export async function searchTrace(db: Knex, rawQuery: string): Promise<TraceHit[]> {
  const q = rawQuery.trim().slice(0, 200);
  if (!q) return [];
  const hits = new Map<string, TraceHit>();
  const add = (row: PaymentRow, matchedOn: string) => {
    if (hits.has(row.id)) return;
    hits.set(row.id, {
      paymentId: row.id, flow: row.flow, status: row.status, state: row.state, customerCharged: row.collected, reference: row.reference, matchedOn, correlationId: row.correlation_id,
      ivno: row.ivno, orno: row.orno, cuno: row.cuno, amount: row.amount === null ? null : twoDecimals(String(row.amount)), currency: row.currency,
      createdAt: new Date(row.created_at).toISOString(),
    });
  };
  // one query over the indexed id columns; the CASE says which id matched
  const numeric = /^\d{1,18}$/.test(q);
  const uuid = isUuid(q);
  const rows: Array<PaymentRow & { matched: string }> = await db('payments as p')
    .select(PAYMENT_COLUMNS)
    .select(db.raw(`(${STATE_SQL}) as state, (${COLLECTED_SQL}) as collected`))
    .select(
      db.raw(
        `case when ivno = ? then 'IVNO' when orno = ? then 'ORNO' when cuno = ? then 'CUNO' when reference = ? then 'link id / reference'
              when correlation_id = ? then 'correlation id' when storefront_order_id = ? then 'storefront order'
              when paytrace_transaction_id::text = ? then 'PayTrace transaction id' else 'payment id' end as matched`,
        [q, q, q, q, q, q, q],
      ),
    )
    .where((w) => {
      w.where('p.ivno', q).orWhere('p.orno', q).orWhere('p.cuno', q).orWhere('p.reference', q).orWhere('p.correlation_id', q).orWhere('p.storefront_order_id', q);
      if (numeric) w.orWhere('p.paytrace_transaction_id', q);
      if (uuid) w.orWhere('p.id', q);
    })
    .orderBy('p.created_at', 'desc')
    .limit(100);
  rows.forEach((r) => add(r, r.matched));
  // a BOD id or any other inbox key: follow its correlation id to the payments it started
  const inbox = await db('inbox').select('id', 'source', 'kind', 'correlation_id', 'received_at', 'status').where('dedupe_key', q).limit(20);
  for (const row of inbox as Array<{ id: string; source: string; kind: string; correlation_id: string; received_at: Date; status: string }>) {
    const payments: PaymentRow[] = await db('payments as p').select(PAYMENT_COLUMNS).select(db.raw(`(${STATE_SQL}) as state, (${COLLECTED_SQL}) as collected`)).where('p.correlation_id', row.correlation_id).limit(20);
    payments.forEach((p) => add(p, row.source === 'ion' ? 'BODID' : `${row.source} inbox key`));
    if (!payments.length) {
      hits.set(`inbox:${row.id}`, {
        paymentId: null, flow: null, status: row.status, state: null, customerCharged: false, reference: null, matchedOn: row.source === 'ion' ? 'BODID' : `${row.source} inbox key`,
        correlationId: row.correlation_id, ivno: null, orno: null, cuno: null, amount: null, currency: null, createdAt: new Date(row.received_at).toISOString(),
      });
    }
  }
  return [...hits.values()].slice(0, 100);
}

export interface TimelineEntry {
  at: string;
  /** inbox | payment | m3 | paytrace | ion | webhook | email | event | dead_letter | audit | settlement */
  system: string;
  what: string;
  status: string;
  detail: unknown;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : '');

/** What the Trace page shows for one payment (the UI imports this type). */
export type PaymentTrace = NonNullable<Awaited<ReturnType<typeof paymentTimeline>>>;

/** One payment's story across systems, oldest first; every payload masked. */
export async function paymentTimeline(db: Knex, paymentId: string, flows?: FlowRegistry) {
  const payment = await db('payments').where({ id: paymentId }).first<Record<string, unknown> | undefined>();
  if (!payment) return undefined;
  const correlationId = String(payment.correlation_id);
  const entries: TimelineEntry[] = [];
  const inbox = await db('inbox').where({ correlation_id: correlationId }).orderBy('id');
  for (const r of inbox) entries.push({ at: iso(r.received_at), system: 'inbox', what: `${r.source} ${r.kind}`, status: r.status, detail: redact({ dedupeKey: r.dedupe_key, error: r.error, errorCode: r.error_code, payload: r.payload }) });
  const events = await db('payment_events').where({ payment_id: paymentId }).orderBy('id');
  for (const r of events) entries.push({ at: iso(r.at), system: 'payment', what: r.step ?? 'status', status: `${r.from_status ?? '∅'} → ${r.to_status}`, detail: redact(r.detail) });
  const intents = await db('intents').where({ payment_id: paymentId }).orderBy('id');
  for (const r of intents) entries.push({ at: iso(r.created_at), system: r.system, what: r.operation, status: `${r.status}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}${r.resolved_by === 'lookup' ? ' (found by lookup)' : ''}`, detail: redact({ request: r.request, result: r.result, errorCode: r.error_code, error: r.error }) });
  const outbound = await db('outbound_events').where({ payment_id: paymentId }).orderBy('id');
  for (const r of outbound) entries.push({ at: iso(r.created_at), system: 'event', what: r.type, status: r.status, detail: redact({ eventId: r.event_id, attempts: r.attempts }) });
  const mirror = await db('paytrace_transactions')
    .where({ payment_id: paymentId })
    .modify((qb) => {
      if (payment.paytrace_transaction_id) qb.orWhere({ transaction_id: payment.paytrace_transaction_id });
    });
  for (const r of mirror) entries.push({ at: iso(r.updated_at), system: 'settlement', what: `PayTrace transaction ${r.transaction_id}`, status: r.state, detail: redact({ batch: r.batch_number, amount: r.amount, settled: r.settled_text, card: r.masked_card_number }) });
  const dead = await db('dead_letters').where({ correlation_id: correlationId }).orderBy('id');
  for (const r of dead) entries.push({ at: iso(r.created_at), system: 'dead_letter', what: `${r.queue}: ${r.error_code}`, status: r.status, detail: redact({ id: r.id, errorClass: r.error_class, message: r.error_message }) });
  // a dispute of this payment: each stage of the case, with where its money went (CB-/CBW-<case>)
  const cases = await db('chargebacks').where({ payment_id: paymentId }).orderBy('created_at');
  for (const c of cases) {
    for (const h of (c.history ?? []) as Array<{ stage: string; at: string; source: string }>) {
      entries.push({ at: h.at, system: 'chargeback', what: `chargeback ${c.case_number}: ${h.stage}`, status: c.status, detail: { caseNumber: c.case_number, amount: c.amount, fee: c.fee, reasonCode: c.reason_code, respondBy: c.respond_by ? iso(c.respond_by) : null, source: h.source, booked: `CB-${c.case_number}` } });
    }
  }
  const audits = await db('audit_log').where({ subject_id: paymentId }).orderBy('id');
  for (const r of audits) entries.push({ at: iso(r.at), system: 'audit', what: r.action, status: r.actor, detail: redact({ reason: r.reason, details: r.details }) });
  entries.sort((a, b) => a.at.localeCompare(b.at));
  for (const key of ['amount', 'local_amount']) if (typeof payment[key] === 'string') payment[key] = twoDecimals(payment[key]);
  const summary = (await paymentState(db, paymentId))!;
  const steps = await paymentSteps(db, { paymentId, flow: String(payment.flow), customerCharged: summary.customerCharged }, flows);
  return {
    payment: redact(payment) as Record<string, unknown>,
    state: summary.state,
    customerCharged: summary.customerCharged,
    steps,
    chargebacks: cases.map((c) => ({ caseNumber: c.case_number as string, status: c.status as string, amount: c.amount as string, respondBy: c.respond_by ? iso(c.respond_by) : null })),
    deadLetters: dead.map((r) => ({ id: String(r.id), queue: r.queue, status: r.status, errorCode: r.error_code, errorClass: r.error_class, createdAt: iso(r.created_at) })),
    timeline: entries,
  };
}
