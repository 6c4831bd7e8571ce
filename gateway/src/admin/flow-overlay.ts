import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../errors';
import type { GatewayServices } from '../kernel/services';
import { allSteps, type CompiledFlow } from '../pipeline/definitions/compile';
import type { RunStepAttempt } from '../pipeline/run-steps';
import { flowIdParam as flowId, parseAdminInput, type AdminEndpoint } from './endpoint';
import type { FlowOverlay, OverlayRun, OverlayRuns, OverlayStep } from './flow-overlay-types';

/**
 * The flow builder's live overlay on the published flow: per step, the runs in progress, failed and
 * parked there, the money in flight there, the p95 time of a successful attempt and of all attempts
 * together, and how many runs needed more than one attempt — read from flow_run_steps (which
 * the runner writes) with ONE aggregate query per refresh, over indexes only (migration
 * 066_flow_run_steps; test/integration/admin/flow-overlay.test.ts checks the plan). A node's recent
 * runs link to their traces; a run parked at the step is replayed with the dead-letter replay action.
 */

const stepId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a step id such as receipt');
const overlayQuery = z.object({ windowMinutes: z.coerce.number().int().min(1).max(1440).default(60) }).strict();


/** Steps of the flow (compensations included) that move or book money: where money can be in flight. */
export function moneySteps(flow: CompiledFlow): string[] {
  return [...allSteps(flow.steps), ...flow.compensations.values()].filter((s) => s.stepType?.movesMoney).map((s) => s.id);
}

/**
 * The overlay's one query. Each part reads an index: the recent window by (flow_id, finished_at),
 * what is in progress or parked by the partial index of runs not done, the money by the intents'
 * unique key and the payments' primary key, the dead letters by their status index.
 */
export function overlaySql(db: Knex, flow: string, windowMinutes: number, money: string[]): Knex.Raw {
  return db.raw(
    `with window_runs as (
       select step_id, state, ms, jsonb_array_length(attempts) as attempts,
              case when state in ('done', 'failed', 'dead') then (select sum((a.e->>'ms')::int) from jsonb_array_elements(attempts) as a(e)) end as total
         from flow_run_steps
        where flow_id = :flow and finished_at >= now() - make_interval(mins => :window)
     ), recent as (
       select step_id, count(*) filter (where state in ('failed', 'dead')) as failed,
              percentile_disc(0.95) within group (order by ms) filter (where state = 'done') as p95, count(ms) filter (where state = 'done') as timed,
              percentile_disc(0.95) within group (order by total) as p95_total, count(total) as settled,
              count(*) filter (where attempts > 1) as retried
         from window_runs
        group by step_id
     ), open as (
       select step_id, count(*) as in_progress
         from flow_run_steps
        where flow_id = :flow and state in ('running', 'retrying')
        group by step_id
     ), parked as (
       select r.step_id, count(*) as dead_lettered
         from dead_letters d
         join flow_run_steps r on r.inbox_id = (case when d.payload->>'inboxId' ~ '^[0-9]{1,18}$' then (d.payload->>'inboxId')::bigint end) and r.state = 'dead'
        where d.status = 'open' and d.queue = :flow
        group by r.step_id
     ), money as (
       select r.step_id, p.currency, sum(p.amount) as amount
         from flow_run_steps r
         join intents i on i.key = r.payment_id::text || ':' || r.step_id
         join payments p on p.id = r.payment_id
        where r.flow_id = :flow and r.state in ('running', 'retrying', 'dead') and r.step_id = any(:money)
          and i.status in ('pending', 'unknown') and p.amount is not null and p.currency is not null
        group by r.step_id, p.currency
     )
     select 'recent' as part, step_id, failed::int as n, timed::int as timed, p95::int as p95, p95_total::int as p95_total, settled::int as settled, retried::int as retried, null::text as currency, null::text as amount from recent
     union all select 'open', step_id, in_progress::int, null, null, null, null, null, null, null from open
     union all select 'parked', step_id, dead_lettered::int, null, null, null, null, null, null, null from parked
     union all select 'money', step_id, null, null, null, null, null, null, currency, amount::text from money`,
    { flow, window: windowMinutes, money: db.raw('?::text[]', [money]) },
  );
}

interface OverlayRow {
  part: 'recent' | 'open' | 'parked' | 'money';
  step_id: string;
  n: number | null;
  timed: number | null;
  p95: number | null;
  p95_total: number | null;
  settled: number | null;
  retried: number | null;
  currency: string | null;
  amount: string | null;
}

export async function flowOverlay(db: Knex, flow: CompiledFlow, publishedVersion: number, windowMinutes: number): Promise<FlowOverlay> {
  const { rows } = (await overlaySql(db, flow.id, windowMinutes, moneySteps(flow))) as { rows: OverlayRow[] };
  const steps = new Map<string, OverlayStep>();
  const of = (id: string) => {
    let s = steps.get(id);
    if (!s) steps.set(id, (s = { stepId: id, inProgress: 0, failed: 0, deadLettered: 0, moneyInFlight: [], p95Ms: null, timed: 0, p95TotalMs: null, settled: 0, retried: 0 }));
    return s;
  };
  for (const r of rows) {
    const s = of(r.step_id);
    if (r.part === 'recent') Object.assign(s, { failed: r.n ?? 0, timed: r.timed ?? 0, p95Ms: r.p95, p95TotalMs: r.p95_total, settled: r.settled ?? 0, retried: r.retried ?? 0 });
    else if (r.part === 'open') s.inProgress = r.n ?? 0;
    else if (r.part === 'parked') s.deadLettered = r.n ?? 0;
    else s.moneyInFlight.push({ currency: r.currency!, amount: r.amount! });
  }
  for (const s of steps.values()) s.moneyInFlight.sort((a, b) => a.currency.localeCompare(b.currency));
  return { flowId: flow.id, publishedVersion, windowMinutes, at: new Date().toISOString(), steps: [...steps.values()].sort((a, b) => a.stepId.localeCompare(b.stepId)) };
}

/** The attempts' times added up (those that finished); null when none did. */
function totalMs(attempts: RunStepAttempt[]): number | null {
  const timed = attempts.filter((a) => a.ms !== null);
  return timed.length ? timed.reduce((sum, a) => sum + a.ms!, 0) : null;
}

/** A node's most recent runs (newest first), with their payments and, for a run parked at the step, its open dead letter. */
export async function stepRuns(db: Knex, flow: string, step: string, limit = 50): Promise<OverlayRun[]> {
  const rows = await db('flow_run_steps as r')
    .leftJoin('payments as p', 'p.id', 'r.payment_id')
    .leftJoin('flow_versions as v', 'v.id', 'r.flow_version_id')
    .where({ 'r.flow_id': flow, 'r.step_id': step })
    .orderBy('r.started_at', 'desc')
    .limit(limit)
    .select(
      'r.inbox_id', 'r.state', 'r.started_at', 'r.ms', 'r.error_code', 'r.attempts', 'v.version as flow_version',
      'p.id as payment_id', 'p.reference', 'p.status as payment_status', db.raw('p.amount::text as amount'), 'p.currency',
      db.raw(`case when r.state = 'dead' then (select d.id from dead_letters d where d.status = 'open' and d.queue = r.flow_id and d.payload->>'inboxId' = r.inbox_id::text order by d.id desc limit 1) end as dead_letter_id`),
    );
  return rows.map((r: Record<string, unknown>) => {
    const attempts = keptAttempts(r);
    return {
      inboxId: String(r.inbox_id),
      state: r.state as OverlayRun['state'],
      startedAt: new Date(r.started_at as string).toISOString(),
      ms: r.ms as number | null,
      errorCode: r.error_code as string | null,
      attempts: attempts.map((a) => ({ startedAt: a.at, ms: a.ms, outcome: a.outcome, errorCode: a.code })),
      totalMs: totalMs(attempts),
      flowVersion: r.flow_version as number | null,
      payment: r.payment_id ? { id: String(r.payment_id), reference: String(r.reference), status: String(r.payment_status), amount: r.amount as string | null, currency: r.currency as string | null } : null,
      deadLetterId: r.dead_letter_id == null ? null : String(r.dead_letter_id),
    };
  });
}

/** A row's attempts; a row older than migration 069's backfill (`[]`) had one: the one the row describes. */
function keptAttempts(r: Record<string, unknown>): RunStepAttempt[] {
  const attempts = r.attempts as RunStepAttempt[];
  if (attempts.length) return attempts;
  const ms = r.ms as number | null;
  return [{ id: 'row', at: new Date(r.started_at as string).toISOString(), ms, outcome: r.state === 'done' ? 'done' : ms === null ? 'running' : 'failed', code: r.error_code as string | null }];
}

/** parameters and the query, an issue about the whole input named `query` */
const parse = <T extends z.ZodType>(schema: T, value: unknown) => parseAdminInput(schema, value, 'query');

function publishedFlow(s: GatewayServices, id: string) {
  const published = s.pipeline?.flows.published(id);
  if (!published) throw new AppError(`flow ${id} is not published: the overlay shows a published flow's runs`, { code: 'ADMIN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
  return published;
}

export const FLOW_OVERLAY_ENDPOINTS: AdminEndpoint[] = [
  {
    method: 'get', path: '/admin/api/flows/:id/overlay', role: 'viewer',
    handler: async (req, _res, s): Promise<FlowOverlay> => {
      const published = publishedFlow(s, parse(flowId, req.params.id));
      const { windowMinutes } = parse(overlayQuery, req.query);
      return flowOverlay(s.db, published.flow, published.version, windowMinutes);
    },
  },
  {
    method: 'get', path: '/admin/api/flows/:id/overlay/steps/:step/runs', role: 'viewer',
    handler: async (req, _res, s): Promise<OverlayRuns> => {
      const published = publishedFlow(s, parse(flowId, req.params.id));
      const step = parse(stepId, req.params.step);
      return { flowId: published.flow.id, stepId: step, runs: await stepRuns(s.db, published.flow.id, step) };
    },
  },
];
