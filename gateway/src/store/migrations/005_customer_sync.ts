import type { Knex } from 'knex';

/**
 * Which M3 customers have a PayTrace vault profile. The profile id and the masked card are
 * all the gateway (and M3) ever keep of a customer's card.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vault_customers', (t) => {
    t.integer('cono').notNullable();
    t.text('cuno').notNullable();
    t.text('paytrace_customer_id').notNullable();
    t.text('status').notNullable(); // awaiting_card | synced
    t.text('masked_card');
    t.text('content_hash'); // of the customer data last sent, so an unchanged customer is not sent again
    t.timestamp('last_synced_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['cono', 'cuno']);
    t.unique(['paytrace_customer_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('vault_customers');
}
