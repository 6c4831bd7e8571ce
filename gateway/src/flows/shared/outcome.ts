import type { Knex } from 'knex';
import { AppError, errorClassOf } from '../../errors';
import { updatePayment } from '../../pipeline/ledger';

/** Stop the flow with a business outcome (no retry: resolved, or parked for an operator). */
export function fail(code: string, message: string, details?: Record<string, unknown>): never {
  throw new AppError(message, { code, errorClass: 'business', details });
}

/**
 * Record why a flow stopped on the payment, then rethrow for the queue to decide: a transient
 * error keeps the status (the job retries), anything else marks the payment failed.
 */
export async function recordFlowError(db: Knex, paymentId: string, err: unknown): Promise<never> {
  const classified = errorClassOf(err);
  const final = classified.errorClass !== 'transient';
  await updatePayment(db, paymentId, {
    ...(final ? { status: 'failed' } : {}),
    step: final ? 'error' : 'retry',
    fields: { last_error_code: classified.code, last_error: classified.message.slice(0, 1000) },
  });
  throw err;
}
