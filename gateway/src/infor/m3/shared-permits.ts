import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from '../../observability/logger';
import type { SharedPermits } from './call-limiter';

export interface PgSharedPermitsOptions {
  connectionString: string;
  /** the Infor tenant: gateways of one tenant share its slots */
  tenant: string;
  /** the tenant's ceiling: there are exactly this many slots (the same value in every gateway) */
  slots: number;
  /** how often a process that waits for slots, or holds some, looks again (default 200 ms) */
  rebalanceMs?: number;
  /** slots unused this long go back (default 2 s) */
  idleReleaseMs?: number;
  applicationName?: string;
  logger?: Logger;
}

/** The connection string a knex instance was made with (the slots need a session of their own). */
export function connectionStringOf(db: Knex): string | undefined {
  const connection = db.client.config.connection as { connectionString?: string } | string | undefined;
  return typeof connection === 'string' ? connection : connection?.connectionString;
}

/** A 32-bit advisory-lock namespace from a name (pg_locks shows it as `classid`). */
function namespaceOf(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}

/**
 * The tenant's MI-call slots, shared by every gateway process on one database: slot `s` is the
 * session advisory lock (`slotNamespace`, s), s < slots. A process runs at most as many calls as
 * it holds slots, and there are only `slots` of them, so all processes together never exceed the
 * ceiling. A process that wants slots also holds an "interest" lock (`interestNamespace`, its
 * backend pid); the interested processes split the slots evenly (each may take up to
 * ⌈slots / interested⌉ and gives back what it holds beyond that once those calls end).
 *
 * The locks live on one dedicated connection, apart from the knex pool: when the process dies
 * (even SIGKILL) PostgreSQL ends its session and its slots are free again. If that connection
 * breaks, its slots are gone at once; calls already running finish, new ones wait for slots
 * taken on a new connection.
 */
export class PgSharedPermits implements SharedPermits {
  readonly #o: Required<Omit<PgSharedPermitsOptions, 'logger' | 'applicationName'>> & Pick<PgSharedPermitsOptions, 'logger' | 'applicationName'>;
  readonly #slotNamespace: number;
  readonly #interestNamespace: number;
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #slots: number[] = [];
  #interested = false;
  #limiter: { wanted(): number; running(): number } = { wanted: () => 0, running: () => 0 };
  #idleSince = Date.now();
  #listeners: Array<() => void> = [];
  #busy = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: PgSharedPermitsOptions) {
    this.#o = { rebalanceMs: 200, idleReleaseMs: 2000, ...options };
    this.#slotNamespace = namespaceOf(`m3-mi-slots:${options.tenant}`);
    this.#interestNamespace = namespaceOf(`m3-mi-interest:${options.tenant}`);
  }

  get held(): number {
    return this.#slots.length;
  }

  attach(limiter: { wanted(): number; running(): number }, onChange: () => void): void {
    this.#limiter = limiter;
    this.#listeners.push(onChange);
  }

  demand(): void {
    const wanted = this.#limiter.wanted();
    if (wanted > 0) this.#idleSince = Date.now();
    // nothing to do when the slots held cover the demand; the timer looks again while we hold some
    if (wanted > this.held || (this.held > 0 && !this.#timer && !this.#busy)) this.#kick();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    this.#slots = [];
    // ending the session releases every lock it holds
    await client?.end().catch(() => undefined);
  }

  #kick(): void {
    if (this.#closed) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    void this.#rebalance()
      .catch((err: unknown) => {
        this.#o.logger?.warn('M3 call slots: the database did not answer; retrying', { error: (err as Error).message });
        this.#dropConnection();
      })
      .finally(() => {
        this.#busy = false;
        if (this.#again) {
          this.#again = false;
          this.#kick();
        } else {
          this.#schedule();
        }
      });
  }

  /** Look again soon while we wait for slots or hold some (others may need them). */
  #schedule(): void {
    if (this.#closed || this.#timer) return;
    if (this.held === 0 && !this.#interested && this.#limiter.wanted() === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, this.#o.rebalanceMs);
  }

  async #connection(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.#o.connectionString, application_name: `${this.#o.applicationName ?? 'm3-paytrace'}-m3-slots` });
      client.on('error', () => this.#dropConnection());
      try {
        await client.connect();
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
      this.#client = client;
      return client;
    })().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  /** The session is gone, and every lock with it. */
  #dropConnection(): void {
    const client = this.#client;
    this.#client = undefined;
    this.#interested = false;
    if (this.#slots.length) {
      this.#slots = [];
      this.#notify();
    }
    void client?.end().catch(() => undefined);
  }

  async #rebalance(): Promise<void> {
    const idle = this.#limiter.wanted() === 0 && this.#limiter.running() === 0 && Date.now() - this.#idleSince >= this.#o.idleReleaseMs;
    if (idle) {
      if (this.#client && (this.#slots.length || this.#interested)) {
        // no slots first (a call arriving meanwhile waits for new ones), then the unlock
        this.#slots = [];
        this.#interested = false;
        this.#notify();
        await this.#client.query('select pg_advisory_unlock_all()');
      }
      return;
    }
    if (this.#limiter.wanted() === 0 && this.#slots.length === 0) return;
    const client = await this.#connection();
    if (!this.#interested) {
      await client.query('select pg_advisory_lock($1::int, pg_backend_pid())', [this.#interestNamespace]);
      this.#interested = true;
    }
    // advisory locks belong to one database, but pg_locks lists the whole server's: count ours only
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_locks
        where locktype = 'advisory' and classid::int = $1 and objsubid = 2 and granted
          and database = (select oid from pg_database where datname = current_database())`,
      [this.#interestNamespace],
    );
    const interested = Math.max(1, rows[0]?.n ?? 1);
    const share = Math.max(1, Math.ceil(this.#o.slots / interested));
    // take up to our share of what we could use now; keep what we hold until it idles, unless
    // others are interested and we hold more than our share
    const wanted = Math.min(share, this.#limiter.wanted());
    if (this.#slots.length < wanted) {
      const { rows: got } = await client.query<{ s: number }>(
        `select s from generate_series(0, $2::int - 1) s where s <> all($3::int[]) and pg_try_advisory_lock($1::int, s) limit $4`,
        [this.#slotNamespace, this.#o.slots, this.#slots, wanted - this.#slots.length],
      );
      if (got.length) {
        this.#slots.push(...got.map((r) => r.s));
        this.#notify();
      }
    } else if (this.#slots.length > share) {
      // give back only slots no call is using; `running` is read now, with no await before the
      // slots shrink, so no call can start in between
      const spare = Math.min(this.#slots.length - share, this.#slots.length - this.#limiter.running());
      if (spare > 0) {
        const giving = this.#slots.slice(-spare);
        // fewer slots first, then the unlock: this process never runs more calls than it holds
        this.#slots = this.#slots.slice(0, -spare);
        this.#notify();
        await client.query('select pg_advisory_unlock($1::int, s) from unnest($2::int[]) s', [this.#slotNamespace, giving]);
      }
    }
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
