import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { DEMO_USERS, SERVICE_ACCOUNT_USER, type Authority } from './authority';
import type { OAuthClient } from './ionapi';
import { errorPage, loginPage } from './login-page';
import { requireBearer } from './bearer';

type Form = Record<string, string | undefined>;

function oauthError(res: Response, status: number, error: string, description: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Basic realm="token.oauth2"');
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

/** client authentication: HTTP Basic (form-urlencoded id:secret) or client_id/client_secret form fields */
function clientCredentials(req: Request, form: Form): { id?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
    }
  }
  return { id: form.client_id, secret: form.client_secret };
}

/** redirect URIs the simulator accepts: the client's registered ones, or any on this machine */
function allowedRedirect(client: OAuthClient, uri: string): boolean {
  if (client.redirectUris.includes(uri)) return true;
  try {
    const url = new URL(uri);
    return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) && ['http:', 'https:'].includes(url.protocol);
  } catch {
    return false;
  }
}

function pkceMatches(verifier: string | undefined, challenge: string, method: string | undefined): boolean {
  if (!verifier) return false;
  if (method === 'S256') return createHash('sha256').update(verifier).digest('base64url') === challenge;
  return verifier === challenge;
}

const AUTHORIZE_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'];

/**
 * Infor OS under `{url}/{TENANT}/as/`: token, authorization (login page), revocation, JWKS,
 * OIDC discovery and userinfo.
 */
export function inforOsRoutes(authority: () => Authority): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  router.post('/token.oauth2', form, async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Form;
    const os = authority();
    const creds = clientCredentials(req, body);
    if (!creds.id || creds.secret === undefined) return oauthError(res, 401, 'invalid_client', 'Client authentication is required');
    const client = os.authenticateClient(creds.id, creds.secret);
    if (!client) return oauthError(res, 401, 'invalid_client', 'Unknown client or wrong client secret');
    const scope = body.scope ?? '';
    let tokens;
    switch (body.grant_type) {
      case undefined:
      case '':
        return oauthError(res, 400, 'invalid_request', 'grant_type is missing');
      case 'password': {
        const account = client.serviceAccount;
        if (!body.username || !body.password) return oauthError(res, 400, 'invalid_request', 'username and password are required');
        if (!account) return oauthError(res, 400, 'unauthorized_client', 'This application has no service account');
        if (body.username !== account.accessKey || body.password !== account.secretKey) {
          return oauthError(res, 400, 'invalid_grant', 'Service account access key or secret key is wrong');
        }
        tokens = await os.issue(client, SERVICE_ACCOUNT_USER, scope, { refresh: true });
        break;
      }
      case 'client_credentials':
        if (!client.serviceAccount || !os.settings.clientCredentials) {
          return oauthError(res, 400, 'unauthorized_client', 'The client-credentials grant is not enabled for this application');
        }
        tokens = await os.issue(client, client.clientId, scope, { refresh: false });
        break;
      case 'refresh_token':
        if (!os.settings.refreshTokens) return oauthError(res, 400, 'unauthorized_client', 'Refresh tokens are not enabled for this application');
        if (!body.refresh_token) return oauthError(res, 400, 'invalid_request', 'refresh_token is missing');
        tokens = await os.refresh(client, body.refresh_token);
        if (!tokens) return oauthError(res, 400, 'invalid_grant', 'The refresh token is unknown, expired or revoked');
        break;
      case 'authorization_code': {
        if (!body.code) return oauthError(res, 400, 'invalid_request', 'code is missing');
        const pending = os.takeCode(body.code);
        if (!pending || pending.clientId !== client.clientId) return oauthError(res, 400, 'invalid_grant', 'The authorization code is unknown, used or expired');
        if (pending.redirectUri !== body.redirect_uri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri does not match the authorization request');
        if (pending.codeChallenge && !pkceMatches(body.code_verifier, pending.codeChallenge, pending.codeChallengeMethod)) {
          return oauthError(res, 400, 'invalid_grant', 'PKCE code_verifier does not match the code_challenge');
        }
        tokens = await os.issue(client, pending.user.username, pending.scope, { user: pending.user, nonce: pending.nonce, refresh: true });
        break;
      }
      default:
        return oauthError(res, 400, 'unsupported_grant_type', `grant_type ${body.grant_type} is not supported`);
    }
    res.set('Cache-Control', 'no-store').json(tokens);
  });

  router.post('/revoke_token.oauth2', form, async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Form;
    const os = authority();
    const creds = clientCredentials(req, body);
    const client = creds.id && creds.secret !== undefined ? os.authenticateClient(creds.id, creds.secret) : undefined;
    if (!client) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    if (!body.token) return oauthError(res, 400, 'invalid_request', 'token is missing');
    await os.revoke(client, body.token);
    res.status(200).end();
  });

  const authorizeRequest = (params: Form): { client: OAuthClient; values: Record<string, string> } | string => {
    const client = params.client_id ? authority().client(params.client_id) : undefined;
    if (!client) return 'Unknown client_id';
    if (!params.redirect_uri || !allowedRedirect(client, params.redirect_uri)) return 'redirect_uri is not registered for this client';
    const values: Record<string, string> = {};
    for (const name of AUTHORIZE_PARAMS) if (params[name] !== undefined) values[name] = params[name] as string;
    return { client, values };
  };

  router.get('/authorization.oauth2', (req: Request, res: Response) => {
    const request = authorizeRequest(req.query as Form);
    if (typeof request === 'string') return void res.status(400).type('html').send(errorPage(request));
    if (request.values.response_type !== 'code') {
      const target = new URL(request.values.redirect_uri);
      target.searchParams.set('error', 'unsupported_response_type');
      if (request.values.state) target.searchParams.set('state', request.values.state);
      return void res.redirect(302, target.href);
    }
    res.type('html').send(loginPage(authority().tenant, request.values));
  });

  router.post('/authorization.oauth2', form, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Form;
    const request = authorizeRequest(body);
    if (typeof request === 'string') return void res.status(400).type('html').send(errorPage(request));
    const user = DEMO_USERS.find((u) => u.username === body.username && u.password === body.password);
    if (!user) return void res.status(401).type('html').send(loginPage(authority().tenant, request.values, 'User name or password is wrong'));
    const v = request.values;
    const code = authority().createCode({
      clientId: request.client.clientId, redirectUri: v.redirect_uri, user, scope: v.scope ?? 'openid',
      nonce: v.nonce, codeChallenge: v.code_challenge, codeChallengeMethod: v.code_challenge_method,
    });
    const target = new URL(v.redirect_uri);
    target.searchParams.set('code', code);
    if (v.state) target.searchParams.set('state', v.state);
    res.redirect(302, target.href);
  });

  router.get('/jwks.json', (_req, res) => {
    res.json({ keys: [authority().jwk] });
  });

  router.get('/.well-known/openid-configuration', (_req, res) => {
    const issuer = authority().issuer;
    res.json({
      issuer,
      authorization_endpoint: `${issuer}/authorization.oauth2`,
      token_endpoint: `${issuer}/token.oauth2`,
      revocation_endpoint: `${issuer}/revoke_token.oauth2`,
      userinfo_endpoint: `${issuer}/userinfo.openid`,
      jwks_uri: `${issuer}/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'password', 'client_credentials', 'refresh_token'],
      code_challenge_methods_supported: ['S256', 'plain'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email'],
      claims_supported: ['sub', 'name', 'email', 'roles'],
    });
  });

  router.get('/userinfo.openid', requireBearer(authority), (_req, res: Response) => {
    const claims = res.locals.token as Record<string, unknown>;
    const user = DEMO_USERS.find((u) => u.username === claims.sub);
    res.json(user ? { sub: user.username, name: user.name, email: user.email, roles: user.roles } : { sub: claims.sub });
  });

  return router;
}
