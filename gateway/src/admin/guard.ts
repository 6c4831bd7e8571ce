import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { AppError } from '../errors';
import { hasRole, type Role } from './roles';
import { findSession, readCookie, sameToken, SESSION_COOKIE, type AdminSession } from './sessions';

declare module 'express-serve-static-core' {
  interface Locals {
    adminSession?: AdminSession;
  }
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session of the request, or undefined. */
export async function sessionOf(db: Knex, req: Request): Promise<AdminSession | undefined> {
  return findSession(db, readCookie(req.headers.cookie, SESSION_COOKIE));
}

/**
 * Every admin endpoint: a signed-in operator with at least `role` (401 without a session, 403
 * with too small a role), and on state-changing calls both CSRF defences: the Origin (when the
 * browser sends one) must be ours, and the X-CSRF-Token header must equal the session's token
 * (a cross-site form cannot read or set it).
 */
export function requireRole(db: Knex, role: Role) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const session = await sessionOf(db, req);
    if (!session) throw new AppError('sign in first', { code: 'ADMIN_UNAUTHENTICATED', errorClass: 'business', httpStatus: 401 });
    if (!hasRole(session.roles, role)) {
      throw new AppError(`this needs the ${role} role`, { code: 'ADMIN_FORBIDDEN', errorClass: 'business', httpStatus: 403, details: { needed: role } });
    }
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.get('origin');
      if (origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`) {
        throw new AppError('cross-site request refused', { code: 'ADMIN_CSRF', errorClass: 'business', httpStatus: 403, details: { reason: 'origin' } });
      }
      const token = req.get(CSRF_HEADER);
      if (!token || !sameToken(token, session.csrfToken)) {
        throw new AppError('missing or wrong CSRF token', { code: 'ADMIN_CSRF', errorClass: 'business', httpStatus: 403, details: { reason: 'token' } });
      }
    }
    res.locals.adminSession = session;
    next();
  };
}

/** The acting operator, for audit rows. */
export function actorOf(res: Response): string {
  const s = res.locals.adminSession;
  return s ? `operator:${s.subject}` : 'unknown';
}
