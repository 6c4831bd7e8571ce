import knex, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from './migrations';

// Return BIGINT (int8) and NUMERIC as strings: ids and money must never pass through a float.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => value);

export type Db = Knex;

export function createDb(connectionString: string, options: { poolMax?: number; applicationName?: string } = {}): Db {
  return knex({
    client: 'pg',
    connection: { connectionString, application_name: options.applicationName ?? 'm3-paytrace-gateway' },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: 10_000,
  });
}

// Arbitrary but fixed: every gateway instance takes this advisory lock around migrations.
const MIGRATION_LOCK_KEY = 7_364_001;

/**
 * Run every pending migration. Gateways starting together queue on a PostgreSQL advisory
 * lock, so the second waits for the first instead of failing on knex's own migration lock.
 */
export async function migrateLatest(db: Db): Promise<string[]> {
  const connection = (await db.client.acquireConnection()) as { query(sql: string, values?: unknown[]): Promise<unknown> };
  try {
    await connection.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  } finally {
    await connection.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await db.client.releaseConnection(connection);
  }
}

export async function migrationStatus(db: Db): Promise<{ applied: string[]; pending: string[] }> {
  const [completed, pending] = (await db.migrate.list({ migrationSource })) as [Array<{ name: string }>, Array<[string, unknown]>];
  return { applied: completed.map((m) => m.name), pending: pending.map(([name]) => name) };
}
