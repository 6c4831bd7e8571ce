import type { Knex } from 'knex';

/**
 * Chargeback cases (issue 20). One row per dispute, keyed by the processor's case number; the
 * money side (receipt reversal, GL) lives in the payments ledger as `CB-<case>` and, when the case
 * is won, `CBW-<case>`, each with its intents. This table is the case: its lifecycle
 * (received → evidence_submitted → won | lost | accepted; review when the transaction is not ours),
 * its response deadline and the alert sent before it passes. No card data: there is no column for it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chargebacks', (t) => {
    t.text('case_number').primary();
    t.bigInteger('paytrace_transaction_id').notNullable();
    /** the disputed payment of ours (null: in review) */
    t.uuid('payment_id');
    t.text('status').notNullable();
    t.decimal('amount', 19, 4).notNullable();
    t.decimal('fee', 19, 4).notNullable().defaultTo(0);
    t.string('currency', 3).notNullable();
    t.text('reason_code');
    t.text('reason');
    t.date('received_on');
    /** when the response (evidence) is due at the processor */
    t.timestamp('respond_by', { useTz: true });
    /** api | report | manual (the first source that told us) */
    t.text('source').notNullable();
    t.timestamp('deadline_alerted_at', { useTz: true });
    t.timestamp('evidence_submitted_at', { useTz: true });
    t.timestamp('resolved_at', { useTz: true });
    t.jsonb('history').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status', 'respond_by'], 'chargebacks_open_deadline');
    t.index(['paytrace_transaction_id'], 'chargebacks_transaction');
    t.index(['payment_id'], 'chargebacks_payment');
  });
  await knex.raw(`alter table chargebacks add constraint chargebacks_status check (status in ('received', 'evidence_submitted', 'won', 'lost', 'accepted', 'review'))`);
  await knex.raw(`alter table chargebacks add constraint chargebacks_amounts check (amount > 0 and fee >= 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chargebacks');
}
