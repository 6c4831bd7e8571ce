import { Secret } from '../config/secret';
import { errorClassOf } from '../errors';
import type { ConnectorStatus } from '../observability/connector-status';
import { logger as defaultLogger, type Logger } from '../observability/logger';
import { PayTraceErrorCode, PayTraceTransportError, payTraceError } from './errors';

/**
 * HTTP and OAuth for the PayTrace v1 API. Knows nothing about operations: it POSTs a
 * JSON body to a path with a valid token and returns the parsed JSON body whatever the
 * HTTP status (PayTrace's decision is in the body). See reference §2–§3.
 */
export interface PayTraceTransportOptions {
  /** https://api.paytrace.com, https://api.sandbox.paytrace.com or a simulator */
  baseUrl: string;
  username: Secret;
  password: Secret;
  /** goes in every resource body as `integrator_id` (v1 has no header for it) */
  integratorId?: string;
  /** per call; PayTrace takes 3–19 s, so this is tens of seconds in production */
  timeoutMs: number;
  /** renew this long before `expires_in` runs out (capped at a tenth of the lifetime) */
  tokenMarginMs?: number;
  connectors?: ConnectorStatus;
  logger?: Logger;
}

export interface PayTraceHttpResponse {
  status: number;
  body: Record<string, unknown>;
  /** PayTrace's X-Request-Id, for support tickets */
  requestId?: string;
}

interface CachedToken {
  value: Secret;
  /** epoch ms after which we fetch a new one */
  renewAt: number;
}

const DEFAULT_MARGIN_MS = 60_000;

/**
 * Deep copy with every Secret revealed: the one place card data and passwords turn back
 * into text, right before they go on the wire. (JSON.stringify would mask them.)
 */
export function revealForWire(value: unknown): unknown {
  if (value instanceof Secret) return revealForWire(value.reveal());
  if (Array.isArray(value)) return value.map(revealForWire);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = revealForWire(item);
    return out;
  }
  return value;
}

export class PayTraceTransport {
  readonly #options: PayTraceTransportOptions;
  readonly #base: string;
  #token: CachedToken | undefined;
  /** the renewal in flight: concurrent callers share it (single flight) */
  #renewing: Promise<CachedToken> | undefined;
  /** how many tokens we fetched: for tests and the health page */
  tokensIssued = 0;

  constructor(options: PayTraceTransportOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
  }

  get integratorId(): string | undefined {
    return this.#options.integratorId;
  }

  get #logger(): Logger {
    return this.#options.logger ?? defaultLogger;
  }

  /** Forget the cached token (the next call fetches a new one). */
  invalidateToken(): void {
    this.#token = undefined;
  }

  /**
   * POST `body` (+ integrator_id) to `path` with a Bearer token. On `invalid_token`
   * (expired or revoked) it fetches a new token and sends once more: PayTrace refused the
   * first request before doing anything, so the resend cannot duplicate it.
   */
  async post(path: string, body: Record<string, unknown>): Promise<PayTraceHttpResponse> {
    const wireBody = JSON.stringify(revealForWire({ ...body, integrator_id: this.#options.integratorId }));
    let token = await this.#tokenBefore(path);
    let response = await this.#send(path, wireBody, token.value);
    if (isInvalidToken(response)) {
      if (this.#token === token) this.#token = undefined;
      this.#logger.info('PayTrace token rejected, renewing once', { path });
      token = await this.#tokenBefore(path);
      response = await this.#send(path, wireBody, token.value);
      if (isInvalidToken(response)) {
        this.#record(false, `token rejected twice on ${path}`);
        throw payTraceError(`PayTrace rejected a freshly issued token on ${path}`, PayTraceErrorCode.tokenRejected, 'configuration', { path, status: response.status });
      }
    }
    this.#record(true);
    return response;
  }

  /** The unauthenticated /v1/ping. */
  async ping(): Promise<PayTraceHttpResponse> {
    const response = await this.#request('/v1/ping', { 'Content-Type': 'application/json' }, '{}');
    this.#record(response.status < 500, `ping HTTP ${response.status}`);
    return response;
  }

  /** The token for a call to `path`. If getting it fails, the call itself was never sent. */
  async #tokenBefore(path: string): Promise<CachedToken> {
    try {
      return await this.#currentToken();
    } catch (err) {
      if (err instanceof PayTraceTransportError && err.maybeProcessed) {
        throw new PayTraceTransportError(`${err.message} (getting a token for ${path}, which was not sent)`, err.code, false, { path }, err);
      }
      throw err;
    }
  }

  async #currentToken(): Promise<CachedToken> {
    const token = this.#token;
    if (token && Date.now() < token.renewAt) return token;
    this.#renewing ??= this.#fetchToken().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  /** OAuth 2.0 password grant, form-encoded, at /oauth/token (no /v1). */
  async #fetchToken(): Promise<CachedToken> {
    const form = new URLSearchParams({
      grant_type: 'password',
      username: this.#options.username.reveal(),
      password: this.#options.password.reveal(),
    });
    const response = await this.#request('/oauth/token', { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' }, form.toString());
    const { access_token: accessToken, expires_in: expiresIn, error } = response.body;
    if (error === 'invalid_grant' || error === 'invalid_client' || error === 'unauthorized_client') {
      this.#record(false, `token: ${String(error)}`);
      throw payTraceError('PayTrace refused the API user credentials (invalid_grant): check PAYTRACE_USERNAME / PAYTRACE_PASSWORD and the sandbox vs production host', PayTraceErrorCode.invalidCredentials, 'configuration', { status: response.status, error });
    }
    if (response.status >= 500) {
      this.#record(false, `token: HTTP ${response.status}`);
      throw new PayTraceTransportError(`PayTrace token endpoint answered HTTP ${response.status}`, PayTraceErrorCode.serverError, false, { path: '/oauth/token', status: response.status });
    }
    if (typeof accessToken !== 'string' || accessToken === '') {
      this.#record(false, `token: HTTP ${response.status} without access_token`);
      throw payTraceError(`PayTrace token endpoint answered HTTP ${response.status} without an access_token${typeof error === 'string' ? ` (${error})` : ''}`, PayTraceErrorCode.badResponse, response.status === 400 || response.status === 401 ? 'configuration' : 'transient', { status: response.status, error });
    }
    const lifetimeMs = (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 7200) * 1000;
    const margin = Math.min(this.#options.tokenMarginMs ?? DEFAULT_MARGIN_MS, lifetimeMs / 10);
    this.tokensIssued += 1;
    // token_type comes back as "bearer" or "Bearer": we ignore it and always send "Bearer" (ESC-141).
    this.#token = { value: new Secret(accessToken), renewAt: Date.now() + lifetimeMs - margin };
    return this.#token;
  }

  #send(path: string, body: string, token: Secret): Promise<PayTraceHttpResponse> {
    return this.#request(path, { 'Content-Type': 'application/json', Authorization: `Bearer ${token.reveal()}` }, body);
  }

  /** One HTTP exchange. Turns every way it can fail into a classified PayTraceTransportError. */
  async #request(path: string, headers: Record<string, string>, body: string): Promise<PayTraceHttpResponse> {
    const started = Date.now();
    let response: Response;
    let text: string;
    // our own timer rather than AbortSignal.timeout: that one costs a third of the throughput on Node 20
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${this.#options.timeoutMs} ms`, 'TimeoutError')), this.#options.timeoutMs);
    try {
      response = await fetch(`${this.#base}${path}`, {
        method: 'POST',
        headers: { Accept: 'application/json', ...headers },
        body,
        signal: controller.signal,
      });
      text = await response.text();
    } catch (err) {
      throw this.#transportFailure(path, err, Date.now() - started);
    } finally {
      clearTimeout(timer);
    }
    const ms = Date.now() - started;
    const requestId = response.headers.get('x-request-id') ?? undefined;
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    // winston formats (and redacts) before the level filter: skip the work when debug is off
    if (this.#logger.isDebugEnabled()) this.#logger.debug('PayTrace call', { path, status: response.status, ms, paytraceRequestId: requestId });
    if (response.status >= 500) {
      this.#record(false, `HTTP ${response.status} on ${path}`);
      // The request reached PayTrace: it may have been carried out before the error.
      throw new PayTraceTransportError(`PayTrace answered HTTP ${response.status} on ${path}`, PayTraceErrorCode.serverError, true, { path, status: response.status, ms });
    }
    if (response.status === 404) {
      // no such endpoint (a wrong base URL, or an operation this PayTrace account does not offer): nothing was done
      this.#record(false, `HTTP 404 on ${path}`);
      throw payTraceError(`PayTrace has no endpoint ${path} (HTTP 404): check paytrace.baseUrl and that the account offers this operation`, PayTraceErrorCode.badResponse, 'configuration', { path, status: 404, ms });
    }
    if (response.status === 429) {
      // rate limits are not documented for v1; a 429 is refused before any processing
      this.#record(false, `HTTP 429 on ${path}`);
      throw new PayTraceTransportError(`PayTrace answered HTTP 429 (too many requests) on ${path}`, PayTraceErrorCode.rateLimited, false, { path, status: 429, ms, retryAfter: response.headers.get('retry-after') ?? undefined });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.#record(false, `unreadable body (HTTP ${response.status}) on ${path}`);
      throw new PayTraceTransportError(`PayTrace answered HTTP ${response.status} on ${path} with a body that is not a JSON object`, PayTraceErrorCode.badResponse, true, { path, status: response.status, ms });
    }
    return { status: response.status, body: parsed as Record<string, unknown>, requestId };
  }

  #transportFailure(path: string, err: unknown, ms: number): PayTraceTransportError {
    const { code } = errorClassOf(err);
    // DOMException from AbortSignal.timeout; checked by name (it may come from another realm)
    const name = (err as { name?: unknown } | null)?.name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    // Only a refused or unresolvable connection proves PayTrace never saw the request.
    const neverSent = code === 'INFRA_ECONNREFUSED' || code === 'INFRA_ENOTFOUND' || code === 'INFRA_EAI_AGAIN' || code === 'INFRA_EHOSTUNREACH' || code === 'INFRA_ENETUNREACH' || code === 'INFRA_UND_ERR_CONNECT_TIMEOUT';
    const detail = timedOut ? `timed out after ${this.#options.timeoutMs} ms` : `connection failed (${code})`;
    this.#record(false, `${detail} on ${path}`);
    return new PayTraceTransportError(`PayTrace call to ${path} ${detail}`, timedOut ? PayTraceErrorCode.timeout : PayTraceErrorCode.connection, !neverSent, { path, ms, cause: code }, err);
  }

  #record(ok: boolean, detail?: string): void {
    this.#options.connectors?.record('paytrace', ok, detail);
  }
}

function isInvalidToken(response: PayTraceHttpResponse): boolean {
  return response.status === 401 || response.body.error === 'invalid_token';
}
