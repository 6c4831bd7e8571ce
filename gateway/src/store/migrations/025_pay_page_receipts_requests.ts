import type { Knex } from 'knex';

/**
 * Issue 16, the payer's side: the customer's e-mail address as M3 has it (the receipt form is
 * prefilled with it), what each outbox e-mail is (link, receipt, link request, alert), and the
 * customers' "send me a new link" requests that operators answer.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payment_links', (t) => {
    t.text('customer_email'); // CRS610MI MAIL when the link was made; only ever shown to the link's holder
  });
  await knex.schema.alterTable('email_outbox', (t) => {
    t.text('kind').notNullable().defaultTo('link'); // link | receipt | link-request | alert
  });
  await knex.raw(`update email_outbox set kind = 'alert' where requested_by like 'alert:%'`);
  await knex.schema.createTable('link_requests', (t) => {
    t.bigIncrements('id');
    t.text('link_id').notNullable().references('payment_links.id');
    t.text('link_status').notNullable(); // what the customer saw: expired | cancelled | superseded | paid
    t.text('contact_email'); // where the customer wants the new link (optional: operators may use M3's address)
    t.text('note'); // the customer's own words, bounded
    t.text('status').notNullable().defaultTo('open'); // open | done
    t.integer('asked').notNullable().defaultTo(1); // repeated requests while open only count
    t.text('resolved_by');
    t.text('resolution');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_asked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true });
  });
  // one open request per link: asking again is the same request
  await knex.raw(`create unique index link_requests_one_open on link_requests (link_id) where status = 'open'`);
  await knex.raw(`create index link_requests_status on link_requests (status, created_at desc)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('link_requests');
  await knex.schema.alterTable('email_outbox', (t) => t.dropColumn('kind'));
  await knex.schema.alterTable('payment_links', (t) => t.dropColumn('customer_email'));
}
