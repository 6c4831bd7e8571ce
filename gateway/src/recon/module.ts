import type { GatewayModule } from '../kernel/module';
import { loadReconConfig, type ReconConfig } from './config';
import { reconServices } from './context';
import { reconRoutes } from './routes';
import { createRun, RECON_QUEUE, runRecon, type ReconJob } from './run';
import { installNightlySchedule, previousDayIn, RECON_NIGHTLY_QUEUE } from './schedule';

/**
 * Settlement reconciliation: the run queue (one run at a time), the nightly schedule (pg-boss
 * cron in the configured time zone; the run key nightly:<day> makes a second firing a no-op) and
 * the /api/recon routes.
 */
export function reconModule(overrides: Partial<ReconConfig> = {}): GatewayModule {
  const config = loadReconConfig(process.env, overrides);
  let schedule: { cancel(): void } | undefined;
  return {
    routes: (app, services) => {
      app.use(reconRoutes(services, config));
    },
    async start(services) {
      await services.queue.register<ReconJob>({
        name: RECON_QUEUE,
        concurrency: 1,
        handler: async ({ runId }) => {
          await runRecon({ flow: reconServices(services), recon: config }, runId);
        },
      });
      await services.queue.register<Record<string, never>>({
        name: RECON_NIGHTLY_QUEUE,
        concurrency: 1,
        handler: async () => {
          const day = previousDayIn(config.timeZone);
          await createRun(services.db, services.queue, config, { from: day, to: day, mode: config.nightlyMode, runKey: `nightly:${day}` }, { trigger: 'schedule', requestedBy: 'schedule' });
        },
      });
      if (config.scheduleEnabled && services.paytrace && services.infor) schedule = installNightlySchedule(services, config);
    },
    async stop() {
      schedule?.cancel();
    },
  };
}
