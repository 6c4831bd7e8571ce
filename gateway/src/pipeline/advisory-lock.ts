import type { Knex } from 'knex';
import pg from 'pg';
import { AppError } from '../errors';

/**
 * Advisory locks live on their own connections, apart from the knex pool: a lock is held for as
 * long as the work it guards, and that work needs pool connections of its own. Held on pool
 * connections, as many locked jobs as the pool has connections starve each other (each waits
 * for a connection only another locked job could free) — the chaos test ran into exactly that.
 */
const lockPools = new WeakMap<Knex, pg.Pool>();
/** databases whose lock connections were closed: a late caller gets an error, not a fresh pool */
const closed = new WeakSet<Knex>();

function lockPoolOf(db: Knex): pg.Pool {
  if (closed.has(db)) throw new AppError('the gateway is stopping: no new lock connections', { code: 'SHUTTING_DOWN', errorClass: 'transient' });
  let pool = lockPools.get(db);
  if (!pool) {
    const connection = db.client.config.connection as { connectionString?: string; application_name?: string } | string;
    const settings = typeof connection === 'string' ? { connectionString: connection } : connection;
    pool = new pg.Pool({
      connectionString: settings.connectionString,
      application_name: `${settings.application_name ?? 'm3-paytrace'}-locks`,
      // waiting here holds nothing else, so this bound cannot deadlock
      max: 40,
      idleTimeoutMillis: 5_000,
      // an idle lock connection must not keep a stopping process alive
      allowExitOnIdle: true,
    });
    // a lock connection that dies (database restarted, dropped) releases its locks with it
    pool.on('error', () => undefined);
    lockPools.set(db, pool);
  }
  return pool;
}

/** A connection of its own for work that holds a lock for its whole length (a flow run). */
export function lockConnection(db: Knex): Promise<pg.PoolClient> {
  return lockPoolOf(db).connect();
}

/** Close the lock connections of `db` (at shutdown, after the work they guard has stopped). */
export async function closeLockConnections(db: Knex): Promise<void> {
  const pool = lockPools.get(db);
  lockPools.delete(db);
  closed.add(db);
  await pool?.end();
}

/**
 * Take a PostgreSQL session advisory lock on `key` without waiting, on a connection of its own, and
 * keep it until the answer's `release` is called — also after the caller stopped waiting for the
 * work it guards. Undefined when another holder (in this gateway or another instance on the same
 * database) has it. The lock dies with its connection.
 */
export async function takeAdvisoryLock(db: Knex, key: string): Promise<(() => Promise<void>) | undefined> {
  const connection = await lockPoolOf(db).connect();
  let locked = false;
  try {
    const result = await connection.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [key]);
    locked = result.rows[0]?.locked === true;
  } finally {
    if (!locked) connection.release();
  }
  if (!locked) return undefined;
  return async () => {
    let broken: Error | undefined;
    await connection.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch((err: Error) => (broken = err));
    // a connection whose unlock failed may still hold the lock: throw it away, never reuse it
    connection.release(broken);
  };
}

/** Whether some session on the database (any gateway) holds the advisory lock on `key` now. */
export async function advisoryLockHeld(db: Knex, key: string): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ held: boolean }> }>(
    `select exists (select 1 from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
       and ((classid::bigint << 32) | objid::bigint) = hashtextextended(?, 0)) as held`,
    [key],
  );
  return rows[0]?.held === true;
}

/**
 * Run `fn` while holding a PostgreSQL session advisory lock on `key`, taken without waiting:
 * when another worker (in this gateway or another instance on the same database) holds it,
 * `fn` does not run. The lock lives on one dedicated connection and dies with it.
 */
export async function tryWithAdvisoryLock<T>(db: Knex, key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const release = await takeAdvisoryLock(db, key);
  if (!release) return { ran: false };
  try {
    return { ran: true, value: await fn() };
  } finally {
    await release();
  }
}

/** Run a singleton (a poller tick, a nightly job) unless another instance is running it now. */
export function asSingleton<T>(db: Knex, name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  return tryWithAdvisoryLock(db, `singleton:${name}`, fn);
}
