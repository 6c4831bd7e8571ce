import { AppError } from '../../../gateway/src/errors';
import { inboxWorker } from '../../../gateway/src/pipeline/inbox-worker';
import { listDeadLetters } from '../../../gateway/src/pipeline/dead-letters';
import { getInbox, ingest, type InboxJob, type InboxRow } from '../../../gateway/src/pipeline/inbox';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway';

describe('inbox: persisted first, processed once, in order per aggregate', () => {
  let gateway: TestGateway;
  const handled: Array<{ key: string; at: number }> = [];
  const failures = new Map<string, number>();

  beforeAll(async () => {
    gateway = await startTestGateway({ config: { queue: { retryLimit: 3, retryDelaySeconds: 0 } } });
    await gateway.services.queue.register<InboxJob>({
      name: 'test-inbox',
      concurrency: 3,
      handler: inboxWorker(gateway.services, async (row: InboxRow) => {
        const key = (row.payload as { key: string }).key;
        const remaining = failures.get(key) ?? 0;
        if (remaining > 0) {
          failures.set(key, remaining - 1);
          throw new AppError('M3 is down', { code: 'M3_UNAVAILABLE', errorClass: 'transient' });
        }
        if (key.startsWith('bad')) throw new AppError('unknown invoice', { code: 'INVOICE_UNKNOWN', errorClass: 'business' });
        handled.push({ key, at: Date.now() });
      }),
    });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  const send = (dedupeKey: string, key: string, aggregateKey?: string) =>
    ingest(gateway.services.db, gateway.services.queue, { source: 'test', dedupeKey, kind: 'Test', payload: { key }, correlationId: `c-${dedupeKey}`, aggregateKey, queue: 'test-inbox' });

  it('processes a trigger once, however often it arrives', async () => {
    const first = await send('BOD-1', 'once');
    const again = await send('BOD-1', 'once');
    const third = await send('BOD-1', 'once');
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ inboxId: first.inboxId, duplicate: true });
    expect(third.duplicate).toBe(true);
    await eventually(async () => (await getInbox(gateway.services.db, first.inboxId))?.status === 'done', 15_000, 'done');
    expect(handled.filter((h) => h.key === 'once')).toHaveLength(1);
  });

  it('applies events of one aggregate in arrival order even when the first must retry', async () => {
    failures.set('inv-a-1', 1); // the first event of invoice A fails once
    await send('A-1', 'inv-a-1', 'invoice:100:AAA:5001');
    await send('A-2', 'inv-a-2', 'invoice:100:AAA:5001');
    await send('A-3', 'inv-a-3', 'invoice:100:AAA:5001');
    // the retry waits 1–2 s (pg-boss' backoff floor), the later events look again after 1–5 s each:
    // ~5 s on a quiet machine, so the bound leaves room for a busy CI
    await eventually(async () => handled.filter((h) => h.key.startsWith('inv-a-')).length === 3, 45_000, 'three events');
    expect(handled.filter((h) => h.key.startsWith('inv-a-')).map((h) => h.key)).toEqual(['inv-a-1', 'inv-a-2', 'inv-a-3']);
  }, 60_000);

  it('parks a business failure as a dead letter and marks the trigger dead, without blocking its aggregate', async () => {
    const bad = await send('B-1', 'bad-invoice', 'invoice:100:AAA:5002');
    await send('B-2', 'after-bad', 'invoice:100:AAA:5002');
    await eventually(async () => handled.some((h) => h.key === 'after-bad'), 20_000, 'the later event');
    const row = await getInbox(gateway.services.db, bad.inboxId);
    expect(row).toMatchObject({ status: 'dead', error_code: 'INVOICE_UNKNOWN' });
    // the trigger is marked dead first, then the queue parks the job: wait for the dead letter
    const letters = await eventually(async () => {
      const rows = await listDeadLetters(gateway.services.db, { queue: 'test-inbox' });
      return rows.length ? rows : undefined;
    }, 10_000, 'the dead letter');
    expect(letters).toEqual([expect.objectContaining({ error_class: 'business', error_code: 'INVOICE_UNKNOWN', payload: expect.objectContaining({ inboxId: bad.inboxId }) })]);
    // (the payload may count deferrals: B-2 can take the aggregate's lock first and send B-1 back to wait)
  });

  it('keeps the trigger when processing is impossible (nothing is lost)', async () => {
    failures.set('stubborn', 100);
    const { inboxId } = await send('S-1', 'stubborn');
    // three retries with backoff (1–2, 2–4, 4–8 s): up to 14 s on a quiet machine
    await eventually(async () => (await getInbox(gateway.services.db, inboxId))?.status === 'dead', 45_000, 'dead');
    const row = await getInbox(gateway.services.db, inboxId);
    expect(row).toMatchObject({ payload: { key: 'stubborn' }, error_code: 'M3_UNAVAILABLE' });
  }, 60_000);
});
