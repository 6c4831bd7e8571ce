import type { Knex } from 'knex';

/**
 * Where each run of a flow is, step by step: one row per (trigger, step), written by the runner with
 * the run's own commits (no extra commit). It feeds the flow builder's live overlay — runs in
 * progress, failed and parked at a step, money in flight there, the step's p95 time — with one
 * aggregate query over these indexes:
 *   - (flow_id, finished_at): the recent window (failures, step times);
 *   - (flow_id, step_id) where the run is not done at the step: what is in progress or parked now (not the runs done or failed),
 *     small however long the history grows;
 *   - (flow_id, step_id, started_at): a node's recent runs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('flow_run_steps', (t) => {
    t.bigIncrements('id');
    t.bigInteger('inbox_id').notNullable(); // the run: its trigger
    t.text('flow_id').notNullable();
    t.bigInteger('flow_version_id'); // the version the run is pinned to
    t.text('step_id').notNullable();
    t.uuid('payment_id');
    // running | done | retrying (failed, will retry) | failed (for good) | dead (failed for good, parked)
    t.text('state').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true });
    t.integer('ms'); // the step's time, when it finished
    t.text('error_code');
    t.unique(['inbox_id', 'step_id']);
    t.index(['flow_id', 'finished_at'], 'flow_run_steps_recent');
    t.index(['flow_id', 'step_id', 'started_at'], 'flow_run_steps_by_step');
  });
  await knex.raw(`alter table flow_run_steps add constraint flow_run_steps_state check (state in ('running', 'done', 'retrying', 'failed', 'dead'))`);
  await knex.raw(`create index flow_run_steps_open on flow_run_steps (flow_id, step_id) where state in ('running', 'retrying', 'dead')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('flow_run_steps');
}
