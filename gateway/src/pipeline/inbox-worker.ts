import { AppError, errorClassOf } from '../errors';
import { runWithContext } from '../observability/context';
import type { GatewayServices } from '../kernel/services';
import { deferralDelaySeconds, earlierPending, getInbox, markInbox, type InboxJob, type InboxRow } from './inbox';
import { tryWithAdvisoryLock } from './advisory-lock';
import type { JobMeta } from './job-queue';

export type InboxHandler = (row: InboxRow, meta: JobMeta) => Promise<void>;

/**
 * The worker of an inbox-driven queue: load the persisted trigger, keep per-aggregate order
 * (an earlier unfinished trigger of the same invoice/order/customer makes this one wait), run
 * the handler under the aggregate's lock, and record the outcome on the inbox row.
 * A trigger that is already done is skipped, so a duplicate job has no effect.
 */
export function inboxWorker(services: GatewayServices, handler: InboxHandler) {
  return async ({ inboxId, deferrals = 0 }: InboxJob, meta: JobMeta): Promise<void> => {
    const row = await getInbox(services.db, inboxId);
    if (!row) throw new AppError(`inbox row ${inboxId} does not exist`, { code: 'INBOX_MISSING', errorClass: 'bug' });
    if (row.status === 'done' || row.status === 'rejected') return;

    // Waiting for another event of the same aggregate is not a failure: a fresh job comes back
    // later, so the wait never uses up this trigger's retries (under load it did, and parked it).
    const defer = async (reason: string) => {
      const seconds = deferralDelaySeconds(deferrals);
      await services.queue.send<InboxJob>(meta.queue, { inboxId, deferrals: deferrals + 1 }, { startAfterSeconds: seconds, correlationId: row.correlation_id });
      services.logger.debug('trigger deferred', { inboxId, aggregateKey: row.aggregate_key, reason, seconds, deferrals: deferrals + 1 });
    };

    const run = async () => {
      const earlier = await earlierPending(services.db, row);
      if (earlier) return defer(`waiting for earlier event ${earlier}`);
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
    if (!row.aggregate_key) return run();
    // an earlier event still pending: wait without touching the lock, which the earlier one may need now
    const earlier = await earlierPending(services.db, row);
    if (earlier) return defer(`waiting for earlier event ${earlier}`);
    const outcome = await tryWithAdvisoryLock(services.db, `aggregate:${row.aggregate_key}`, run);
    if (!outcome.ran) await defer('another worker is processing the aggregate');
  };
}
