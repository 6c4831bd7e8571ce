import type { Knex } from 'knex';

/**
 * Issue 13: the last test run of each flow in the builder, kept so its per-step results survive a
 * reload, and the handle a Cancel button (on any gateway) stops a running one with. One row per
 * flow: a new run replaces it once it holds the flow's test-run lock (an advisory lock, the one
 * that keeps one run per flow at a time).
 *
 * - `state`: running, then ended (with `result`). A row left `running` by a gateway that stopped is
 *   not running when the lock is free: the API says so (`interrupted`).
 * - `source`/`source_sha256`: the definition that ran (the canvas's YAML, as sent).
 * - `event`: the sample it ran with; `result`: the answer (outcome, the steps with their input and
 *   output), bounded in size (big values cut with a marker). Never card data: the sample is refused
 *   with one before the run, and anything card-like in what the simulators answered is replaced
 *   before the row is written.
 * - `steps_ran`: written between steps (with the cancel check): how far a running run is.
 * - `cancel_requested_at/_by`: Cancel asks here; the run looks between steps and stops.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('flow_test_runs', (t) => {
    t.text('flow_id').primary();
    t.uuid('run_id').notNullable();
    t.text('state').notNullable();
    t.text('ran_by').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('ended_at', { useTz: true });
    t.text('source').notNullable();
    t.text('source_sha256').notNullable();
    t.text('sample_label');
    t.json('event').notNullable();
    t.json('result');
    t.integer('steps_ran').notNullable().defaultTo(0);
    t.timestamp('cancel_requested_at', { useTz: true });
    t.text('cancel_requested_by');
  });
  await knex.raw(`alter table flow_test_runs add constraint flow_test_runs_state check (state in ('running', 'ended'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('flow_test_runs');
}
