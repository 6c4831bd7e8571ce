import { createDb, migrateLatest, migrationStatus } from '../../gateway/src/store/db';
import { migrationSource } from '../../gateway/src/store/migrations';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

describe('database migrations (real PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('migrates an empty database, then has nothing pending', async () => {
    const before = await migrationStatus(database.db);
    expect(before.applied).toEqual([]);
    expect(before.pending.length).toBeGreaterThan(0);

    const applied = await migrateLatest(database.db);
    expect(applied).toEqual(before.pending);
    expect((await migrationStatus(database.db)).pending).toEqual([]);
    expect(await migrateLatest(database.db)).toEqual([]);
  });

  it('creates the foundation tables with their dedupe constraints', async () => {
    const tables = await database.db('information_schema.tables').where({ table_schema: 'public' }).pluck('table_name');
    expect(tables).toEqual(expect.arrayContaining(['inbox', 'dead_letters', 'audit_log']));

    await database.db('inbox').insert({ source: 'ion', dedupe_key: 'BOD-1', kind: 'Sync.Invoice', payload: '{}', correlation_id: 'c1' });
    await expect(
      database.db('inbox').insert({ source: 'ion', dedupe_key: 'BOD-1', kind: 'Sync.Invoice', payload: '{}', correlation_id: 'c2' }),
    ).rejects.toMatchObject({ code: '23505' });
    // the same key from another source is a different trigger
    await database.db('inbox').insert({ source: 'ecommerce', dedupe_key: 'BOD-1', kind: 'x', payload: '{}', correlation_id: 'c3' });
  });

  it('rolls back and forward again', async () => {
    await database.db.migrate.rollback({ migrationSource }, true);
    expect((await migrationStatus(database.db)).applied).toEqual([]);
    await migrateLatest(database.db);
    expect((await migrationStatus(database.db)).pending).toEqual([]);
  });

  it('068 keeps the test run each flow had, and lets a flow keep more than one; rolled back, each flow keeps its newest', async () => {
    const other = await createTestDatabase({ migrate: false });
    try {
      const db = other.db;
      while (!(await migrationStatus(db)).applied.includes('067_flow_test_runs')) await db.migrate.up({ migrationSource });
      const run = (flow: string, runId: string, startedAt: string, state = 'ended') => ({ flow_id: flow, run_id: runId, state, ran_by: 'operator:a', started_at: startedAt, source: 'x', source_sha256: 'y', event: '{}' });
      const kept = '00000000-0000-4000-8000-000000000001';
      await db('flow_test_runs').insert(run('refund', kept, '2026-01-01T00:00:00Z'));
      await db.migrate.up({ migrationSource, name: '068_flow_test_run_history' });
      expect(await db('flow_test_runs').pluck('run_id')).toEqual([kept]);
      // keyed by run id: a second run of the flow; one running run of a flow at most
      await db('flow_test_runs').insert(run('refund', '00000000-0000-4000-8000-000000000002', '2026-01-02T00:00:00Z', 'running'));
      await expect(db('flow_test_runs').insert(run('refund', '00000000-0000-4000-8000-000000000003', '2026-01-03T00:00:00Z', 'running'))).rejects.toMatchObject({ code: '23505' });
      await db('flow_test_runs').insert(run('refund', '00000000-0000-4000-8000-000000000003', '2026-01-03T00:00:00Z', 'interrupted'));
      await db.migrate.down({ migrationSource, name: '068_flow_test_run_history' });
      expect(await db('flow_test_runs').select('run_id', 'state')).toEqual([{ run_id: '00000000-0000-4000-8000-000000000003', state: 'ended' }]);
    } finally {
      await other.drop();
    }
  });

  it('lets two starters migrate the same database at once', async () => {
    const other = await createTestDatabase({ migrate: false });
    try {
      const second = createDb(other.url, { poolMax: 2 });
      const results = await Promise.allSettled([migrateLatest(other.db), migrateLatest(second)]);
      await second.destroy();
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      expect((await migrationStatus(other.db)).pending).toEqual([]);
    } finally {
      await other.drop();
    }
  });
});
