import type { Knex } from 'knex';
import { bulkInsert } from './bulk';
import { centsOf, type LedgerPayment, type ReconInput, type ReconItem, type ReconSummary } from './model';

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

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const opt = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** dates come back as text: a DATE column is a calendar day, not an instant */
export async function getRun(db: Knex, id: string): Promise<ReconRun | undefined> {
  const row = await db('recon_runs').where({ id }).select('*', db.raw(`to_char(period_from, 'YYYY-MM-DD') as period_from`), db.raw(`to_char(period_to, 'YYYY-MM-DD') as period_to`)).first();
  return row as ReconRun | undefined;
}

/** Everything the engine needs for a run, from its staging tables and the ledger. */
export async function loadInput(db: Knex, run: ReconRun, options: { localCurrency: string; roundingToleranceCents: number }): Promise<ReconInput> {
  const [batches, transactions, receipts, invoices, gl, payments] = await Promise.all([
    db('recon_pt_batches').where({ run_id: run.id }).select('batch_number', db.raw(`to_char(settled_date, 'YYYY-MM-DD') as settled_date`), 'reported_count', 'reported_net_cents'),
    db('recon_pt_transactions').where({ run_id: run.id }).select('transaction_id', 'batch_number', 'moved_from_batch', 'transaction_type', 'amount_cents', 'invoice_id', 'customer_id', 'original_transaction_id', db.raw(`to_char(settled_date, 'YYYY-MM-DD') as settled_date`), 'card_type'),
    db('recon_m3_receipts').where({ run_id: run.id }).select('pbid', 'trno', 'cino', 'inyr', 'cuno', 'amount_cents', 'currency', 'irno', db.raw(`to_char(payment_date, 'YYYY-MM-DD') as payment_date`)),
    db('recon_m3_invoices').where({ run_id: run.id }).select('cino', 'yea4', 'cuno', 'currency', 'amount_cents', 'open_cents', 'rate', db.raw(`to_char(invoice_date, 'YYYY-MM-DD') as invoice_date`)),
    db('recon_gl_batches').where({ run_id: run.id }).select('key1', 'status', 'debit_cents', 'credit_cents', 'description'),
    // the ledger rows this run speaks about: those PayTrace settled now, and those created in the period
    db('payments')
      .whereNotNull('paytrace_transaction_id')
      .andWhere((q) =>
        q
          .whereIn('paytrace_transaction_id', db('recon_pt_transactions').where({ run_id: run.id }).select('transaction_id'))
          .orWhereRaw(`created_at >= ?::date and created_at < ?::date + 1`, [run.period_from, run.period_to]),
      )
      .select('id', 'flow', 'status', 'reference', 'paytrace_transaction_id', 'amount', 'currency', 'local_amount', 'gl_batch_key', 'ivno', 'yea4', 'orno', 'settlement_state', 'parent_payment_id'),
  ]);
  const decimalCents = (value: unknown) => (value === null || value === undefined ? null : centsOf(String(value).replace(/(\.\d{2})\d*$/, '$1')));
  return {
    period: { from: run.period_from, to: run.period_to },
    localCurrency: options.localCurrency,
    roundingToleranceCents: options.roundingToleranceCents,
    batches: batches.map((b) => ({ batchNumber: Number(b.batch_number), settledDate: opt(b.settled_date), reportedCount: opt(num(b.reported_count)), reportedNetCents: opt(num(b.reported_net_cents)) })),
    transactions: transactions.map((t) => ({
      transactionId: Number(t.transaction_id),
      batchNumber: Number(t.batch_number),
      movedFromBatch: opt(num(t.moved_from_batch)),
      type: String(t.transaction_type),
      cents: num(t.amount_cents),
      invoiceId: opt(t.invoice_id),
      customerId: opt(t.customer_id),
      originalTransactionId: opt(num(t.original_transaction_id)),
      settledDate: opt(t.settled_date),
      cardType: opt(t.card_type),
    })),
    receipts: receipts.map((r) => ({ pbid: Number(r.pbid), trno: Number(r.trno), cino: String(r.cino), inyr: opt(num(r.inyr)), cuno: opt(r.cuno), cents: num(r.amount_cents), currency: String(r.currency ?? options.localCurrency), irno: opt(r.irno), paymentDate: opt(r.payment_date) })),
    invoices: invoices.map((i) => ({ cino: String(i.cino), yea4: Number(i.yea4), cuno: opt(i.cuno), currency: String(i.currency ?? options.localCurrency), cents: num(i.amount_cents), openCents: num(i.open_cents), rate: opt(i.rate), invoiceDate: opt(i.invoice_date) })),
    glBatches: gl.map((g) => ({ key1: String(g.key1), status: String(g.status ?? ''), debitCents: num(g.debit_cents), creditCents: num(g.credit_cents), description: opt(g.description) })),
    payments: payments.map(
      (p): LedgerPayment => ({
        id: String(p.id),
        flow: String(p.flow),
        status: String(p.status),
        reference: String(p.reference),
        paytraceTransactionId: opt(num(p.paytrace_transaction_id)) ?? undefined,
        cents: decimalCents(p.amount),
        currency: opt(p.currency),
        localCents: decimalCents(p.local_amount),
        glKey: opt(p.gl_batch_key),
        ivno: opt(p.ivno),
        yea4: opt(num(p.yea4)) ?? undefined,
        orno: opt(p.orno),
        settlementState: opt(p.settlement_state),
        parentPaymentId: opt(p.parent_payment_id),
      }),
    ),
  };
}

export const ITEM_COLUMNS = [
  ['run_id', 'uuid'], ['item_key', 'text'], ['leg', 'text'], ['status', 'text'], ['exception_class', 'text'], ['rule', 'text'], ['confidence', 'numeric'], ['owner', 'text'],
  ['batch_number', 'integer'], ['settled_date', 'date'], ['transaction_ids', 'text'], ['m3_refs', 'text'], ['gl_key', 'text'], ['payment_id', 'uuid'], ['currency', 'text'],
  ['paytrace_cents', 'bigint'], ['m3_cents', 'bigint'], ['gl_cents', 'bigint'], ['difference_cents', 'bigint'], ['reason', 'text'], ['suggested_fix', 'text'], ['fix_kind', 'text'], ['fix_action', 'text'], ['fix_status', 'text'],
] as const;

/** Replace a run's items (a resumed match stage writes the same rows again). */
export async function saveItems(db: Knex, runId: string, items: readonly ReconItem[], summary: ReconSummary): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('recon_items').where({ run_id: runId }).delete();
    await bulkInsert(
      trx,
      'recon_items',
      ITEM_COLUMNS,
      items.map((i) => [
        runId, i.key, i.leg, i.status, i.exceptionClass, i.rule, i.confidence, i.owner, i.batchNumber, i.settledDate, i.transactionIds, i.m3Refs, i.glKey, i.paymentId, i.currency,
        i.paytraceCents, i.m3Cents, i.glCents, i.differenceCents, i.reason, i.suggestedFix, i.fixKind, i.fixAction, i.fixKind === 'auto' ? 'pending' : null,
      ]),
    );
    await trx('recon_runs').where({ id: runId }).update({ summary: JSON.stringify(summary), stage: 'matched', updated_at: trx.fn.now() });
  });
}
