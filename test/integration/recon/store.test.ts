import { randomUUID } from 'node:crypto';
import { reconcile } from '../../../gateway/src/recon/engine';
import { getRun, loadInput } from '../../../gateway/src/recon/store';
import { shippedRules } from '../../unit/domain/helpers';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

/**
 * The match stage's reading of staged data, on a real PostgreSQL: what loadInput hands the engine
 * from the staging tables, and that a receipt in another currency still finds its invoice's rate.
 */
describe('reconciliation store: loading a run’s staged data', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('reads only the invoices whose rate a foreign-currency receipt needs, and converts with it', async () => {
    const db = database.db;
    const runId = randomUUID();
    const day = '2026-11-20';
    await db('recon_runs').insert({ id: runId, period_from: day, period_to: day, mode: 'dry_run', status: 'running', stage: 'm3', trigger: 'api', requested_by: 'test' });
    await db('recon_pt_batches').insert({ run_id: runId, batch_number: 7, settled_date: day, reported_count: 2, reported_net_cents: 20001 });
    await db('recon_pt_transactions').insert([
      { run_id: runId, transaction_id: 1001, batch_number: 7, transaction_type: 'SALE', amount_cents: 10001, invoice_id: 'REF-EUR', settled_date: day },
      { run_id: runId, transaction_id: 1002, batch_number: 7, transaction_type: 'SALE', amount_cents: 10000, invoice_id: 'REF-USD', settled_date: day },
    ]);
    await db('recon_m3_receipts').insert([
      { run_id: runId, pbid: 1, trno: 1, cino: '200004', inyr: 2026, cuno: 'C10003', amount_cents: 9217, currency: 'EUR', irno: 'REF-EUR', payment_date: day },
      { run_id: runId, pbid: 1, trno: 2, cino: '200005', inyr: 2026, cuno: 'C10001', amount_cents: 10000, currency: 'USD', irno: 'REF-USD', payment_date: day },
    ]);
    await db('recon_m3_invoices').insert([
      { run_id: runId, cino: '200004', yea4: 2026, cuno: 'C10003', currency: 'EUR', amount_cents: 9217, open_cents: 0, rate: '1.085000', invoice_date: day },
      { run_id: runId, cino: '200004', yea4: 2025, cuno: 'C10003', currency: 'EUR', amount_cents: 5000, open_cents: 5000, rate: '1.100000', invoice_date: day },
      { run_id: runId, cino: '200005', yea4: 2026, cuno: 'C10001', currency: 'USD', amount_cents: 10000, open_cents: 0, rate: '1', invoice_date: day },
    ]);

    const input = await loadInput(db, (await getRun(db, runId))!, { localCurrency: 'USD', roundingToleranceCents: 2 });
    expect(input.receipts).toHaveLength(2);
    expect(input.invoices).toEqual([expect.objectContaining({ cino: '200004', yea4: 2026, rate: '1.085000' })]);

    const { items } = reconcile(input, (await shippedRules()).matching);
    // 92.17 EUR × 1.085 = 100.00 USD against 100.01 settled: a cent of rounding, not a missing rate
    expect(items.find((i) => i.key === 'A:tx:1001')).toMatchObject({ exceptionClass: 'currency_rounding', m3Cents: 10000, differenceCents: -1 });
    expect(items.find((i) => i.key === 'A:tx:1002')).toMatchObject({ status: 'matched', rule: 'reference' });
  });
});
