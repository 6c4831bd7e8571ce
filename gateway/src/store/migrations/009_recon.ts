import type { Knex } from 'knex';

/**
 * Settlement reconciliation (issue 8): a run, what it read from PayTrace and M3 (staged per run,
 * so a run resumes where it stopped and a re-run reads the same rows), and its per-item results.
 * Amounts are integer cents (bigint) beside their currency.
 *
 * The per-run tables take 100,000s of rows a night: they carry no foreign key to recon_runs (a
 * referential check per inserted row costs more than the insert) and no index beyond their key,
 * whose leading run_id serves every query. Runs are never deleted by the gateway.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recon_runs', (t) => {
    t.uuid('id').primary();
    /** natural key of a run (e.g. nightly:2026-11-25): asking twice gives the same run */
    t.text('run_key').unique();
    t.date('period_from').notNullable();
    t.date('period_to').notNullable();
    t.text('mode').notNullable(); // dry_run | apply
    t.text('status').notNullable(); // queued | running | completed | failed
    /** the last stage finished: the run resumes after it */
    t.text('stage').notNullable().defaultTo('created'); // created | paytrace | m3 | matched | applied | reported
    t.text('trigger').notNullable(); // api | schedule
    t.text('requested_by').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.jsonb('summary');
    t.text('error_code');
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });

  await knex.schema.createTable('recon_pt_batches', (t) => {
    t.uuid('run_id').notNullable();
    t.integer('batch_number').notNullable();
    t.date('settled_date');
    t.integer('reported_count');
    t.bigInteger('reported_net_cents');
    /** its transaction list is staged: a resumed run skips it */
    t.boolean('fetched').notNullable().defaultTo(false);
    t.primary(['run_id', 'batch_number']);
  });

  await knex.schema.createTable('recon_pt_transactions', (t) => {
    t.uuid('run_id').notNullable();
    t.bigInteger('transaction_id').notNullable();
    t.integer('batch_number').notNullable();
    /** a transaction met in an earlier batch of the same export (it moved between batches) */
    t.integer('moved_from_batch');
    t.text('transaction_type').notNullable();
    t.bigInteger('amount_cents'); // null: PayTrace sent no usable amount
    t.text('invoice_id');
    t.text('customer_id');
    t.bigInteger('original_transaction_id');
    t.date('settled_date');
    t.text('card_type');
    t.primary(['run_id', 'transaction_id']);
  });

  await knex.schema.createTable('recon_m3_receipts', (t) => {
    t.uuid('run_id').notNullable();
    t.bigInteger('pbid').notNullable();
    t.integer('trno').notNullable();
    t.text('cino').notNullable();
    t.integer('inyr');
    t.text('cuno');
    t.bigInteger('amount_cents');
    t.string('currency', 3);
    t.text('irno');
    t.date('payment_date');
    t.primary(['run_id', 'pbid', 'trno']);
  });

  await knex.schema.createTable('recon_m3_invoices', (t) => {
    t.uuid('run_id').notNullable();
    t.text('cino').notNullable();
    t.integer('yea4').notNullable();
    t.text('cuno');
    t.string('currency', 3);
    t.bigInteger('amount_cents');
    t.bigInteger('open_cents');
    /** ARAT: multiply rate to the local currency, M3's decimal text */
    t.text('rate');
    t.date('invoice_date');
    t.primary(['run_id', 'yea4', 'cino']);
  });

  await knex.schema.createTable('recon_gl_batches', (t) => {
    t.uuid('run_id').notNullable();
    t.text('key1').notNullable();
    t.text('status');
    t.bigInteger('debit_cents');
    t.bigInteger('credit_cents');
    t.text('description');
    t.primary(['run_id', 'key1']);
  });

  await knex.schema.createTable('recon_items', (t) => {
    t.uuid('run_id').notNullable();
    /** deterministic per run (A:tx:<id>, B:batch:<n>, C:payment:<uuid>, …): a re-run gives the same keys */
    t.text('item_key').notNullable();
    t.text('leg').notNullable(); // A | B | C
    t.text('status').notNullable(); // matched | review | exception
    t.text('exception_class');
    t.text('rule');
    t.decimal('confidence', 4, 3);
    t.text('owner');
    t.integer('batch_number');
    t.date('settled_date');
    t.text('transaction_ids');
    t.text('m3_refs');
    t.text('gl_key');
    t.uuid('payment_id');
    t.string('currency', 3);
    t.bigInteger('paytrace_cents');
    t.bigInteger('m3_cents');
    t.bigInteger('gl_cents');
    t.bigInteger('difference_cents');
    t.text('reason').notNullable();
    t.text('suggested_fix');
    t.text('fix_kind'); // auto | review
    t.text('fix_action'); // post_receipt | post_gl
    t.text('fix_status'); // pending | done | failed
    t.text('fix_detail');
    t.primary(['run_id', 'item_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['recon_items', 'recon_gl_batches', 'recon_m3_invoices', 'recon_m3_receipts', 'recon_pt_transactions', 'recon_pt_batches', 'recon_runs']) {
    await knex.schema.dropTable(table);
  }
}
