import type { Knex } from 'knex';
import type { MatchingRules } from '../domain/matching';
import { reconcile } from './engine';
import type { PreMatched, ReconSummary } from './model';
import { insertItems, loadInput, PRE_MATCHED_TABLE, type ReconRun } from './store';

/**
 * The match stage of a run. Nearly every settled transaction of a night is the plain case: one
 * ledger payment, one M3 receipt carrying our reference for the same amount, its GL batch posted
 * for that amount. Moving 100,000 of those through the gateway only to confirm them costs more
 * than everything else, so the database confirms them where the data lies, in one set-based pass,
 * and writes their items. The engine (engine.ts) then gets only what is left, together with the
 * totals of the pre-matched per batch, and decides everything that needs judgement.
 *
 * The pass accepts a transaction only when the engine would give it exactly the item the pass
 * writes, and no other item, and when nothing else in the run can lay claim to its receipt, its
 * ledger row or its GL batch; anything short of that goes to the engine. The integration test
 * `recon/match.test.ts` runs both ways on the same staged data and requires the same items.
 */

export interface MatchTimings {
  /** the set-based reference pass, its items included */
  preMatchMs: number;
  /** reading what is left */
  loadMs: number;
  /** the engine */
  engineMs: number;
  /** writing the engine's items and the summary */
  saveMs: number;
}

/**
 * Match a run and replace its items, all in one transaction: a stage that fails or is resumed
 * leaves no half-written item list.
 */
export async function matchRun(db: Knex, run: ReconRun, options: { localCurrency: string; roundingToleranceCents: number }, rules: MatchingRules): Promise<{ summary: ReconSummary; timings: MatchTimings }> {
  return db.transaction(async (trx) => {
    const start = performance.now();
    await trx('recon_items').where({ run_id: run.id }).delete();
    const preMatched = await matchByReference(trx, run.id, options.localCurrency);
    const preMatchedAt = performance.now();
    const input = { ...(await loadInput(trx, run, { ...options, exceptPreMatched: true })), preMatched };
    const loadedAt = performance.now();
    const { items, summary } = reconcile(input, rules);
    const matchedAt = performance.now();
    await insertItems(trx, run.id, items);
    await trx('recon_runs').where({ id: run.id }).update({ summary: JSON.stringify(summary), stage: 'matched', updated_at: trx.fn.now() });
    const end = performance.now();
    return { summary, timings: { preMatchMs: preMatchedAt - start, loadMs: loadedAt - preMatchedAt, engineMs: matchedAt - loadedAt, saveMs: end - matchedAt } };
  });
}

/**
 * The set-based pass: one statement finds the plain matches, writes their leg-A items and keeps
 * them in a temporary table (dropped at commit) that the loads of the engine's input leave out;
 * then their count and per-batch totals. Each condition mirrors a branch of the engine that would
 * otherwise give the transaction a different or an additional item.
 */
async function matchByReference(trx: Knex.Transaction, runId: string, localCurrency: string): Promise<PreMatched> {
  const bindings = { run: runId, local: localCurrency };
  // Planner settings for this statement only (restored after it). Every input is a whole run's
  // rows, but the planner multiplies the selectivities of the conditions, expects a handful of
  // rows and picks nested loops that rescan a table per row: 10 s instead of 0.1 s for 10,000
  // transactions. Hash joins are right here. Parallel workers only compete with the gateway for
  // the cores on a small machine (measured slower on 2 cores).
  const { rows: saved } = await trx.raw<{ rows: Array<{ nestloop: string; workers: string }> }>(
    `select current_setting('enable_nestloop') as nestloop, current_setting('max_parallel_workers_per_gather') as workers`,
  );
  await trx.raw(`set local enable_nestloop = off; set local max_parallel_workers_per_gather = 0`);
  await trx.raw(`create temporary table ${PRE_MATCHED_TABLE} (transaction_id bigint, batch_number integer, amount_cents bigint, pbid bigint, trno integer, payment_id uuid) on commit drop`);
  // amounts are compared with "is not distinct from" on purpose: an "=" between amounts lets the
  // planner join receipts to GL batches on the amount, and real amounts repeat (a thousand 100.00s)
  await trx.raw(
    `with plain as (
       select t.transaction_id, t.batch_number, t.settled_date, t.amount_cents, t.invoice_id, r.pbid, r.trno, r.cino, p.id as payment_id
         from recon_pt_transactions t
         join recon_m3_receipts r on r.run_id = t.run_id and r.irno = t.invoice_id
         join payments p on p.paytrace_transaction_id = t.transaction_id
         join recon_gl_batches g on g.run_id = t.run_id and g.key1 = p.gl_batch_key
        where t.run_id = :run and t.amount_cents is not null
          -- a sale that stayed in its batch (refunds and moved transactions carry more to say)
          and t.transaction_type <> 'REFUND' and t.moved_from_batch is null
          -- leg A: an invoice payment of ours under the same reference, a receipt for the same amount in local currency
          and p.flow = 'invoice_payment' and p.reference = t.invoice_id
          and coalesce(r.currency, :local) = :local and r.amount_cents is not distinct from t.amount_cents
          -- leg B: its GL batch posted (status 90) for that amount, local amount included
          and g.status = '90' and g.debit_cents is not distinct from t.amount_cents
          and abs(coalesce((p.local_amount * 100)::bigint, t.amount_cents)) is not distinct from t.amount_cents
          -- leg C: the ledger recorded that amount
          and p.currency = :local and abs((p.amount * 100)::bigint) is not distinct from t.amount_cents
          -- nothing else claims the reference, the receipt or the transaction's ledger row
          and not exists (select 1 from recon_pt_transactions o where o.run_id = t.run_id and o.invoice_id = t.invoice_id and o.transaction_id <> t.transaction_id)
          and not exists (select 1 from recon_m3_receipts o where o.run_id = t.run_id and o.irno = t.invoice_id and (o.pbid, o.trno) <> (r.pbid, r.trno))
          and not exists (select 1 from payments o where o.paytrace_transaction_id = t.transaction_id and o.id <> p.id)
     ), items as (
       insert into recon_items (run_id, item_key, leg, status, rule, confidence, owner, batch_number, settled_date, transaction_ids, m3_refs, payment_id, currency, paytrace_cents, m3_cents, reason)
       select :run, 'A:tx:' || transaction_id, 'A', 'matched', 'reference', 1, 'gateway', batch_number, settled_date, transaction_id::text,
              'receipt ' || pbid || '/' || trno || ' invoice ' || cino, payment_id, :local, amount_cents, amount_cents, 'receipt carries reference ' || invoice_id
         from plain
     )
     insert into ${PRE_MATCHED_TABLE} select transaction_id, batch_number, amount_cents, pbid, trno, payment_id from plain`,
    bindings,
  );
  await trx.raw(`select set_config('enable_nestloop', ?, true), set_config('max_parallel_workers_per_gather', ?, true)`, [saved[0]!.nestloop, saved[0]!.workers]);
  const { rows } = await trx.raw<{ rows: Array<{ batch_number: number; n: string; net: string }> }>(
    `select batch_number, count(*) as n, sum(amount_cents) as net from ${PRE_MATCHED_TABLE} group by batch_number`,
  );
  const batches = new Map<number, { transactions: number; netCents: number; glCents: number }>();
  let transactions = 0;
  for (const row of rows) {
    const n = Number(row.n);
    transactions += n;
    // the GL posted exactly the settled amount for each of them
    batches.set(Number(row.batch_number), { transactions: n, netCents: Number(row.net), glCents: Number(row.net) });
  }
  return { transactions, batches };
}
