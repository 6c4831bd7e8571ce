import type { Knex } from 'knex';

/**
 * The payment pipeline: the payments ledger with its status history, the intents that guard
 * every external side effect, poller high-water marks, and outbound events for subscribers.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payments', (t) => {
    t.uuid('id').primary();
    t.text('flow').notNullable(); // ecommerce_sale | invoice_payment | customer_sync | refund
    t.text('status').notNullable();
    /** our own reference, sent to PayTrace (invoice_id) and M3 (CUOR / voucher text): unique per business payment */
    t.text('reference').notNullable().unique();
    t.integer('cono');
    t.text('divi');
    t.text('cuno');
    t.text('orno');
    t.text('ivno');
    t.integer('yea4');
    t.text('gl_batch_key');
    t.text('gl_voucher');
    t.text('receipt_ref');
    t.bigInteger('paytrace_transaction_id');
    t.text('paytrace_customer_id');
    t.text('paytrace_batch');
    t.text('storefront_order_id');
    t.decimal('amount', 19, 4);
    t.string('currency', 3);
    t.decimal('local_amount', 19, 4);
    t.string('local_currency', 3);
    t.decimal('exchange_rate', 19, 9);
    t.uuid('parent_payment_id'); // a refund points at its sale
    t.text('correlation_id').notNullable();
    t.text('last_error_code');
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['cono', 'divi', 'ivno']);
    t.index(['cono', 'orno']);
    t.index(['cuno']);
    t.index(['paytrace_transaction_id']);
    t.index(['status', 'updated_at']);
  });

  await knex.schema.createTable('payment_events', (t) => {
    t.bigIncrements('id');
    t.uuid('payment_id').notNullable().references('payments.id').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('from_status');
    t.text('to_status').notNullable();
    t.text('step');
    t.jsonb('detail');
    t.index(['payment_id', 'id']);
  });

  await knex.schema.createTable('intents', (t) => {
    t.bigIncrements('id');
    /** deterministic: <payment id>:<step>, so a retry finds the earlier attempt */
    t.text('key').notNullable().unique();
    t.uuid('payment_id').references('payments.id').onDelete('CASCADE');
    t.text('system').notNullable(); // m3 | paytrace | ion | webhook
    t.text('operation').notNullable(); // e.g. OIS100MI/AddBatchHead, sale/pt_protect
    t.text('status').notNullable(); // pending | succeeded | failed | unknown
    t.integer('attempts').notNullable().defaultTo(0);
    t.jsonb('request');
    t.jsonb('result');
    t.text('error_code');
    t.text('error');
    t.text('resolved_by'); // execute | lookup
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['payment_id']);
    t.index(['status', 'updated_at']);
  });

  await knex.schema.createTable('poller_state', (t) => {
    t.text('name').primary();
    t.timestamp('high_water_mark', { useTz: true });
    t.jsonb('detail');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('outbound_events', (t) => {
    t.bigIncrements('id');
    t.text('event_id').notNullable().unique(); // webhook-id
    t.text('type').notNullable();
    t.uuid('payment_id');
    t.jsonb('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending'); // pending | delivered | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
  });

  await knex.schema.alterTable('inbox', (t) => {
    t.text('aggregate_key'); // events of one invoice/order/customer apply in order
    t.text('error_code');
    t.text('error');
    t.index(['aggregate_key', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('inbox', (t) => {
    t.dropIndex(['aggregate_key', 'id']);
    t.dropColumn('aggregate_key');
    t.dropColumn('error_code');
    t.dropColumn('error');
  });
  await knex.schema.dropTable('outbound_events');
  await knex.schema.dropTable('poller_state');
  await knex.schema.dropTable('intents');
  await knex.schema.dropTable('payment_events');
  await knex.schema.dropTable('payments');
}
