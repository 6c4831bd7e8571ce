import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { Webhook } from 'standardwebhooks';
import type { Config } from '../config';
import { AppError } from '../errors';
import { jobDbFor, type JobQueue } from '../pipeline/job-queue';

export const WEBHOOK_QUEUE = 'webhook-delivery';

export interface OutboundEvent {
  /** e.g. payment.succeeded, payment.refunded, invoice.paid */
  type: string;
  paymentId?: string;
  data: Record<string, unknown>;
  /** a deterministic id makes publishing idempotent (e.g. `<payment id>:<status>`) */
  eventId?: string;
}

export interface WebhookDeliveryJob {
  eventId: string;
  subscriber: string;
}

/**
 * Record an event and one delivery job per interested subscriber, in one transaction (pass the
 * caller's transaction to tie the event to the state change that caused it). Publishing the same
 * event id twice has no further effect.
 */
export async function publishEvent(db: Knex, queue: JobQueue, config: Config['webhooks'], event: OutboundEvent, trx?: Knex.Transaction): Promise<{ eventId: string; published: boolean }> {
  const eventId = event.eventId ?? `evt_${randomUUID()}`;
  const run = async (t: Knex.Transaction) => {
    const payload = { type: event.type, timestamp: new Date().toISOString(), data: event.data };
    const inserted = await t('outbound_events')
      .insert({ event_id: eventId, type: event.type, payment_id: event.paymentId ?? null, payload: JSON.stringify(payload) })
      .onConflict('event_id')
      .ignore()
      .returning('id');
    if (inserted.length === 0) return { eventId, published: false };
    const jobDb = await jobDbFor(t);
    for (const subscriber of config.subscribers) {
      if (subscriber.types.length && !subscriber.types.includes(event.type)) continue;
      await queue.send<WebhookDeliveryJob>(WEBHOOK_QUEUE, { eventId, subscriber: subscriber.name }, { db: jobDb });
    }
    return { eventId, published: true };
  };
  return trx ? run(trx) : db.transaction(run);
}

/**
 * Deliver one event to one subscriber, signed per Standard Webhooks (webhook-id = the event id,
 * so the subscriber can deduplicate our retries). 2xx = delivered; 5xx, 408, 429 and network
 * errors are transient (retried with backoff); any other status is a business error (parked).
 */
export async function deliverWebhook(db: Knex, config: Config['webhooks'], job: WebhookDeliveryJob): Promise<void> {
  const subscriber = config.subscribers.find((s) => s.name === job.subscriber);
  if (!subscriber) throw new AppError(`webhook subscriber ${job.subscriber} is no longer configured`, { code: 'WEBHOOK_SUBSCRIBER_UNKNOWN', errorClass: 'configuration' });
  const event = await db('outbound_events').where({ event_id: job.eventId }).first<{ payload: unknown } | undefined>('payload');
  if (!event) throw new AppError(`event ${job.eventId} does not exist`, { code: 'WEBHOOK_EVENT_MISSING', errorClass: 'bug' });
  const body = JSON.stringify(event.payload);
  const timestamp = new Date();
  const signature = new Webhook(subscriber.secret.reveal()).sign(job.eventId, timestamp, body);
  await db('outbound_events').where({ event_id: job.eventId }).increment('attempts', 1);
  let response: Response;
  try {
    response = await fetch(subscriber.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': job.eventId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
        'user-agent': 'm3-paytrace-webhooks',
      },
      body,
      signal: AbortSignal.timeout(config.timeoutMs),
      redirect: 'manual',
    });
    await response.arrayBuffer().catch(() => undefined);
  } catch (err) {
    throw new AppError(`webhook delivery to ${subscriber.name} failed: ${(err as Error).name}`, { code: 'WEBHOOK_UNREACHABLE', errorClass: 'transient', cause: err });
  }
  if (response.status >= 200 && response.status < 300) {
    await db('outbound_events').where({ event_id: job.eventId }).update({ status: 'delivered', delivered_at: db.fn.now() });
    return;
  }
  const transient = response.status >= 500 || response.status === 408 || response.status === 429;
  throw new AppError(`subscriber ${subscriber.name} answered HTTP ${response.status}`, {
    code: transient ? 'WEBHOOK_SUBSCRIBER_UNAVAILABLE' : 'WEBHOOK_REJECTED',
    errorClass: transient ? 'transient' : 'business',
  });
}
