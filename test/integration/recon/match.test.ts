import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { reconcile } from '../../../gateway/src/recon/engine';
import { matchRun } from '../../../gateway/src/recon/match';
import type { ReconItem } from '../../../gateway/src/recon/model';
import { getRun, loadInput } from '../../../gateway/src/recon/store';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { shippedRules } from '../../unit/domain/helpers';

/**
 * The match stage confirms plain matches in SQL and hands the rest to the engine (match.ts). It
 * must give exactly the items and summary the engine alone gives on the same staged data. The
 * dataset mixes plain matches with every case the SQL pass has to leave to the engine: a twenty-
 * way rotation of anomalies, plus ledger rows, receipts and batches that belong to no transaction.
 */

const DAY = '2026-11-20';
const LOCAL = 'USD';
const N = 400;
const PER_BATCH = 50;
/** the anomalies in rotation: transaction i is kind i % KINDS */
const KINDS = 23;

interface Staged {
  transactions: Array<Record<string, unknown>>;
  receipts: Array<Record<string, unknown>>;
  invoices: Array<Record<string, unknown>>;
  gl: Array<Record<string, unknown>>;
  payments: Array<Record<string, unknown>>;
  batches: Array<Record<string, unknown>>;
}

const decimal = (cents: number) => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/** A deterministic night: transaction i is anomaly i % KINDS (17 and 19 are plain; 0 is refunded by 5). */
function night(runId: string): Staged {
  const s: Staged = { transactions: [], receipts: [], invoices: [], gl: [], payments: [], batches: [] };
  const net = new Map<number, number>();
  let trno = 0;
  const receipt = (cents: number, irno: string | null, extra: Record<string, unknown> = {}) =>
    s.receipts.push({ run_id: runId, pbid: 1, trno: ++trno, cino: String(400000 + trno), inyr: 2026, cuno: 'C10001', amount_cents: cents, currency: LOCAL, irno, payment_date: DAY, ...extra });
  for (let i = 0; i < N; i++) {
    const kind = i % KINDS;
    const tx = 5000 + i;
    const batch = 1 + Math.floor(i / PER_BATCH);
    const cents = 1000 + ((i * 7919) % 90000);
    const reference = `LINK-M${i}`;
    const glKey = `PTSB-M${i}`;
    const row: Record<string, unknown> = { run_id: runId, transaction_id: tx, batch_number: batch, transaction_type: 'SALE', amount_cents: cents, invoice_id: reference, customer_id: 'C10001', settled_date: DAY };
    const payment: Record<string, unknown> = { id: randomUUID(), flow: 'invoice_payment', status: 'completed', reference, cono: 100, divi: 'AAA', cuno: 'C10001', ivno: String(300000 + i), yea4: 2026, gl_batch_key: glKey, paytrace_transaction_id: tx, amount: decimal(cents), currency: LOCAL, local_amount: decimal(cents), local_currency: LOCAL, correlation_id: `m-${i}`, settlement_state: 'settled' };
    let receiptCents: number | null = cents;
    let glRow: Record<string, unknown> | null = { run_id: runId, key1: glKey, status: '90', debit_cents: cents, credit_cents: cents };
    let withPayment = true;
    switch (kind) {
      case 1: receiptCents = null; break; // missing in M3 (automatic fix)
      case 2: receiptCents = cents - 1; break; // amount differs
      case 3: glRow = null; break; // settled but not posted
      case 4: glRow!.status = '10'; break; // GL batch not posted yet
      case 5: // a refund of the sale five before, under its reference: that sale is no longer plain
        Object.assign(row, { transaction_type: 'REFUND', invoice_id: `LINK-M${i - 5}`, original_transaction_id: tx - 5, amount_cents: 500 });
        Object.assign(payment, { flow: 'refund', reference: `RF-M${i}`, amount: '-5.00', local_amount: '-5.00', gl_batch_key: glKey });
        glRow!.debit_cents = 500;
        receiptCents = null;
        receipt(-500, `RF-M${i}`);
        break;
      case 6: row.moved_from_batch = batch + 100; break; // moved between batches
      case 7: Object.assign(payment, { flow: 'ecommerce_sale', orno: String(1000000 + i) }); receiptCents = null; break;
      case 8: receiptCents = null; receipt(cents - 300, reference); receipt(300, reference); break; // split over two receipts
      case 9: payment.reference = `LINK-ALT${i}`; break; // the ledger's reference differs from PayTrace's
      case 10: withPayment = false; glRow = null; break; // not made through the gateway
      case 11: // a receipt in EUR on an invoice with a rate
        receiptCents = null;
        receipt(Math.round(cents / 1.085), reference, { currency: 'EUR', cino: String(700000 + i) });
        s.invoices.push({ run_id: runId, cino: String(700000 + i), yea4: 2026, cuno: 'C10001', currency: 'EUR', amount_cents: Math.round(cents / 1.085), open_cents: 0, rate: '1.085000', invoice_date: DAY });
        break;
      case 12: // the customer paid twice: a second sale under the same reference
        s.transactions.push({ ...row, transaction_id: 9000 + i });
        net.set(batch, (net.get(batch) ?? 0) + cents);
        break;
      case 13: payment.amount = decimal(cents + 100); break; // the ledger recorded another amount
      case 14: payment.local_amount = decimal(cents + 7); break; // local amount off: the GL check differs
      case 15: s.payments.push({ ...payment, id: randomUUID(), reference: `${reference}-DUP`, flow: 'refund' }); break; // two ledger rows for one transaction
      case 16: glRow!.debit_cents = cents + 50; break; // GL posted another amount
      case 17: receiptCents = null; receipt(cents, reference, { currency: null }); break; // receipt without currency: local
      case 18: row.amount_cents = null; break; // PayTrace sent no amount
      case 20: receipt(cents, reference); break; // M3 booked the receipt twice
      case 22: // a receipt in CAD that happens to carry the same figure: it converts to another amount
        receiptCents = null;
        receipt(cents, reference, { currency: 'CAD', cino: String(800000 + i) });
        s.invoices.push({ run_id: runId, cino: String(800000 + i), yea4: 2026, cuno: 'C10001', currency: 'CAD', amount_cents: cents, open_cents: 0, rate: '0.730000', invoice_date: DAY });
        break;
      case 21: s.payments.push({ ...payment, id: randomUUID(), reference: `${reference}-AGAIN` }); break; // the ledger recorded the payment twice
      default: break;
    }
    s.transactions.push(row);
    if (typeof row.amount_cents === 'number') net.set(batch, (net.get(batch) ?? 0) + (row.transaction_type === 'REFUND' ? -row.amount_cents : row.amount_cents));
    if (withPayment) s.payments.push(payment);
    if (receiptCents !== null) receipt(receiptCents, reference);
    if (glRow) s.gl.push(glRow);
  }
  // receipts that only the tolerant rules can place: no reference, same amount and customer as a walk-in sale
  for (let i = 10; i < N; i += 2 * KINDS) receipt(1000 + ((i * 7919) % 90000), null, { cuno: 'C10001' });
  // a receipt under a reference of ours that PayTrace never settled, and a posted payment never settled
  receipt(4242, 'LINK-NEVER');
  s.payments.push({ id: randomUUID(), flow: 'invoice_payment', status: 'completed', reference: 'LINK-NEVER', cono: 100, divi: 'AAA', cuno: 'C10001', ivno: '399999', yea4: 2026, gl_batch_key: 'PTSB-NEVER', paytrace_transaction_id: 99999, amount: '42.42', currency: LOCAL, local_amount: '42.42', local_currency: LOCAL, correlation_id: 'm-never', settlement_state: 'pending_settlement', created_at: `${DAY}T10:00:00Z` });
  s.gl.push({ run_id: runId, key1: 'PTSB-NEVER', status: '90', debit_cents: 4242, credit_cents: 4242 });
  for (const [batch, cents] of net) s.batches.push({ run_id: runId, batch_number: batch, settled_date: DAY, reported_count: PER_BATCH, reported_net_cents: batch === 3 ? cents + 1 : cents });
  return s;
}

async function stage(db: Knex, runId: string): Promise<void> {
  const s = night(runId);
  await db('recon_runs').insert({ id: runId, period_from: DAY, period_to: DAY, mode: 'dry_run', status: 'running', stage: 'm3', trigger: 'api', requested_by: 'test' });
  await db.batchInsert('recon_pt_batches', s.batches, 500);
  await db.batchInsert('recon_pt_transactions', s.transactions, 500);
  await db.batchInsert('recon_m3_receipts', s.receipts, 500);
  await db.batchInsert('recon_m3_invoices', s.invoices, 500);
  await db.batchInsert('recon_gl_batches', s.gl, 500);
  await db.batchInsert('payments', s.payments, 500);
  await db.raw('analyze recon_pt_transactions, recon_m3_receipts, recon_gl_batches, payments');
}

/** an item as stored, in the engine's field names, absent fields left out */
function fromRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    leg: row.leg, key: row.item_key, status: row.status, exceptionClass: row.exception_class, rule: row.rule, confidence: row.confidence === null ? null : Number(row.confidence), owner: row.owner,
    batchNumber: row.batch_number, settledDate: row.settled_date, transactionIds: row.transaction_ids, m3Refs: row.m3_refs, glKey: row.gl_key, paymentId: row.payment_id, currency: row.currency,
    paytraceCents: row.paytrace_cents === null ? null : Number(row.paytrace_cents), m3Cents: row.m3_cents === null ? null : Number(row.m3_cents), glCents: row.gl_cents === null ? null : Number(row.gl_cents),
    differenceCents: row.difference_cents === null ? null : Number(row.difference_cents), reason: row.reason, suggestedFix: row.suggested_fix, fixKind: row.fix_kind, fixAction: row.fix_action,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== null && v !== undefined));
}

function fromEngine(item: ReconItem): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== null && v !== undefined));
}

describe('reconciliation match stage: the SQL pass and the engine agree', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('gives the same items and summary as the engine alone, having confirmed the plain matches in SQL', async () => {
    const db = database.db;
    const runId = randomUUID();
    await stage(db, runId);
    const run = (await getRun(db, runId))!;
    const options = { localCurrency: LOCAL, roundingToleranceCents: 2 };
    const rules = (await shippedRules()).matching;

    const alone = reconcile(await loadInput(db, run, options), rules);
    const { summary } = await matchRun(db, run, options, rules);
    const stored = (await db('recon_run_items').where({ run_id: runId }).select('*', db.raw(`to_char(settled_date, 'YYYY-MM-DD') as settled_date`)).orderBy('item_key')).map(fromRow);
    const expected = alone.items.map(fromEngine).sort((a, b) => (String(a.key) < String(b.key) ? -1 : 1));

    expect(stored).toEqual(expected);
    expect(summary).toEqual(alone.summary);
    expect((await getRun(db, runId))!).toMatchObject({ stage: 'matched', summary: alone.summary });

    // the dataset exercises what it is meant to: most plain transactions went through SQL, and every class is there
    const preMatched = await db.raw<{ rows: Array<{ n: string }> }>(`select count(*) as n from recon_reference_matches where run_id = ?`, [runId]);
    expect(Number(preMatched.rows[0]!.n)).toBeGreaterThan(N / 20);
    expect(alone.summary.byClass).toMatchObject({ amount_differs: expect.any(Number), duplicate: expect.any(Number), invalid_source: expect.any(Number), missing_in_m3: expect.any(Number), settled_but_not_posted: expect.any(Number), posted_but_not_settled: 1 });
    expect(Object.keys(alone.summary.byRule)).toEqual(expect.arrayContaining(['reference', 'reference-split', 'ledger-order']));

    // a second match (a resumed stage) replaces the items with the same ones
    await matchRun(db, run, options, rules);
    const again = (await db('recon_run_items').where({ run_id: runId }).select('*', db.raw(`to_char(settled_date, 'YYYY-MM-DD') as settled_date`)).orderBy('item_key')).map(fromRow);
    expect(again).toEqual(stored);
  });
});
