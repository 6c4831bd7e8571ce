import type { Knex } from 'knex';
import { redact } from '../observability/redact';
import type { FlowRegistry } from '../pipeline/versions/flow-registry';
import { flowSteps, stepOfIntent, type StepInfo } from './flow-steps';
import { COLLECTED_SQL, PAYMENT_STATES, STATE_SQL, type PaymentState } from './payment-states';
import { twoDecimals } from './wire-amount';

/**
 * Payments as operators look at them: the list (recent first, filtered by flow, state and time,
 * what the dashboard tiles and bars link to), a payment's steps (done / failed / still to run),
 * dead letters with the payment they hold, and what replaying a dead letter would do.
 */

export interface PaymentListFilter {
  flow?: string;
  state?: PaymentState;
  from?: Date;
  to?: Date;
  limit?: number;
}

export interface PaymentListRow {
  paymentId: string;
  flow: string;
  status: string;
  state: PaymentState;
  reference: string;
  correlationId: string;
  ivno: string | null;
  orno: string | null;
  cuno: string | null;
  amount: string | null;
  currency: string | null;
  /** money moved at PayTrace for it */
  customerCharged: boolean;
  lastErrorCode: string | null;
  createdAt: string;
}

type Row = { id: string; flow: string; status: string; state: PaymentState; reference: string; correlation_id: string; ivno: string | null; orno: string | null; cuno: string | null; amount: string | null; currency: string | null; collected: boolean; last_error_code: string | null; created_at: Date };

const view = (r: Row): PaymentListRow => ({
  paymentId: r.id,
  flow: r.flow,
  status: r.status,
  state: r.state,
  reference: r.reference,
  correlationId: r.correlation_id,
  ivno: r.ivno,
  orno: r.orno,
  cuno: r.cuno,
  amount: r.amount === null ? null : twoDecimals(String(r.amount)),
  currency: r.currency,
  customerCharged: r.collected,
  lastErrorCode: r.last_error_code,
  createdAt: new Date(r.created_at).toISOString(),
});

const SELECT = `p.id, p.flow, p.status, (${STATE_SQL}) as state, p.reference, p.correlation_id, p.ivno, p.orno, p.cuno, p.amount, p.currency, (${COLLECTED_SQL}) as collected, p.last_error_code, p.created_at`;

/** Recent payments, newest first: the trace page before anything is searched, and the target of the dashboard's links. */
export async function listPayments(db: Knex, filter: PaymentListFilter = {}): Promise<PaymentListRow[]> {
  const where: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  const add = (sql: string, value: Knex.RawBinding) => {
    where.push(sql);
    bindings.push(value);
  };
  if (filter.flow) add('p.flow = ?', filter.flow);
  if (filter.from) add('p.created_at >= ?', filter.from);
  if (filter.to) add('p.created_at <= ?', filter.to);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const inner = `select ${SELECT} from payments p ${where.length ? `where ${where.join(' and ')}` : ''}`;
  const stateFilter = filter.state && PAYMENT_STATES.includes(filter.state) ? `where state = ?` : '';
  if (stateFilter) bindings.push(filter.state!);
  const rows = await db.raw<{ rows: Row[] }>(`select * from (${inner}) x ${stateFilter} order by created_at desc limit ${limit}`, bindings);
  return rows.rows.map(view);
}

export async function paymentState(db: Knex, paymentId: string): Promise<PaymentListRow | undefined> {
  const rows = await db.raw<{ rows: Row[] }>(`select ${SELECT} from payments p where p.id = ?`, [paymentId]);
  return rows.rows[0] ? view(rows.rows[0]) : undefined;
}

export interface StepStatus extends StepInfo {
  /** done: succeeded (a replay does not run it again); failed / pending / unknown; not_started */
  status: 'done' | 'failed' | 'pending' | 'unknown' | 'not_started';
  operation?: string;
  attempts?: number;
  error?: string | null;
  at?: string;
}

/** The payment's steps in flow order with what each has done (from its intents). */
export async function paymentSteps(db: Knex, payment: { paymentId: string; flow: string; customerCharged?: boolean }, flows?: FlowRegistry): Promise<StepStatus[]> {
  const intents = await db('intents').where({ payment_id: payment.paymentId }).orderBy('id').select<Array<{ key: string; operation: string; status: string; attempts: number; error_code: string | null; error: string | null; updated_at: Date }>>('key', 'operation', 'status', 'attempts', 'error_code', 'error', 'updated_at');
  const steps = flowSteps(flows, payment.flow);
  return steps.map((step) => {
    const found = intents.filter((i) => stepOfIntent(steps, payment.paymentId, i.key) === step).pop();
    if (!found) {
      // a charge made without an intent of ours in this flow (the pay page records it as the payment's charge): the ledger says it
      if (step.money && payment.customerCharged) return { ...step, status: 'done' };
      return { ...step, status: 'not_started' };
    }
    return {
      ...step,
      status: found.status === 'succeeded' ? 'done' : (found.status as StepStatus['status']),
      operation: found.operation,
      attempts: found.attempts,
      error: found.error_code ? `${found.error_code}: ${String(redact(found.error ?? ''))}` : null,
      at: new Date(found.updated_at).toISOString(),
    };
  });
}

export interface DeadLetterWithPayment {
  payment: PaymentListRow | null;
}

/** Dead letters with the payment whose work they hold (same correlation id): invoice, customer, amount, "customer was charged". */
export async function withPayments<T extends { correlation_id: string | null }>(db: Knex, rows: T[]): Promise<Array<T & DeadLetterWithPayment>> {
  const ids = [...new Set(rows.map((r) => r.correlation_id).filter((c): c is string => !!c))];
  const payments = ids.length ? await db.raw<{ rows: Row[] }>(`select ${SELECT} from payments p where p.correlation_id = any(?) order by p.created_at`, [ids]) : { rows: [] };
  const byCorrelation = new Map<string, PaymentListRow>();
  // a correlation can hold several attempts (pay page: a declined one, then the charged one): the charged one speaks for it
  for (const r of payments.rows) {
    const current = byCorrelation.get(r.correlation_id);
    if (!current || (!current.customerCharged && r.collected)) byCorrelation.set(r.correlation_id, view(r));
  }
  return rows.map((r) => ({ ...r, payment: (r.correlation_id && byCorrelation.get(r.correlation_id)) || null }));
}

export interface ReplayPreview {
  deadLetter: { id: string; queue: string; status: string; errorCode: string; errorMessage: string };
  payment: PaymentListRow | null;
  customerCharged: boolean;
  /** steps already done: a replay finds them recorded and does not run them again */
  done: StepStatus[];
  /** steps the replay runs (again) */
  willRun: StepStatus[];
  /** what the operator should know before confirming */
  notes: string[];
}

/** What replaying a dead letter would do: the job runs its flow again; steps already done are skipped. */
export async function replayPreview(db: Knex, deadLetterId: string, flows?: FlowRegistry): Promise<ReplayPreview | undefined> {
  const dl = await db('dead_letters').where({ id: deadLetterId }).first<{ id: string; queue: string; status: string; error_code: string; error_message: string; correlation_id: string | null } | undefined>();
  if (!dl) return undefined;
  const [enriched] = await withPayments(db, [dl]);
  const payment = enriched!.payment;
  const steps = payment ? await paymentSteps(db, payment, flows) : [];
  const notes: string[] = [];
  if (dl.status !== 'open') notes.push(`This dead letter is ${dl.status}: it cannot be replayed again.`);
  if (payment?.customerCharged) notes.push('The customer was charged. A replay never charges again: the PayTrace charge is recorded and is looked up, not repeated.');
  if (!payment) notes.push('No payment is linked to this dead letter: the replay runs the job with its payload as it was.');
  if (payment && steps.length === 0) notes.push(`Flow ${payment.flow} has no step list; the replay runs the job again from its start, skipping every side effect already recorded.`);
  notes.push('The job reads M3 and PayTrace again when it runs, so it acts on what they hold then.');
  return {
    deadLetter: { id: String(dl.id), queue: dl.queue, status: dl.status, errorCode: dl.error_code, errorMessage: String(redact(dl.error_message)) },
    payment,
    customerCharged: payment?.customerCharged ?? false,
    done: steps.filter((s) => s.status === 'done'),
    willRun: steps.filter((s) => s.status !== 'done'),
    notes,
  };
}
