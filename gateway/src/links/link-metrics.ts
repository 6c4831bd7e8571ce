import client from 'prom-client';
import type { GatewayServices } from '../kernel/services';

/** m3pt_payment_link_events_total{event}: links created/reused, charge outcomes (paid, declined, confirming, refused code). */
const counters = new WeakMap<GatewayServices, client.Counter<'event'>>();

export function linkEvents(services: GatewayServices): client.Counter<'event'> {
  let counter = counters.get(services);
  if (!counter) {
    counter = new client.Counter({
      name: 'm3pt_payment_link_events_total',
      help: 'Payment link events: created, reused, and each pay attempt outcome (paid, declined, confirming, or the refusal code)',
      labelNames: ['event'],
      registers: [services.metrics.registry],
    });
    counters.set(services, counter);
  }
  return counter;
}
