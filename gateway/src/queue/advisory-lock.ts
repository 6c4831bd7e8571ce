import type { Knex } from 'knex';
import { AppError } from '../errors';

type LockConnection = { query(sql: string, values?: unknown[]): Promise<{ rows: Array<{ locked: boolean }> }> };

/**
 * Run `fn` while holding a PostgreSQL session advisory lock on `key`, taken without waiting:
 * when another worker (in this gateway or another instance on the same database) holds it,
 * `fn` does not run. The lock lives on one pooled connection and dies with it.
 */
export async function tryWithAdvisoryLock<T>(db: Knex, key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const connection = (await db.client.acquireConnection()) as LockConnection;
  let locked = false;
  try {
    const result = await connection.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [key]);
    locked = result.rows[0]?.locked === true;
    if (!locked) return { ran: false };
    return { ran: true, value: await fn() };
  } finally {
    if (locked) await connection.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
    await db.client.releaseConnection(connection);
  }
}

/**
 * Work on one aggregate (an invoice, an order, a customer) in one worker at a time. If another
 * worker has it, fail transiently: the job retries after its backoff instead of blocking a slot.
 */
export async function withAggregateLock<T>(db: Knex, aggregateKey: string, fn: () => Promise<T>): Promise<T> {
  const outcome = await tryWithAdvisoryLock(db, `aggregate:${aggregateKey}`, fn);
  if (!outcome.ran) throw new AppError(`another worker is processing ${aggregateKey}`, { code: 'AGGREGATE_BUSY', errorClass: 'transient' });
  return outcome.value;
}

/** Run a singleton (a poller tick, a nightly job) unless another instance is running it now. */
export function asSingleton<T>(db: Knex, name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  return tryWithAdvisoryLock(db, `singleton:${name}`, fn);
}
