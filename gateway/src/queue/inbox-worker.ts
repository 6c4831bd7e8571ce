import { AppError, errorClassOf } from '../errors';
import { runWithContext } from '../observability/context';
import type { GatewayServices } from '../runtime/services';
import { earlierPending, getInbox, markInbox, type InboxJob, type InboxRow } from '../store/inbox';
import { withAggregateLock } from './advisory-lock';
import type { JobMeta } from './job-queue';

export type InboxHandler = (row: InboxRow, meta: JobMeta) => Promise<void>;

/**
 * The worker of an inbox-driven queue: load the persisted trigger, keep per-aggregate order
 * (an earlier unfinished trigger of the same invoice/order/customer makes this one wait), run
 * the handler under the aggregate's lock, and record the outcome on the inbox row.
 * A trigger that is already done is skipped, so a duplicate job has no effect.
 */
export function inboxWorker(services: GatewayServices, handler: InboxHandler) {
  return async ({ inboxId }: InboxJob, meta: JobMeta): Promise<void> => {
    const row = await getInbox(services.db, inboxId);
    if (!row) throw new AppError(`inbox row ${inboxId} does not exist`, { code: 'INBOX_MISSING', errorClass: 'bug' });
    if (row.status === 'done' || row.status === 'rejected') return;

    const run = async () => {
      const earlier = await earlierPending(services.db, row);
      if (earlier) {
        throw new AppError(`waiting for earlier event ${earlier} of ${row.aggregate_key}`, { code: 'WAITING_FOR_EARLIER_EVENT', errorClass: 'transient' });
      }
      await markInbox(services.db, row.id, 'processing');
      try {
        await runWithContext({ correlationId: row.correlation_id, inboxId: row.id, kind: row.kind }, () => handler(row, meta));
        await markInbox(services.db, row.id, 'done');
      } catch (err) {
        const classified = errorClassOf(err);
        const final = classified.errorClass !== 'transient' || meta.attempt >= meta.maxAttempts;
        // A parked trigger no longer holds back later triggers of its aggregate; a replay picks it up again.
        if (final) await markInbox(services.db, row.id, 'dead', { code: classified.code, message: classified.message });
        throw err;
      }
    };
    if (row.aggregate_key) await withAggregateLock(services.db, row.aggregate_key, run);
    else await run();
  };
}
