import type { NextFunction, Request, Response } from 'express';
import { runWithContext } from '../../observability/context';
import { isSafeId, safeIdOr } from '../ids';

/**
 * Every request gets a request id (ours, or the caller's X-Request-Id when it is safe: see
 * http/ids.ts) and runs inside a log context whose correlation id is a safe X-Correlation-Id or
 * the request id. An unsafe id (a card number, markup, anything long) is never echoed or stored.
 */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const requestId = safeIdOr(req.get('x-request-id'));
  const correlation = req.get('x-correlation-id');
  const correlationId = isSafeId(correlation) ? correlation : requestId;
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  res.setHeader('X-Correlation-Id', correlationId);
  runWithContext({ correlationId, requestId }, () => next());
}
