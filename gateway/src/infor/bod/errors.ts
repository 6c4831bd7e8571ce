import { AppError, ERROR_CODES } from '../../errors';

/** Why a BOD was refused; class and HTTP status come from the error code registry (docs/errors.md). */
export type BodErrorCode =
  | 'BOD_TOO_LARGE'
  | 'BOD_DOCTYPE_REFUSED'
  | 'BOD_MALFORMED_XML'
  | 'BOD_TOO_DEEP'
  | 'BOD_WRONG_NAMESPACE'
  | 'BOD_NOT_A_BOD'
  | 'BOD_MISSING_FIELD'
  | 'BOD_INVALID_VALUE'
  | 'BOD_UNKNOWN_NOUN'
  | 'BOD_ENCODING_INVALID'
  | 'BOD_CARD_DATA_REFUSED';

export class BodError extends AppError {
  constructor(code: BodErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown) {
    const { errorClass, httpStatus } = ERROR_CODES[code];
    super(message, { code, errorClass, httpStatus: httpStatus ?? undefined, details, cause });
    this.name = 'BodError';
  }
}
