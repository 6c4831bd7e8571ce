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
