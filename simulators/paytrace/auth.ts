import type { Express, NextFunction, Request, Response } from 'express';
import { ERROR } from './codes';
import { railsClock, readBody, sendJson, singleError, type Reply, type JsonBody, type SimContext } from './wire';

/**
 * OAuth 2.0 password grant at /oauth/token (form or JSON body), the Bearer check on every v1
 * resource call, and the `integrator_id` rule. Messages are Doorkeeper's, which PayTrace runs on.
 */

const INVALID_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
const UNSUPPORTED_GRANT = 'The authorization grant type is not supported by the authorization server.';
const TOKEN_INVALID = 'The access token is invalid';
const TOKEN_EXPIRED = 'The access token expired';

export function mountTokenEndpoint(app: Express, ctx: SimContext): void {
  app.post('/oauth/token', railsClock, (req: Request, res: Response) => {
    const noStore = 'no-store';
    res.set('Pragma', 'no-cache');
    const parsed = readBody(req, { form: 'default' });
    if (parsed === 'malformed') {
      sendJson(res, 400, { error: 'invalid_request', error_description: 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.' }, noStore);
      return;
    }
    const body = parsed;
    if (body.grant_type !== 'password') {
      sendJson(res, 400, { error: 'unsupported_grant_type', error_description: UNSUPPORTED_GRANT }, noStore);
      return;
    }
    if (body.username !== ctx.config.username || body.password !== ctx.config.password) {
      sendJson(res, 400, { error: 'invalid_grant', error_description: INVALID_GRANT }, noStore);
      return;
    }
    const now = ctx.clock.now();
    const issued = ctx.state.issueToken(now, ctx.config.tokenLifetimeSeconds);
    sendJson(
      res,
      200,
      { access_token: issued.token, token_type: 'Bearer', expires_in: ctx.config.tokenLifetimeSeconds, created_at: Math.floor(now.getTime() / 1000) },
      noStore,
    );
  });
}

function rejectToken(res: Response, description: string): void {
  res.set('WWW-Authenticate', `Bearer realm="Doorkeeper", error="invalid_token", error_description="${description}"`);
  sendJson(res, 401, { error: 'invalid_token', error_description: description }, 'no-store');
}

/** `Authorization: Bearer <token>`, scheme matched case-sensitively as PayTrace does (ticket ESC-141). */
export function requireBearer(ctx: SimContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer ([^\s]+)$/.exec(header);
    const issued = m ? ctx.state.tokens.get(m[1]!) : undefined;
    if (!issued) return rejectToken(res, TOKEN_INVALID);
    if (issued.expiresAt <= ctx.clock.now()) return rejectToken(res, TOKEN_EXPIRED);
    next();
  };
}

export type Handler = (body: JsonBody, ctx: SimContext) => Reply;

/**
 * A v1 resource endpoint: POST, Bearer, JSON body. Runs the nightly settlement that is due, then
 * the handler, then answers with the Rails headers. `integratorId: false` for calls real clients make
 * without a body (Protect client key, settle).
 */
export function mountApi(app: Express, ctx: SimContext, path: string, handler: Handler, options: { integratorId?: boolean } = {}): void {
  app.post(path, railsClock, requireBearer(ctx), (req: Request, res: Response) => {
    ctx.state.settleDue(ctx.clock.now(), ctx.config.settleAt);
    const body = readBody(req);
    if (body === 'malformed') {
      const reply = singleError(ctx, ERROR.malformedBody);
      sendJson(res, reply.status, reply.body);
      return;
    }
    if (options.integratorId !== false && ctx.config.integratorIdRequired) {
      const id = body.integrator_id;
      if (typeof id !== 'string' || id.trim() === '' || id.length > 12) {
        const reply = singleError(ctx, ERROR.integratorId);
        sendJson(res, reply.status, reply.body);
        return;
      }
    }
    const reply = handler(body, ctx);
    sendJson(res, reply.status, reply.body);
  });
}

/**
 * A path the API does not have answers JSON, never Express's HTML page: PayTrace (a Rails app)
 * answers every error in JSON, and clients that get HTML report "Unparsable response". The text is
 * Rails' routing error; the body shape is ours (the real one is unconfirmed).
 */
export function notFoundJson() {
  return (req: Request, res: Response): void => {
    sendJson(res, 404, { success: false, status_message: `No route matches [${req.method}] "${req.path}"`, error: 'not_found' });
  };
}

/** Errors before a handler runs answer in JSON too: a body above the size limit (413), anything else (500). */
export function bodyErrorHandler() {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const type = (err as { type?: unknown } | null)?.type;
    if (type === 'entity.too.large') {
      sendJson(res, 413, { success: false, response_code: 1, status_message: 'Request entity too large.' });
      return;
    }
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendJson(res, status, { success: false, status_message: 'The request could not be read.', error: 'bad_request' });
      return;
    }
    sendJson(res, 500, { success: false, status_message: 'Internal server error.', error: 'internal_error' });
  };
}
