import type { Knex } from 'knex';

/**
 * Reconciliation knows chargebacks (issue 20): a settled batch reaches the bank net of the
 * chargebacks (and fees) the processor took in it. What PayTrace reports as taken is staged with the
 * batch, so a batch whose reported net is its transactions less that amount is explained, not an exception.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recon_pt_batches', (t) => {
    t.bigInteger('reported_chargeback_cents');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recon_pt_batches', (t) => {
    t.dropColumn('reported_chargeback_cents');
  });
}
