import type { Secret } from '../config/secret';
import { addToContext } from '../observability/context';
import { PayTraceErrorCode, PayTraceTransportError, UnknownOutcomeError, payTraceError, type SentMoneyMovement } from './errors';
import type { PayTraceHttpResponse, PayTraceTransport } from './transport';
import * as batches from './transformers/batches';
import * as checks from './transformers/checks';
import type { PayTraceResult, WireRequest } from './transformers/common';
import * as customers from './transformers/customers';
import * as txExports from './transformers/exports';
import * as protect from './transformers/protect';
import * as tx from './transformers/transactions';

export interface PayTraceClientOptions {
  /**
   * Allow operations that send a card number or CSC in clear (keyed sale/authorization,
   * keyed customer create/update). ONLY for tests against the simulator: the gateway's
   * configuration never sets it, so production code cannot forward card data.
   */
  allowKeyedCard?: boolean;
  /** time zone of the merchant's PayTrace account, for MM/DD/YYYY dates (default UTC) */
  timeZone?: string;
  /** days searched either side of `around` in an invoice-id lookup (default 1) */
  lookupWindowDays?: number;
}

/** Find a money movement whose outcome we did not see. */
export type LookupQuery =
  | { transactionId: number }
  | { invoiceId: string; around: Date }
  /** a refund/for_transaction (it takes no invoice_id): REFUND records pointing at the original */
  | { refundOf: number; around: Date };

export type LookupResult =
  | { found: false }
  /** `transactions` has every match (a blind retry might have made two); `transaction` is the newest */
  | { found: true; transaction: txExports.ExportedTransaction; transactions: txExports.ExportedTransaction[] };

/** Find a check (ACH) movement whose outcome we did not see. */
export type CheckLookupQuery =
  | { checkTransactionId: number }
  | { invoiceId: string; around: Date }
  /** a refund/by_transaction: REFUND records pointing at the original check */
  | { refundOf: number; around: Date };

export type CheckLookupResult =
  | { found: false }
  /** `checks` has every match (a blind retry might have made two); `check` is the newest */
  | { found: true; check: checks.ExportedCheck; checks: checks.ExportedCheck[] };

const DAY_MS = 24 * 60 * 60 * 1000;

const isCheckOperation = (sent: SentMoneyMovement) => sent.operation.startsWith('checks/');

/**
 * How to find a lost money movement: capture and void by the transaction they act on, a
 * refund of a transaction by the REFUND records pointing at it, everything else (sales,
 * authorizations, refunds to a customer) by our invoice id around the time it was sent.
 * Undefined when the request carried no reference: the flow cannot decide, so it parks the
 * step for an operator instead of charging twice.
 */
export function lookupQueryFor(sent: SentMoneyMovement): LookupQuery | undefined {
  if (isCheckOperation(sent)) return undefined; // checks have their own ids and export: checkLookupQueryFor
  if (sent.operation === 'refund/for_transaction' && sent.transactionId !== undefined) return { refundOf: sent.transactionId, around: sent.sentAt };
  if (sent.transactionId !== undefined) return { transactionId: sent.transactionId };
  if (sent.invoiceId !== undefined) return { invoiceId: sent.invoiceId, around: sent.sentAt };
  return undefined;
}

/**
 * The same rule for checks (ACH): fund and void by the check they act on, a refund of a check by the
 * REFUND records pointing at it, sales, holds and other refunds by our invoice id around the time sent.
 * Undefined for a card movement, or when the request carried no reference (park it for an operator).
 */
export function checkLookupQueryFor(sent: SentMoneyMovement): CheckLookupQuery | undefined {
  if (!isCheckOperation(sent)) return undefined;
  if (sent.operation === 'checks/refund/by_transaction' && sent.checkTransactionId !== undefined) return { refundOf: sent.checkTransactionId, around: sent.sentAt };
  if (sent.checkTransactionId !== undefined) return { checkTransactionId: sent.checkTransactionId };
  if (sent.invoiceId !== undefined) return { invoiceId: sent.invoiceId, around: sent.sentAt };
  return undefined;
}

/**
 * One method per PayTrace v1 operation. Every PayTrace answer comes back as a result
 * whose `outcome` says what happened (approved, declined, auto_voided, validation_error,
 * not_found, duplicate, state_error, …): a decline is a result, not an exception.
 * Exceptions are for what is not an answer: AppError transient (timeout, 5xx, connection),
 * configuration (bad credentials, keyed card not allowed), business (amount refused
 * before the call), and UnknownOutcomeError for a money movement whose answer was lost.
 */
export class PayTraceClient {
  readonly #transport: PayTraceTransport;
  readonly #options: PayTraceClientOptions;

  constructor(transport: PayTraceTransport, options: PayTraceClientOptions = {}) {
    this.#transport = transport;
    this.#options = options;
  }

  get transport(): PayTraceTransport {
    return this.#transport;
  }

  // ---- sales and authorizations -------------------------------------------------------

  /** TEST ONLY (needs allowKeyedCard): a sale with a card number in clear. */
  async saleKeyed(request: tx.KeyedChargeRequest): Promise<tx.TransactionResult> {
    this.#assertKeyedAllowed('saleKeyed');
    return this.#money(tx.keyedCharge('sale', request));
  }

  async saleByCustomer(request: tx.CustomerChargeRequest): Promise<tx.TransactionResult> {
    return this.#money(tx.customerCharge('sale', request));
  }

  /** A sale with the hpf_token + enc_key the pay page got from PayTrace Protect. */
  async saleProtect(request: tx.ProtectChargeRequest): Promise<tx.TransactionResult> {
    return this.#money(tx.protectCharge('sale', request));
  }

  /** TEST ONLY (needs allowKeyedCard). */
  async authorizeKeyed(request: tx.KeyedChargeRequest): Promise<tx.TransactionResult> {
    this.#assertKeyedAllowed('authorizeKeyed');
    return this.#money(tx.keyedCharge('authorization', request));
  }

  async authorizeByCustomer(request: tx.CustomerChargeRequest): Promise<tx.TransactionResult> {
    return this.#money(tx.customerCharge('authorization', request));
  }

  async authorizeProtect(request: tx.ProtectChargeRequest): Promise<tx.TransactionResult> {
    return this.#money(tx.protectCharge('authorization', request));
  }

  async capture(request: tx.CaptureRequest): Promise<tx.TransactionResult> {
    return this.#money(tx.capture(request));
  }

  /** Void an unsettled transaction (after settlement PayTrace refuses; refund instead). */
  async voidTransaction(request: tx.VoidRequest): Promise<tx.TransactionResult> {
    return this.#money(tx.voidTransaction(request));
  }

  /** Refund a settled transaction; an unsettled one gives outcome state_error (error 817): void it. */
  async refundTransaction(request: tx.RefundTransactionRequest): Promise<tx.TransactionResult> {
    return this.#money(tx.refundTransaction(request));
  }

  async refundToCustomer(request: tx.RefundCustomerRequest): Promise<tx.TransactionResult> {
    return this.#money(tx.refundToCustomer(request));
  }

  async emailReceipt(request: tx.EmailReceiptRequest): Promise<PayTraceResult> {
    return tx.parseTransaction(await this.#call(tx.emailReceipt(request)));
  }

  /** Force settlement of the open batch (what PayTrace's sandbox offers for tests). */
  async settle(): Promise<PayTraceResult> {
    return tx.parseTransaction(await this.#call(tx.settle()));
  }

  // ---- checks (ACH) ------------------------------------------------------------------------
  // Same outcome model as cards: 120/122/124 approved, 125 declined, `1` + errors (30, 45, 46, 80, 817);
  // a lost answer is an UnknownOutcomeError to look up with checkLookupQueryFor + lookupCheck.

  /** Debit a bank account (it settles with the next settlement; void it before, refund it after). */
  async checkSaleByAccount(request: checks.CheckAccountRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkByAccount('sale', request));
  }

  /** Debit the bank account of a vault profile. */
  async checkSaleByCustomer(request: checks.CheckCustomerRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkByCustomer('sale', request));
  }

  /** Hold an amount on a bank account: nothing moves until `checkFund` releases it (or `checkVoid` drops it). */
  async checkHoldByAccount(request: checks.CheckAccountRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkByAccount('hold', request));
  }

  async checkHoldByCustomer(request: checks.CheckCustomerRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkByCustomer('hold', request));
  }

  /** Refund (part of) a settled check; an unsettled one gives outcome state_error (817): void it instead. */
  async checkRefundByTransaction(request: checks.CheckRefundTransactionRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkRefundByTransaction(request));
  }

  /** Credit a bank account without an earlier check. */
  async checkRefundByAccount(request: checks.CheckAccountRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkRefundByAccount(request));
  }

  async checkRefundByCustomer(request: checks.CheckCustomerRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkRefundByCustomer(request));
  }

  /** Release (fund) a hold, all of it or less. */
  async checkFund(request: checks.CheckFundRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkFund(request));
  }

  /** Void a check that has not settled (sale, hold or refund). */
  async checkVoid(request: checks.CheckVoidRequest): Promise<checks.CheckResult> {
    return this.#check(checks.checkVoid(request));
  }

  async exportCheckById(checkTransactionId: number): Promise<checks.CheckExportResult> {
    return checks.parseCheckExport(await this.#call(checks.exportCheckById(checkTransactionId)));
  }

  async exportChecksByDateRange(request: checks.CheckExportByDateRangeRequest): Promise<checks.CheckExportResult> {
    return checks.parseCheckExport(await this.#call(checks.exportChecksByDateRange(request, this.#options.timeZone)));
  }

  /**
   * After an UnknownOutcomeError on a check: what does PayTrace have? By check id (fund, void), the
   * REFUND records pointing at the check (refund by transaction), else our invoice id around the time
   * sent. `found: false` means PayTrace did not record it: the movement may be sent again; found:
   * decide from `check.state` (a fund that happened shows `pending_settlement`, a void `voided`).
   */
  async lookupCheck(query: CheckLookupQuery): Promise<CheckLookupResult> {
    if ('checkTransactionId' in query) {
      const result = await this.exportCheckById(query.checkTransactionId);
      if (!result.approved && result.outcome !== 'not_found') throw lookupFailed(result);
      const match = result.checks.filter((c) => c.checkTransactionId === query.checkTransactionId);
      return match.length ? { found: true, check: match[0]!, checks: match } : { found: false };
    }
    const window = (this.#options.lookupWindowDays ?? 1) * DAY_MS;
    const range = { startDate: new Date(query.around.getTime() - window), endDate: new Date(query.around.getTime() + window) };
    const result = 'refundOf' in query ? await this.exportChecksByDateRange({ ...range, transactionType: 'REFUND' }) : await this.exportChecksByDateRange({ ...range, includingText: query.invoiceId });
    if (!result.approved && result.outcome !== 'not_found') throw lookupFailed(result);
    const matches = result.checks
      .filter((c) => ('refundOf' in query ? c.originalCheckTransactionId === query.refundOf : c.invoiceId === query.invoiceId))
      .sort((a, b) => b.checkTransactionId - a.checkTransactionId);
    return matches.length ? { found: true, check: matches[0]!, checks: matches } : { found: false };
  }

  // ---- exports ---------------------------------------------------------------------------

  async exportTransactionById(transactionId: number, options: { includeBin?: boolean } = {}): Promise<txExports.ExportResult> {
    return txExports.parseExport(await this.#call(txExports.exportById(transactionId, options.includeBin)));
  }

  async exportTransactionsByDateRange(request: txExports.ExportByDateRangeRequest): Promise<txExports.ExportResult> {
    return txExports.parseExport(await this.#call(txExports.exportByDateRange(request, this.#options.timeZone)));
  }

  async exportBatch(batchNumber?: number): Promise<batches.BatchResult> {
    return batches.parseBatchResult(await this.#call(batches.exportOneBatch(batchNumber)));
  }

  async exportBatches(startDate: Date, endDate: Date): Promise<batches.BatchListResult> {
    return batches.parseBatchList(await this.#call(batches.exportBatches(startDate, endDate, this.#options.timeZone)));
  }

  async batchTransactions(batchNumber: number): Promise<batches.BatchTransactionsResult> {
    return batches.parseBatchTransactions(await this.#call(batches.batchTransactionList(batchNumber)));
  }

  /**
   * After an UnknownOutcomeError: what does PayTrace have? By id when we know it (capture,
   * void, refund of a known transaction), else by date range around the time we sent it,
   * keeping the records whose `invoice_id` is our reference. `found: false` means PayTrace
   * did not record it: the movement may be sent again. Found: decide from its `state`
   * (and treat a declined record as "not paid"). Never resend a money movement without
   * this lookup — PayTrace v1 has no idempotency key.
   */
  async lookupTransaction(query: LookupQuery): Promise<LookupResult> {
    let result: txExports.ExportResult;
    if ('transactionId' in query) {
      result = await this.exportTransactionById(query.transactionId);
      if (!result.approved && result.outcome !== 'not_found') throw lookupFailed(result);
      const match = result.transactions.filter((t) => t.transactionId === query.transactionId);
      return match.length ? { found: true, transaction: match[0]!, transactions: match } : { found: false };
    }
    const window = (this.#options.lookupWindowDays ?? 1) * DAY_MS;
    if ('refundOf' in query) {
      result = await this.exportTransactionsByDateRange({ startDate: new Date(query.around.getTime() - window), endDate: new Date(query.around.getTime() + window), transactionType: 'REFUND' });
      if (!result.approved && result.outcome !== 'not_found') throw lookupFailed(result);
      // original_transaction_id is how the record names the refunded sale [inferred: not in the reference]
      const refunds = result.transactions.filter((t) => Number(t.raw.original_transaction_id) === query.refundOf).sort((a, b) => b.transactionId - a.transactionId);
      return refunds.length ? { found: true, transaction: refunds[0]!, transactions: refunds } : { found: false };
    }
    result = await this.exportTransactionsByDateRange({
      startDate: new Date(query.around.getTime() - window),
      endDate: new Date(query.around.getTime() + window),
      includingText: query.invoiceId,
    });
    if (!result.approved && result.outcome !== 'not_found') throw lookupFailed(result);
    const matches = result.transactions.filter((t) => t.invoiceId === query.invoiceId).sort((a, b) => b.transactionId - a.transactionId);
    return matches.length ? { found: true, transaction: matches[0]!, transactions: matches } : { found: false };
  }

  // ---- customer vault ----------------------------------------------------------------------

  /** TEST ONLY (needs allowKeyedCard): a vault profile from a card in clear. */
  async createCustomer(request: customers.KeyedCustomerRequest): Promise<customers.CustomerResult> {
    this.#assertKeyedAllowed('createCustomer');
    return customers.parseCustomer(await this.#call(customers.createCustomer(request)));
  }

  /** A vault profile holding a bank account, for checks by customer. */
  async createCustomerWithBankAccount(request: customers.BankCustomerRequest): Promise<customers.CustomerResult> {
    return customers.parseCustomer(await this.#call(customers.createCustomerWithBankAccount(request)));
  }

  /** A vault profile from Protect tokens (the card never touches the gateway). */
  async createCustomerProtect(request: customers.ProtectCustomerRequest): Promise<customers.CustomerResult> {
    return customers.parseCustomer(await this.#call(customers.createCustomerProtect(request)));
  }

  async updateCustomer(request: customers.UpdateCustomerRequest): Promise<customers.CustomerResult> {
    if (request.card) this.#assertKeyedAllowed('updateCustomer with a card');
    return customers.parseCustomer(await this.#call(customers.updateCustomer(request)));
  }

  /** Replace a profile's card with Protect tokens. */
  async updateCustomerProtect(request: Parameters<typeof customers.updateCustomerProtect>[0]): Promise<customers.CustomerResult> {
    return customers.parseCustomer(await this.#call(customers.updateCustomerProtect(request)));
  }

  async deleteCustomer(customerId: string): Promise<customers.CustomerResult> {
    return customers.parseCustomer(await this.#call(customers.deleteCustomer(customerId)));
  }

  /** All profiles, or the one with `customerId` (an empty list when it does not exist). */
  async exportCustomers(customerId?: string): Promise<customers.CustomerExportResult> {
    return customers.parseCustomerExport(await this.#call(customers.exportCustomers(customerId)));
  }

  // ---- Protect ------------------------------------------------------------------------------

  /** The client key a pay page hands to PTPayment.setup({authorization:{clientKey}}). */
  async paymentFieldsToken(): Promise<{ clientKey: Secret }> {
    const response = await this.#call(protect.paymentFieldsToken());
    const clientKey = protect.parseClientKey(response);
    if (!clientKey) {
      const envelope = tx.parseTransaction(response);
      throw payTraceError(`PayTrace did not issue a Protect client key (HTTP ${response.status}, ${envelope.statusMessage || 'no message'})`, PayTraceErrorCode.badResponse, response.status === 401 || response.status === 403 ? 'configuration' : 'transient', { status: response.status, responseCode: envelope.responseCode });
    }
    return { clientKey };
  }

  // ---- plumbing ---------------------------------------------------------------------------

  #call(request: WireRequest) {
    return this.#transport.post(request.path, request.body);
  }

  /**
   * A money movement: a lost answer becomes UnknownOutcomeError (carrying what we sent),
   * and so does an answer whose code we do not know. Only a refused connection is an
   * ordinary transient error: PayTrace never saw that request.
   */
  async #money(request: tx.MoneyRequest): Promise<tx.TransactionResult> {
    const result = await this.#movement(request, tx.parseTransaction);
    if (result.transactionId !== undefined) addToContext({ paytraceTransactionId: result.transactionId });
    return result;
  }

  async #check(request: tx.MoneyRequest): Promise<checks.CheckResult> {
    const result = await this.#movement(request, checks.parseCheck);
    if (result.checkTransactionId !== undefined) addToContext({ paytraceCheckTransactionId: result.checkTransactionId });
    return result;
  }

  async #movement<R extends PayTraceResult>(request: tx.MoneyRequest, parse: (response: PayTraceHttpResponse) => R): Promise<R> {
    const sent: SentMoneyMovement = {
      operation: request.operation,
      path: request.path,
      amount: request.amount,
      transactionId: request.transactionId,
      checkTransactionId: request.checkTransactionId,
      customerId: request.customerId,
      invoiceId: request.invoiceId,
      sentAt: new Date(),
    };
    let result: R;
    try {
      result = parse(await this.#call(request));
    } catch (err) {
      if (err instanceof PayTraceTransportError && err.maybeProcessed) throw new UnknownOutcomeError(sent, err);
      throw err;
    }
    if (result.outcome === 'unrecognized') {
      throw new UnknownOutcomeError(sent, new Error(`unrecognized response_code ${result.responseCode} (success=${String(result.approved)}): ${result.statusMessage}`));
    }
    return result;
  }

  #assertKeyedAllowed(operation: string): void {
    if (!this.#options.allowKeyedCard) {
      throw payTraceError(`${operation} sends a card number in clear and is disabled: the gateway only takes cards through PayTrace Protect`, PayTraceErrorCode.keyedCardDisabled, 'configuration');
    }
  }
}

function lookupFailed(result: PayTraceResult) {
  return payTraceError(`PayTrace transaction lookup failed: ${result.statusMessage} (${result.responseCode})`, PayTraceErrorCode.rejected, 'transient', { responseCode: result.responseCode, fieldErrors: result.fieldErrors });
}

/**
 * For flows that only go on when PayTrace said yes: throws a business AppError with the
 * field-level messages otherwise (code PAYTRACE_DECLINED for declines and auto-voids,
 * PAYTRACE_REJECTED for the rest; a permission error is a configuration problem).
 */
export function expectApproved<T extends PayTraceResult>(result: T, what = 'PayTrace call'): T & { approved: true } {
  if (result.approved) return result as T & { approved: true };
  const declined = result.outcome === 'declined' || result.outcome === 'auto_voided';
  const message = `${what} ${declined ? 'declined' : 'rejected'}: ${result.statusMessage}${result.fieldErrors.length ? ` (${result.fieldErrors.map((e) => `${e.code} ${e.message}`).join('; ')})` : ''}`;
  throw payTraceError(message, declined ? PayTraceErrorCode.declined : PayTraceErrorCode.rejected, result.outcome === 'permission_error' ? 'configuration' : 'business', {
    outcome: result.outcome,
    responseCode: result.responseCode,
    fieldErrors: result.fieldErrors.map((e) => ({ field: e.field, message: e.message, code: e.code })),
  });
}
