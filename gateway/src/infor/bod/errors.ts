import { AppError } from '../../errors';

/** Why a BOD was refused. Every code is `business` (the sender must fix the document); see docs/errors.md. */
export type BodErrorCode =
  | 'BOD_TOO_LARGE'
  | 'BOD_DOCTYPE_REFUSED'
  | 'BOD_MALFORMED_XML'
  | 'BOD_TOO_DEEP'
  | 'BOD_WRONG_NAMESPACE'
  | 'BOD_NOT_A_BOD'
  | 'BOD_MISSING_FIELD'
  | 'BOD_INVALID_VALUE'
  | 'BOD_UNKNOWN_NOUN';

const STATUS: Record<BodErrorCode, number> = {
  BOD_TOO_LARGE: 413,
  BOD_DOCTYPE_REFUSED: 400,
  BOD_MALFORMED_XML: 400,
  BOD_TOO_DEEP: 400,
  BOD_WRONG_NAMESPACE: 400,
  BOD_NOT_A_BOD: 400,
  BOD_MISSING_FIELD: 400,
  BOD_INVALID_VALUE: 400,
  BOD_UNKNOWN_NOUN: 422,
};

export class BodError extends AppError {
  constructor(code: BodErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, { code, errorClass: 'business', httpStatus: STATUS[code], details, cause });
    this.name = 'BodError';
  }
}
