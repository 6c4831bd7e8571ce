import type { Knex } from 'knex';

/**
 * Flows and rules as data: versioned definitions and rule sets (the files under mappings/ are the
 * default and the import/export format), each trigger pinned to the versions it arrived under,
 * and the ledger state the status map gives a payment.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('flow_versions', (t) => {
    t.bigIncrements('id');
    t.text('flow_id').notNullable();
    t.integer('version').notNullable();
    // draft: saved, not running | published: what new triggers run | retired: an older published one
    t.text('status').notNullable();
    t.text('source').notNullable(); // the YAML text, exactly as imported or edited
    t.text('hash').notNullable(); // sha256 of source
    t.jsonb('layout'); // the builder's node positions: beside the definition, never inside it
    t.text('origin').notNullable(); // file:<name> | admin | builder
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('published_by');
    t.timestamp('published_at', { useTz: true });
    t.text('reason');
    t.unique(['flow_id', 'version']);
  });
  await knex.raw(`alter table flow_versions add constraint flow_versions_status check (status in ('draft', 'published', 'retired'))`);
  await knex.raw(`create unique index flow_versions_one_published on flow_versions (flow_id) where status = 'published'`);

  await knex.schema.createTable('rules_versions', (t) => {
    t.bigIncrements('id');
    t.integer('version').notNullable().unique();
    t.text('status').notNullable(); // published | retired
    t.jsonb('texts').notNullable(); // file name → YAML text, all rules files
    t.text('hash').notNullable();
    t.text('origin').notNullable();
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('reason');
  });
  await knex.raw(`create unique index rules_versions_one_published on rules_versions ((true)) where status = 'published'`);

  await knex.schema.alterTable('inbox', (t) => {
    t.text('flow_id'); // the flow that processes the trigger (null: a system queue, e.g. unknown BODs)
    t.bigInteger('flow_version_id'); // the definition version it runs with, fixed when it arrived
    t.bigInteger('rules_version_id'); // the rules version, likewise
  });
  await knex.schema.alterTable('payments', (t) => {
    t.text('ledger_state'); // authorized, captured, settled, refunded, … (status-map.yaml)
  });
  await knex.schema.alterTable('paytrace_transactions', (t) => {
    t.text('ledger_state');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('paytrace_transactions', (t) => t.dropColumn('ledger_state'));
  await knex.schema.alterTable('payments', (t) => t.dropColumn('ledger_state'));
  await knex.schema.alterTable('inbox', (t) => {
    t.dropColumn('flow_id');
    t.dropColumn('flow_version_id');
    t.dropColumn('rules_version_id');
  });
  await knex.schema.dropTable('rules_versions');
  await knex.schema.dropTable('flow_versions');
}
