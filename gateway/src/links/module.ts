import type { GatewayModule } from '../kernel/module';
import { deliverEmail, LINK_EMAIL_QUEUE, mailSenderFor } from './email';
import { linkEvents } from './link-metrics';
import { linkServiceOf } from './link-service';
import { linkApiRoutes, payRoutes } from './routes';

/** Issue 6: payment links for M3 invoices, the customer's pay page, and link e-mails. */
export function linksModule(): GatewayModule {
  return {
    routes: (app, services) => {
      app.use(linkApiRoutes(services));
      app.use(payRoutes(services));
    },
    async start(services) {
      await linkServiceOf(services); // loads (or makes) the signing key once, after migrations
      linkEvents(services); // the counter shows on /metrics from the start
      const sender = mailSenderFor(services.config);
      await services.queue.register<{ emailId: string }>({
        name: LINK_EMAIL_QUEUE,
        concurrency: 2,
        handler: (payload) => deliverEmail(services.db, sender, payload.emailId, services.config.links.mailFrom),
      });
    },
  };
}
