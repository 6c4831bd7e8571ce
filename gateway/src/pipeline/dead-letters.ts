import type { Knex } from 'knex';
import type { ErrorClass } from '../errors';

export interface DeadLetterInput {
  queue: string;
  jobId: string;
  payload: unknown;
  correlationId?: string;
  errorClass: ErrorClass;
  errorCode: string;
  errorMessage: string;
  attempts: number;
}

export interface DeadLetter {
  id: string;
  queue: string;
  job_id: string;
  payload: unknown;
  error_class: ErrorClass;
  error_code: string;
  error_message: string;
  attempts: number;
  correlation_id: string | null;
  status: 'open' | 'replayed' | 'abandoned';
  created_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution_reason: string | null;
}

/** Park a job. The same job parked twice (handler, then pg-boss expiry) stays one row. */
export async function recordDeadLetter(db: Knex, input: DeadLetterInput): Promise<void> {
  await db('dead_letters')
    .insert({
      queue: input.queue,
      job_id: input.jobId,
      payload: JSON.stringify(input.payload ?? null),
      correlation_id: input.correlationId ?? null,
      error_class: input.errorClass,
      error_code: input.errorCode,
      error_message: input.errorMessage.slice(0, 4000),
      attempts: input.attempts,
    })
    .onConflict(['queue', 'job_id'])
    .ignore();
}

export interface DeadLetterFilter {
  status?: DeadLetter['status'];
  queue?: string;
  errorClass?: ErrorClass;
  errorCode?: string;
  olderThanSeconds?: number;
  limit?: number;
}

export async function listDeadLetters(db: Knex, filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
  const query = db<DeadLetter>('dead_letters').orderBy('id', 'desc').limit(Math.min(filter.limit ?? 100, 1000));
  if (filter.status) query.where('status', filter.status);
  if (filter.queue) query.where('queue', filter.queue);
  if (filter.errorClass) query.where('error_class', filter.errorClass);
  if (filter.errorCode) query.where('error_code', filter.errorCode);
  if (filter.olderThanSeconds) query.where('created_at', '<', db.raw(`now() - make_interval(secs => ?)`, [filter.olderThanSeconds]));
  return query;
}

export async function countOpenDeadLetters(db: Knex): Promise<number> {
  const row = await db('dead_letters').where('status', 'open').count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}
