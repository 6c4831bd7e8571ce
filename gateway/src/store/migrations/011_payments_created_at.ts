import type { Knex } from 'knex';

/**
 * The ledger by creation time. A reconciliation run reads the period's ledger rows (payments posted
 * in the period whose PayTrace transaction did not settle in it); the ledger keeps years of rows,
 * and without this index that read scanned all of them (a million rows: ~0.15 s a run and growing).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.index(['created_at'], 'payments_created_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropIndex(['created_at'], 'payments_created_at');
  });
}
