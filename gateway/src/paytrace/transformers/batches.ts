import { readWireAmount, type RefusedWireAmount, type UsdAmount } from '../money';
import type { PayTraceHttpResponse } from '../transport';
import { dropUndefined, readEnvelope, readInteger, readString, type PayTraceResult, type WireRequest } from './common';
import { formatPayTraceDate, parseExportedTransaction, type ExportedTransaction } from './exports';

/** A settlement batch. v1 JSON field names beyond `number` are unconfirmed: the rest stays in `raw`. */
export interface BatchSummary {
  number: number;
  transactionCount?: number;
  netAmount?: UsdAmount;
  /** chargebacks (and their fees) taken in the batch, less won ones given back [inferred field `chargeback_amount`] */
  chargebackAmount?: UsdAmount;
  /** an amount of the batch had more than two decimals: refused, not rounded (that amount is then absent; `raw` has it) */
  amountRefused?: RefusedWireAmount;
  settledAt?: string;
  raw: Record<string, unknown>;
}

export interface BatchResult extends PayTraceResult {
  batch?: BatchSummary;
}

export interface BatchListResult extends PayTraceResult {
  batches: BatchSummary[];
}

export interface BatchTransactionsResult extends PayTraceResult {
  transactions: ExportedTransaction[];
}

export function exportOneBatch(batchNumber?: number): WireRequest {
  return { path: '/v1/batches/export_one', body: dropUndefined({ batch_number: batchNumber }) };
}

export function exportBatches(startDate: Date, endDate: Date, timeZone?: string): WireRequest {
  return { path: '/v1/batches/export', body: { start_date: formatPayTraceDate(startDate, timeZone), end_date: formatPayTraceDate(endDate, timeZone) } };
}

export function batchTransactionList(batchNumber: number): WireRequest {
  return { path: '/v1/batches/transaction_list', body: { batch_number: batchNumber } };
}

function parseBatch(value: unknown): BatchSummary | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const number = readInteger(record, 'number') ?? readInteger(record, 'batch_number');
  if (number === undefined) return undefined;
  const net = readWireAmount(record.net_amount, 'net_amount');
  const chargeback = readWireAmount(record.chargeback_amount, 'chargeback_amount');
  const refused = net.refused ?? chargeback.refused;
  return {
    number,
    transactionCount: readInteger(record, 'transaction_count'),
    netAmount: net.amount,
    chargebackAmount: chargeback.amount,
    ...(refused ? { amountRefused: refused } : {}),
    settledAt: readString(record, 'settled') ?? readString(record, 'created'),
    raw: record,
  };
}

function listOk(response: PayTraceHttpResponse, key: string): boolean {
  return response.body.success === true && key in response.body;
}

export function parseBatchResult(response: PayTraceHttpResponse): BatchResult {
  const envelope = readEnvelope(response);
  const ok = listOk(response, 'batch');
  return { ...envelope, outcome: ok ? 'approved' : envelope.outcome, approved: ok || envelope.approved, batch: parseBatch(response.body.batch) };
}

export function parseBatchList(response: PayTraceHttpResponse): BatchListResult {
  const envelope = readEnvelope(response);
  const ok = listOk(response, 'batches');
  const batches = (Array.isArray(response.body.batches) ? response.body.batches : []).map(parseBatch).filter((b): b is BatchSummary => b !== undefined);
  return { ...envelope, outcome: ok ? 'approved' : envelope.outcome, approved: ok || envelope.approved, batches };
}

export function parseBatchTransactions(response: PayTraceHttpResponse): BatchTransactionsResult {
  const envelope = readEnvelope(response);
  const ok = listOk(response, 'transactions');
  const transactions = (Array.isArray(response.body.transactions) ? response.body.transactions : [])
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map(parseExportedTransaction)
    .filter((t): t is ExportedTransaction => t !== undefined);
  return { ...envelope, outcome: ok ? 'approved' : envelope.outcome, approved: ok || envelope.approved, transactions };
}
