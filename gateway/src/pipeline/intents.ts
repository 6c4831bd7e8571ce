import type { Knex } from 'knex';
import { AppError, errorClassOf } from '../errors';
import { logger } from '../observability/logger';

export type IntentStatus = 'pending' | 'succeeded' | 'failed' | 'unknown';

export interface IntentRow {
  id: string;
  key: string;
  payment_id: string | null;
  system: string;
  operation: string;
  status: IntentStatus;
  attempts: number;
  request: unknown;
  result: unknown;
  error_code: string | null;
  error: string | null;
  resolved_by: 'execute' | 'lookup' | null;
}

export type LookupResult<T> = { found: true; result: T } | { found: false };

/**
 * One external side effect (an M3 Add, a PayTrace sale or refund, a BOD to ION) guarded by an
 * intent row. Neither M3 MI nor PayTrace v1 has idempotency keys, so:
 *   - the intent is written (pending) and committed BEFORE the call;
 *   - its outcome is recorded after the call, before the step completes;
 *   - a step that finds an earlier pending/unknown attempt LOOKS UP the effect in the other
 *     system by the reference we sent, and only executes again when the lookup says it never
 *     happened. Never a blind retry of a money movement.
 */
export interface SideEffect<T> {
  /** deterministic: `<payment id>:<step>` */
  key: string;
  paymentId?: string;
  system: 'm3' | 'paytrace' | 'ion' | 'webhook' | 'email';
  operation: string;
  /** what we send, for the trace view; must not hold card data or secrets */
  request?: unknown;
  execute: () => Promise<T>;
  /** find the effect of an earlier attempt whose outcome we do not know */
  lookup?: () => Promise<LookupResult<T>>;
  /** the effect is harmless to repeat (a read, a deduplicated message): no lookup needed */
  idempotent?: boolean;
  /** errors after which the effect certainly did not happen (default: business errors) */
  certainlyNotApplied?: (err: unknown) => boolean;
}

const notAppliedByDefault = (err: unknown) => errorClassOf(err).errorClass === 'business' || errorClassOf(err).errorClass === 'configuration';

async function record(db: Knex, key: string, change: Partial<IntentRow>): Promise<void> {
  await db('intents')
    .where({ key })
    .update({ ...change, result: change.result === undefined ? undefined : JSON.stringify(change.result), updated_at: db.fn.now() });
}

export interface IntentOutcome {
  system: string;
  operation: string;
  outcome: 'succeeded' | 'found_by_lookup' | 'failed' | 'unknown';
  errorClass?: string;
}

/** Called after each recorded intent outcome (business metrics); a listener must not throw. */
export const intentOutcomeListeners = new Set<(outcome: IntentOutcome) => void>();

export function emitIntentOutcome(outcome: IntentOutcome): void {
  for (const listener of intentOutcomeListeners) listener(outcome);
}

export async function perform<T>(db: Knex, effect: SideEffect<T>): Promise<T> {
  const existing = await db<IntentRow>('intents').where({ key: effect.key }).first();
  if (existing?.status === 'succeeded') return existing.result as T;

  if (existing && (existing.status === 'pending' || existing.status === 'unknown') && !effect.idempotent) {
    if (!effect.lookup) {
      throw new AppError(`the outcome of ${effect.operation} (${effect.key}) is unknown and it has no lookup: an operator must check ${effect.system}`, {
        code: 'INTENT_OUTCOME_UNKNOWN',
        errorClass: 'configuration',
      });
    }
    const found = await effect.lookup(); // a failing lookup is transient: the job retries later
    if (found.found) {
      await record(db, effect.key, { status: 'succeeded', result: found.result, resolved_by: 'lookup', error: null, error_code: null });
      emitIntentOutcome({ system: effect.system, operation: effect.operation, outcome: 'found_by_lookup' });
      logger.info('side effect found by lookup, not repeated', { intent: effect.key, operation: effect.operation });
      return found.result;
    }
    logger.info('side effect not found by lookup, executing again', { intent: effect.key, operation: effect.operation });
  }

  // Write the intent (and commit) before touching the other system.
  await db('intents')
    .insert({
      key: effect.key,
      payment_id: effect.paymentId ?? null,
      system: effect.system,
      operation: effect.operation,
      status: 'pending',
      attempts: 1,
      request: JSON.stringify(effect.request ?? null),
    })
    .onConflict('key')
    .merge({ status: 'pending', attempts: db.raw('intents.attempts + 1'), request: JSON.stringify(effect.request ?? null), updated_at: db.fn.now() });

  try {
    const result = await effect.execute();
    await record(db, effect.key, { status: 'succeeded', result: (result ?? null) as unknown, resolved_by: 'execute', error: null, error_code: null });
    emitIntentOutcome({ system: effect.system, operation: effect.operation, outcome: 'succeeded' });
    return result;
  } catch (err) {
    const classified = errorClassOf(err);
    const notApplied = (effect.certainlyNotApplied ?? notAppliedByDefault)(err);
    await record(db, effect.key, { status: notApplied ? 'failed' : 'unknown', error_code: classified.code, error: classified.message.slice(0, 2000) });
    emitIntentOutcome({ system: effect.system, operation: effect.operation, outcome: notApplied ? 'failed' : 'unknown', errorClass: classified.errorClass });
    throw err;
  }
}

export async function intentsOf(db: Knex, paymentId: string): Promise<IntentRow[]> {
  return db<IntentRow>('intents').where({ payment_id: paymentId }).orderBy('id');
}
