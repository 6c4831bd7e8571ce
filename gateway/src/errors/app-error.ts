/**
 * Every error the gateway raises on purpose carries a class (what to do about it)
 * and a stable code (what an operator looks up). See docs/errors.md.
 *
 * - transient:     retry with backoff (timeouts, 5xx, 429, connection loss, token expiry)
 * - business:      do not retry; resolve the flow or park it (decline, M3 NOK on validation)
 * - configuration: do not retry; park and alert (bad credentials, missing mapping)
 * - bug:           our fault; park and alert
 */
export type ErrorClass = 'transient' | 'business' | 'configuration' | 'bug';

export interface AppErrorOptions {
  code: string;
  errorClass: ErrorClass;
  httpStatus?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly errorClass: ErrorClass;
  readonly httpStatus: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.errorClass = options.errorClass;
    this.httpStatus = options.httpStatus ?? defaultStatus(options.errorClass);
    this.details = options.details;
  }

  get retryable(): boolean {
    return this.errorClass === 'transient';
  }
}

function defaultStatus(errorClass: ErrorClass): number {
  switch (errorClass) {
    case 'transient':
      return 503;
    case 'business':
      return 422;
    case 'configuration':
      return 500;
    case 'bug':
      return 500;
  }
}

