import type { Knex } from 'knex';

/**
 * What the PayTrace poller has seen of each transaction (PayTrace has no webhooks): the source
 * for settlement detection, for payments made outside the gateway, and for reconciliation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('paytrace_transactions', (t) => {
    t.bigInteger('transaction_id').primary();
    t.text('state').notNullable(); // pending_settlement | settled | voided | declined | authorized | unknown
    t.text('transaction_type');
    t.decimal('amount', 19, 2);
    t.text('invoice_id');
    t.text('customer_id');
    t.text('masked_card_number');
    t.integer('batch_number');
    t.text('created_text'); // PayTrace's own date text (no time zone)
    t.text('settled_text');
    t.uuid('payment_id'); // our ledger row, when the transaction is ours
    t.jsonb('raw').notNullable();
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['invoice_id']);
    t.index(['batch_number']);
    t.index(['state']);
  });
  await knex.schema.alterTable('payments', (t) => {
    t.text('settlement_state'); // PayTrace's view: pending_settlement | settled | voided | declined | …
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumn('settlement_state');
  });
  await knex.schema.dropTable('paytrace_transactions');
}
