import { createDb } from '../../../gateway/src/store/db';
import { asSingleton, closeLockConnections, withAggregateLock } from '../../../gateway/src/pipeline/advisory-lock';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

/**
 * Aggregate locks must not take connections from the pool the locked work needs: with as many
 * locked jobs as pool connections, each job waited for a connection only another locked job
 * could free (found by the chaos test: 12 workers on a pool of 10 stalled the gateway).
 */
describe('aggregate locks and the connection pool', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('runs more locked jobs at once than the pool has connections, each using the pool', async () => {
    const db = createDb(database.url, { poolMax: 2 });
    try {
      const jobs = Array.from({ length: 6 }, (_, i) =>
        withAggregateLock(db, `order:${i}`, async () => {
          // every job holds its lock while it needs the pool twice, overlapping with the others
          await db.raw('select pg_sleep(0.05)');
          const { rows } = await db.raw('select ?::int as n', [i]);
          return (rows as Array<{ n: number }>)[0]!.n;
        }),
      );
      expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await db.destroy();
      await closeLockConnections(db);
    }
  });

  it('still lets one holder in: the same aggregate is busy, a singleton runs once', async () => {
    const db = createDb(database.url, { poolMax: 2 });
    try {
      const inner = await withAggregateLock(db, 'invoice:1', async () => {
        await expect(withAggregateLock(db, 'invoice:1', async () => 'twice')).rejects.toMatchObject({ code: 'AGGREGATE_BUSY', errorClass: 'transient' });
        return asSingleton(db, 'poller', async () => (await asSingleton(db, 'poller', async () => 'nested')).ran);
      });
      expect(inner).toEqual({ ran: true, value: false });
      // released: the next holder gets it
      expect(await withAggregateLock(db, 'invoice:1', async () => 'after')).toBe('after');
    } finally {
      await db.destroy();
      await closeLockConnections(db);
    }
  });
});
