import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { ConnectorStatus } from '../observability/connector-status';
import type { Logger } from '../observability/logger';
import { escapeHtml } from '../http/routes/health-page';
import { LINK_EMAIL_QUEUE } from '../links/email';
import { asSingleton } from '../pipeline/advisory-lock';
import { jobDbFor, type JobQueue } from '../pipeline/job-queue';
import { CARD_ATTEMPTS_SQL } from './payment-states';

/** the poller's row in poller_state (flows/poller/paytrace-poller.ts) */
export const PAYTRACE_POLLER_STATE = 'paytrace-transactions';

export type AlertRule = 'dlq_growth' | 'poller_lag' | 'connector_down' | 'decline_spike' | 'chargeback_deadline';

export interface Firing {
  rule: AlertRule;
  /** one open alert per key: the rule plus its subject (e.g. the connector) */
  key: string;
  severity: 'warning' | 'critical';
  message: string;
  detail: Record<string, unknown>;
}

type AlertSettings = Config['admin']['alerts'];

/** Evaluate every rule once against the database and the connector status; answers what fires now. */
export async function evaluateRules(db: Knex, settings: AlertSettings, context: { connectors: ConnectorStatus; pollerEnabled: boolean; startedAt: Date; now?: Date }): Promise<Firing[]> {
  // the database's clock: every rule compares it with timestamps the database wrote (a payment
  // written in the same millisecond as a gateway clock reading has a later created_at, in µs)
  const now = context.now ?? (await db.raw<{ rows: Array<{ now: Date }> }>('select now() as now')).rows[0]!.now;
  const firing: Firing[] = [];

  const dlq = await db('dead_letters').where('created_at', '>', new Date(now.getTime() - settings.dlqWindowMinutes * 60_000)).count<{ count: string }[]>({ count: '*' }).first();
  const newDead = Number(dlq?.count ?? 0);
  if (newDead >= settings.dlqGrowth) {
    firing.push({ rule: 'dlq_growth', key: 'dlq_growth', severity: 'critical', message: `${newDead} dead letters in the last ${settings.dlqWindowMinutes} minutes`, detail: { newDeadLetters: newDead, windowMinutes: settings.dlqWindowMinutes } });
  }

  if (context.pollerEnabled) {
    const state = await db('poller_state').where({ name: PAYTRACE_POLLER_STATE }).first<{ high_water_mark: Date | null } | undefined>();
    const since = state?.high_water_mark ? new Date(state.high_water_mark) : context.startedAt;
    const lagSeconds = Math.round((now.getTime() - since.getTime()) / 1000);
    if (lagSeconds > settings.pollerLagSeconds) {
      firing.push({ rule: 'poller_lag', key: 'poller_lag', severity: 'warning', message: `PayTrace poller has not completed a pass for ${lagSeconds} s`, detail: { lagSeconds, thresholdSeconds: settings.pollerLagSeconds } });
    }
  }

  for (const [name, c] of Object.entries(context.connectors.snapshot())) {
    if (c.status === 'degraded') {
      firing.push({ rule: 'connector_down', key: `connector_down:${name}`, severity: 'critical', message: `${name} failed its last call: ${c.lastError?.detail ?? 'error'}`, detail: { connector: name, lastError: c.lastError, lastOk: c.lastOk } });
    }
  }

  // the dashboard's definition of a decline, from every source (pay page, storefront, PayTrace
  // transactions made outside the gateway): card testing on the public pay page raises it too
  const windowStart = new Date(now.getTime() - settings.declineWindowMinutes * 60_000);
  const declines = (
    await db.raw<{ rows: Array<{ total: number; declined: number }> }>(
      `select count(*)::int as total, count(*) filter (where state = 'declined')::int as declined from (${CARD_ATTEMPTS_SQL}) a`,
      // to the end of `now`'s millisecond: the driver reads the database's µs clock into a Date (ms)
      [windowStart, new Date(now.getTime() + 1), windowStart, new Date(now.getTime() + 1)],
    )
  ).rows[0];
  if (declines && declines.total >= settings.declineMinSample && declines.declined / declines.total >= settings.declineRatio) {
    firing.push({
      rule: 'decline_spike', key: 'decline_spike', severity: 'warning',
      message: `${declines.declined} of ${declines.total} card payments declined in the last ${settings.declineWindowMinutes} minutes (pay page, storefront and PayTrace)`,
      detail: { ...declines, ratio: Number((declines.declined / declines.total).toFixed(3)) },
    });
  }
  // a chargeback case still waiting for our answer whose response deadline is near (or passed):
  // one alert per case, resolved when the evidence is submitted or the case closes
  const dueBy = new Date(now.getTime() + settings.chargebackDeadlineHours * 3_600_000);
  const cases = await db('chargebacks').whereIn('status', ['received', 'review']).whereNotNull('respond_by').where('respond_by', '<=', dueBy).orderBy('respond_by').limit(200)
    .select<Array<{ case_number: string; respond_by: Date; amount: string; currency: string; status: string }>>('case_number', 'respond_by', 'amount', 'currency', 'status');
  for (const c of cases) {
    const hours = Math.round((new Date(c.respond_by).getTime() - now.getTime()) / 3_600_000);
    firing.push({
      rule: 'chargeback_deadline', key: `chargeback_deadline:${c.case_number}`, severity: hours <= 24 ? 'critical' : 'warning',
      message: hours < 0 ? `chargeback ${c.case_number} (${c.amount} ${c.currency}): the response deadline passed ${-hours} h ago` : `chargeback ${c.case_number} (${c.amount} ${c.currency}): respond within ${hours} h (by ${new Date(c.respond_by).toISOString()})`,
      detail: { caseNumber: c.case_number, respondBy: new Date(c.respond_by).toISOString(), hoursLeft: hours, status: c.status },
    });
  }
  return firing;
}

/**
 * Record what fires: a new alert once per key while it stays open (repeats only count), an
 * e-mail per recipient for each new alert through the gateway's e-mail outbox (the one payment-link
 * e-mails use: gateway/src/links/email.ts), in the same transaction as the alert; open alerts whose
 * rule no longer fires are resolved.
 */
export async function applyFirings(db: Knex, queue: JobQueue, firing: Firing[], recipients: string[]): Promise<{ raised: number; repeated: number; resolved: number; emails: number }> {
  let raised = 0;
  let repeated = 0;
  let emails = 0;
  for (const f of firing) {
    await db.transaction(async (trx) => {
      const result = await trx.raw<{ rows: Array<{ id: string; inserted: boolean }> }>(
        `insert into alerts (rule, dedupe_key, severity, message, detail) values (?, ?, ?, ?, ?)
         on conflict (dedupe_key) where status = 'open'
         do update set occurrences = alerts.occurrences + 1, last_seen_at = now(), message = excluded.message, detail = excluded.detail
         returning id, (xmax = 0) as inserted`,
        [f.rule, f.key, f.severity, f.message, JSON.stringify(f.detail)],
      );
      const row = result.rows[0]!;
      if (!row.inserted) {
        repeated++;
        return;
      }
      raised++;
      for (const to of recipients) {
        const id = randomUUID();
        const subject = `[m3-paytrace ${f.severity}] ${f.message}`.slice(0, 200);
        const text = `${f.message}\n\nrule: ${f.rule}\nalert: ${row.id}\ndetail: ${JSON.stringify(f.detail)}\n`;
        await trx('email_outbox').insert({ id, link_id: null, to_address: to, subject, text, html: `<pre>${escapeHtml(text)}</pre>`, status: 'queued', kind: 'alert', requested_by: `alert:${row.id}` });
        await queue.send(LINK_EMAIL_QUEUE, { emailId: id }, { db: await jobDbFor(trx), correlationId: `alert-${row.id}` });
        emails++;
      }
    });
  }
  const keys = firing.map((f) => f.key);
  const resolved = await db('alerts').where({ status: 'open' }).modify((q) => (keys.length ? q.whereNotIn('dedupe_key', keys) : q)).update({ status: 'resolved', resolved_at: db.fn.now() });
  return { raised, repeated, resolved, emails };
}

/** The periodic evaluator: one instance at a time across the cluster (advisory lock). */
export function startAlertEvaluator(db: Knex, queue: JobQueue, config: Config, context: { connectors: ConnectorStatus; startedAt: Date; logger: Logger }): { stop(): Promise<void>; tick(): Promise<void> } {
  const settings = config.admin.alerts;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const outcome = await asSingleton(db, 'admin-alerts', async () => {
      const firing = await evaluateRules(db, settings, { connectors: context.connectors, pollerEnabled: config.poller.enabled, startedAt: context.startedAt });
      return applyFirings(db, queue, firing, settings.recipients);
    });
    if (outcome.ran && outcome.value.raised) context.logger.warn('alerts raised', outcome.value);
  };
  const timer = settings.enabled
    ? setInterval(() => {
        running = tick().catch((err: unknown) => {
          context.logger.error('alert evaluation failed', { err });
        });
      }, settings.intervalSeconds * 1000)
    : undefined;
  timer?.unref();
  return {
    tick,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
