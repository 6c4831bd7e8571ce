import { createHash } from 'node:crypto';
import { z } from 'zod';
import { publishEvent } from '../../events/outbound';
import { defineStep, type StepConnectors } from '../define';

/**
 * An event to the webhook subscribers (signed per Standard Webhooks when delivered). Written with
 * the run's next commit; the event id is derived from the run key and the type, so a re-run
 * publishes nothing new.
 */
export function webhookStep(connectors: StepConnectors) {
  return defineStep<{ type: string; paymentId?: string; data: Record<string, unknown> }, undefined>({
    type: 'webhook.publish',
    title: 'Webhook event',
    summary: 'Publish an event (payment.succeeded, invoice.paid, …) to the configured webhook subscribers',
    category: 'notify',
    system: 'gateway',
    operation: 'outbound_events insert',
    exactlyOnce: 'local',
    deferred: true,
    input: z.object({ type: z.string().regex(/^[a-z][a-z0-9_.]{2,60}$/), paymentId: z.string().uuid().optional(), data: z.record(z.string(), z.unknown()) }).strict(),
    async execute(input, env) {
      const seed = `${env.paymentId ?? env.key}:${input.type}`;
      await publishEvent(env.trx!, connectors.queue(), connectors.webhooks(), { type: input.type, eventId: `evt_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`, paymentId: input.paymentId ?? env.paymentId, data: input.data }, env.trx);
      return undefined;
    },
  });
}
