import type { Knex } from 'knex';

/**
 * The builder's test runs as a history: the last 20 runs of each flow (not only the last one), so
 * an operator can see what a past run did. `flow_test_runs` is keyed by `run_id` now, with the
 * flow's runs read newest first through (flow_id, started_at desc); the rows there are kept.
 *
 * - A run writes its row and prunes the flow's to the newest 20 in one transaction, holding the
 *   flow's test-run lock (the advisory lock that keeps one run per flow at a time).
 * - At most one row of a flow is `running` (a partial unique index). A row left `running` by a
 *   gateway that stopped mid-run is marked `interrupted` when the flow's next run starts (it holds
 *   the lock then: no other run of the flow is going on), so a Cancel finds the one running run.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table flow_test_runs drop constraint flow_test_runs_pkey');
  await knex.raw('alter table flow_test_runs alter column flow_id set not null');
  await knex.raw('alter table flow_test_runs add constraint flow_test_runs_pkey primary key (run_id)');
  await knex.raw('create index flow_test_runs_flow_started on flow_test_runs (flow_id, started_at desc)');
  await knex.raw(`create unique index flow_test_runs_one_running on flow_test_runs (flow_id) where state = 'running'`);
  await knex.raw('alter table flow_test_runs drop constraint flow_test_runs_state');
  await knex.raw(`alter table flow_test_runs add constraint flow_test_runs_state check (state in ('running', 'ended', 'interrupted'))`);
}

/** Back to one row per flow: its newest run (an interrupted one as ended without a result). */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`delete from flow_test_runs r where exists (select 1 from flow_test_runs n where n.flow_id = r.flow_id and (n.started_at, n.run_id) > (r.started_at, r.run_id))`);
  await knex.raw(`alter table flow_test_runs drop constraint flow_test_runs_state`);
  await knex.raw(`update flow_test_runs set state = 'ended' where state = 'interrupted'`);
  await knex.raw(`alter table flow_test_runs add constraint flow_test_runs_state check (state in ('running', 'ended'))`);
  await knex.raw('drop index flow_test_runs_one_running');
  await knex.raw('drop index flow_test_runs_flow_started');
  await knex.raw('alter table flow_test_runs drop constraint flow_test_runs_pkey');
  await knex.raw('alter table flow_test_runs add constraint flow_test_runs_pkey primary key (flow_id)');
}
