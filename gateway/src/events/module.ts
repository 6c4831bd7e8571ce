import type { GatewayModule } from '../kernel/module';
import { deliverWebhook, WEBHOOK_QUEUE, type WebhookDeliveryJob } from './outbound';

/** Subscriber webhooks: the delivery queue (retries and dead letters come from the job queue). */
export function eventsModule(): GatewayModule {
  return {
    async start(services) {
      await services.queue.register<WebhookDeliveryJob>({
        name: WEBHOOK_QUEUE,
        concurrency: 2,
        handler: (job) => deliverWebhook(services.db, services.config.webhooks, job),
      });
    },
  };
}
