import type { z } from 'zod';
import { AppError } from '../errors';

/** A 422 with one field-level message per zod issue (shown in problem JSON `errors`). */
export function invalidRequest(code: string, message: string, error: z.ZodError): AppError {
  return new AppError(message, {
    code,
    errorClass: 'business',
    httpStatus: 422,
    details: { fieldErrors: error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) },
  });
}
