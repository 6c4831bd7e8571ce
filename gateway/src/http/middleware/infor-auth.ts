import type { NextFunction, Request, Response } from 'express';
import type { JWTPayload } from 'jose';
import { API_ROLES, type Config } from '../../config';
import { AppError } from '../../errors';
import { addToContext } from '../../observability/context';
import type { GatewayServices } from '../../kernel/services';

/** API roles, each including the ones before it: m3-user < viewer < operator < admin. */
export type ApiRole = (typeof API_ROLES)[number];

/** What each role is for, in the words the 403 problem and the docs use. */
export const API_ROLE_MEANING: Record<ApiRole, string> = {
  'm3-user': 'M3 users sending payment links',
  viewer: 'reading refunds and reconciliation runs',
  operator: 'requesting refunds and reconciliation runs (moves money)',
  admin: 'everything',
};

export function hasApiRole(granted: readonly ApiRole[], needed: ApiRole): boolean {
  const rank = API_ROLES.indexOf(needed);
  return granted.some((r) => API_ROLES.indexOf(r) >= rank);
}

/** The client app a token was issued to: `client_id` (Infor OS access tokens) or `azp`. */
export function tokenClientOf(claims: JWTPayload): string | undefined {
  const id = claims.client_id ?? claims.azp;
  return typeof id === 'string' && id ? id : undefined;
}

/**
 * Our API roles from a verified Infor OS access token: the user's roles/groups (the claims named
 * by `api.rolesClaim`, through `api.roleMap`) and the client app's own role (`api.clientRoles`,
 * for backend-service apps whose tokens carry a service account, not a person). Highest first.
 */
export function apiRolesOf(claims: JWTPayload, api: Config['api']): ApiRole[] {
  const out = new Set<ApiRole>();
  for (const claimName of api.rolesClaim.split(',').map((c) => c.trim()).filter(Boolean)) {
    const value = claims[claimName];
    const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
    for (const name of names) {
      if (typeof name !== 'string') continue;
      const role = Object.hasOwn(api.roleMap, name) ? api.roleMap[name] : undefined;
      if (role) out.add(role);
    }
  }
  const client = tokenClientOf(claims);
  const clientRole = client && Object.hasOwn(api.clientRoles, client) ? api.clientRoles[client] : undefined;
  if (clientRole) out.add(clientRole);
  return [...API_ROLES].reverse().filter((r) => out.has(r));
}

/** 403 API_FORBIDDEN unless the caller (res.locals.apiRoles) holds `needed` or a higher role. */
export function assertApiRole(res: Response, needed: ApiRole): void {
  const granted = (res.locals.apiRoles ?? []) as ApiRole[];
  if (hasApiRole(granted, needed)) return;
  throw new AppError(`This needs the API role ${needed} (${API_ROLE_MEANING[needed]}); the caller has ${granted.length ? granted.join(', ') : 'no API role'}.`, {
    code: 'API_FORBIDDEN',
    errorClass: 'business',
    httpStatus: 403,
    details: { roleNeeded: needed, rolesGranted: granted },
  });
}

/**
 * The gateway's API (/api/*) is called by M3 users' H5 scripts and by backends, through the ION
 * API gateway with an Infor OS-issued access token: verified here against the Infor OS JWKS
 * (signature, expiry, issuer, audience, client), then the caller's API role is checked against
 * `needed`. The caller's identity goes on res.locals.caller and into the log context.
 */
export function requireInforCaller(services: GatewayServices, needed: ApiRole) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const verify = services.infor?.verifyToken;
    if (!verify) throw new AppError('the API needs Infor OS to verify callers (infor.ionapiFile)', { code: 'API_AUTH_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
    const claims = await verify(req.get('authorization'));
    const caller = String(claims.sub ?? tokenClientOf(claims) ?? 'unknown');
    res.locals.caller = caller;
    res.locals.claims = claims;
    res.locals.apiRoles = apiRolesOf(claims, services.config.api);
    addToContext({ caller });
    assertApiRole(res, needed);
    next();
  };
}

/**
 * The API role each /api route needs (method + Express path). The routes pass the same role to
 * `requireInforCaller`; the OpenAPI document (`x-required-role`, 403) and docs/security.md show
 * this table, and test/integration/security/api-roles.test.ts calls every route with every role.
 */
export const API_ROUTE_ROLES: Readonly<Record<string, ApiRole>> = {
  'POST /api/payment-links': 'm3-user',
  'GET /api/payment-links/:id': 'm3-user',
  'POST /api/payment-links/:id/cancel': 'm3-user',
  'POST /api/payment-links/:id/email': 'm3-user',
  'POST /api/refunds': 'operator',
  'GET /api/refunds/:refundId': 'viewer',
  'POST /api/recon/runs': 'operator',
  'GET /api/recon/runs/:id': 'viewer',
  'GET /api/recon/runs/:id/items': 'viewer',
  'GET /api/recon/runs/:id/items.csv': 'viewer',
  'GET /api/recon/runs/:id/report.csv': 'viewer',
  'POST /api/recon/runs/:id/apply': 'operator',
  'POST /api/chargebacks': 'operator',
  'POST /api/chargebacks/reports': 'operator',
  'GET /api/chargebacks/:caseNumber': 'operator',
};
