import type { Knex } from 'knex';
import { asSingleton } from '../../pipeline/advisory-lock';
import type { Logger } from '../../observability/logger';
import type { PayTraceClient } from '../../paytrace/client';
import type { ExportedTransaction } from '../../paytrace/transformers/exports';
import type { IngestInput } from '../../pipeline/pipeline';

/** The trigger a flow names to receive what the poller finds. */
export const PAYTRACE_POLLER = 'paytrace-event';
const STATE_NAME = 'paytrace-transactions';
const DAY_MS = 86_400_000;

export interface PollerOptions {
  /** how far back the first poll looks */
  initialLookbackDays: number;
  /** re-read this much before the high-water mark: PayTrace dates are whole days without a time zone */
  overlapDays: number;
}

export interface TickResult {
  ran: boolean;
  seen: number;
  ingested: number;
  batches: number;
  highWaterMark?: string;
}

/** The payload the poller ingests for each (transaction, state) it sees. */
export interface PayTraceEventPayload {
  transaction: Omit<ExportedTransaction, 'raw' | 'amount'> & { amount?: string };
  raw: Record<string, unknown>;
  source: 'transaction-export' | 'batch-export';
}

/**
 * PayTrace v1 has no webhooks: this poller turns its exports into events. Each tick reads the
 * transaction export by date range from the high-water mark minus an overlap, and the settled
 * batches with their transactions; every (transaction id, state) not seen before goes to the
 * inbox (its unique key is the dedupe), with a job on the paytrace-event queue. One instance
 * polls at a time (advisory lock), however many gateways run.
 */
export class PayTracePoller {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Knex,
    /** stores one event for the flow that owns the poller's trigger (undefined when none does) */
    private readonly store: (input: IngestInput) => Promise<{ duplicate: boolean } | undefined>,
    private readonly paytrace: PayTraceClient,
    private readonly logger: Logger,
    private readonly options: PollerOptions,
  ) {}

  async tick(now = new Date()): Promise<TickResult> {
    const held = { from: new Date(), to: new Date() };
    const outcome = await asSingleton(this.db, 'paytrace-poller', async () => {
      held.from = new Date();
      try {
        return await this.#poll(now);
      } finally {
        held.to = new Date();
      }
    });
    // when and where polls ran (inside the lock): with several gateways, one at a time
    if (outcome.ran) this.logger.debug('PayTrace poll ran', { pid: process.pid, startedAt: held.from.toISOString(), finishedAt: held.to.toISOString(), seen: outcome.value.seen, ingested: outcome.value.ingested });
    else this.logger.debug('PayTrace poll skipped: another gateway is polling', { pid: process.pid });
    return outcome.ran ? outcome.value : { ran: false, seen: 0, ingested: 0, batches: 0 };
  }

  async #poll(now: Date): Promise<TickResult> {
    const state = await this.db('poller_state').where({ name: STATE_NAME }).first<{ high_water_mark: Date | null } | undefined>();
    const from = state?.high_water_mark
      ? new Date(state.high_water_mark.getTime() - this.options.overlapDays * DAY_MS)
      : new Date(now.getTime() - this.options.initialLookbackDays * DAY_MS);

    const found: Array<{ transaction: ExportedTransaction; source: PayTraceEventPayload['source'] }> = [];
    const exported = await this.paytrace.exportTransactionsByDateRange({ startDate: from, endDate: now });
    if (exported.approved) for (const t of exported.transactions) found.push({ transaction: t, source: 'transaction-export' });
    else if (exported.outcome !== 'not_found') throw new Error(`PayTrace transaction export failed: ${exported.statusMessage}`);

    const batchList = await this.paytrace.exportBatches(from, now);
    let batches = 0;
    if (batchList.approved) {
      for (const batch of batchList.batches) {
        const settled = await this.paytrace.batchTransactions(batch.number);
        if (!settled.approved) continue;
        batches++;
        for (const t of settled.transactions) found.push({ transaction: { ...t, state: 'settled', batchNumber: t.batchNumber ?? batch.number }, source: 'batch-export' });
      }
    }

    const keyOf = (t: ExportedTransaction) => `${t.transactionId}:${t.state}`;
    const keys = [...new Set(found.map((f) => keyOf(f.transaction)))];
    const known = new Set<string>(
      keys.length ? await this.db('inbox').where({ source: 'paytrace-poller' }).whereIn('dedupe_key', keys).pluck('dedupe_key') : [],
    );
    let ingested = 0;
    const done = new Set<string>();
    for (const { transaction, source } of found) {
      const key = keyOf(transaction);
      if (known.has(key) || done.has(key)) continue;
      done.add(key);
      const { raw, amount, ...rest } = transaction;
      // kept as an event like any other (raw has the amount as sent); the flow sees amountRefused, not a rounded amount
      if (transaction.amountRefused) this.logger.warn('PayTrace sent a transaction amount with more than two decimals: kept without an amount', { transactionId: transaction.transactionId, errorCode: transaction.amountRefused.code, wire: transaction.amountRefused.wire });
      const payload: PayTraceEventPayload = { transaction: { ...rest, amount: amount?.toString() }, raw, source };
      const result = await this.store({
        source: 'paytrace-poller',
        dedupeKey: key,
        kind: `paytrace.transaction.${transaction.state}`,
        payload,
        correlationId: `paytrace-${transaction.transactionId}`,
      });
      if (result && !result.duplicate) ingested++;
    }
    await this.db('poller_state')
      .insert({ name: STATE_NAME, high_water_mark: now, detail: JSON.stringify({ seen: found.length, ingested, batches }) })
      .onConflict('name')
      .merge({ high_water_mark: now, detail: JSON.stringify({ seen: found.length, ingested, batches }), updated_at: this.db.fn.now() });
    if (ingested) this.logger.info('PayTrace poller found new transaction states', { seen: found.length, ingested, batches });
    return { ran: true, seen: found.length, ingested, batches, highWaterMark: now.toISOString() };
  }

  start(intervalMs: number): void {
    const loop = () => {
      this.#running = this.tick()
        .catch((err: unknown) => this.logger.warn('PayTrace poll failed; next tick retries', { err }))
        .finally(() => {
          if (this.#timer !== undefined) this.#timer = setTimeout(loop, intervalMs);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    const timer = this.#timer;
    this.#timer = undefined;
    if (timer) clearTimeout(timer);
    await this.#running;
  }
}
