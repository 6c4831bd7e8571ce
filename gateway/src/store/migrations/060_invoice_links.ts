import type { Knex } from 'knex';

/**
 * Issue 22: payment links made by the invoice-links flow when M3 publishes a new invoice.
 *
 * - `invoice_links`: one row per invoice the flow linked (or could not: `needs_review`, e.g. no
 *   e-mail address in M3), with the decision's code, the link, and when it was paid.
 * - `invoice_link_reminders`: the reminders planned for a linked invoice (before the link expires,
 *   after the due date), each sent once by the invoice-link-reminders flow, cancelled once paid.
 * - `payment_links.invoice_date`: M3's IVDT, for days-to-pay (links by hand and automatic alike).
 * - `invoice_pull_marks`: the high-water mark of the optional OIS350MI pull of new invoices.
 */
export async function up(knex: Knex): Promise<void> {
  // every link (the button's too) keeps its invoice's date: days-to-pay, by hand and automatic
  await knex.schema.alterTable('payment_links', (t) => t.text('invoice_date'));
  await knex.schema.createTable('invoice_links', (t) => {
    t.bigIncrements('id');
    t.integer('cono').notNullable();
    t.text('divi').notNullable();
    t.integer('yea4').notNullable();
    t.text('ivno').notNullable();
    t.text('cuno').notNullable();
    t.text('currency');
    /** the invoice's total and open amount when the flow saw it (decimal, never a float) */
    t.decimal('total_amount', 17, 2);
    t.decimal('open_amount', 17, 2);
    t.text('invoice_date'); // yyyyMMdd
    t.text('due_date'); // yyyyMMdd
    t.text('status').notNullable(); // linked | needs_review | paid | dismissed
    t.text('link_id').references('payment_links.id');
    /** the address the link went to (from M3 CRS610MI MAIL) */
    t.text('email');
    t.uuid('email_id');
    t.text('review_code');
    t.text('review_reason');
    t.text('reviewed_by');
    t.timestamp('reviewed_at', { useTz: true });
    /** the flow's event (what a retry from the review list runs again) */
    t.jsonb('event').notNullable();
    t.integer('retries').notNullable().defaultTo(0);
    t.text('paid_how'); // link | elsewhere
    t.timestamp('paid_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['cono', 'divi', 'yea4', 'ivno'], { indexName: 'invoice_links_invoice' });
    t.index(['status'], 'invoice_links_status');
  });
  await knex.raw(`alter table invoice_links add constraint invoice_links_status_check check (status in ('linked', 'needs_review', 'paid', 'dismissed'))`);

  await knex.schema.createTable('invoice_link_reminders', (t) => {
    t.bigIncrements('id');
    t.bigInteger('invoice_link_id').notNullable().references('invoice_links.id').onDelete('CASCADE');
    t.text('kind').notNullable(); // before_expiry | after_due
    t.integer('days').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.text('status').notNullable().defaultTo('scheduled'); // scheduled | queued | sent | cancelled
    t.uuid('email_id');
    t.text('link_id');
    t.text('reason');
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['invoice_link_id', 'kind', 'days'], { indexName: 'invoice_link_reminders_plan' });
  });
  await knex.raw(`alter table invoice_link_reminders add constraint invoice_link_reminders_status_check check (status in ('scheduled', 'queued', 'sent', 'cancelled'))`);
  await knex.raw(`create index invoice_link_reminders_due on invoice_link_reminders (due_at) where status = 'scheduled'`);

  await knex.schema.createTable('invoice_pull_marks', (t) => {
    t.integer('cono').notNullable();
    t.text('divi').notNullable();
    /** the newest invoice date (yyyyMMdd) the pull has seen; the next pull reads from that day on (the inbox drops what it queued before) */
    t.text('last_invoice_date').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['cono', 'divi']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoice_pull_marks');
  await knex.schema.dropTable('invoice_link_reminders');
  await knex.schema.dropTable('invoice_links');
  await knex.schema.alterTable('payment_links', (t) => t.dropColumn('invoice_date'));
}
