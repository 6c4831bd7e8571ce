import type { Express } from 'express';
import { mountApi, type Handler } from './auth';
import { ERROR, maskCard, RESPONSE } from './codes';
import type { SimBatch, SimTransaction } from './state';
import { chargedCents } from './transactions';
import { dollarsNumber, exportDate, ok, readDateRange, readId, singleError, text, type JsonBody, type SimContext } from './wire';

/**
 * Read-only views the poller and the unknown-outcome lookup use: transaction export by id and by
 * date range, and batch (settlement) summaries. PayTrace v1 has no webhooks; this is how a client
 * learns what happened. Record field names follow the reference §4.9; batch field names are ours.
 */

const STATUS: Record<SimTransaction['status'], { code: string; message: string }> = {
  pending: { code: 'Y', message: 'Pending Settlement' },
  authOnly: { code: 'N', message: 'Authorization Only' },
  voided: { code: 'N', message: 'Voided' },
  declined: { code: 'N', message: 'Declined' },
  autoVoided: { code: 'N', message: 'Voided (AVS/CSC mismatch)' },
  settled: { code: 'GB', message: 'Settled' },
};

/** the amount a record shows: what was charged (captured amount of an authorization once captured) */
function recordAmount(tx: SimTransaction): number {
  return tx.type === 'AUTHORIZATION' && tx.capturedCents !== undefined ? tx.capturedCents : tx.amountCents;
}

export function transactionRecord(tx: SimTransaction, username: string, includeBin = false): JsonBody {
  const status = STATUS[tx.status];
  return {
    transaction_id: tx.id,
    transaction_type: tx.type,
    amount: dollarsNumber(recordAmount(tx)),
    // settled: "GB" with the batch number appended; Y = settles tonight; N = voided, declined or auth-only
    status_code: tx.status === 'settled' ? `${status.code}${tx.batchNumber}` : status.code,
    status_message: status.message,
    response_code: tx.responseCode,
    approval_code: tx.approvalCode,
    approval_message: tx.approvalMessage,
    avs_response: tx.avsResponse,
    csc_response: tx.cscResponse,
    created: { at: exportDate(tx.createdAt), by: username, through: 'API' },
    settled: tx.settledAt ? exportDate(tx.settledAt) : '',
    batch_number: tx.batchNumber ?? null,
    invoice_id: tx.invoiceId ?? '',
    description: tx.description ?? '',
    customer_id: tx.customerId ?? '',
    email: tx.email ?? '',
    original_transaction_id: tx.originalTransactionId ?? null,
    refunded_amount: dollarsNumber(tx.refundedCents),
    credit_card: {
      masked_number: maskCard(tx.card.number, includeBin),
      expiration_month: String(tx.card.expirationMonth).padStart(2, '0'),
      expiration_year: String(tx.card.expirationYear),
      type: tx.card.brand,
    },
    billing_address: tx.billingAddress ?? {},
    discretionary_data: tx.discretionaryData ?? {},
  };
}

function exported(transactions: JsonBody[]): JsonBody {
  return { success: true, response_code: RESPONSE.exported.code, status_message: RESPONSE.exported.message, transactions };
}

const exportById: Handler = (body, ctx) => {
  const id = readId(body, 'transaction_id');
  const tx = id === undefined ? undefined : ctx.state.transactions.get(id);
  if (!tx) return singleError(ctx, ERROR.transactionId);
  return ok(exported([transactionRecord(tx, ctx.config.username, body.include_bin === true)]));
};

const TYPE_FILTERS: Record<string, (tx: SimTransaction) => boolean> = {
  SALE: (tx) => tx.type === 'SALE',
  AUTHORIZATION: (tx) => tx.type === 'AUTHORIZATION',
  REFUND: (tx) => tx.type === 'REFUND',
  VOID: (tx) => tx.status === 'voided' || tx.status === 'autoVoided',
  SETTLED: (tx) => tx.status === 'settled',
  PENDING: (tx) => tx.status === 'pending',
  DECLINED: (tx) => tx.status === 'declined',
  'STR/FWD': () => false,
};

/** free-text search: our reference sits in invoice_id or description, so both are searched */
function matchesText(tx: SimTransaction, needle: string): boolean {
  const hay = [String(tx.id), tx.invoiceId, tx.description, tx.customerId, tx.email, tx.billingAddress?.name, ...Object.values(tx.discretionaryData ?? {}).map(String)];
  const n = needle.toLowerCase();
  return hay.some((h) => h !== undefined && h.toLowerCase().includes(n));
}

const exportByDateRange: Handler = (body, ctx) => {
  const range = readDateRange(body);
  if (typeof range === 'string') return singleError(ctx, range);
  const type = text(body, 'transaction_type')?.toUpperCase();
  const typeFilter = type === undefined ? undefined : TYPE_FILTERS[type];
  if (type !== undefined && !typeFilter) return singleError(ctx, ERROR.dateRange);
  const id = readId(body, 'transaction_id');
  const customerId = text(body, 'customer_id');
  const including = text(body, 'including_text');
  const selected = [...ctx.state.transactions.values()].filter(
    (tx) =>
      tx.createdAt >= range.from &&
      tx.createdAt <= range.to &&
      (!typeFilter || typeFilter(tx)) &&
      (id === undefined || tx.id === id) &&
      (customerId === undefined || tx.customerId === customerId) &&
      (including === undefined || matchesText(tx, including)),
  );
  return ok(exported(selected.map((tx) => transactionRecord(tx, ctx.config.username, body.include_bin === true))));
};

// ---- batches -------------------------------------------------------------

function summary(number: number, transactions: SimTransaction[], settledAt?: Date, chargebacks: { debitCents: number; creditCents: number; count: number } = { debitCents: 0, creditCents: 0, count: 0 }): JsonBody {
  let salesCount = 0;
  let salesCents = 0;
  let refundCount = 0;
  let refundCents = 0;
  const byBrand = new Map<string, { sales_count: number; sales: number; refund_count: number; refunds: number }>();
  for (const tx of transactions) {
    const brand = byBrand.get(tx.card.brand) ?? { sales_count: 0, sales: 0, refund_count: 0, refunds: 0 };
    byBrand.set(tx.card.brand, brand);
    if (tx.type === 'REFUND') {
      refundCount += 1;
      refundCents += tx.amountCents;
      brand.refund_count += 1;
      brand.refunds += tx.amountCents;
    } else {
      salesCount += 1;
      salesCents += chargedCents(tx);
      brand.sales_count += 1;
      brand.sales += chargedCents(tx);
    }
  }
  return {
    number,
    status: settledAt ? 'Settled' : 'Open',
    settled: settledAt ? exportDate(settledAt) : '',
    transaction_count: transactions.length,
    sales_count: salesCount,
    sales_amount: dollarsNumber(salesCents),
    refund_count: refundCount,
    refund_amount: dollarsNumber(refundCents),
    // chargebacks taken in this batch (amount + fee) less won ones given back: the deposit is net of them
    chargeback_count: chargebacks.count,
    chargeback_amount: dollarsNumber(chargebacks.debitCents - chargebacks.creditCents),
    net_amount: dollarsNumber(salesCents - refundCents - chargebacks.debitCents + chargebacks.creditCents),
    card_types: [...byBrand.entries()].map(([type, b]) => ({
      type,
      sales_count: b.sales_count,
      sales_amount: dollarsNumber(b.sales),
      refund_count: b.refund_count,
      refund_amount: dollarsNumber(b.refunds),
    })),
  };
}

function batchChargebacks(ctx: SimContext, batch: SimBatch): { debitCents: number; creditCents: number; count: number } {
  const of = (cases: string[] | undefined, withFee: boolean) =>
    (cases ?? []).reduce((sum, n) => {
      const cb = ctx.state.chargebacks.get(n);
      return sum + (cb ? cb.amountCents + (withFee ? cb.feeCents : 0) : 0);
    }, 0);
  return { debitCents: of(batch.chargebacksDebited, true), creditCents: of(batch.chargebacksCredited, false), count: (batch.chargebacksDebited?.length ?? 0) + (batch.chargebacksCredited?.length ?? 0) };
}

function batchTransactions(ctx: SimContext, batch: SimBatch): SimTransaction[] {
  return batch.transactionIds.map((id) => ctx.state.transactions.get(id)).filter((t): t is SimTransaction => t !== undefined);
}

function findBatch(ctx: SimContext, body: JsonBody): SimBatch | undefined {
  const number = readId(body, 'batch_number');
  return number === undefined ? undefined : ctx.state.batches.find((b) => b.number === number);
}

/** one settled batch by number; without a number, the open batch (what settles next) */
const exportOne: Handler = (body, ctx) => {
  if (body.batch_number === undefined || body.batch_number === null || body.batch_number === '') {
    const open = [...ctx.state.transactions.values()].filter((t) => t.status === 'pending');
    return ok({ success: true, response_code: RESPONSE.exported.code, status_message: RESPONSE.exported.message, batch: summary(ctx.state.openBatchNumber(), open) });
  }
  const batch = findBatch(ctx, body);
  if (!batch) return singleError(ctx, ERROR.batchNumber);
  return ok({ success: true, response_code: RESPONSE.exported.code, status_message: RESPONSE.exported.message, batch: summary(batch.number, batchTransactions(ctx, batch), batch.settledAt, batchChargebacks(ctx, batch)) });
};

const exportBatches: Handler = (body, ctx) => {
  const range = readDateRange(body);
  if (typeof range === 'string') return singleError(ctx, range);
  const batches = ctx.state.batches.filter((b) => b.settledAt >= range.from && b.settledAt <= range.to);
  return ok({
    success: true,
    response_code: RESPONSE.exported.code,
    status_message: RESPONSE.exported.message,
    batches: batches.map((b) => summary(b.number, batchTransactions(ctx, b), b.settledAt, batchChargebacks(ctx, b))),
  });
};

const batchTransactionList: Handler = (body, ctx) => {
  const batch = findBatch(ctx, body);
  if (!batch) return singleError(ctx, ERROR.batchNumber);
  const transactions = batchTransactions(ctx, batch);
  return ok({
    success: true,
    response_code: RESPONSE.exported.code,
    status_message: RESPONSE.exported.message,
    batch: summary(batch.number, transactions, batch.settledAt, batchChargebacks(ctx, batch)),
    transactions: transactions.map((tx) => transactionRecord(tx, ctx.config.username)),
  });
};

export function mountExports(app: Express, ctx: SimContext): void {
  mountApi(app, ctx, '/v1/transactions/export/by_id', exportById);
  mountApi(app, ctx, '/v1/transactions/export/by_date_range', exportByDateRange);
  mountApi(app, ctx, '/v1/batches/export_one', exportOne);
  mountApi(app, ctx, '/v1/batches/export', exportBatches);
  mountApi(app, ctx, '/v1/batches/transaction_list', batchTransactionList);
}
