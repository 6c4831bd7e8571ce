import { readWireAmount, type RefusedWireAmount, type UsdAmount } from '../money';
import type { PayTraceHttpResponse } from '../transport';
import { dropUndefined, readEnvelope, readInteger, readString, transactionIdToWire, type PayTraceResult, type WireRequest } from './common';

/** `transaction_type` filter values of by_date_range (reference §4.9). */
export type ExportTransactionType = 'SALE' | 'AUTHORIZATION' | 'STR/FWD' | 'REFUND' | 'VOID' | 'SETTLED' | 'PENDING' | 'DECLINED';

export interface ExportByDateRangeRequest {
  startDate: Date;
  endDate: Date;
  transactionType?: ExportTransactionType;
  transactionId?: number;
  customerId?: string;
  /** PayTrace's free-text search */
  includingText?: string;
  includeBin?: boolean;
}

/**
 * Where a transaction stands, from `status_code` + `status_message` (reference §4.9):
 * Y = pending settlement; N = voided, declined OR authorization-only (told apart by the
 * message); anything with "GB"/"Settled" = settled, batch number appended.
 */
export type SettlementState = 'pending_settlement' | 'settled' | 'voided' | 'declined' | 'authorized' | 'unknown';

export interface ExportedTransaction {
  transactionId: number;
  amount?: UsdAmount;
  /** PayTrace's amount had more than two decimals: refused, not rounded (`amount` is then absent; `raw` has it as sent) */
  amountRefused?: RefusedWireAmount;
  statusCode: string;
  statusMessage: string;
  state: SettlementState;
  transactionType?: string;
  approvalCode?: string;
  invoiceId?: string;
  customerId?: string;
  maskedCardNumber?: string;
  /** date text as PayTrace gives it ("7/3/2018 5:06:57 PM", no time zone) */
  createdAt?: string;
  settledAt?: string;
  batchNumber?: number;
  /** the record as received, for fields not modelled here (never contains a full PAN) */
  raw: Record<string, unknown>;
}

export interface ExportResult extends PayTraceResult {
  transactions: ExportedTransaction[];
}

/** MM/DD/YYYY in the merchant's time zone (the date fields of v1 requests). */
export function formatPayTraceDate(date: Date, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('month')}/${get('day')}/${get('year')}`;
}

export function exportById(transactionId: number, includeBin = false): WireRequest {
  return { path: '/v1/transactions/export/by_id', body: { transaction_id: transactionIdToWire(transactionId), include_bin: includeBin } };
}

export function exportByDateRange(request: ExportByDateRangeRequest, timeZone?: string): WireRequest {
  return {
    path: '/v1/transactions/export/by_date_range',
    body: dropUndefined({
      start_date: formatPayTraceDate(request.startDate, timeZone),
      end_date: formatPayTraceDate(request.endDate, timeZone),
      transaction_type: request.transactionType,
      transaction_id: request.transactionId === undefined ? undefined : transactionIdToWire(request.transactionId),
      customer_id: request.customerId,
      including_text: request.includingText,
      include_bin: request.includeBin,
    }),
  };
}

export function settlementState(statusCode: string, statusMessage: string): SettlementState {
  if (/GB|settled/i.test(statusCode) || /^settled/i.test(statusMessage)) return 'settled';
  if (statusCode === 'Y') return 'pending_settlement';
  if (statusCode === 'N') {
    if (/void/i.test(statusMessage)) return 'voided';
    if (/declin|not approved/i.test(statusMessage)) return 'declined';
    if (/authoriz/i.test(statusMessage)) return 'authorized';
  }
  return 'unknown';
}

function nested(record: Record<string, unknown>, key: string, inner: string): string | undefined {
  const value = record[key];
  if (typeof value === 'object' && value !== null) return readString(value as Record<string, unknown>, inner);
  return undefined;
}

export function parseExportedTransaction(record: Record<string, unknown>): ExportedTransaction | undefined {
  const transactionId = readInteger(record, 'transaction_id');
  if (transactionId === undefined) return undefined;
  const statusCode = readString(record, 'status_code') ?? '';
  const statusMessage = readString(record, 'status_message') ?? '';
  const batchFromStatus = /(\d+)\s*$/.exec(statusCode)?.[1];
  const { amount, refused } = readWireAmount(record.amount);
  return {
    transactionId,
    amount,
    ...(refused ? { amountRefused: refused } : {}),
    statusCode,
    statusMessage,
    state: settlementState(statusCode, statusMessage),
    transactionType: readString(record, 'transaction_type'),
    approvalCode: readString(record, 'approval_code'),
    invoiceId: readString(record, 'invoice_id'),
    customerId: readString(record, 'customer_id'),
    maskedCardNumber: nested(record, 'credit_card', 'masked_number') ?? readString(record, 'masked_card_number'),
    createdAt: nested(record, 'created', 'at') ?? readString(record, 'created'),
    settledAt: readString(record, 'settled'),
    batchNumber: readInteger(record, 'batch_number') ?? (batchFromStatus ? Number(batchFromStatus) : undefined),
    raw: record,
  };
}

export function parseExport(response: PayTraceHttpResponse): ExportResult {
  const envelope = readEnvelope(response);
  const list = Array.isArray(response.body.transactions) ? response.body.transactions : [];
  const transactions = list
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map(parseExportedTransaction)
    .filter((t): t is ExportedTransaction => t !== undefined);
  // the export's response_code is not documented: a success:true body with a list is a good answer
  const ok = response.body.success === true && Array.isArray(response.body.transactions);
  return { ...envelope, outcome: ok ? 'approved' : envelope.outcome, approved: ok || envelope.approved, transactions };
}
