import type { Knex } from 'knex';

/**
 * Payment links (issue 6): one row per link, bound to an M3 invoice and its open amount at the
 * time the link was made; the keys that sign link ids; the e-mail outbox.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payment_links', (t) => {
    t.text('id').primary(); // 128 random bits, base64url; the URL carries it with its signature
    t.integer('cono').notNullable();
    t.text('divi').notNullable();
    t.text('ivno').notNullable();
    t.integer('yea4').notNullable();
    t.text('orno');
    t.text('cuno').notNullable();
    t.text('customer_name');
    t.decimal('amount', 19, 2).notNullable();
    t.text('currency').notNullable();
    t.text('due_date'); // M3 yyyyMMdd
    t.text('status').notNullable(); // open | paid | expired | cancelled | superseded
    t.text('status_reason');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.integer('attempts').notNullable().defaultTo(0); // charge attempts started (each its own payment reference)
    t.integer('charging_attempt'); // set while an attempt runs or its outcome is unknown: one at a time
    t.timestamp('charging_since', { useTz: true });
    t.uuid('paid_payment_id');
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['cono', 'divi', 'yea4', 'ivno']);
  });
  // asking twice for the same open invoice gives the same live link, also under concurrency
  await knex.raw(`CREATE UNIQUE INDEX payment_links_one_open_per_invoice ON payment_links (cono, divi, yea4, ivno) WHERE status = 'open'`);

  await knex.schema.createTable('payment_link_keys', (t) => {
    t.integer('id').primary();
    t.text('secret').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('email_outbox', (t) => {
    t.uuid('id').primary();
    t.text('link_id').references('payment_links.id');
    t.text('to_address').notNullable();
    t.text('subject').notNullable();
    t.text('html').notNullable();
    t.text('text').notNullable();
    t.text('status').notNullable(); // queued | sent | captured | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('message_id');
    t.text('raw'); // the rendered RFC 5322 message, kept by the sandbox capture
    t.text('error');
    t.text('requested_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.index(['link_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('email_outbox');
  await knex.schema.dropTable('payment_link_keys');
  await knex.schema.dropTable('payment_links');
}
