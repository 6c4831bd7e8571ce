import { AppError } from '../../gateway/src/errors';
import { abandonDeadLetters, replayDeadLetters } from '../../gateway/src/pipeline/dead-letter-actions';
import { listDeadLetters } from '../../gateway/src/pipeline/dead-letters';
import { jobDbFor } from '../../gateway/src/pipeline/job-queue';
import { eventually, startTestGateway, type TestGateway } from '../helpers/gateway';

interface Attempt {
  key: string;
  attempt: number;
  at: number;
}

describe('job queue: retry policy and dead letters (pg-boss on real PostgreSQL)', () => {
  let gateway: TestGateway;
  const attempts: Attempt[] = [];
  const behaviour = new Map<string, (attempt: number) => void>();

  beforeAll(async () => {
    gateway = await startTestGateway({ config: { queue: { retryLimit: 2, retryDelaySeconds: 0 } } });
    await gateway.services.queue.register<{ key: string }>({
      name: 'test-work',
      concurrency: 2,
      handler: async ({ key }, meta) => {
        attempts.push({ key, attempt: meta.attempt, at: Date.now() });
        behaviour.get(key)?.(meta.attempt);
      },
    });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  const attemptsOf = (key: string) => attempts.filter((a) => a.key === key).map((a) => a.attempt);
  const transient = () => new AppError('M3 did not answer', { code: 'M3_TIMEOUT', errorClass: 'transient' });

  it('retries a transient failure and then completes', async () => {
    behaviour.set('flaky', (attempt) => {
      if (attempt < 3) throw transient();
    });
    await gateway.services.queue.send('test-work', { key: 'flaky' });
    await eventually(async () => attemptsOf('flaky').length === 3, 20_000, 'three attempts');
    expect(attemptsOf('flaky')).toEqual([1, 2, 3]);
    expect(await listDeadLetters(gateway.services.db, { queue: 'test-work' })).toEqual([]);
  });

  it('parks a job whose transient failures outlast the retry limit, with its class and code', async () => {
    behaviour.set('down', () => {
      throw transient();
    });
    await gateway.services.queue.send('test-work', { key: 'down' });
    const [letter] = await eventually(async () => {
      const rows = await listDeadLetters(gateway.services.db, { queue: 'test-work' });
      return rows.filter((r) => (r.payload as { key: string }).key === 'down').length ? rows : undefined;
    }, 20_000, 'a dead letter');
    expect(attemptsOf('down')).toEqual([1, 2, 3]);
    expect(letter).toMatchObject({ error_class: 'transient', error_code: 'M3_TIMEOUT', attempts: 3, status: 'open', payload: { key: 'down' } });
  });

  it('parks a business error at once, without retrying', async () => {
    behaviour.set('nok', () => {
      throw new AppError('Customer number is invalid', { code: 'M3_NOK_XIM0002', errorClass: 'business' });
    });
    await gateway.services.queue.send('test-work', { key: 'nok' });
    const letter = await eventually(async () => (await listDeadLetters(gateway.services.db, { errorCode: 'M3_NOK_XIM0002' }))[0], 20_000, 'a dead letter');
    expect(letter).toMatchObject({ error_class: 'business', attempts: 1, payload: { key: 'nok' } });
    expect(attemptsOf('nok')).toEqual([1]);
  });

  it('treats an unexpected exception as a bug: parked, not retried', async () => {
    behaviour.set('bug', () => {
      throw new TypeError("Cannot read properties of undefined (reading 'IVNO')");
    });
    await gateway.services.queue.send('test-work', { key: 'bug' });
    const letter = await eventually(async () => (await listDeadLetters(gateway.services.db, { errorClass: 'bug' }))[0], 20_000, 'a dead letter');
    expect(letter).toMatchObject({ error_code: 'UNEXPECTED', payload: { key: 'bug' } });
    expect(attemptsOf('bug')).toEqual([1]);
  });

  it('replays a dead letter after the cause is fixed, and audits who and why', async () => {
    const [letter] = await listDeadLetters(gateway.services.db, { errorCode: 'M3_NOK_XIM0002' });
    behaviour.delete('nok'); // the customer now exists in M3
    await expect(replayDeadLetters(gateway.services.db, gateway.services.queue, { ids: [letter!.id], actor: 'op@acme', reason: '' })).rejects.toMatchObject({ code: 'DLQ_REASON_REQUIRED' });
    const result = await replayDeadLetters(gateway.services.db, gateway.services.queue, { ids: [letter!.id, '999999'], actor: 'op@acme', reason: 'customer created in CRS610' });
    expect(result).toEqual({ replayed: [letter!.id], skipped: ['999999'] });
    await eventually(async () => attemptsOf('nok').length === 2, 20_000, 'the replayed attempt');
    const audit = await gateway.services.db('audit_log').where({ subject_type: 'dead_letter', subject_id: letter!.id });
    expect(audit).toEqual([expect.objectContaining({ actor: 'op@acme', action: 'dead_letter.replay', reason: 'customer created in CRS610' })]);
    // a replayed letter cannot be replayed again
    expect((await replayDeadLetters(gateway.services.db, gateway.services.queue, { ids: [letter!.id], actor: 'op@acme', reason: 'again' })).skipped).toEqual([letter!.id]);
  });

  it('abandons in bulk with an audit entry for each', async () => {
    const open = await listDeadLetters(gateway.services.db, { status: 'open' });
    expect(open.length).toBeGreaterThanOrEqual(2);
    const result = await abandonDeadLetters(gateway.services.db, { ids: open.map((l) => l.id), actor: 'op@acme', reason: 'test data' });
    expect(result.abandoned.sort()).toEqual(open.map((l) => l.id).sort());
    expect(await listDeadLetters(gateway.services.db, { status: 'open' })).toEqual([]);
    const audits = await gateway.services.db('audit_log').where({ action: 'dead_letter.abandon' });
    expect(audits).toHaveLength(open.length);
  });

  it('creates a job only if the transaction that sends it commits', async () => {
    const { db, queue } = gateway.services;
    await expect(
      db.transaction(async (trx) => {
        await trx('inbox').insert({ source: 'test', dedupe_key: 'rolled-back', kind: 't', payload: '{}', correlation_id: 'c' });
        await queue.send('test-work', { key: 'rolled-back' }, { db: await jobDbFor(trx) });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await db.transaction(async (trx) => {
      await trx('inbox').insert({ source: 'test', dedupe_key: 'committed', kind: 't', payload: '{}', correlation_id: 'c' });
      await queue.send('test-work', { key: 'committed' }, { db: await jobDbFor(trx) });
    });
    await eventually(async () => attemptsOf('committed').length === 1, 20_000, 'the committed job');
    const jobs = await db.raw(`select data->'payload'->>'key' as key from pgboss.job where name = 'test-work'`);
    const keys = (jobs.rows as Array<{ key: string }>).map((r) => r.key);
    expect(keys).toContain('committed');
    expect(keys).not.toContain('rolled-back');
    expect(attemptsOf('rolled-back')).toEqual([]);
  });

  it('backs off exponentially between retries when a delay is configured', async () => {
    // retryDelay 1 s with backoff: waits are within [1,2) s then [2,4) s (pg-boss: d·2ⁿ/2 + random·d·2ⁿ/2)
    await gateway.services.queue.register<{ key: string }>({
      name: 'test-backoff',
      retryLimit: 2,
      retryDelaySeconds: 1,
      handler: async ({ key }, meta) => {
        attempts.push({ key, attempt: meta.attempt, at: Date.now() });
        if (meta.attempt < 3) throw transient();
      },
    });
    await gateway.services.queue.send('test-backoff', { key: 'backoff' });
    await eventually(async () => attemptsOf('backoff').length === 3, 20_000, 'three attempts');
    const times = attempts.filter((a) => a.key === 'backoff').map((a) => a.at);
    const first = times[1]! - times[0]!;
    const second = times[2]! - times[1]!;
    expect(first).toBeGreaterThanOrEqual(1000);
    expect(second).toBeGreaterThanOrEqual(2000);
  });
});
