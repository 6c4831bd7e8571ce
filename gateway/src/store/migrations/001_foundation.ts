import type { Knex } from 'knex';

/**
 * Foundation tables: the inbox (every trigger persisted before it is processed), the
 * dead letters (jobs that could not complete, waiting for an operator) and the audit log
 * (who did what and why).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbox', (t) => {
    t.bigIncrements('id');
    t.text('source').notNullable(); // 'ion', 'ecommerce', 'paytrace-poller', 'payment-link', 'schedule', …
    t.text('dedupe_key').notNullable(); // BODID, PayTrace transaction id + status, webhook-id, …
    t.text('kind').notNullable(); // e.g. 'Sync.CustomerPartyMaster'
    t.jsonb('payload').notNullable();
    t.text('correlation_id').notNullable();
    t.text('status').notNullable().defaultTo('received'); // received | processing | done | rejected | dead
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true });
    t.unique(['source', 'dedupe_key']);
    t.index(['status', 'received_at']);
  });

  await knex.schema.createTable('dead_letters', (t) => {
    t.bigIncrements('id');
    t.text('queue').notNullable();
    t.uuid('job_id');
    t.jsonb('payload').notNullable();
    t.text('error_class').notNullable(); // transient | business | configuration | bug
    t.text('error_code').notNullable();
    t.text('error_message').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('correlation_id');
    t.text('status').notNullable().defaultTo('open'); // open | replayed | abandoned
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true });
    t.text('resolved_by');
    t.text('resolution_reason');
    t.unique(['queue', 'job_id']);
    t.index(['status', 'error_class', 'created_at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.text('subject_type').notNullable();
    t.text('subject_id').notNullable();
    t.text('reason');
    t.jsonb('details');
    t.index(['subject_type', 'subject_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('dead_letters');
  await knex.schema.dropTable('inbox');
}
