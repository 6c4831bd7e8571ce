import { Router, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { Logger } from '../observability/logger';
import { rolesFromClaim } from './roles';
import { createSession, deleteSession, readCookie, SESSION_COOKIE } from './sessions';

type OidcSettings = NonNullable<Config['admin']['oidc']>;

const LOGIN_ATTEMPT_TTL_MS = 10 * 60_000;

/** Only our own paths are valid places to return to after sign-in (no open redirect). */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/ui(\/[^\s\\]*)?$/.test(value) && !value.startsWith('//') ? value : '/ui/';
}

/**
 * Operator sign-in with the Infor OS identity: authorization code + PKCE (openid-client),
 * the attempt's verifier/nonce kept in PostgreSQL under its random state, then a session cookie.
 */
export function oidcLoginRoutes(settings: OidcSettings | undefined, db: Knex, options: { ttlMinutes: number; logger: Logger; publicBaseUrl?: string }): Router {
  const router = Router();
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    if (!settings) {
      throw new AppError('operator sign-in is not configured (admin.oidc)', { code: 'ADMIN_OIDC_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
    }
    discovered ??= oidc
      .discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret?.reveal(), undefined, {
        execute: new URL(settings.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        discovered = undefined; // try again on the next sign-in
        throw new AppError(`Infor OS discovery failed: ${err instanceof Error ? err.message : String(err)}`, { code: 'ADMIN_OIDC_DISCOVERY', errorClass: 'transient', cause: err });
      });
    return discovered;
  };
  const base = (req: Request) => options.publicBaseUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`;
  const cookieFlags = (req: Request) => `Path=/; HttpOnly; SameSite=Lax${req.secure ? '; Secure' : ''}`;

  router.get('/auth/login', async (req: Request, res: Response) => {
    const config = await configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await db('admin_login_attempts').where('created_at', '<', new Date(Date.now() - LOGIN_ATTEMPT_TTL_MS)).delete();
    await db('admin_login_attempts').insert({ state, code_verifier: verifier, nonce, return_to: safeReturnTo(req.query.returnTo) });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${base(req)}/auth/callback`,
      scope: settings!.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    res.redirect(302, url.href);
  });

  router.get('/auth/callback', async (req: Request, res: Response) => {
    const config = await configuration();
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const attempt = await db('admin_login_attempts').where({ state }).where('created_at', '>', new Date(Date.now() - LOGIN_ATTEMPT_TTL_MS)).first<{ code_verifier: string; nonce: string; return_to: string } | undefined>();
    if (!attempt) throw new AppError('unknown or expired sign-in attempt: start again', { code: 'ADMIN_LOGIN_STATE', errorClass: 'business', httpStatus: 400 });
    await db('admin_login_attempts').where({ state }).delete(); // one use
    const current = new URL(`${base(req)}${req.originalUrl}`);
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: attempt.code_verifier, expectedNonce: attempt.nonce, expectedState: state, idTokenExpected: true });
    } catch (err) {
      options.logger.warn('operator sign-in refused by Infor OS', { error: err instanceof Error ? err.message : String(err) });
      throw new AppError('Infor OS did not accept the sign-in', { code: 'ADMIN_LOGIN_FAILED', errorClass: 'business', httpStatus: 401 });
    }
    const claims: Record<string, unknown> = tokens.claims() ?? {};
    const roles = rolesFromClaim(claims[settings!.rolesClaim], settings!.roleMap);
    const { cookie } = await createSession(
      db,
      { subject: String(claims.sub), name: typeof claims.name === 'string' ? claims.name : undefined, email: typeof claims.email === 'string' ? claims.email : undefined, roles },
      options.ttlMinutes,
    );
    options.logger.info('operator signed in', { subject: claims.sub, roles });
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${cookie}; ${cookieFlags(req)}; Max-Age=${options.ttlMinutes * 60}`);
    res.redirect(302, attempt.return_to);
  });

  router.post('/auth/logout', async (req: Request, res: Response) => {
    // SameSite=Lax keeps cross-site POSTs from carrying the cookie; logging out is harmless anyway
    await deleteSession(db, readCookie(req.headers.cookie, SESSION_COOKIE));
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; ${cookieFlags(req)}; Max-Age=0`);
    res.status(204).end();
  });

  return router;
}
