import type { Knex } from 'knex';

/**
 * Issue 13: the sample event a flow is test-run with in the builder, one per flow, so it survives
 * reloads and is the same for the admin who edits the draft and the operator who tests it (a
 * draft is per flow, not per user, and so is what it is tried with).
 *
 * - `origin`: typed (the JSON editor), shipped (a trigger's sample or `mappings/flows/samples/`),
 *   inbox (a past real trigger of the flow, pinned: `inbox_id` says which).
 * - `event`: the event the run starts with. Never card data: the API refuses a card number or a
 *   CSC in it (and in the inbox copy it was taken from) before anything is stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('flow_test_samples', (t) => {
    t.text('flow_id').primary();
    t.text('origin').notNullable();
    t.text('label').notNullable();
    t.bigInteger('inbox_id');
    // json, not jsonb: the event is shown again as it was typed or shipped, keys in their order
    t.json('event').notNullable();
    t.text('updated_by').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table flow_test_samples add constraint flow_test_samples_origin check (origin in ('typed', 'shipped', 'inbox'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('flow_test_samples');
}
