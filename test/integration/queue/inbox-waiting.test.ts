import { inboxWorker } from '../../../gateway/src/pipeline/inbox-worker';
import { listDeadLetters } from '../../../gateway/src/pipeline/dead-letters';
import { getInbox, ingest, type InboxJob, type InboxRow } from '../../../gateway/src/pipeline/inbox';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway';

/**
 * Found by the chaos test: a trigger waiting behind an earlier event of its aggregate failed
 * "transiently" on every poll and used up its retries, so under load it was parked (lost until a
 * replay). Waiting now defers it to a fresh job: no retry is spent, however long the wait.
 */
describe('inbox: waiting for an earlier event of the aggregate', () => {
  let gateway: TestGateway;
  const handled: string[] = [];
  let releaseFirst: () => void = () => undefined;
  const firstMayFinish = new Promise<void>((resolve) => (releaseFirst = resolve));

  beforeAll(async () => {
    // no retries at all: a wait that cost one would park the later trigger at once
    gateway = await startTestGateway({ config: { queue: { retryLimit: 0, retryDelaySeconds: 0 } } });
    await gateway.services.queue.register<InboxJob>({
      name: 'test-waiting',
      concurrency: 2,
      handler: inboxWorker(gateway.services, async (row: InboxRow) => {
        const key = (row.payload as { key: string }).key;
        if (key === 'slow-first') await firstMayFinish; // holds its aggregate while the second waits
        handled.push(key);
      }),
    });
  });
  afterAll(async () => {
    releaseFirst();
    await gateway.stop();
  });

  const send = (dedupeKey: string, key: string) =>
    ingest(gateway.services.db, gateway.services.queue, { source: 'test', dedupeKey, kind: 'Test', payload: { key }, correlationId: `c-${dedupeKey}`, aggregateKey: 'invoice:100:AAA:7001', queue: 'test-waiting' });

  it('keeps the later trigger waiting without parking it, then applies both in order', async () => {
    const first = await send('W-1', 'slow-first');
    await eventually(async () => (await getInbox(gateway.services.db, first.inboxId))?.status === 'processing', 10_000, 'the first running');
    const second = await send('W-2', 'second');
    // the second has been looked at and deferred at least twice while the first holds the aggregate
    await eventually(async () => {
      const { rows } = await gateway.services.db.raw(`select count(*)::int as n from pgboss.job where name = 'test-waiting' and data->'payload'->>'inboxId' = ? and state = 'completed'`, [second.inboxId]);
      return (rows as Array<{ n: number }>)[0]!.n >= 2;
    }, 15_000, 'the second trigger deferred twice');
    expect(await getInbox(gateway.services.db, second.inboxId)).toMatchObject({ status: 'received' });
    releaseFirst();
    await eventually(async () => (await getInbox(gateway.services.db, second.inboxId))?.status === 'done', 15_000, 'the second done');
    expect(handled).toEqual(['slow-first', 'second']);
    expect(await listDeadLetters(gateway.services.db, { queue: 'test-waiting' })).toEqual([]);
  });
});
