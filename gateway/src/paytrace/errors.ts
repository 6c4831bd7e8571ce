import { AppError, type ErrorClass } from '../errors';

/**
 * Error codes of the PayTrace connector (docs/errors.md). Declines and field errors
 * are results, not errors: these are for what is not an answer from PayTrace, and for
 * callers that ask to throw on a non-approval (`expectApproved`).
 */
export const PayTraceErrorCode = {
  timeout: 'PAYTRACE_TIMEOUT',
  serverError: 'PAYTRACE_SERVER_ERROR',
  rateLimited: 'PAYTRACE_RATE_LIMITED',
  connection: 'PAYTRACE_CONNECTION',
  badResponse: 'PAYTRACE_BAD_RESPONSE',
  invalidCredentials: 'PAYTRACE_INVALID_CREDENTIALS',
  tokenRejected: 'PAYTRACE_TOKEN_REJECTED',
  notConfigured: 'PAYTRACE_NOT_CONFIGURED',
  keyedCardDisabled: 'PAYTRACE_KEYED_CARD_DISABLED',
  invalidRequest: 'PAYTRACE_INVALID_REQUEST',
  invalidAmount: 'PAYTRACE_INVALID_AMOUNT',
  unknownOutcome: 'PAYTRACE_UNKNOWN_OUTCOME',
  rejected: 'PAYTRACE_REJECTED',
  declined: 'PAYTRACE_DECLINED',
} as const;

export function payTraceError(message: string, code: string, errorClass: ErrorClass, details?: Record<string, unknown>, cause?: unknown): AppError {
  return new AppError(message, { code, errorClass, details, cause, httpStatus: errorClass === 'business' ? 422 : undefined });
}

/** A transport failure; `maybeProcessed` says whether PayTrace may have acted on the request. */
export class PayTraceTransportError extends AppError {
  constructor(
    message: string,
    code: string,
    readonly maybeProcessed: boolean,
    details: Record<string, unknown>,
    cause?: unknown,
  ) {
    super(message, { code, errorClass: 'transient', details: { ...details, maybeProcessed }, cause });
    this.name = 'PayTraceTransportError';
  }
}

/** What we sent, for the lookup after an unknown outcome. No card or bank data: ids and amounts only. */
export interface SentMoneyMovement {
  /** e.g. `sale/pt_protect`, `refund/for_transaction`, `checks/sale/by_account` (checks start with `checks/`) */
  operation: string;
  path: string;
  amount?: string;
  transactionId?: number;
  /** the check (ACH) a fund, void or refund acted on */
  checkTransactionId?: number;
  customerId?: string;
  invoiceId?: string;
  /** when we sent it, so a date-range lookup knows where to search */
  sentAt: Date;
}

/**
 * A money movement (sale, authorization, capture, void, refund — of a card or a check) whose
 * result we did not get: timeout, 5xx, dropped connection, or an answer we cannot read. PayTrace
 * v1 has no idempotency keys, so it MAY have happened. Never retry blindly: look it up
 * (`lookupQueryFor` + `client.lookupTransaction` for cards, `checkLookupQueryFor` +
 * `client.lookupCheck` for checks) and decide from what PayTrace has. Classified transient so a job retries, and the
 * retry must begin with the lookup.
 */
export class UnknownOutcomeError extends AppError {
  constructor(
    readonly sent: SentMoneyMovement,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`PayTrace ${sent.operation} outcome unknown (${reason}): look it up before any retry`, {
      code: PayTraceErrorCode.unknownOutcome,
      errorClass: 'transient',
      details: { sent: { ...sent, sentAt: sent.sentAt.toISOString() } },
      cause,
    });
    this.name = 'UnknownOutcomeError';
  }
}
