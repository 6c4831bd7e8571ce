import type { Secret } from '../../config/secret';
import { readWireAmount, usdAmount, type RefusedWireAmount, type UsdAmount } from '../money';
import type { PayTraceHttpResponse } from '../transport';
import { formatPayTraceDate } from './exports';
import {
  checkText, dropUndefined, extrasToWire, invalidRequest, readEnvelope, readInteger, readString, transactionIdToWire,
  type PayTraceResult, type TransactionExtras, type WireRequest,
} from './common';
import type { MoneyRequest } from './transactions';

/**
 * PayTrace's checks (ACH) API, v1 (reference §4.14): sales and holds debit a US bank account, refunds
 * credit one, a hold is funded (released) or voided later. Every answer names the check by
 * `check_transaction_id`, a number of its own (not a card transaction id). The outcome model is the
 * cards': 120/122/124 approved, 125 declined, `1` + 30/45/46/80/817 the usual error classes.
 *
 * The bank account number is as sensitive as a card number: it stays a `Secret` until the transport
 * serialises the body, and nothing here puts it in an error message.
 */

/** A US bank account. The routing number identifies the bank (public); the account number does not leave a Secret. */
export interface BankAccount {
  accountNumber: Secret;
  /** nine digits with a valid ABA check digit */
  routingNumber: string;
}

export interface CheckAccountRequest extends TransactionExtras {
  amount: string;
  bankAccount: BankAccount;
}

export interface CheckCustomerRequest extends TransactionExtras {
  amount: string;
  /** a vault profile that holds a bank account */
  customerId: string;
}

export interface CheckRefundTransactionRequest {
  checkTransactionId: number;
  /** omit to refund what is left of the (settled) check; less gives a partial refund */
  amount?: string;
  invoiceId?: string;
}

export interface CheckFundRequest {
  /** the hold to release */
  checkTransactionId: number;
  /** omit to fund the whole hold; less funds part of it */
  amount?: string;
}

export interface CheckVoidRequest {
  checkTransactionId: number;
}

/** The answer to a check call (recorded shape: success, response_code, status_message, check_transaction_id; ach_code/ach_message on 125). */
export interface CheckResult extends PayTraceResult {
  /** declined checks get one too */
  checkTransactionId?: number;
  achCode?: string;
  achMessage?: string;
}

/** Where a check stands, from the export record's `status` (field names unconfirmed: see docs/paytrace.md). */
export type CheckState = 'pending_settlement' | 'held' | 'settled' | 'voided' | 'declined' | 'returned' | 'unknown';

export interface ExportedCheck {
  checkTransactionId: number;
  amount?: UsdAmount;
  /** PayTrace's amount had more than two decimals: refused, not rounded (`amount` is then absent; `raw` has it as sent) */
  amountRefused?: RefusedWireAmount;
  /** SALE, HOLD or REFUND */
  transactionType?: string;
  state: CheckState;
  statusMessage: string;
  invoiceId?: string;
  customerId?: string;
  /** e.g. xxxx1234 — never the account number */
  maskedAccountNumber?: string;
  routingNumber?: string;
  /** NACHA return reason (R01 insufficient funds, R03 no account, …) once the bank sent it back */
  returnCode?: string;
  createdAt?: string;
  settledAt?: string;
  /** for a refund: the check it refunds */
  originalCheckTransactionId?: number;
  /** the record as received (never an unmasked account number) */
  raw: Record<string, unknown>;
}

export interface CheckExportResult extends PayTraceResult {
  checks: ExportedCheck[];
}

export interface CheckExportByDateRangeRequest {
  startDate: Date;
  endDate: Date;
  transactionType?: 'SALE' | 'HOLD' | 'REFUND' | 'VOID' | 'SETTLED' | 'PENDING' | 'DECLINED' | 'RETURNED';
  customerId?: string;
  /** PayTrace's free-text search (our invoice id) */
  includingText?: string;
}

/** The ABA routing-number check digit: 3·d1 + 7·d2 + d3 + 3·d4 + 7·d5 + d6 + 3·d7 + 7·d8 + d9 ≡ 0 (mod 10). */
export function routingNumberValid(routing: string): boolean {
  if (!/^\d{9}$/.test(routing) || /^0+$/.test(routing)) return false;
  const weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  return weights.reduce((sum, w, i) => sum + w * (routing.charCodeAt(i) - 48), 0) % 10 === 0;
}

/** `check{account_number, routing_number}`, checked before the call so a typo never reaches PayTrace. */
export function bankAccountToWire(account: BankAccount): { check: Record<string, unknown> } {
  // the message never repeats the account number: it is sensitive
  if (!/^\d{4,17}$/.test(account.accountNumber.reveal())) throw invalidRequest('bankAccount.accountNumber', 'must be 4 to 17 digits');
  if (!routingNumberValid(account.routingNumber)) throw invalidRequest('bankAccount.routingNumber', 'must be nine digits with a valid ABA check digit');
  return { check: { account_number: account.accountNumber, routing_number: account.routingNumber } };
}

export function checkIdToWire(value: unknown): number {
  return transactionIdToWire(value, 'checkTransactionId');
}

export type CheckPaymentKind = 'sale' | 'hold';

export function checkByAccount(kind: CheckPaymentKind, request: CheckAccountRequest): MoneyRequest {
  const amount = usdAmount(request.amount);
  return {
    operation: `checks/${kind}/by_account`,
    path: `/v1/checks/${kind}/by_account`,
    amount,
    invoiceId: request.invoiceId,
    body: { amount, ...bankAccountToWire(request.bankAccount), ...extrasToWire(request) },
  };
}

export function checkByCustomer(kind: CheckPaymentKind, request: CheckCustomerRequest): MoneyRequest {
  const amount = usdAmount(request.amount);
  checkText('customerId', request.customerId, 50);
  return {
    operation: `checks/${kind}/by_customer`,
    path: `/v1/checks/${kind}/by_customer`,
    amount,
    customerId: request.customerId,
    invoiceId: request.invoiceId,
    body: dropUndefined({ amount, customer_id: request.customerId, ...extrasToWire(request) }),
  };
}

export function checkRefundByAccount(request: CheckAccountRequest): MoneyRequest {
  return { ...checkByAccount('sale', request), operation: 'checks/refund/by_account', path: '/v1/checks/refund/by_account' };
}

export function checkRefundByCustomer(request: CheckCustomerRequest): MoneyRequest {
  return { ...checkByCustomer('sale', request), operation: 'checks/refund/by_customer', path: '/v1/checks/refund/by_customer' };
}

export function checkRefundByTransaction(request: CheckRefundTransactionRequest): MoneyRequest {
  const checkTransactionId = checkIdToWire(request.checkTransactionId);
  const amount = request.amount === undefined ? undefined : usdAmount(request.amount);
  if (request.invoiceId !== undefined) checkText('invoiceId', request.invoiceId, 50);
  return {
    operation: 'checks/refund/by_transaction',
    path: '/v1/checks/refund/by_transaction',
    amount,
    checkTransactionId,
    invoiceId: request.invoiceId,
    body: dropUndefined({ check_transaction_id: checkTransactionId, amount, invoice_id: request.invoiceId }),
  };
}

export function checkFund(request: CheckFundRequest): MoneyRequest {
  const checkTransactionId = checkIdToWire(request.checkTransactionId);
  const amount = request.amount === undefined ? undefined : usdAmount(request.amount);
  return { operation: 'checks/manage/fund', path: '/v1/checks/manage/fund', amount, checkTransactionId, body: dropUndefined({ check_transaction_id: checkTransactionId, amount }) };
}

export function checkVoid(request: CheckVoidRequest): MoneyRequest {
  const checkTransactionId = checkIdToWire(request.checkTransactionId);
  return { operation: 'checks/manage/void', path: '/v1/checks/manage/void', checkTransactionId, body: { check_transaction_id: checkTransactionId } };
}

/** [inferred] path: the legacy API exported checks by CHECKID or date range; the v1 path is unconfirmed */
export function exportCheckById(checkTransactionId: number): WireRequest {
  return { path: '/v1/checks/export/by_id', body: { check_transaction_id: checkIdToWire(checkTransactionId) } };
}

/** [inferred] path, as exportCheckById */
export function exportChecksByDateRange(request: CheckExportByDateRangeRequest, timeZone?: string): WireRequest {
  return {
    path: '/v1/checks/export/by_date_range',
    body: dropUndefined({
      start_date: formatPayTraceDate(request.startDate, timeZone),
      end_date: formatPayTraceDate(request.endDate, timeZone),
      transaction_type: request.transactionType,
      customer_id: request.customerId,
      including_text: request.includingText,
    }),
  };
}

export function parseCheck(response: PayTraceHttpResponse): CheckResult {
  const { body } = response;
  return {
    ...readEnvelope(response),
    checkTransactionId: readInteger(body, 'check_transaction_id'),
    achCode: readString(body, 'ach_code'),
    achMessage: readString(body, 'ach_message')?.trim(),
  };
}

export function checkState(status: string, statusMessage: string): CheckState {
  const text = `${status} ${statusMessage}`.toLowerCase();
  if (/return/.test(text)) return 'returned';
  if (/void/.test(text)) return 'voided';
  if (/declin|not processed/.test(text)) return 'declined';
  if (/settled/.test(text)) return 'settled';
  if (/hold|held/.test(text)) return 'held';
  if (/pending/.test(text)) return 'pending_settlement';
  return 'unknown';
}

export function parseExportedCheck(record: Record<string, unknown>): ExportedCheck | undefined {
  const checkTransactionId = readInteger(record, 'check_transaction_id');
  if (checkTransactionId === undefined) return undefined;
  const status = readString(record, 'status') ?? '';
  const statusMessage = readString(record, 'status_message') ?? '';
  const account = typeof record.check === 'object' && record.check !== null ? (record.check as Record<string, unknown>) : {};
  const created = typeof record.created === 'object' && record.created !== null ? readString(record.created as Record<string, unknown>, 'at') : readString(record, 'created');
  const returnCode = readString(record, 'return_code');
  const settled = readString(record, 'settled');
  const { amount, refused } = readWireAmount(record.amount);
  return {
    checkTransactionId,
    amount,
    ...(refused ? { amountRefused: refused } : {}),
    transactionType: readString(record, 'transaction_type'),
    state: checkState(status, statusMessage),
    statusMessage,
    invoiceId: readString(record, 'invoice_id') || undefined,
    customerId: readString(record, 'customer_id') || undefined,
    maskedAccountNumber: readString(account, 'masked_account_number'),
    routingNumber: readString(account, 'routing_number'),
    returnCode: returnCode || undefined,
    createdAt: created,
    settledAt: settled || undefined,
    originalCheckTransactionId: readInteger(record, 'original_check_transaction_id'),
    raw: record,
  };
}

export function parseCheckExport(response: PayTraceHttpResponse): CheckExportResult {
  const envelope = readEnvelope(response);
  const list = Array.isArray(response.body.checks) ? response.body.checks : [];
  const checks = list
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map(parseExportedCheck)
    .filter((c): c is ExportedCheck => c !== undefined);
  // like the transaction export: the response_code is undocumented, a success:true body with a list is a good answer
  const ok = response.body.success === true && Array.isArray(response.body.checks);
  return { ...envelope, outcome: ok ? 'approved' : envelope.outcome, approved: ok || envelope.approved, checks };
}
