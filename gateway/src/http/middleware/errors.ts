import type { NextFunction, Request, Response } from 'express';
import { AppError, errorClassOf } from '../../errors';
import type { Logger } from '../../observability/logger';
import { sendProblem } from '../problem';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** 404 for anything no route answered. */
export function notFound(req: Request, res: Response): void {
  sendProblem(res, {
    title: 'Not found',
    status: 404,
    code: 'ROUTE_NOT_FOUND',
    errorClass: 'business',
    detail: `No route for ${req.method} ${req.path}`,
    requestId: res.locals.requestId as string | undefined,
  });
}

/** Details that are safe and useful to a caller, shown as problem extension members (RFC 9457 §3.2). */
const PUBLIC_DETAILS = ['roleNeeded', 'rolesGranted', 'reason'] as const;

function publicDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of PUBLIC_DETAILS) if (details?.[key] !== undefined) out[key] = details[key];
  return out;
}

/** Turn every error into problem JSON. Never a stack trace to a client; bugs are logged with one. */
export function errorHandler(logger: Logger) {
  // Express recognises error handlers by their four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const requestId = res.locals.requestId as string | undefined;
    if (res.headersSent) {
      logger.error('error after response started', { err, path: req.path });
      res.end();
      return;
    }
    const parserError = err as BodyParserError;
    if (parserError?.type === 'entity.parse.failed') {
      sendProblem(res, { title: 'Malformed JSON body', status: 400, code: 'BODY_MALFORMED_JSON', errorClass: 'business', detail: 'The request body is not valid JSON.', requestId });
      return;
    }
    if (parserError?.type === 'entity.too.large') {
      sendProblem(res, { title: 'Body too large', status: 413, code: 'BODY_TOO_LARGE', errorClass: 'business', detail: `The request body exceeds the limit of ${parserError.limit} bytes.`, requestId });
      return;
    }
    if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
      sendProblem(res, { title: 'Unsupported encoding', status: 415, code: 'BODY_UNSUPPORTED_ENCODING', errorClass: 'business', detail: parserError.message, requestId });
      return;
    }
    if (err instanceof AppError) {
      const level = err.errorClass === 'business' ? 'warn' : 'error';
      logger.log(level, 'request failed', { code: err.code, errorClass: err.errorClass, error: err.message, path: req.path });
      const fieldErrors = err.details?.fieldErrors as Array<{ field: string; message: string }> | undefined;
      sendProblem(res, {
        title: err.errorClass === 'business' ? 'Request cannot be processed' : 'Service problem',
        status: err.httpStatus,
        code: err.code,
        errorClass: err.errorClass,
        detail: err.message,
        requestId,
        ...(fieldErrors ? { errors: fieldErrors } : {}),
        ...publicDetails(err.details),
      });
      return;
    }
    const status = typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500 ? parserError.status : 500;
    if (status < 500) {
      sendProblem(res, { title: 'Bad request', status, code: 'BAD_REQUEST', errorClass: 'business', detail: parserError.message, requestId });
      return;
    }
    const classified = errorClassOf(err);
    logger.error('unhandled error', { err, stack: err instanceof Error ? err.stack : undefined, path: req.path });
    sendProblem(res, {
      title: classified.errorClass === 'transient' ? 'Temporarily unavailable' : 'Internal error',
      status: classified.errorClass === 'transient' ? 503 : 500,
      code: classified.code,
      errorClass: classified.errorClass,
      detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it.`,
      requestId,
    });
  };
}
