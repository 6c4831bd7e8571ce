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
    const workers = Math.max(1, definition.concurrency ?? 1);
    for (let i = 0; i < workers; i++) {
      const workerId: string = await this.boss.work<JobEnvelope>(
        definition.name,
        { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.config.pollingIntervalSeconds },
        async (jobs) => {
          for (const job of jobs) await this.#run(definition, job);
          // pg-boss waits a whole polling interval between fetches even when it just found work;
          // while the queue has jobs, fetch the next one at once (the interval only paces idle polling)
          if (jobs.length && !this.#stopping) this.boss.notifyWorker(workerId);
        },
      );
    }
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
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: true });
    this.#started = false;
  }
}
