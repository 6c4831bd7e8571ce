import { inboxWorker } from '../../pipeline/inbox-worker';
import type { GatewayModule } from '../../kernel/module';
import type { InboxJob } from '../../pipeline/inbox';
import { applyPayTraceEvent } from './paytrace-events';
import { PAYTRACE_EVENT_QUEUE, PayTracePoller } from './paytrace-poller';

/** The PayTrace poller (one instance at a time across gateways) and the queue that applies what it finds. */
export function payTracePollerModule(): GatewayModule {
  let poller: PayTracePoller | undefined;
  return {
    async start(services) {
      await services.queue.register<InboxJob>({
        name: PAYTRACE_EVENT_QUEUE,
        concurrency: 2,
        handler: inboxWorker(services, async (row) => {
          await applyPayTraceEvent(services.db, row);
        }),
      });
      const { intervalSeconds, enabled, initialLookbackDays, overlapDays } = services.config.poller;
      if (!services.paytrace || !enabled) return;
      poller = new PayTracePoller(services.db, services.queue, services.paytrace, services.logger, { initialLookbackDays, overlapDays });
      poller.start(intervalSeconds * 1000);
    },
    async stop() {
      await poller?.stop();
    },
  };
}
