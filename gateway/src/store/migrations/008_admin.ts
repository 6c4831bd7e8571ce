import type { Knex } from 'knex';

/**
 * The operator web app: sign-in attempts and sessions (PostgreSQL, so any gateway instance
 * serves any operator), versioned configuration changes and alerts (their e-mails go through email_outbox, 007_links).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('admin_login_attempts', (t) => {
    t.text('state').primary(); // OAuth state, random
    t.text('code_verifier').notNullable();
    t.text('nonce').notNullable();
    t.text('return_to').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('admin_sessions', (t) => {
    t.text('id_hash').primary(); // sha-256 of the cookie value: a database read does not give a usable cookie
    t.text('subject').notNullable();
    t.text('name');
    t.text('email');
    t.specificType('roles', 'text[]').notNullable();
    t.text('csrf_token').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });

  await knex.schema.createTable('config_versions', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // ionapi | paytrace | rules
    t.integer('version').notNullable();
    /** what may be shown again: tenant, endpoints, rules texts — never a secret */
    t.jsonb('summary').notNullable();
    t.text('actor').notNullable();
    t.text('reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['kind', 'version']);
  });

  await knex.schema.createTable('alerts', (t) => {
    t.bigIncrements('id');
    t.text('rule').notNullable(); // dlq_growth | poller_lag | connector_down | decline_spike
    /** one open alert per rule and subject */
    t.text('dedupe_key').notNullable();
    t.text('severity').notNullable(); // warning | critical
    t.text('message').notNullable();
    t.jsonb('detail');
    t.text('status').notNullable().defaultTo('open'); // open | resolved
    t.integer('occurrences').notNullable().defaultTo(1);
    t.timestamp('raised_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true });
    t.index(['status', 'raised_at']);
  });
  await knex.raw(`create unique index alerts_one_open_per_key on alerts (dedupe_key) where status = 'open'`);

  // trace search: any id an operator holds finds its payment without a table scan
  await knex.schema.alterTable('payments', (t) => {
    t.index(['ivno'], 'payments_trace_ivno');
    t.index(['orno'], 'payments_trace_orno');
    t.index(['correlation_id'], 'payments_trace_correlation');
    t.index(['storefront_order_id'], 'payments_trace_storefront_order');
  });
  await knex.schema.alterTable('inbox', (t) => t.index(['correlation_id'], 'inbox_trace_correlation'));
  await knex.schema.alterTable('dead_letters', (t) => t.index(['correlation_id'], 'dead_letters_trace_correlation'));
  await knex.schema.alterTable('outbound_events', (t) => t.index(['payment_id'], 'outbound_events_trace_payment'));
  await knex.schema.alterTable('paytrace_transactions', (t) => t.index(['payment_id'], 'paytrace_transactions_trace_payment'));
  await knex.schema.alterTable('audit_log', (t) => t.index(['subject_id'], 'audit_log_trace_subject'));
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['payments_trace_ivno', 'payments_trace_orno', 'payments_trace_correlation', 'payments_trace_storefront_order', 'inbox_trace_correlation', 'dead_letters_trace_correlation', 'outbound_events_trace_payment', 'paytrace_transactions_trace_payment', 'audit_log_trace_subject']) {
    await knex.raw('drop index if exists ??', [index]);
  }
  await knex.schema.dropTable('alerts');
  await knex.schema.dropTable('config_versions');
  await knex.schema.dropTable('admin_sessions');
  await knex.schema.dropTable('admin_login_attempts');
}
