export {
  PayTraceClient, expectApproved, lookupQueryFor, checkLookupQueryFor,
  type PayTraceClientOptions, type LookupQuery, type LookupResult, type CheckLookupQuery, type CheckLookupResult,
} from './client';
export { PayTraceTransport, type PayTraceTransportOptions, type PayTraceHttpResponse } from './transport';
export { PayTraceErrorCode, PayTraceTransportError, UnknownOutcomeError, type SentMoneyMovement } from './errors';
export { responseCodes, errorKeys, useStatusMap, classify, fieldErrorsOf, type OutcomeClass, type FieldError } from './codes';
export { usdAmount, amountFromWire, toCents, fromCents, type UsdAmount } from './money';
export { payTraceModule, payTraceClientFromConfig } from './module';
export type { PayTraceResult, BillingAddress, TransactionExtras } from './transformers/common';
export type { KeyedCard, ProtectTokens } from './transformers/card';
export type * from './transformers/transactions';
export type { ExportedTransaction, ExportResult, SettlementState, ExportByDateRangeRequest } from './transformers/exports';
export type { BatchSummary, BatchResult, BatchListResult, BatchTransactionsResult } from './transformers/batches';
export type {
  BankAccount, CheckAccountRequest, CheckCustomerRequest, CheckRefundTransactionRequest, CheckFundRequest, CheckVoidRequest,
  CheckResult, CheckState, ExportedCheck, CheckExportResult, CheckExportByDateRangeRequest,
} from './transformers/checks';
export type { CustomerResult, CustomerExportResult, ExportedCustomer, KeyedCustomerRequest, ProtectCustomerRequest, BankCustomerRequest, UpdateCustomerRequest } from './transformers/customers';
