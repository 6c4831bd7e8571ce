import type { Secret } from '../../config/secret';
import { usdAmount, type UsdAmount } from '../money';
import type { PayTraceHttpResponse } from '../transport';
import { cardToWire, protectToWire, type KeyedCard, type ProtectTokens } from './card';
import {
  checkText, dropUndefined, extrasToWire, readEnvelope, readInteger, readString, transactionIdToWire,
  type PayTraceResult, type TransactionExtras, type WireRequest,
} from './common';

/** Sales and authorizations: one request shape per card source. */
export type ChargeKind = 'sale' | 'authorization';

export interface KeyedChargeRequest extends TransactionExtras {
  amount: string;
  card: KeyedCard;
}

export interface CustomerChargeRequest extends TransactionExtras {
  amount: string;
  customerId: string;
  csc?: Secret;
}

export interface ProtectChargeRequest extends TransactionExtras {
  amount: string;
  tokens: ProtectTokens;
}

export interface CaptureRequest {
  transactionId: number;
  /** omit to capture the whole authorization; less gives a partial capture */
  amount?: string;
  invoiceId?: string;
}

export interface VoidRequest {
  transactionId: number;
}

export interface RefundTransactionRequest {
  transactionId: number;
  /** omit to refund the whole (settled) transaction; less gives a partial refund */
  amount?: string;
}

export interface RefundCustomerRequest extends TransactionExtras {
  customerId: string;
  amount: string;
}

export interface EmailReceiptRequest {
  transactionId: number;
  email: string;
}

/** The answer to a transaction call (reference §3.2): which fields come back depends on the call. */
export interface TransactionResult extends PayTraceResult {
  /** declined sales get one too */
  transactionId?: number;
  approvalCode?: string;
  /** the processor's text, leading spaces trimmed, e.g. "DECLINE - Do not honor" */
  approvalMessage?: string;
  avsResponse?: string;
  cscResponse?: string;
  externalTransactionId?: string;
  maskedCardNumber?: string;
}

/** A wire request plus what the unknown-outcome lookup needs to know about it. */
export interface MoneyRequest extends WireRequest {
  operation: string;
  amount?: UsdAmount;
  transactionId?: number;
  /** the check (ACH) a fund, void or refund acts on */
  checkTransactionId?: number;
  customerId?: string;
  invoiceId?: string;
}

export function keyedCharge(kind: ChargeKind, request: KeyedChargeRequest): MoneyRequest {
  const amount = usdAmount(request.amount);
  return {
    operation: `${kind}/keyed`,
    path: `/v1/transactions/${kind}/keyed`,
    amount,
    invoiceId: request.invoiceId,
    body: { amount, ...cardToWire(request.card), ...extrasToWire(request) },
  };
}

export function customerCharge(kind: ChargeKind, request: CustomerChargeRequest): MoneyRequest {
  const amount = usdAmount(request.amount);
  checkText('customerId', request.customerId, 50);
  return {
    operation: `${kind}/by_customer`,
    path: `/v1/transactions/${kind}/by_customer`,
    amount,
    customerId: request.customerId,
    invoiceId: request.invoiceId,
    body: dropUndefined({ amount, customer_id: request.customerId, csc: request.csc, ...extrasToWire(request) }),
  };
}

export function protectCharge(kind: ChargeKind, request: ProtectChargeRequest): MoneyRequest {
  const amount = usdAmount(request.amount);
  return {
    operation: `${kind}/pt_protect`,
    path: `/v1/transactions/${kind}/pt_protect`,
    amount,
    invoiceId: request.invoiceId,
    body: { amount, ...protectToWire(request.tokens), ...extrasToWire(request) },
  };
}

export function capture(request: CaptureRequest): MoneyRequest {
  const transactionId = transactionIdToWire(request.transactionId);
  const amount = request.amount === undefined ? undefined : usdAmount(request.amount);
  if (request.invoiceId !== undefined) checkText('invoiceId', request.invoiceId, 50);
  return {
    operation: 'authorization/capture',
    path: '/v1/transactions/authorization/capture',
    amount,
    transactionId,
    invoiceId: request.invoiceId,
    body: dropUndefined({ transaction_id: transactionId, amount, invoice_id: request.invoiceId }),
  };
}

export function voidTransaction(request: VoidRequest): MoneyRequest {
  const transactionId = transactionIdToWire(request.transactionId);
  return { operation: 'void', path: '/v1/transactions/void', transactionId, body: { transaction_id: transactionId } };
}

export function refundTransaction(request: RefundTransactionRequest): MoneyRequest {
  const transactionId = transactionIdToWire(request.transactionId);
  const amount = request.amount === undefined ? undefined : usdAmount(request.amount);
  return {
    operation: 'refund/for_transaction',
    path: '/v1/transactions/refund/for_transaction',
    amount,
    transactionId,
    body: dropUndefined({ transaction_id: transactionId, amount }),
  };
}

export function refundToCustomer(request: RefundCustomerRequest): MoneyRequest {
  const amount = usdAmount(request.amount);
  checkText('customerId', request.customerId, 50);
  return {
    operation: 'refund/to_customer',
    path: '/v1/transactions/refund/to_customer',
    amount,
    customerId: request.customerId,
    invoiceId: request.invoiceId,
    body: dropUndefined({ amount, customer_id: request.customerId, ...extrasToWire(request) }),
  };
}

export function emailReceipt(request: EmailReceiptRequest): WireRequest {
  const transactionId = transactionIdToWire(request.transactionId);
  checkText('email', request.email, 254);
  return { path: '/v1/transactions/email_receipt', body: { transaction_id: transactionId, email: request.email } };
}

export function settle(): WireRequest {
  return { path: '/v1/transactions/settle', body: {} };
}

export function parseTransaction(response: PayTraceHttpResponse): TransactionResult {
  const { body } = response;
  const approvalMessage = readString(body, 'approval_message');
  return {
    ...readEnvelope(response),
    transactionId: readInteger(body, 'transaction_id'),
    approvalCode: readString(body, 'approval_code'),
    approvalMessage: approvalMessage?.trim(),
    avsResponse: readString(body, 'avs_response'),
    cscResponse: readString(body, 'csc_response'),
    externalTransactionId: readString(body, 'external_transaction_id'),
    maskedCardNumber: readString(body, 'masked_card_number'),
  };
}
