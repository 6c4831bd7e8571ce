import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from '../problem';

/**
 * PostgreSQL text cannot hold a NUL character (error 22021), and no id, name or amount of ours has
 * one: a NUL in the path or query (`%00`) is refused up front with 400, not met as a 500 later.
 * JSON bodies are checked after parsing (`refuseNulInBody`).
 */
export function refuseNulCharacters(req: Request, res: Response, next: NextFunction): void {
  if (/%00/i.test(req.originalUrl) || req.originalUrl.includes('\0')) {
    refuse(res, 'the URL');
    return;
  }
  next();
}

/** A JSON body with a NUL character in any string or key: 400. Walks with its own stack (hostile depth). */
export function refuseNulInBody(req: Request, res: Response, next: NextFunction): void {
  const stack: unknown[] = [req.body];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.includes('\0')) {
        req.body = undefined;
        refuse(res, 'the body');
        return;
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        if (key.includes('\0')) {
          req.body = undefined;
          refuse(res, 'the body');
          return;
        }
        stack.push(child);
      }
    }
  }
  next();
}

function refuse(res: Response, where: string): void {
  sendProblem(res, {
    title: 'Bad request',
    status: 400,
    code: 'REQUEST_NUL_CHARACTER',
    errorClass: 'business',
    detail: `A NUL character (U+0000) in ${where} is never valid here.`,
    requestId: res.locals.requestId as string | undefined,
  });
}
