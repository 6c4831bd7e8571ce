import type { Knex } from 'knex';
import { bulkInsert, isTransaction, selectArrays } from './bulk';
import { type LedgerPayment, type ReconInput, type ReconItem, type ReconSummary } from './model';

export type RunStage = 'created' | 'paytrace' | 'm3' | 'matched' | 'applied';
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed';
export type RunMode = 'dry_run' | 'apply';

export interface ReconRun {
  id: string;
  run_key: string | null;
  period_from: string;
  period_to: string;
  mode: RunMode;
  status: RunStatus;
  stage: RunStage;
  trigger: string;
  requested_by: string;
  attempts: number;
  summary: ReconSummary | null;
  error_code: string | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}


/** dates come back as text: a DATE column is a calendar day, not an instant */
export async function getRun(db: Knex, id: string): Promise<ReconRun | undefined> {
  const row = await db('recon_runs').where({ id }).select('*', db.raw(`to_char(period_from, 'YYYY-MM-DD') as period_from`), db.raw(`to_char(period_to, 'YYYY-MM-DD') as period_to`)).first();
  return row as ReconRun | undefined;
}

/** amounts as integer cents: ledger amounts carry two decimals (numeric(19,4) columns) */
const LEDGER_COLUMNS = `id, flow, status, reference, paytrace_transaction_id, (amount * 100)::bigint, currency, (local_amount * 100)::bigint, gl_batch_key, ivno, yea4, orno, settlement_state, parent_payment_id`;

/**
 * Everything the engine needs for a run, from its staging tables and the ledger (COPY, rows as
 * text arrays). With `exceptReferenceMatched` (inside the match transaction) it leaves out what the
 * set-based reference pass already matched (recon_reference_matches): those transactions, their
 * receipts and ledger rows, and GL batches no remaining payment names.
 */
export async function loadInput(db: Knex, run: ReconRun, options: { localCurrency: string; roundingToleranceCents: number; exceptReferenceMatched?: boolean }): Promise<ReconInput> {
  const id = run.id;
  const day = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
  // a read's FROM clause and bindings, leaving out the rows the reference pass matched when asked to
  const withoutMatched = (from: string, bindings: Knex.RawBinding[], matchedWhen: string): [string, Knex.RawBinding[]] =>
    options.exceptReferenceMatched ? [`${from} and not exists (select 1 from recon_reference_matches m where m.run_id = ? and ${matchedWhen})`, [...bindings, id]] : [from, bindings];
  const glColumns = 'key1, status, debit_cents, credit_cents';
  const reads = {
    batches: () => selectArrays(db, `batch_number, ${day('settled_date')}, reported_count, reported_net_cents, reported_chargeback_cents`, 'recon_pt_batches where run_id = ?', [id]),
    transactions: () =>
      selectArrays(db, `transaction_id, batch_number, moved_from_batch, transaction_type, amount_cents, invoice_id, customer_id, original_transaction_id, ${day('settled_date')}, card_type`, ...withoutMatched('recon_pt_transactions t where run_id = ?', [id], 'm.transaction_id = t.transaction_id')),
    receipts: () => selectArrays(db, `pbid, trno, cino, inyr, cuno, amount_cents, currency, irno, ${day('payment_date')}`, ...withoutMatched('recon_m3_receipts r where run_id = ?', [id], 'm.pbid = r.pbid and m.trno = r.trno')),
    // invoices serve only the rate (ARAT) of receipts in another currency: read just those, not all 100k
    invoices: () =>
      selectArrays(
        db,
        `cino, yea4, cuno, currency, amount_cents, open_cents, rate, ${day('invoice_date')}`,
        `recon_m3_invoices i where i.run_id = ?
            and exists (select 1 from recon_m3_receipts r where r.run_id = i.run_id and r.cino = i.cino and r.inyr = i.yea4 and r.currency <> ?)`,
        [id, options.localCurrency],
      ),
    // the ledger rows this run speaks about: those PayTrace settled now, and those created in the period
    payments: (remainingTransactions: Array<Array<string | null>>) =>
      options.exceptReferenceMatched
        ? // With the pre-matched left out: the rows of the remaining transactions (each pre-matched
          // transaction has exactly one ledger row, the one it matched; looked up by index, as an
          // array of ids), and the period's rows of transactions this run did not settle, which no
          // pre-match can have used (the index on created_at: the ledger holds years of rows).
          selectArrays(
            db,
            LEDGER_COLUMNS,
            `(select * from payments where paytrace_transaction_id = any(?::bigint[])
              union all
              select * from payments where paytrace_transaction_id is not null and created_at >= ?::date and created_at < ?::date + 1
                 and not exists (select 1 from recon_pt_transactions t where t.run_id = ? and t.transaction_id = payments.paytrace_transaction_id)) payments`,
            [`{${remainingTransactions.map((t) => t[0]).join(',')}}`, run.period_from, run.period_to, id],
          )
        : selectArrays(
            db,
            LEDGER_COLUMNS,
            `payments where paytrace_transaction_id is not null
                and (paytrace_transaction_id in (select transaction_id from recon_pt_transactions where run_id = ?)
                     or (created_at >= ?::date and created_at < ?::date + 1))`,
            [id, run.period_from, run.period_to],
          ),
    // the engine looks GL batches up only by a payment's key: with the pre-matched left out, only the remaining payments' keys
    gl: (payments: Array<Array<string | null>>) => {
      if (!options.exceptReferenceMatched) return selectArrays(db, glColumns, 'recon_gl_batches where run_id = ?', [id]);
      const keys = [...new Set(payments.map((p) => p[8]).filter((k): k is string => k !== null))];
      return keys.length ? selectArrays(db, glColumns, 'recon_gl_batches where run_id = ? and key1 in (select jsonb_array_elements_text(?::jsonb))', [id, JSON.stringify(keys)]) : Promise.resolve([]);
    },
  };
  // a transaction has one connection: its reads go one after the other; otherwise side by side
  const inTransaction = isTransaction(db);
  let batches, transactions, receipts, invoices, payments, gl;
  if (inTransaction) {
    batches = await reads.batches();
    transactions = await reads.transactions();
    receipts = await reads.receipts();
    invoices = await reads.invoices();
    payments = await reads.payments(transactions);
    gl = await reads.gl(payments);
  } else {
    // the ledger without the pre-matched waits for the remaining transactions, the remaining payments' GL batches for the ledger
    const transactionsRead = reads.transactions();
    const paymentsRead = options.exceptReferenceMatched ? transactionsRead.then(reads.payments) : reads.payments([]);
    const glRead = options.exceptReferenceMatched ? paymentsRead.then(reads.gl) : reads.gl([]);
    [batches, transactions, receipts, invoices, payments, gl] = await Promise.all([reads.batches(), transactionsRead, reads.receipts(), reads.invoices(), paymentsRead, glRead]);
  }
  const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  const int = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
  const cents = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    period: { from: run.period_from, to: run.period_to },
    localCurrency: options.localCurrency,
    roundingToleranceCents: options.roundingToleranceCents,
    batches: batches.map((b) => ({ batchNumber: Number(b[0]), settledDate: str(b[1]), reportedCount: int(b[2]), reportedNetCents: int(b[3]), reportedChargebackCents: int(b[4]) })),
    transactions: transactions.map((t) => ({
      transactionId: Number(t[0]),
      batchNumber: Number(t[1]),
      movedFromBatch: int(t[2]),
      type: String(t[3]),
      cents: cents(t[4]),
      invoiceId: str(t[5]),
      customerId: str(t[6]),
      originalTransactionId: int(t[7]),
      settledDate: str(t[8]),
      cardType: str(t[9]),
    })),
    receipts: receipts.map((r) => ({ pbid: Number(r[0]), trno: Number(r[1]), cino: String(r[2]), inyr: int(r[3]), cuno: str(r[4]), cents: cents(r[5]), currency: str(r[6]) ?? options.localCurrency, irno: str(r[7]), paymentDate: str(r[8]) })),
    invoices: invoices.map((i) => ({ cino: String(i[0]), yea4: Number(i[1]), cuno: str(i[2]), currency: str(i[3]) ?? options.localCurrency, cents: cents(i[4]), openCents: cents(i[5]), rate: str(i[6]), invoiceDate: str(i[7]) })),
    glBatches: gl.map((g) => ({ key1: String(g[0]), status: String(g[1] ?? ''), debitCents: cents(g[2]), creditCents: cents(g[3]) })),
    payments: payments.map(
      (p): LedgerPayment => ({
        id: String(p[0]),
        flow: String(p[1]),
        status: String(p[2]),
        reference: String(p[3]),
        paytraceTransactionId: int(p[4]),
        cents: cents(p[5]),
        currency: str(p[6]),
        localCents: cents(p[7]),
        glKey: str(p[8]),
        ivno: str(p[9]),
        yea4: int(p[10]),
        orno: str(p[11]),
        settlementState: str(p[12]),
        parentPaymentId: str(p[13]),
      }),
    ),
  };
}

export const ITEM_COLUMNS = [
  ['run_id', 'uuid'], ['item_key', 'text'], ['leg', 'text'], ['status', 'text'], ['exception_class', 'text'], ['rule', 'text'], ['confidence', 'numeric'], ['owner', 'text'],
  ['batch_number', 'integer'], ['settled_date', 'date'], ['transaction_ids', 'text'], ['m3_refs', 'text'], ['gl_key', 'text'], ['payment_id', 'uuid'], ['currency', 'text'],
  ['paytrace_cents', 'bigint'], ['m3_cents', 'bigint'], ['gl_cents', 'bigint'], ['difference_cents', 'bigint'], ['reason', 'text'], ['suggested_fix', 'text'], ['fix_kind', 'text'], ['fix_action', 'text'], ['fix_status', 'text'],
] as const;

/** Write a run's items with COPY (match.ts clears the run's earlier items first, in the same transaction). */
export async function insertItems(trx: Knex.Transaction, runId: string, items: readonly ReconItem[]): Promise<void> {
  await bulkInsert(
    trx,
    'recon_items',
    ITEM_COLUMNS,
    items.map((i) => [
      runId, i.key, i.leg, i.status, i.exceptionClass, i.rule, i.confidence, i.owner, i.batchNumber, i.settledDate, i.transactionIds, i.m3Refs, i.glKey, i.paymentId, i.currency,
      i.paytraceCents, i.m3Cents, i.glCents, i.differenceCents, i.reason, i.suggestedFix, i.fixKind, i.fixAction, i.fixKind === 'auto' ? 'pending' : null,
    ]),
  );
}
