import type { Knex } from 'knex';
import { AppError } from '../errors';
import type { M3Executor, M3Scope } from '../infor/m3-programs/executor';
import type { PayTraceClient } from '../paytrace/client';
import { refusedAmountError } from '../paytrace/money';
import { bulkInsert } from './bulk';
import { centsOf } from './model';

/**
 * Read what PayTrace settled and what M3 holds into the run's staging tables. PayTrace batches
 * are staged one at a time, each in its own transaction, so an export that fails halfway keeps
 * the batches it finished and the resumed run asks only for the rest. M3's lists are read
 * completely before anything is written, so an M3 outage leaves no half-read state behind.
 */

export interface SourceContext {
  db: Knex;
  paytrace: PayTraceClient;
  m3: M3Executor;
  scope: M3Scope;
  /** the division's currency: invoices (for their rates) are read only when a receipt is in another */
  localCurrency: string;
  /** batch transaction lists fetched at once */
  exportConcurrency: number;
}

export interface StageHooks {
  /** after each PayTrace batch is staged (progress; tests use it to break things at a precise point) */
  afterBatch?: (batchNumber: number) => Promise<void> | void;
  /** after every PayTrace batch is staged, before M3 is read */
  afterPayTrace?: () => Promise<void> | void;
  /** after M3's lists are read, before they are staged (progress) */
  afterM3Read?: () => Promise<void> | void;
}

/** PayTrace's "3/10/2026 3:00:00 PM" (and M3's yyyyMMdd) → 2026-03-10 */
export function isoDateOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(text.trim());
  if (us) return `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}`;
  const m3 = /^(\d{4})(\d{2})(\d{2})$/.exec(text.trim());
  if (m3) return `${m3[1]}-${m3[2]}-${m3[3]}`;
  return undefined;
}

function notApproved(what: string, detail: string): AppError {
  // an export PayTrace did not answer with a list: temporary as far as we can tell, the run resumes
  return new AppError(`PayTrace ${what} failed: ${detail}`, { code: 'RECON_PAYTRACE_EXPORT_FAILED', errorClass: 'transient' });
}

export async function stagePayTrace(ctx: SourceContext, run: { id: string; period_from: string; period_to: string }, hooks: StageHooks = {}): Promise<void> {
  // noon UTC: the same calendar day in the zone PayTrace dates are formatted in (UTC-12 … UTC+11)
  const list = await ctx.paytrace.exportBatches(new Date(`${run.period_from}T12:00:00Z`), new Date(`${run.period_to}T12:00:00Z`));
  if (!list.approved) throw notApproved('batch export', list.statusMessage ?? 'no batch list');
  // the same batch listed twice is staged once
  const batches = [...new Map(list.batches.map((b) => [b.number, b])).values()];
  // a batch total with a third decimal cannot be compared exactly: the run stops and says which, nothing is staged half
  const refused = batches.find((b) => b.amountRefused);
  if (refused?.amountRefused) throw refusedAmountError(refused.amountRefused, `PayTrace batch ${refused.number}`);
  await bulkInsert(
    ctx.db,
    'recon_pt_batches',
    [['run_id', 'uuid'], ['batch_number', 'integer'], ['settled_date', 'date'], ['reported_count', 'integer'], ['reported_net_cents', 'bigint'], ['reported_chargeback_cents', 'bigint']],
    batches.map((b) => [run.id, b.number, isoDateOf(b.settledAt) ?? null, b.transactionCount ?? null, b.netAmount !== undefined ? centsOf(b.netAmount) : null, b.chargebackAmount !== undefined ? centsOf(b.chargebackAmount) : null]),
    { onConflict: 'on conflict (run_id, batch_number) do nothing' },
  );
  const pending = (await ctx.db('recon_pt_batches').where({ run_id: run.id, fetched: false }).orderBy('batch_number').pluck('batch_number')) as number[];
  // a few lists in flight at once: PayTrace answers one while the previous one is staged
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const batchNumber = pending[next++]!;
      await stageBatch(ctx, run.id, batchNumber);
      await hooks.afterBatch?.(batchNumber);
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.exportConcurrency, pending.length) }, worker));
}

async function stageBatch(ctx: SourceContext, runId: string, batchNumber: number): Promise<void> {
  const result = await ctx.paytrace.batchTransactions(batchNumber);
  if (!result.approved) throw notApproved(`transaction list of batch ${batchNumber}`, result.statusMessage ?? 'no list');
  const byId = new Map(result.transactions.map((t) => [t.transactionId, t]));
  await ctx.db.transaction(async (trx) => {
    await bulkInsert(
      trx,
      'recon_pt_transactions',
      [['run_id', 'uuid'], ['transaction_id', 'bigint'], ['batch_number', 'integer'], ['transaction_type', 'text'], ['amount_cents', 'bigint'], ['invoice_id', 'text'], ['customer_id', 'text'], ['original_transaction_id', 'bigint'], ['settled_date', 'date'], ['card_type', 'text']],
      [...byId.values()].map((t) => {
        const card = t.raw.credit_card as { type?: unknown } | undefined;
        const original = t.raw.original_transaction_id;
        return [
          runId,
          t.transactionId,
          batchNumber,
          t.transactionType ?? 'SALE',
          t.amount !== undefined ? centsOf(t.amount) : null,
          t.invoiceId || null,
          t.customerId || null,
          typeof original === 'number' || (typeof original === 'string' && /^\d+$/.test(original)) ? Number(original) : null,
          isoDateOf(t.settledAt) ?? null,
          typeof card?.type === 'string' ? card.type : null,
        ];
      }),
      {
        // met in two batches: it moved, and the later batch (the higher number) is where it settled,
        // whichever of the two lists arrived first
        onConflict: `on conflict (run_id, transaction_id) do update set
                       batch_number = greatest(recon_pt_transactions.batch_number, excluded.batch_number),
                       moved_from_batch = least(recon_pt_transactions.batch_number, excluded.batch_number),
                       settled_date = case when excluded.batch_number > recon_pt_transactions.batch_number then excluded.settled_date else recon_pt_transactions.settled_date end
                     where recon_pt_transactions.batch_number <> excluded.batch_number`,
      },
    );
    await trx('recon_pt_batches').where({ run_id: runId, batch_number: batchNumber }).update({ fetched: true });
  });
}

export async function stageM3(ctx: SourceContext, run: { id: string }, hooks: StageHooks = {}): Promise<void> {
  // every record (maxrecs 0), only the columns the engine reads (returncols: far smaller answers)
  const all = (columns: string[]) => ({ ...ctx.scope, maxrecs: 0, returncols: columns });
  // both lists at once: M3 builds one while the gateway reads the other
  const [receipts, gl] = await Promise.all([
    ctx.m3.execute('ARS040MI', 'LstBatchLine', {}, all(['PBID', 'TRNO', 'CINO', 'INYR', 'CUNO', 'PYAM', 'CUCD', 'IRNO', 'LPDT'])),
    ctx.m3.execute('GLS840MI', 'LstBatchHead', { CONO: String(ctx.scope.cono) }, all(['KEY1', 'STAT', 'DSUM', 'CSUM', 'DESC'])),
  ]);
  // the invoices matter for their rates only: read them when a receipt is in another currency
  const foreign = receipts.records.some((r) => r.CUCD && r.CUCD !== ctx.localCurrency);
  const invoices = foreign ? await ctx.m3.execute('ARS200MI', 'LstInvByDivi', { FDIV: ctx.scope.divi, TDIV: ctx.scope.divi }, all(['CINO', 'INYR', 'CUNO', 'CUCD', 'CUAM', 'OCUA', 'ARAT', 'IVDT'])) : { records: [] };
  await hooks.afterM3Read?.();
  await ctx.db.transaction(async (trx) => {
    for (const table of ['recon_m3_invoices', 'recon_m3_receipts', 'recon_gl_batches']) await trx(table).where({ run_id: run.id }).delete();
    const invoiceRows = new Map<string, unknown[]>();
    for (const r of invoices.records) {
      const cino = r.CINO ?? '';
      const yea4 = Number(r.INYR);
      if (!cino || !Number.isInteger(yea4)) continue;
      invoiceRows.set(`${yea4}/${cino}`, [run.id, cino, yea4, r.CUNO ?? null, r.CUCD ?? null, centsOf(r.CUAM), centsOf(r.OCUA), r.ARAT ?? null, isoDateOf(r.IVDT) ?? null]);
    }
    await bulkInsert(trx, 'recon_m3_invoices', [['run_id', 'uuid'], ['cino', 'text'], ['yea4', 'integer'], ['cuno', 'text'], ['currency', 'text'], ['amount_cents', 'bigint'], ['open_cents', 'bigint'], ['rate', 'text'], ['invoice_date', 'date']], [...invoiceRows.values()]);
    const receiptRows = new Map<string, unknown[]>();
    for (const r of receipts.records) {
      const pbid = Number(r.PBID);
      const trno = Number(r.TRNO);
      if (!Number.isInteger(pbid) || !Number.isInteger(trno)) continue;
      receiptRows.set(`${pbid}/${trno}`, [run.id, pbid, trno, r.CINO ?? '', r.INYR ? Number(r.INYR) : null, r.CUNO ?? null, centsOf(r.PYAM), r.CUCD ?? null, r.IRNO || null, isoDateOf(r.LPDT) ?? null]);
    }
    await bulkInsert(trx, 'recon_m3_receipts', [['run_id', 'uuid'], ['pbid', 'bigint'], ['trno', 'integer'], ['cino', 'text'], ['inyr', 'integer'], ['cuno', 'text'], ['amount_cents', 'bigint'], ['currency', 'text'], ['irno', 'text'], ['payment_date', 'date']], [...receiptRows.values()]);
    const glRows = new Map<string, unknown[]>();
    for (const r of gl.records) if (r.KEY1) glRows.set(r.KEY1, [run.id, r.KEY1, r.STAT ?? null, centsOf(r.DSUM), centsOf(r.CSUM), r.DESC ?? null]);
    await bulkInsert(trx, 'recon_gl_batches', [['run_id', 'uuid'], ['key1', 'text'], ['status', 'text'], ['debit_cents', 'bigint'], ['credit_cents', 'bigint'], ['description', 'text']], [...glRows.values()]);
  });
  // 100,000s of fresh rows that autovacuum has not looked at yet: the match stage's joins plan on statistics
  await ctx.db.raw('analyze recon_pt_transactions, recon_m3_receipts, recon_gl_batches');
}
