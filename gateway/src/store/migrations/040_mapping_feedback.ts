import type { Knex } from 'knex';

/**
 * The mapping assistant learns from use: every suggestion an admin accepts or rejects, per tenant
 * (the Infor tenant the gateway serves), so later rankings for the same field move.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mapping_feedback', (t) => {
    t.bigIncrements('id');
    t.text('tenant').notNullable();
    /** m3:OIS100MI/AddBatchHead, paytrace:sale/by_customer, bod:CustomerPartyMaster */
    t.text('target').notNullable();
    t.text('field').notNullable();
    /** the JSONata expression as accepted or rejected */
    t.text('source').notNullable();
    /** the sample field it reads (what the ranking learns by) */
    t.text('path').notNullable();
    t.text('decision').notNullable(); // accepted | rejected
    t.text('actor').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['tenant', 'field'], 'mapping_feedback_tenant_field');
  });
  await knex.raw(`alter table mapping_feedback add constraint mapping_feedback_decision check (decision in ('accepted', 'rejected'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mapping_feedback');
}
