import type { Knex } from 'knex';
import { CARD_ATTEMPTS_SQL, COLLECTED_SQL, STATE_SQL } from './payment-states';

export interface TimeRange {
  from: Date;
  to: Date;
  /** IANA zone the buckets (hours, days) are cut in: the operator's */
  timeZone?: string;
}

/** The bucket that keeps a chart between a few dozen and a few hundred points. */
export function bucketFor(range: TimeRange): 'minute' | 'hour' | 'day' {
  const hours = (range.to.getTime() - range.from.getTime()) / 3_600_000;
  return hours <= 3 ? 'minute' : hours <= 72 ? 'hour' : 'day';
}

const money = (expr: string) => `to_char(coalesce(${expr}, 0), 'FM999999999999990.00')`;

/**
 * Everything the dashboard draws for one time range, computed in PostgreSQL. Amounts are summed
 * as numeric and leave as strings with 2 decimals: never a float on the way. Money counts only
 * when it was collected (a decline or a failed attempt moved nothing); declines come from every
 * source (the pay page, the storefront, PayTrace transactions made outside the gateway), with the
 * same definition the decline-spike alert uses (payment-states.ts).
 */
export async function dashboard(db: Knex, range: TimeRange) {
  const bucket = bucketFor(range);
  const zone = range.timeZone ?? 'UTC';
  const between = [range.from, range.to];

  const tilesQuery = db.raw<{ rows: Array<{ source: string; state: string; count: string; amount: string; currency: string | null }> }>(
    `select source, state, count(*)::text as count, ${money('sum(amount) filter (where collected)')} as amount, max(currency) as currency
       from (${CARD_ATTEMPTS_SQL}) a group by 1, 2 order by 1, 2`,
    [...between, ...between],
  );
  const refundsQuery = db.raw<{ rows: Array<{ count: string; amount: string; currency: string | null }> }>(
    `select count(*)::text as count, ${money('sum(coalesce(p.local_amount, p.amount))')} as amount, max(coalesce(p.local_currency, p.currency)) as currency
       from payments p where p.flow = 'refund' and p.status = 'completed' and p.created_at between ? and ?`,
    between,
  );
  const perFlowQuery = db.raw<{ rows: Array<{ bucket: Date; flow: string; count: string; collected: string; local_currency: string | null }> }>(
    `select date_trunc('${bucket}', p.created_at at time zone ?) at time zone ? as bucket, p.flow, count(*)::text as count,
            ${money(`sum(case when ${COLLECTED_SQL} then coalesce(p.local_amount, p.amount) end)`)} as collected,
            max(coalesce(p.local_currency, p.currency)) as local_currency
       from payments p where p.created_at between ? and ? group by 1, 2 order by 1, 2`,
    [zone, zone, ...between],
  );
  const outcomesQuery = db.raw<{ rows: Array<{ flow: string; outcome: string; count: string }> }>(
    `select source as flow, state as outcome, count(*)::text as count from (${CARD_ATTEMPTS_SQL}) a group by 1, 2
     union all
     select p.flow, ${STATE_SQL}, count(*)::text from payments p where p.flow not in ('ecommerce_sale', 'invoice_payment') and p.created_at between ? and ? group by 1, 2
     order by 1, 2`,
    [...between, ...between, ...between],
  );
  // time from one status change to the next, attributed to the step that made the change, less
  // the time the payment lay parked as a dead letter (an operator's hours are not the step's)
  const stepLatencyQuery = db.raw<{ rows: Array<{ step: string; count: string; avg_ms: string; p95_ms: string }> }>(
    `with e as (
       select pe.step, p.correlation_id, pe.at, lag(pe.at) over (partition by pe.payment_id order by pe.id) as prev_at
         from payment_events pe join payments p on p.id = pe.payment_id
        where p.created_at between ? and ?),
     w as (
       select e.step,
              extract(epoch from e.at - e.prev_at) * 1000
              - coalesce((select sum(greatest(0, extract(epoch from least(e.at, coalesce(d.resolved_at, now())) - greatest(e.prev_at, d.created_at))))
                            from dead_letters d
                           where d.correlation_id = e.correlation_id and d.created_at < e.at and coalesce(d.resolved_at, now()) > e.prev_at), 0) * 1000 as ms
         from e where e.prev_at is not null and e.step is not null)
     select step, count(*)::text as count, round(avg(ms))::text as avg_ms,
            round(percentile_cont(0.95) within group (order by ms))::text as p95_ms
       from w group by step order by step`,
    between,
  );
  // side effects that needed more than one attempt, by system and how they ended
  const retriesQuery = db.raw<{ rows: Array<{ system: string; outcome: string; retries: string }> }>(
    `select i.system, case i.status when 'succeeded' then 'recovered' else i.status end as outcome, sum(i.attempts - 1)::text as retries
       from intents i where i.created_at between ? and ? and i.attempts > 1 group by 1, 2 order by 1, 2`,
    between,
  );
  const deadLettersByClassQuery = db.raw<{ rows: Array<{ error_class: string; status: string; count: string }> }>(
    `select error_class, status, count(*)::text as count from dead_letters where created_at between ? and ? group by 1, 2 order by 1, 2`,
    between,
  );
  const settlementsQuery = db.raw<{ rows: Array<{ batch_number: number; count: string; total: string; settled_text: string | null }> }>(
    `select batch_number, count(*)::text as count, to_char(coalesce(sum(amount), 0), 'FM999999999999990.00') as total, max(settled_text) as settled_text
       from paytrace_transactions where batch_number is not null and updated_at between ? and ?
      group by batch_number order by batch_number desc limit 30`,
    between,
  );
  // one row per error code: the same failure shows on the payment, its intent and its dead letter;
  // counted once per payment (correlation id) it hit
  const topErrorsQuery = db.raw<{ rows: Array<{ code: string; count: string; sources: string[]; last_at: Date }> }>(
    `select code, count(distinct subject)::text as count, array_agg(distinct source order by source) as sources, max(at) as last_at from (
        select p.last_error_code as code, 'payment' as source, p.correlation_id as subject, p.updated_at as at from payments p where p.last_error_code is not null and p.updated_at between ? and ?
        union all select d.error_code, 'dead letter', coalesce(d.correlation_id, 'dead-letter:' || d.id), d.created_at from dead_letters d where d.created_at between ? and ?
        union all select i.error_code, 'side effect', coalesce(p.correlation_id, i.key), i.updated_at from intents i left join payments p on p.id = i.payment_id where i.error_code is not null and i.updated_at between ? and ?
      ) e group by code order by count(distinct subject) desc, code limit 10`,
    [...between, ...between, ...between],
  );
  const linkRequestsQuery = db.raw<{ rows: Array<{ open: string }> }>(`select count(*)::text as open from link_requests where status = 'open'`);
  // independent reads: let the pool run them side by side
  const [tiles, refunds, perFlow, outcomes, stepLatency, retries, deadLettersByClass, settlements, topErrors, linkRequests] = await Promise.all([
    tilesQuery, refundsQuery, perFlowQuery, outcomesQuery, stepLatencyQuery, retriesQuery, deadLettersByClassQuery, settlementsQuery, topErrorsQuery, linkRequestsQuery,
  ]);
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString(), bucket, timeZone: zone },
    /** card attempts by source and state; `amount` is the money collected (a decline moved none) */
    attempts: tiles.rows.map((r) => ({ source: r.source, state: r.state, count: Number(r.count), amount: r.amount, currency: r.currency })),
    refunds: { count: Number(refunds.rows[0]?.count ?? 0), amount: refunds.rows[0]?.amount ?? '0.00', currency: refunds.rows[0]?.currency ?? null },
    perFlow: perFlow.rows.map((r) => ({ bucket: new Date(r.bucket).toISOString(), flow: r.flow, count: Number(r.count), collected: r.collected, localCurrency: r.local_currency })),
    outcomes: outcomes.rows.map((r) => ({ flow: r.flow, outcome: r.outcome, count: Number(r.count) })),
    stepLatency: stepLatency.rows.map((r) => ({ step: r.step, count: Number(r.count), avgMs: Number(r.avg_ms), p95Ms: Number(r.p95_ms) })),
    retries: retries.rows.map((r) => ({ system: r.system, outcome: r.outcome, retries: Number(r.retries) })),
    deadLetters: deadLettersByClass.rows.map((r) => ({ errorClass: r.error_class, status: r.status, count: Number(r.count) })),
    settlements: settlements.rows.map((r) => ({ batch: r.batch_number, count: Number(r.count), total: r.total, settled: r.settled_text })),
    topErrors: topErrors.rows.map((r) => ({ code: r.code, count: Number(r.count), sources: r.sources, lastAt: new Date(r.last_at).toISOString() })),
    openLinkRequests: Number(linkRequests.rows[0]?.open ?? 0),
  };
}

export type Dashboard = Awaited<ReturnType<typeof dashboard>>;
