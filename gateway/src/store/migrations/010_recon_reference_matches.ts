import type { Knex } from 'knex';

/**
 * Plain reference matches of a reconciliation run, one narrow row per settled transaction.
 *
 * Nearly every transaction of a night is the plain case (one ledger payment, one receipt under our
 * reference for the same amount, its GL batch posted for it). recon/match.ts confirms those in one
 * SQL statement and records them here: ids and amounts, not the item's prose. Writing 100,000 full
 * `recon_items` rows (texts and their (run_id, item_key) key) cost more than the whole join that
 * finds them; these rows are half as wide (115 bytes against 221) and carry no btree key, and the
 * text of their item is the same for all of them.
 *
 * `recon_run_items` shows every item of a run in one shape: the engine's `recon_items` and these,
 * with the text the engine gives a plain reference match. Readers (API, CSV, operator app) read
 * the view; only the engine and the automatic fixes write `recon_items`, and a plain match never
 * needs a fix.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recon_reference_matches', (t) => {
    t.uuid('run_id').notNullable();
    t.bigInteger('transaction_id').notNullable();
    t.integer('batch_number').notNullable();
    t.date('settled_date');
    t.bigInteger('amount_cents').notNullable();
    t.string('currency', 3).notNullable();
    /** our reference: PayTrace invoice_id = M3 IRNO = the ledger's reference */
    t.text('reference').notNullable();
    t.bigInteger('pbid').notNullable();
    t.integer('trno').notNullable();
    t.text('cino').notNullable();
    t.uuid('payment_id').notNullable();
  });
  // A run's rows are written by one statement, so they lie together on disk: a BRIN index finds
  // them for reads and deletes at no cost on insert, where a btree key cost a third of the time it
  // takes to write them. One row per transaction holds by construction: the rows come from the
  // staged transactions (key run_id, transaction_id) with exactly one receipt group, one ledger row
  // and one GL batch each.
  await knex.raw('create index recon_reference_matches_run on recon_reference_matches using brin (run_id)');

  // the item a plain match is, exactly as engine.ts words it (test/integration/recon/match.test.ts holds the two together)
  await knex.raw(`
    create view recon_run_items as
    select run_id, item_key, leg, status, exception_class, rule, confidence, owner, batch_number, settled_date, transaction_ids, m3_refs, gl_key,
           payment_id, currency, paytrace_cents, m3_cents, gl_cents, difference_cents, reason, suggested_fix, fix_kind, fix_action, fix_status, fix_detail
      from recon_items
    union all
    select run_id, 'A:tx:' || transaction_id, 'A', 'matched', null, 'reference', 1::numeric(4, 3), 'gateway', batch_number, settled_date, transaction_id::text,
           'receipt ' || pbid || '/' || trno || ' invoice ' || cino, null, payment_id, currency, amount_cents, amount_cents, null, null,
           'receipt carries reference ' || reference, null, null, null, null, null
      from recon_reference_matches`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop view recon_run_items');
  await knex.schema.dropTable('recon_reference_matches');
}
