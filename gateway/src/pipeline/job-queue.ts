import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { errorClassOf } from '../errors';
import { currentContext, runWithContext } from '../observability/context';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { recordDeadLetter } from './dead-letters';

/** What we put in every pg-boss job, so a dead letter always knows where it came from. */
export interface JobEnvelope<T = unknown> {
  queue: string;
  jobId: string;
  correlationId: string;
  payload: T;
}

export interface JobMeta {
  jobId: string;
  queue: string;
  attempt: number; // 1-based
  maxAttempts: number;
  correlationId: string;
}

export type JobHandler<T> = (payload: T, meta: JobMeta) => Promise<void>;

export interface QueueDefinition<T> {
  name: string;
  handler: JobHandler<T>;
  /** parallel jobs of this queue in one gateway instance */
  concurrency?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
}

/** The pg-boss queue that receives jobs which expired in flight (a crashed worker). */
export const DEAD_LETTER_QUEUE = 'dead-letters';

/** A knex transaction as a pg-boss `db`, so a job is created in the same transaction as its inbox row. */
export async function jobDbFor(trx: Knex.Transaction): Promise<PgBoss.Db> {
  // Inside a transaction knex's client hands out the transaction's own connection.
  const connection = (await trx.client.acquireConnection()) as { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };
  return { executeSql: (text: string, values?: unknown[]) => connection.query(text, values) };
}

/**
 * pg-boss with our retry policy: transient errors are retried with exponential backoff and
 * jitter (pg-boss' retryBackoff: delay·2ⁿ/2 + random·delay·2ⁿ/2); other classes are parked
 * at once as dead letters; a transient error on the last attempt is parked too.
 */
export class JobQueue {
  readonly boss: PgBoss;
  readonly #definitions = new Map<string, QueueDefinition<unknown>>();
  #started = false;
  #stopping = false;
  /** handlers running now: stop() waits for them, so nothing of ours outlives the queue */
  readonly #inflight = new Set<Promise<void>>();
  readonly #pumps = new Map<string, QueuePump>();

  constructor(
    connectionString: string,
    private readonly db: Knex,
    private readonly config: Config['queue'],
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.boss = new PgBoss({
      connectionString,
      schema: config.schema,
      max: 5,
      application_name: 'm3-paytrace-queue',
      archiveCompletedAfterSeconds: 3600,
      deleteAfterDays: 14,
      monitorStateIntervalSeconds: 30,
      // expiry is how a crashed worker's jobs come back: pg-boss only checks it at maintenance
      maintenanceIntervalSeconds: config.maintenanceIntervalSeconds,
    });
    this.boss.on('error', (err) => this.logger.error('queue error', { err }));
  }

  async start(): Promise<void> {
    await this.boss.start();
    await this.boss.createQueue(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, retryLimit: 5, retryDelay: 1, retryBackoff: true });
    await this.boss.work<JobEnvelope>(DEAD_LETTER_QUEUE, { pollingIntervalSeconds: 2 }, async (jobs) => {
      for (const job of jobs) {
        const envelope = job.data;
        await recordDeadLetter(this.db, {
          queue: envelope?.queue ?? 'unknown',
          jobId: envelope?.jobId ?? job.id,
          payload: envelope?.payload ?? job.data,
          correlationId: envelope?.correlationId,
          errorClass: 'transient',
          errorCode: 'JOB_EXPIRED',
          errorMessage: 'the job did not finish in time (worker crashed or hung) and used up its retries',
          attempts: -1,
        });
        this.metrics.jobs.inc({ queue: envelope?.queue ?? 'unknown', outcome: 'dead_lettered', error_class: 'transient' });
      }
    });
    this.#started = true;
    for (const definition of this.#definitions.values()) await this.#activate(definition);
  }

  /** Register a queue and its handler; may be called before or after start(). */
  async register<T>(definition: QueueDefinition<T>): Promise<void> {
    this.#definitions.set(definition.name, definition as QueueDefinition<unknown>);
    if (this.#started) await this.#activate(definition as QueueDefinition<unknown>);
  }

  async #activate(definition: QueueDefinition<unknown>): Promise<void> {
    const retryLimit = definition.retryLimit ?? this.config.retryLimit;
    await this.boss.createQueue(definition.name, {
      name: definition.name,
      retryLimit,
      retryDelay: definition.retryDelaySeconds ?? this.config.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.config.expireInSeconds,
      deadLetter: DEAD_LETTER_QUEUE,
    });
    const pump = new QueuePump(this.boss, definition.name, Math.max(1, definition.concurrency ?? 1), this.config.pollingIntervalSeconds * 1000, {
      run: (job) => this.#run(definition, job),
      track: (lifecycle) => {
        this.#inflight.add(lifecycle);
        void lifecycle.finally(() => this.#inflight.delete(lifecycle));
      },
      onError: (err) => this.logger.error('queue fetch failed', { queue: definition.name, err }),
    });
    this.#pumps.set(definition.name, pump);
    pump.start();
  }

  /** Fetch at once for a queue whose job this process just created (committed): no polling wait. */
  wake(queue: string): void {
    this.#pumps.get(queue)?.wake();
  }

  async #run(definition: QueueDefinition<unknown>, job: PgBoss.JobWithMetadata<JobEnvelope>): Promise<void> {
    const envelope = job.data;
    const meta: JobMeta = {
      jobId: job.id,
      queue: definition.name,
      attempt: job.retryCount + 1,
      maxAttempts: job.retryLimit + 1,
      correlationId: envelope.correlationId,
    };
    await runWithContext({ correlationId: envelope.correlationId, jobId: job.id, queue: definition.name }, async () => {
      try {
        await definition.handler(envelope.payload, meta);
        this.metrics.jobs.inc({ queue: definition.name, outcome: 'completed', error_class: '' });
      } catch (err) {
        const classified = errorClassOf(err);
        const lastAttempt = job.retryCount >= job.retryLimit;
        if (classified.errorClass === 'transient' && !lastAttempt && !this.#stopping) {
          this.logger.warn('job failed, will retry', { attempt: meta.attempt, maxAttempts: meta.maxAttempts, errorCode: classified.code, error: classified.message });
          this.metrics.jobs.inc({ queue: definition.name, outcome: 'retry', error_class: classified.errorClass });
          throw err; // pg-boss schedules the retry with backoff
        }
        if (classified.errorClass === 'transient' && this.#stopping && !lastAttempt) throw err;
        this.logger.error('job parked as dead letter', { attempt: meta.attempt, errorClass: classified.errorClass, errorCode: classified.code, error: classified.message });
        await recordDeadLetter(this.db, {
          queue: definition.name,
          jobId: envelope.jobId,
          payload: envelope.payload,
          correlationId: envelope.correlationId,
          errorClass: classified.errorClass,
          errorCode: classified.code,
          errorMessage: classified.message,
          attempts: meta.attempt,
        });
        this.metrics.jobs.inc({ queue: definition.name, outcome: 'dead_lettered', error_class: classified.errorClass });
        // the job itself completes: the dead letter is now the record of it
      }
    });
  }

  /** Enqueue a job; pass `db` (from jobDbFor) to create it inside an open transaction. */
  async send<T>(queue: string, payload: T, options: { db?: PgBoss.Db; singletonKey?: string; startAfterSeconds?: number; correlationId?: string } = {}): Promise<string> {
    const jobId = randomUUID();
    const envelope: JobEnvelope<T> = {
      queue,
      jobId,
      correlationId: options.correlationId ?? currentContext()?.correlationId ?? randomUUID(),
      payload,
    };
    const id = await this.boss.send(queue, envelope as object, {
      id: jobId,
      ...(options.db ? { db: options.db } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
    });
    if (id === null && !options.singletonKey) {
      // pg-boss answers null (no error) when the queue does not exist: that is a wiring bug.
      throw new Error(`job not created: queue "${queue}" is not registered`);
    }
    return id ?? jobId;
  }

  /** Jobs waiting (created or retry) and the age of the oldest, for /health. */
  async depth(): Promise<{ waiting: number; active: number; oldestWaitingSeconds: number | null }> {
    const schema = this.config.schema;
    const result = await this.db.raw(
      `select count(*) filter (where state in ('created','retry'))::int as waiting,
              count(*) filter (where state = 'active')::int as active,
              extract(epoch from now() - min(created_on) filter (where state in ('created','retry')))::float8 as oldest
         from ${schema}.job where name <> ?`,
      [DEAD_LETTER_QUEUE],
    );
    const row = result.rows[0] as { waiting: number; active: number; oldest: number | null };
    return { waiting: row.waiting, active: row.active, oldestWaitingSeconds: row.oldest === null ? null : Math.round(row.oldest) };
  }

  /** Stop fetching, let running jobs finish (up to timeoutMs), then close pg-boss' pool. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.#started) return;
    this.#stopping = true;
    for (const pump of this.#pumps.values()) pump.stop();
    const running = [...this.#inflight];
    if (running.length) await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    // jobs still running after the grace time go back to the queue now, not at their expiry
    // (their effects are intents: the retry looks them up before doing anything twice)
    for (const pump of this.#pumps.values()) await pump.releaseRunning('the gateway shut down while the job ran');
    await this.boss.stop({ graceful: true, wait: true, timeout: 2000, close: true });
    this.#pumps.clear();
    this.#started = false;
  }
}

/**
 * One fetch loop per queue: it fetches as many jobs as it has free slots and runs each on its
 * own, so a gateway polls each queue once per interval however many jobs it may run at once
 * (pg-boss' own workers poll once per worker: `concurrency` pollers per queue). A finished job
 * frees its slot and fetches again at once while the queue has work.
 */
class QueuePump {
  readonly #running = new Map<string, PgBoss.JobWithMetadata<JobEnvelope>>();
  #stopped = false;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(
    private readonly boss: PgBoss,
    private readonly name: string,
    private readonly slots: number,
    private readonly idleMs: number,
    private readonly hooks: {
      run: (job: PgBoss.JobWithMetadata<JobEnvelope>) => Promise<void>;
      track: (lifecycle: Promise<void>) => void;
      onError: (err: unknown) => void;
    },
  ) {}

  start(): void {
    void this.#loop();
  }

  stop(): void {
    this.#stopped = true;
    this.wake();
  }

  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async releaseRunning(reason: string): Promise<void> {
    for (const id of this.#running.keys()) await this.boss.fail(this.name, id, { message: reason }).catch(this.hooks.onError);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const free = this.slots - this.#running.size;
      let fetched = 0;
      this.#woken = false;
      if (free > 0) {
        try {
          const jobs = await this.boss.fetch<JobEnvelope>(this.name, { batchSize: free, includeMetadata: true });
          fetched = jobs.length;
          for (const job of jobs) this.#start(job);
        } catch (err) {
          this.hooks.onError(err);
        }
      }
      if (this.#stopped) return;
      // more may be waiting: fetch again at once while there were jobs and slots are left
      if (fetched > 0 && this.#running.size < this.slots) continue;
      if (this.#woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.idleMs);
        timer.unref();
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #start(job: PgBoss.JobWithMetadata<JobEnvelope>): void {
    this.#running.set(job.id, job);
    const lifecycle = (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        // as pg-boss' workers do: a job that outlives its expiry is failed (and retried) — its slot is freed
        const expired = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the job ran past its expiry of ${job.expireInSeconds} s`)), job.expireInSeconds * 1000);
          timer.unref();
        });
        await Promise.race([this.hooks.run(job), expired]);
        await this.boss.complete(this.name, job.id);
      } catch (err) {
        await this.boss.fail(this.name, job.id, err instanceof Error ? { message: err.message, name: err.name } : { message: String(err) }).catch(this.hooks.onError);
      } finally {
        clearTimeout(timer);
        this.#running.delete(job.id);
        this.wake();
      }
    })();
    this.hooks.track(lifecycle);
  }
}
