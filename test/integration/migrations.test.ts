import { stepRuns } from '../../gateway/src/admin/flow-overlay';
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

  it('069 gives the step rows the overlay\'s figures read their one known attempt; a node\'s list reads an older row\'s from the row', async () => {
    const db = database.db;
    const name = '069_flow_run_step_attempts';
    await db.migrate.down({ migrationSource, name });
    expect((await migrationStatus(db)).pending).toEqual([name]);
    const row = (inbox: number, step: string, state: string, ms: number | null, code: string | null, finishedAt: Date | null = ms === null ? null : new Date()) => ({ inbox_id: inbox, flow_id: 'f', step_id: step, state, started_at: new Date('2026-12-01T10:00:00.123Z'), finished_at: finishedAt, ms, error_code: code });
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await db('flow_run_steps').insert([row(1, 'a', 'done', 40, null), row(1, 'b', 'dead', 1200, 'M3_UNAVAILABLE'), row(2, 'a', 'running', null, null), row(3, 'a', 'failed', 70, 'M3_NOK', twoDaysAgo)]);
    await db.migrate.up({ migrationSource, name });
    const rows = await db('flow_run_steps').orderBy(['inbox_id', 'step_id']).select('inbox_id', 'step_id', 'attempts');
    const one = (ms: number | null, outcome: string, code: string | null) => [{ id: 'm069', at: '2026-12-01T10:00:00.123Z', ms, outcome, code }];
    // what the overlay's figures read (finished within a day, or open) is filled; older rows are left as they are
    expect(rows.map((r: { attempts: unknown }) => r.attempts)).toEqual([one(40, 'done', null), one(1200, 'failed', 'M3_UNAVAILABLE'), one(null, 'running', null), []]);
    // and a node's list of runs reads an older row's one attempt from the row
    const listed = await stepRuns(db, 'f', 'a');
    expect(listed.find((r) => r.inboxId === '3')!.attempts).toEqual([{ startedAt: '2026-12-01T10:00:00.123Z', ms: 70, outcome: 'failed', errorCode: 'M3_NOK' }]);
    await db('flow_run_steps').del();
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
