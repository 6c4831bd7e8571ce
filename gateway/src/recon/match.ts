import type { Knex } from 'knex';
import type { MatchingRules } from '../domain/matching';
import { reconcile } from './engine';
import type { PreMatched, ReconSummary } from './model';
import { insertItems, loadInput, type ReconRun } from './store';

/**
 * The match stage of a run. Nearly every settled transaction of a night is the plain case: one
 * ledger payment, one M3 receipt carrying our reference for the same amount, its GL batch posted
 * for that amount. Moving 100,000 of those through the gateway only to confirm them costs more
 * than everything else, so the database confirms them where the data lies, in one set-based pass,
 * and records them in recon_reference_matches (one narrow row each; the view recon_run_items shows
 * them as items). The engine (engine.ts) then gets only what is left, together with the
 * totals of the pre-matched per batch, and decides everything that needs judgement.
 *
 * The pass accepts a transaction only when the engine would give it exactly the item the pass
 * writes, and no other item, and when nothing else in the run can lay claim to its receipt, its
 * ledger row or its GL batch; anything short of that goes to the engine. The integration test
 * `recon/match.test.ts` runs both ways on the same staged data and requires the same items.
 */

export interface MatchTimings {
  /** the set-based reference pass, its rows written */
  preMatchMs: number;
  /** reading what is left */
  loadMs: number;
  /** the engine */
  engineMs: number;
  /** writing the engine's items and the summary */
  saveMs: number;
}

/**
 * Planner and memory settings of the match transaction (SET LOCAL: they end with it). Every
 * statement in it works on a whole run's rows:
 * - hash joins: the planner multiplies the selectivities of the match conditions, expects a handful
 *   of rows and picks nested loops that rescan a table per row (10 s instead of 0.1 s for 10,000
 *   transactions);
 * - no parallel workers: they compete with the gateway for the cores of a small machine (measured
 *   slower on 2 cores);
 * - 64 MB per hash table: a night's references and receipts fit in memory instead of spilling to
 *   disk in batches (4 MB, the default, spilled 100,000 transactions).
 * The benchmark runs its one-statement ceiling under the same settings.
 */
export async function useMatchSettings(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`set local enable_nestloop = off; set local max_parallel_workers_per_gather = 0; set local work_mem = '64MB'`);
}

/**
 * Match a run and replace its items, all in one transaction: a stage that fails or is resumed
 * leaves no half-written item list.
 */
export async function matchRun(db: Knex, run: ReconRun, options: { localCurrency: string; roundingToleranceCents: number }, rules: MatchingRules): Promise<{ summary: ReconSummary; timings: MatchTimings }> {
  return db.transaction(async (trx) => {
    const start = performance.now();
    await useMatchSettings(trx);
    await trx('recon_items').where({ run_id: run.id }).delete();
    await trx('recon_reference_matches').where({ run_id: run.id }).delete();
    const preMatched = await matchByReference(trx, run.id, options.localCurrency);
    const preMatchedAt = performance.now();
    const input = { ...(await loadInput(trx, run, { ...options, exceptReferenceMatched: true })), preMatched };
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
 * The set-based pass: one statement finds the plain matches, records them in
 * `recon_reference_matches` (their items are the view `recon_run_items`), which the loads of the
 * engine's input leave out; then their count and total per batch. Each condition mirrors a
 * branch of the engine that would otherwise give the transaction a different or an additional item.
 */
async function matchByReference(trx: Knex.Transaction, runId: string, localCurrency: string): Promise<PreMatched> {
  const bindings = { run: runId, local: localCurrency };
  // The inner query joins on keys only (one row per transaction and ledger row, estimated right) and
  // computes the verdict; "offset 0" keeps the planner from pulling it up and using the verdict's
  // conditions as join filters: it multiplies their selectivities, expects a handful of rows and
  // hashes the wrong side of every join (measured 1.5-2x slower on 100,000 transactions).
  // Uniqueness (one transaction and one receipt under the reference, one ledger row for the
  // transaction) is checked against the few references and transactions that occur twice: a small
  // set to probe, where a count per reference joined back cost a quarter of the statement.
  // Amounts compare with "is not distinct from": an "=" between amounts lets the planner join on the
  // amount (a transitive equality), and real amounts repeat (a thousand 100.00s).
  await trx.raw(
    `insert into recon_reference_matches (run_id, transaction_id, batch_number, settled_date, amount_cents, currency, reference, pbid, trno, cino, payment_id)
     select :run, transaction_id, batch_number, settled_date, amount_cents, :local, reference, pbid, trno, cino, payment_id
       from (select t.transaction_id, t.batch_number, t.settled_date, t.amount_cents, t.invoice_id as reference, r.pbid, r.trno, r.cino, p.id as payment_id,
                    -- a sale that stayed in its batch (refunds and moved transactions carry more to say)
                    (t.amount_cents is not null and t.transaction_type <> 'REFUND' and t.moved_from_batch is null
                     -- leg A: a receipt under the reference, in local currency, for the same amount; an invoice payment of ours under it
                     and coalesce(r.currency, :local) = :local and r.amount_cents is not distinct from t.amount_cents
                     and p.flow = 'invoice_payment' and p.reference = t.invoice_id
                     -- leg B: its GL batch posted (status 90) for that amount, local amount included
                     and g.status = '90' and g.debit_cents is not distinct from t.amount_cents
                     and abs(coalesce((p.local_amount * 100)::bigint, t.amount_cents)) is not distinct from t.amount_cents
                     -- leg C: the ledger recorded that amount
                     and p.currency = :local and abs((p.amount * 100)::bigint) is not distinct from t.amount_cents) as plain
               from recon_pt_transactions t
               join recon_m3_receipts r on r.run_id = :run and r.irno = t.invoice_id
               join payments p on p.paytrace_transaction_id = t.transaction_id
               join recon_gl_batches g on g.run_id = :run and g.key1 = p.gl_batch_key
              where t.run_id = :run
             offset 0) candidate
      where plain
        -- no other transaction of the run under the reference (a customer charged twice)
        and not exists (select 1 from (select invoice_id from recon_pt_transactions where run_id = :run group by invoice_id having count(*) > 1) twice
                         where twice.invoice_id = candidate.reference)
        -- no other receipt under the reference (split payments, M3 booking a receipt twice)
        and not exists (select 1 from (select irno from recon_m3_receipts where run_id = :run group by irno having count(*) > 1) twice
                         where twice.irno = candidate.reference)
        -- no other ledger row for the transaction (counted over the run's transactions only: the
        -- ledger holds years of them, and a count over all of it took 1.1 s at a million rows)
        and not exists (select 1 from (select o.paytrace_transaction_id from payments o
                                        where o.paytrace_transaction_id in (select transaction_id from recon_pt_transactions where run_id = :run)
                                        group by o.paytrace_transaction_id having count(*) > 1) twice
                         where twice.paytrace_transaction_id = candidate.transaction_id)`,
    bindings,
  );
  // (a separate read: "returning" into a CTE measured 50 ms slower than reading the rows back)
  const { rows } = await trx.raw<{ rows: Array<{ batch_number: number; n: string; net: string }> }>(
    `select batch_number, count(*) as n, sum(amount_cents) as net from recon_reference_matches where run_id = ? group by batch_number`,
    [runId],
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
