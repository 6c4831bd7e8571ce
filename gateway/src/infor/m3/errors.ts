import { AppError } from '../../errors';

export interface M3ErrorInfo {
  program: string;
  transaction: string;
  /** M3 message id, e.g. XIM0002, XAU0008, CPF9898 */
  m3Code?: string;
  /** the field M3 blames, e.g. CUNO */
  field?: string;
  /** ServerReturnedNOK | TransactionNotFound | MandatoryInputFieldNotFound | InputFieldTooLong | … */
  type?: string;
}

/** M3 said no (validation, missing record, not authorized for the company): do not retry. */
export class M3BusinessError extends AppError {
  readonly m3: M3ErrorInfo;
  constructor(message: string, info: M3ErrorInfo) {
    const code = info.type === 'TransactionNotFound' ? 'M3_TRANSACTION_NOT_FOUND' : 'M3_NOK';
    super(message, { code, errorClass: code === 'M3_NOK' ? 'business' : 'configuration', httpStatus: 422, details: { ...info } });
    this.name = 'M3BusinessError';
    this.m3 = info;
  }
}

/**
 * M3 could not be reached or did not answer in time (timeout, 5xx, 429, connection). For a write
 * `unknownOutcome` is true when the request may have been executed: look it up before any retry.
 */
export class M3TransientError extends AppError {
  constructor(
    message: string,
    code: 'M3_TIMEOUT' | 'M3_UNAVAILABLE' | 'M3_RATE_LIMITED' | 'M3_CONNECTION' | 'M3_BAD_RESPONSE',
    details: { program: string; transaction: string; status?: number; unknownOutcome: boolean; retryAfterMs?: number },
    cause?: unknown,
  ) {
    super(message, { code, errorClass: 'transient', details, cause });
    this.name = 'M3TransientError';
  }
}

/** The ION API gateway refused our token even after a fresh one (401), or forbids the call (403). */
export class M3AuthError extends AppError {
  constructor(message: string, details: { program: string; transaction: string; status: number }) {
    super(message, { code: details.status === 403 ? 'M3_FORBIDDEN' : 'M3_AUTH_FAILED', errorClass: 'configuration', details });
    this.name = 'M3AuthError';
  }
}
