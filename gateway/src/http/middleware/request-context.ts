import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runWithContext } from '../../observability/context';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request gets a request id (ours, or the caller's X-Request-Id when it is well formed)
 * and runs inside a log context whose correlation id is X-Correlation-Id or the request id.
 */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.get('x-request-id');
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  const correlation = req.get('x-correlation-id');
  const correlationId = correlation && SAFE_ID.test(correlation) ? correlation : requestId;
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  res.setHeader('X-Correlation-Id', correlationId);
  runWithContext({ correlationId, requestId }, () => next());
}
