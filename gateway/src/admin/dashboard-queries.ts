import type { Knex } from 'knex';

export interface TimeRange {
  from: Date;
  to: Date;
}

/** The bucket that keeps a chart between a few dozen and a few hundred points. */
export function bucketFor(range: TimeRange): 'minute' | 'hour' | 'day' {
  const hours = (range.to.getTime() - range.from.getTime()) / 3_600_000;
  return hours <= 3 ? 'minute' : hours <= 72 ? 'hour' : 'day';
}

/** How a payment's status reads on the dashboard. */
const OUTCOME_SQL = `case
  when status in ('completed', 'synced') then 'success'
  when status = 'failed' and coalesce(last_error_code, '') ilike '%declin%' then 'declined'
  when status = 'failed' then 'error'
  else 'in_progress' end`;

/**
 * Everything the dashboard draws for one time range, computed in PostgreSQL. Amounts are summed
 * as numeric and leave as strings with 2 decimals: never a float on the way.
 */
export async function dashboard(db: Knex, range: TimeRange) {
  const bucket = bucketFor(range);
  const between = [range.from, range.to];

  const perFlowQuery = db.raw<{ rows: Array<{ bucket: Date; flow: string; count: string; local_amount: string | null; local_currency: string | null }> }>(
    `select date_trunc('${bucket}', created_at) as bucket, flow, count(*)::text as count,
            to_char(coalesce(sum(coalesce(local_amount, amount)), 0), 'FM999999999999990.00') as local_amount,
            max(coalesce(local_currency, currency)) as local_currency
       from payments where created_at between ? and ? group by 1, 2 order by 1, 2`,
    between,
  );
  const outcomesQuery = db.raw<{ rows: Array<{ flow: string; outcome: string; count: string }> }>(
    `select flow, ${OUTCOME_SQL} as outcome, count(*)::text as count from payments where created_at between ? and ? group by 1, 2 order by 1, 2`,
    between,
  );
  // time from one status change to the next, attributed to the step that made the change
  const stepLatencyQuery = db.raw<{ rows: Array<{ step: string; count: string; avg_ms: string; p95_ms: string }> }>(
    `with e as (
       select pe.step, extract(epoch from pe.at - lag(pe.at) over (partition by pe.payment_id order by pe.id)) * 1000 as ms
         from payment_events pe join payments p on p.id = pe.payment_id
        where p.created_at between ? and ?)
     select step, count(*)::text as count, round(avg(ms))::text as avg_ms,
            round(percentile_cont(0.95) within group (order by ms))::text as p95_ms
       from e where ms is not null and step is not null group by step order by step`,
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
  const topErrorsQuery = db.raw<{ rows: Array<{ code: string; source: string; count: string }> }>(
    `select code, source, count(*)::text as count from (
        select last_error_code as code, 'payment' as source from payments where last_error_code is not null and updated_at between ? and ?
        union all select error_code, 'dead_letter' from dead_letters where created_at between ? and ?
        union all select error_code, 'intent' from intents where error_code is not null and updated_at between ? and ?
      ) e group by code, source order by count(*) desc, code limit 10`,
    [...between, ...between, ...between],
  );
  // independent reads: let the pool run them side by side
  const [perFlow, outcomes, stepLatency, retries, deadLettersByClass, settlements, topErrors] = await Promise.all([
    perFlowQuery, outcomesQuery, stepLatencyQuery, retriesQuery, deadLettersByClassQuery, settlementsQuery, topErrorsQuery,
  ]);
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString(), bucket },
    perFlow: perFlow.rows.map((r) => ({ bucket: new Date(r.bucket).toISOString(), flow: r.flow, count: Number(r.count), localAmount: r.local_amount ?? '0.00', localCurrency: r.local_currency })),
    outcomes: outcomes.rows.map((r) => ({ flow: r.flow, outcome: r.outcome, count: Number(r.count) })),
    stepLatency: stepLatency.rows.map((r) => ({ step: r.step, count: Number(r.count), avgMs: Number(r.avg_ms), p95Ms: Number(r.p95_ms) })),
    retries: retries.rows.map((r) => ({ system: r.system, outcome: r.outcome, retries: Number(r.retries) })),
    deadLetters: deadLettersByClass.rows.map((r) => ({ errorClass: r.error_class, status: r.status, count: Number(r.count) })),
    settlements: settlements.rows.map((r) => ({ batch: r.batch_number, count: Number(r.count), total: r.total, settled: r.settled_text })),
    topErrors: topErrors.rows.map((r) => ({ code: r.code, source: r.source, count: Number(r.count) })),
  };
}

export type Dashboard = Awaited<ReturnType<typeof dashboard>>;
