import type { Knex } from 'knex';
import { jobDbFor, type JobQueue } from './job-queue';

export interface InboxInput {
  /** where the trigger came from: ion | ecommerce | paytrace-poller | payment-link | schedule | api */
  source: string;
  /** the natural dedupe key of that source: BODID, webhook-id, PayTrace transaction id + status, … */
  dedupeKey: string;
  kind: string;
  payload: unknown;
  correlationId: string;
  /** events with the same aggregate key (an invoice, an order, a customer) apply in arrival order */
  aggregateKey?: string;
  /** the queue whose job processes this trigger */
  queue: string;
  /** the flow, and the definition and rules versions the trigger runs with (fixed when it arrives) */
  flow?: { id: string; versionId: string; rulesVersionId?: string };
}

export interface InboxRow {
  id: string;
  source: string;
  dedupe_key: string;
  kind: string;
  payload: unknown;
  correlation_id: string;
  aggregate_key: string | null;
  status: 'received' | 'processing' | 'done' | 'rejected' | 'dead';
  received_at: Date;
  processed_at: Date | null;
  error_code: string | null;
  error: string | null;
  flow_id?: string | null;
  flow_version_id?: string | null;
  rules_version_id?: string | null;
}

/** The job payload of every inbox-driven queue: the job only carries the inbox id. */
export interface InboxJob {
  inboxId: string;
  /** how many times this trigger already waited for another event of its aggregate */
  deferrals?: number;
}

/**
 * Persist a trigger and its processing job in one transaction: either both exist or neither.
 * A duplicate (same source + dedupe key) stops here: nothing new is written, and the caller
 * learns which earlier row it duplicates.
 */
export async function ingest(db: Knex, queue: JobQueue, input: InboxInput): Promise<{ inboxId: string; duplicate: boolean }> {
  return db.transaction(async (trx) => {
    const inserted = await trx('inbox')
      .insert({
        source: input.source,
        dedupe_key: input.dedupeKey,
        kind: input.kind,
        payload: JSON.stringify(input.payload),
        correlation_id: input.correlationId,
        aggregate_key: input.aggregateKey ?? null,
        flow_id: input.flow?.id ?? null,
        flow_version_id: input.flow?.versionId ?? null,
        rules_version_id: input.flow?.rulesVersionId ?? null,
      })
      .onConflict(['source', 'dedupe_key'])
      .ignore()
      .returning<Array<{ id: string }>>('id');
    if (inserted.length === 0) {
      const existing = await trx('inbox').where({ source: input.source, dedupe_key: input.dedupeKey }).first<{ id: string }>('id');
      return { inboxId: existing!.id, duplicate: true };
    }
    const inboxId = inserted[0]!.id;
    await queue.send<InboxJob>(input.queue, { inboxId }, { db: await jobDbFor(trx), correlationId: input.correlationId });
    return { inboxId, duplicate: false };
  });
}

export async function getInbox(db: Knex, id: string): Promise<InboxRow | undefined> {
  return db<InboxRow>('inbox').where({ id }).first();
}

export async function markInbox(db: Knex, id: string, status: InboxRow['status'], error?: { code: string; message: string }): Promise<void> {
  await db('inbox')
    .where({ id })
    .update({
      status,
      processed_at: status === 'processing' ? null : db.fn.now(),
      error_code: error?.code ?? null,
      error: error?.message ?? null,
    });
}

/**
 * How long a trigger waiting for an earlier event of its aggregate sleeps before it looks again:
 * 1, 2, 4, then at most 5 s, each with jitter (half to all of it) so waiters of one aggregate
 * do not wake together. Waiting is not a failure: the wait never uses up the trigger's retries.
 */
export function deferralDelaySeconds(deferrals: number): number {
  return Math.ceil(Math.min(5, 2 ** Math.min(deferrals, 3)) * (0.5 + Math.random() / 2));
}

/** Is an earlier trigger of the same aggregate still waiting? Then this one must wait too. */
export async function earlierPending(db: Knex, row: InboxRow): Promise<string | undefined> {
  if (!row.aggregate_key) return undefined;
  const earlier = await db('inbox')
    .where('aggregate_key', row.aggregate_key)
    .andWhere('id', '<', row.id)
    .whereIn('status', ['received', 'processing'])
    .orderBy('id')
    .first<{ id: string } | undefined>('id');
  return earlier?.id;
}
