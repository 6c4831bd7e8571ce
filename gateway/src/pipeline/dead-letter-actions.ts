import type { Knex } from 'knex';
import { AppError } from '../errors';
import { audit } from '../store/audit';
import type { DeadLetter } from './dead-letters';
import { jobDbFor, type JobQueue } from './job-queue';

export interface OperatorAction {
  ids: string[];
  actor: string;
  reason: string;
}

function requireReason(action: OperatorAction): void {
  if (!action.actor.trim()) throw new AppError('an operator action needs the acting user', { code: 'DLQ_ACTOR_REQUIRED', errorClass: 'business', httpStatus: 400 });
  if (action.reason.trim().length < 3) throw new AppError('an operator action needs a reason', { code: 'DLQ_REASON_REQUIRED', errorClass: 'business', httpStatus: 400 });
}

/**
 * Send open dead letters back to their queues as new jobs. The handler re-reads M3 and
 * PayTrace state when it runs again, so a replay never re-decides from stale data.
 * Each replay is audited in the same transaction as the job it creates.
 */
export async function replayDeadLetters(db: Knex, queue: JobQueue, action: OperatorAction): Promise<{ replayed: string[]; skipped: string[] }> {
  requireReason(action);
  const replayed: string[] = [];
  const skipped: string[] = [];
  for (const id of action.ids) {
    await db.transaction(async (trx) => {
      const row = await trx<DeadLetter>('dead_letters').where({ id, status: 'open' }).forUpdate().first();
      if (!row) {
        skipped.push(id);
        return;
      }
      const newJobId = await queue.send(row.queue, row.payload, { db: await jobDbFor(trx), correlationId: row.correlation_id ?? undefined });
      await trx('dead_letters').where({ id }).update({ status: 'replayed', resolved_at: trx.fn.now(), resolved_by: action.actor, resolution_reason: action.reason });
      await audit(trx, { actor: action.actor, action: 'dead_letter.replay', subjectType: 'dead_letter', subjectId: id, reason: action.reason, details: { queue: row.queue, newJobId } });
      replayed.push(id);
    });
  }
  return { replayed, skipped };
}

/** Close open dead letters without running them again, with who and why. */
export async function abandonDeadLetters(db: Knex, action: OperatorAction): Promise<{ abandoned: string[]; skipped: string[] }> {
  requireReason(action);
  const abandoned: string[] = [];
  const skipped: string[] = [];
  for (const id of action.ids) {
    await db.transaction(async (trx) => {
      const updated = await trx('dead_letters').where({ id, status: 'open' }).update({ status: 'abandoned', resolved_at: trx.fn.now(), resolved_by: action.actor, resolution_reason: action.reason });
      if (updated === 0) {
        skipped.push(id);
        return;
      }
      await audit(trx, { actor: action.actor, action: 'dead_letter.abandon', subjectType: 'dead_letter', subjectId: id, reason: action.reason });
      abandoned.push(id);
    });
  }
  return { abandoned, skipped };
}
