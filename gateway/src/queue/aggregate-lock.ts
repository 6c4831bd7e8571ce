import type { Knex } from 'knex';
import { AppError } from '../errors';

/**
 * Run `fn` while holding a PostgreSQL advisory lock on an aggregate (an invoice, an order, a
 * customer), so two workers — in one gateway or in several — never work on the same aggregate
 * at once. If another worker holds it, fail transiently: the job retries after its backoff
 * instead of blocking a worker slot.
 */
export async function withAggregateLock<T>(db: Knex, aggregateKey: string, fn: () => Promise<T>): Promise<T> {
  const connection = (await db.client.acquireConnection()) as { query(sql: string, values?: unknown[]): Promise<{ rows: Array<{ locked: boolean }> }> };
  let locked = false;
  try {
    const result = await connection.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [aggregateKey]);
    locked = result.rows[0]?.locked === true;
    if (!locked) {
      throw new AppError(`another worker is processing ${aggregateKey}`, { code: 'AGGREGATE_BUSY', errorClass: 'transient' });
    }
    return await fn();
  } finally {
    if (locked) await connection.query('select pg_advisory_unlock(hashtextextended($1, 0))', [aggregateKey]).catch(() => undefined);
    await db.client.releaseConnection(connection);
  }
}
