import type { JobEnvelope } from '../pipeline/job-queue';
import type { GatewayServices } from '../kernel/services';
import type { ReconConfig } from './config';

export const RECON_NIGHTLY_QUEUE = 'recon-nightly';

/** The calendar day before `now` in `timeZone` (YYYY-MM-DD): what a nightly run reconciles. */
export function previousDayIn(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const today = Date.UTC(get('year'), get('month') - 1, get('day'));
  return new Date(today - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Register the nightly run with pg-boss' cron (evaluated in the configured time zone; pg-boss
 * keeps one schedule per name across every gateway on the database and sends one job per tick).
 * A schedule is a row pointing at a queue, so it is written once the queue exists: after the
 * gateway's queue has started.
 */
export function installNightlySchedule(services: GatewayServices, config: ReconConfig): { cancel(): void } {
  let cancelled = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = () => {
    if (cancelled || services.lifecycle.shuttingDown) return;
    if (!services.lifecycle.ready) {
      timer = setTimeout(attempt, 50);
      timer.unref();
      return;
    }
    const envelope: JobEnvelope<Record<string, never>> = { queue: RECON_NIGHTLY_QUEUE, jobId: 'recon-nightly-schedule', correlationId: 'recon-nightly', payload: {} };
    services.queue.boss
      .schedule(RECON_NIGHTLY_QUEUE, config.schedule, envelope, { tz: config.timeZone })
      .then(() => services.logger.info('nightly reconciliation scheduled', { cron: config.schedule, timeZone: config.timeZone }))
      .catch((err: unknown) => services.logger.error('nightly reconciliation could not be scheduled', { err }));
  };
  attempt();
  return {
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
    },
  };
}
