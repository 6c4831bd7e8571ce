import type { Knex } from 'knex';

/**
 * The attempts of a run at a step (flow_run_steps.attempts): a step the run failed at and ran again
 * when the job was retried (or its dead letter replayed) keeps every attempt, in order, as
 * `{ id, at, ms, outcome, code }` — ms an integer (null while running, or for an attempt that never
 * finished), outcome running | done | failed, code the failure's error code. Written with the run's
 * own commits by the same upsert as the row (RunStepLog): no extra statement. A step reused from an
 * earlier attempt writes nothing; a step already done for the run and executed again by a retried job
 * (a local or pure step before the failure) is not a new attempt unless it fails.
 *
 * Rows from before this migration that the overlay's figures read — finished within its longest
 * window (a day) or still open — get their one known attempt (the last one, all they kept); older
 * rows keep `[]` (the table is never pruned: rewriting all of it would hold the runner's writes for
 * as long), and the node's list of runs reads their one attempt from the row itself.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('flow_run_steps', (t) => {
    t.jsonb('attempts').notNullable().defaultTo(knex.raw(`'[]'::jsonb`));
  });
  await knex.raw(`update flow_run_steps set attempts = jsonb_build_array(jsonb_build_object(
      'id', 'm069', 'at', to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'ms', ms,
      'outcome', case when state = 'done' then 'done' when ms is null then 'running' else 'failed' end, 'code', error_code))
    where finished_at >= now() - interval '1 day' or state in ('running', 'retrying', 'dead')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('flow_run_steps', (t) => {
    t.dropColumn('attempts');
  });
}
