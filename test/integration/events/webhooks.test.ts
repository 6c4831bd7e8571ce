import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { eventsModule } from '../../../gateway/src/events/module';
import { publishEvent } from '../../../gateway/src/events/outbound';
import { listDeadLetters } from '../../../gateway/src/pipeline/dead-letters';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway';

/** A subscriber: a real HTTP server that verifies our signatures like any Standard Webhooks consumer. */
async function startSubscriber(secret: string) {
  const received: Array<{ id: string; body: unknown; verified: boolean }> = [];
  let answer = 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let verified: boolean;
      try {
        new Webhook(secret).verify(raw, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      received.push({ id: String(req.headers['webhook-id']), body: JSON.parse(raw.toString()), verified });
      res.statusCode = answer;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answerWith(status: number) {
      answer = status;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('subscriber webhooks (Standard Webhooks signatures, retries, dead letters)', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
  let gateway: TestGateway;

  beforeAll(async () => {
    subscriber = await startSubscriber(secret);
    gateway = await startTestGateway({
      modules: [eventsModule()],
      config: { queue: { retryLimit: 2, retryDelaySeconds: 0 }, webhooks: { subscribers: [{ name: 'erp-hub', url: subscriber.url, secret }] } },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await subscriber.close();
  });

  it('delivers a signed event the subscriber can verify, once per event id', async () => {
    const { db, queue, config } = gateway.services;
    const first = await publishEvent(db, queue, config.webhooks, { type: 'payment.succeeded', eventId: 'evt_pay1_succeeded', data: { ivno: '200001', amount: '1250.00' } });
    const again = await publishEvent(db, queue, config.webhooks, { type: 'payment.succeeded', eventId: 'evt_pay1_succeeded', data: { ivno: '200001', amount: '1250.00' } });
    expect(first.published).toBe(true);
    expect(again.published).toBe(false);
    await eventually(async () => subscriber.received.length >= 1, 15_000, 'a delivery');
    expect(subscriber.received).toEqual([{ id: 'evt_pay1_succeeded', verified: true, body: { type: 'payment.succeeded', timestamp: expect.any(String), data: { ivno: '200001', amount: '1250.00' } } }]);
    await eventually(async () => (await db('outbound_events').where({ event_id: 'evt_pay1_succeeded' }).first())?.status === 'delivered', 15_000, 'delivered');
  });

  it('retries a subscriber that is down, then parks the delivery as a dead letter', async () => {
    subscriber.answerWith(503);
    const { db, queue, config } = gateway.services;
    await publishEvent(db, queue, config.webhooks, { type: 'payment.refunded', eventId: 'evt_pay2_refunded', data: {} });
    const letter = await eventually(async () => (await listDeadLetters(db, { queue: 'webhook-delivery' }))[0], 20_000, 'a dead letter');
    expect(letter).toMatchObject({ error_class: 'transient', error_code: 'WEBHOOK_SUBSCRIBER_UNAVAILABLE', attempts: 3 });
    expect(subscriber.received.filter((r) => r.id === 'evt_pay2_refunded')).toHaveLength(3);
    expect((await db('outbound_events').where({ event_id: 'evt_pay2_refunded' }).first()).status).toBe('pending');
    subscriber.answerWith(200);
  });

  it('does not retry a subscriber that rejects the event (4xx)', async () => {
    subscriber.answerWith(410);
    const { db, queue, config } = gateway.services;
    await publishEvent(db, queue, config.webhooks, { type: 'payment.succeeded', eventId: 'evt_pay3', data: {} });
    const letter = await eventually(async () => (await listDeadLetters(db, { errorCode: 'WEBHOOK_REJECTED' }))[0], 20_000, 'a dead letter');
    expect(letter.attempts).toBe(1);
    subscriber.answerWith(200);
  });
});
