import { createDb } from '../../../gateway/src/store/db';
import { asSingleton, closeLockConnections, tryWithAdvisoryLock } from '../../../gateway/src/pipeline/advisory-lock';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

/**
 * Advisory locks (singletons, the flow runner's aggregate lock, test runs) must not take
 * connections from the pool the locked work needs: with as many locked jobs as pool connections,
 * each job waited for a connection only another locked job could free (found by the chaos test:
 * 12 workers on a pool of 10 stalled the gateway).
 */
describe('advisory locks and the connection pool', () => {
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
        tryWithAdvisoryLock(db, `aggregate:order:${i}`, async () => {
          // every job holds its lock while it needs the pool twice, overlapping with the others
          await db.raw('select pg_sleep(0.05)');
          const { rows } = await db.raw('select ?::int as n', [i]);
          return (rows as Array<{ n: number }>)[0]!.n;
        }),
      );
      expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4, 5].map((value) => ({ ran: true, value })));
    } finally {
      await db.destroy();
      await closeLockConnections(db);
    }
  });

  it('still lets one holder in: the same aggregate is busy, a singleton runs once', async () => {
    const db = createDb(database.url, { poolMax: 2 });
    try {
      const inner = await tryWithAdvisoryLock(db, 'aggregate:invoice:1', async () => {
        expect(await tryWithAdvisoryLock(db, 'aggregate:invoice:1', async () => 'twice')).toEqual({ ran: false });
        return asSingleton(db, 'poller', async () => (await asSingleton(db, 'poller', async () => 'nested')).ran);
      });
      expect(inner).toEqual({ ran: true, value: { ran: true, value: false } });
      // released: the next holder gets it
      expect(await tryWithAdvisoryLock(db, 'aggregate:invoice:1', async () => 'after')).toEqual({ ran: true, value: 'after' });
    } finally {
      await db.destroy();
      await closeLockConnections(db);
    }
  });
});
