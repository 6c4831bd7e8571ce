import { AppError } from '../../errors';
import { addToContext } from '../../observability/context';
import type { ConnectorStatus } from '../../observability/connector-status';
import type { Logger } from '../../observability/logger';
import { retryAfterMs, type M3CallLimiter } from './call-limiter';
import { M3AuthError, M3TransientError } from './errors';
import { parseV1, parseV2Bulk, parseV2Single, type M3BulkResult, type M3Result, type V2Body } from './wire';

/** Where the M3 client gets its bearer token (InforTokenClient). */
export interface AccessTokenProvider {
  getAccessToken(): Promise<string>;
  invalidate(token?: string): void;
}

export type M3Fields = Record<string, string | number | undefined>;

export interface M3CallOptions {
  cono?: string | number;
  divi?: string;
  /** 0 = all records */
  maxrecs?: number;
  returncols?: string[];
  excludempty?: boolean;
  timeoutMs?: number;
  /** `v2` (default) or the classic `v1` endpoint */
  api?: 'v1' | 'v2';
}

export interface M3ClientOptions {
  /** `{iu}/{ti}/M3/m3api-rest` (or a configured override) */
  baseUrl: string;
  tokens: AccessTokenProvider;
  timeoutMs: number;
  /** extra attempts for a transient failure of a read transaction */
  readRetries?: number;
  retryDelayMs?: number;
  /** the tenant's concurrent-call limit (adaptive on 429/503); none = unlimited */
  limiter?: M3CallLimiter;
  /**
   * extra attempts of any call, writes included, that was answered 429: the ION API gateway
   * refused it before M3 saw it [inferred], so it has not run. Each waits for its Retry-After.
   */
  throttleRetries?: number;
  status?: ConnectorStatus;
  logger?: Logger;
}

/** Read transactions may be retried blindly; everything else is a side effect the flow layer owns. */
export function isReadTransaction(transaction: string): boolean {
  return /^(Get|Lst|List|Search|Sel)/.test(transaction);
}

interface HttpOutcome {
  status: number;
  body: unknown;
  /** Retry-After of a 429/503, in ms */
  retryAfterMs?: number;
}

/**
 * The M3 MI REST client, through the ION API gateway. v2 single and bulk, v1 on request;
 * NOK → M3BusinessError (code, field, message), transport trouble → M3TransientError,
 * 401 → new token and one retry. Reads (Get/Lst/Search/Sel) retry transient errors;
 * writes are retried only after a 429 (refused before it ran). With a limiter, every HTTP
 * exchange holds one of the tenant's permits, and 429/503 make the limiter give way.
 */
export class M3Client {
  readonly #o: Required<Pick<M3ClientOptions, 'readRetries' | 'retryDelayMs' | 'throttleRetries'>> & M3ClientOptions;

  constructor(options: M3ClientOptions) {
    this.#o = { readRetries: 2, retryDelayMs: 200, throttleRetries: 4, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  /** The concurrent-call limiter's state (for health and benchmarks), when there is one. */
  limiterStats() {
    return this.#o.limiter?.stats();
  }

  /** Give back the tenant's shared slots (at shutdown, after the last call). */
  async close(): Promise<void> {
    await this.#o.limiter?.close();
  }

  /** One transaction: `GET …/v2/execute/{PROGRAM}/{TRANSACTION};cono=;divi=;maxrecs=;returncols=;excludempty=?FIELD=…` */
  async execute(program: string, transaction: string, fields: M3Fields = {}, options: M3CallOptions = {}): Promise<M3Result> {
    const url = this.#singleUrl(program, transaction, fields, options);
    const api = options.api ?? 'v2';
    return this.#withRetries(program, transaction, isReadTransaction(transaction), async () => {
      const outcome = await this.#send(program, transaction, url, { method: 'GET' }, options.timeoutMs, isReadTransaction(transaction));
      if (outcome.status !== 200 && !(api === 'v2' && outcome.status === 400 && isObject(outcome.body))) {
        throw this.#httpError(program, transaction, outcome, isReadTransaction(transaction));
      }
      if (!isObject(outcome.body)) throw new M3TransientError(`${program}/${transaction}: M3 answered without a JSON object`, 'M3_BAD_RESPONSE', { program, transaction, status: outcome.status, unknownOutcome: !isReadTransaction(transaction) });
      return api === 'v1' ? parseV1(program, transaction, outcome.body) : parseV2Single(program, transaction, outcome.body as V2Body);
    });
  }

  /** Several transactions of one program in one call: `POST …/v2/execute`. Per-transaction NOKs are in the result. */
  async bulk(
    program: string,
    transactions: Array<{ transaction: string; record: M3Fields; selectedColumns?: string[] }>,
    options: Omit<M3CallOptions, 'returncols' | 'api'> = {},
  ): Promise<M3BulkResult> {
    const allReads = transactions.every((t) => isReadTransaction(t.transaction));
    const body = {
      program,
      ...(options.cono !== undefined ? { cono: Number(options.cono) } : {}),
      ...(options.divi !== undefined ? { divi: options.divi } : {}),
      excludeEmptyValues: options.excludempty ?? false,
      rightTrim: true,
      maxReturnedRecords: options.maxrecs ?? 0,
      transactions: transactions.map((t) => ({
        transaction: t.transaction,
        record: stringFields(t.record),
        ...(t.selectedColumns ? { selectedColumns: t.selectedColumns } : {}),
      })),
    };
    const label = `bulk(${transactions.length})`;
    return this.#withRetries(program, label, allReads, async () => {
      const outcome = await this.#send(program, label, `${this.#o.baseUrl}/v2/execute`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, options.timeoutMs, allReads);
      if (outcome.status !== 200) throw this.#httpError(program, label, outcome, allReads);
      if (!isObject(outcome.body)) throw new M3TransientError(`${program}/${label}: M3 answered without a JSON object`, 'M3_BAD_RESPONSE', { program, transaction: label, status: 200, unknownOutcome: !allReads });
      return parseV2Bulk(program, outcome.body as V2Body);
    });
  }

  #singleUrl(program: string, transaction: string, fields: M3Fields, options: M3CallOptions): string {
    const matrix: string[] = [];
    if (options.cono !== undefined) matrix.push(`cono=${encodeURIComponent(String(options.cono))}`);
    if (options.divi !== undefined) matrix.push(`divi=${encodeURIComponent(options.divi)}`);
    if (options.maxrecs !== undefined) matrix.push(`maxrecs=${options.maxrecs}`);
    if (options.returncols?.length) matrix.push(`returncols=${options.returncols.map(encodeURIComponent).join(',')}`);
    if (options.excludempty !== undefined) matrix.push(`excludempty=${options.excludempty}`);
    if (options.api === 'v1') matrix.push('metadata=false');
    const query = new URLSearchParams(stringFields(fields)).toString();
    const version = options.api === 'v1' ? '' : '/v2';
    const path = `${encodeURIComponent(program)}/${encodeURIComponent(transaction)}${matrix.length ? `;${matrix.join(';')}` : ''}`;
    return `${this.#o.baseUrl}${version}/execute/${path}${query ? `?${query}` : ''}`;
  }

  async #withRetries<T>(program: string, transaction: string, retryable: boolean, attempt: () => Promise<T>): Promise<T> {
    const attempts = retryable ? 1 + this.#o.readRetries : 1;
    let failures = 0;
    let throttles = 0;
    for (;;) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof M3TransientError)) throw err;
        const details = err.details as { retryAfterMs?: number } | undefined;
        if (err.code === 'M3_RATE_LIMITED' && throttles < this.#o.throttleRetries) {
          // refused before it ran: try again once the Retry-After has passed (the limiter holds
          // every new call of the tenant until then; without one, wait here)
          throttles++;
          this.#o.logger?.warn('M3 call throttled, trying again', { program, transaction, attempt: throttles, retryAfterMs: details?.retryAfterMs });
          if (!this.#o.limiter) await new Promise((resolve) => setTimeout(resolve, details?.retryAfterMs ?? this.#o.retryDelayMs * 2 ** (throttles - 1)));
          continue;
        }
        if (++failures >= attempts) throw err;
        const delay = Math.max(details?.retryAfterMs ?? 0, this.#o.retryDelayMs * 2 ** (failures - 1) * (0.5 + Math.random() / 2));
        this.#o.logger?.warn('M3 read failed, retrying', { program, transaction, attempt: failures, errorCode: err.code });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One HTTP exchange with the bearer token; a 401 gets a fresh token and exactly one more try. */
  async #send(program: string, transaction: string, url: string, init: RequestInit, timeoutMs: number | undefined, isRead: boolean): Promise<HttpOutcome> {
    addToContext({ m3Program: program, m3Transaction: transaction });
    for (let authAttempt = 1; ; authAttempt++) {
      const token = await this.#o.tokens.getAccessToken();
      const release = this.#o.limiter ? await this.#o.limiter.acquire() : undefined;
      try {
        const outcome = await this.#exchange(program, transaction, url, init, token, timeoutMs, isRead, authAttempt === 1);
        if (outcome === 'unauthorized') continue;
        return outcome;
      } finally {
        release?.();
      }
    }
  }

  /** The HTTP exchange itself, while holding a permit: 'unauthorized' asks for a fresh token and one more try. */
  async #exchange(
    program: string,
    transaction: string,
    url: string,
    init: RequestInit,
    token: string,
    timeoutMs: number | undefined,
    isRead: boolean,
    firstAuthAttempt: boolean,
  ): Promise<HttpOutcome | 'unauthorized'> {
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs ?? this.#o.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      const e = new M3TransientError(
        `${program}/${transaction}: ${timedOut ? `no answer within ${timeoutMs ?? this.#o.timeoutMs} ms` : `connection failed (${(err as Error).message})`}`,
        timedOut ? 'M3_TIMEOUT' : 'M3_CONNECTION',
        // a write that timed out may have run; a refused connection never reached M3
        { program, transaction, unknownOutcome: !isRead && !isConnectRefused(err) },
        err,
      );
      this.#o.status?.record('m3', false, e.message);
      throw e;
    }
    if (response.status === 401 && firstAuthAttempt) {
      await response.body?.cancel();
      this.#o.tokens.invalidate(token);
      return 'unauthorized';
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: leave the text; the caller classifies by status
    }
    const transient = response.status >= 500 || response.status === 429;
    this.#o.status?.record('m3', !transient && response.status !== 401, transient || response.status === 401 ? `HTTP ${response.status}` : undefined);
    if (response.status === 429 || response.status === 503) {
      const wait = retryAfterMs(response.headers.get('retry-after'));
      this.#o.limiter?.throttled(wait);
      return { status: response.status, body, retryAfterMs: wait };
    }
    if (!transient) this.#o.limiter?.succeeded();
    return { status: response.status, body };
  }

  #httpError(program: string, transaction: string, { status, retryAfterMs }: HttpOutcome, isRead: boolean): AppError {
    if (status === 401 || status === 403) return new M3AuthError(`${program}/${transaction}: ION API answered ${status}`, { program, transaction, status });
    if (status === 429) return new M3TransientError(`${program}/${transaction}: rate limited (429)`, 'M3_RATE_LIMITED', { program, transaction, status, unknownOutcome: false, retryAfterMs });
    if (status >= 500) return new M3TransientError(`${program}/${transaction}: M3 answered ${status}`, 'M3_UNAVAILABLE', { program, transaction, status, unknownOutcome: !isRead, retryAfterMs });
    return new AppError(`${program}/${transaction}: unexpected HTTP ${status}`, { code: 'M3_UNEXPECTED_STATUS', errorClass: 'bug', details: { program, transaction, status } });
  }
}

function isObject(value: unknown): value is Record<string, never> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringFields(fields: M3Fields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = String(value);
  return out;
}

function isConnectRefused(err: unknown): boolean {
  let cursor: unknown = err;
  for (let i = 0; cursor && i < 4; i++) {
    if ((cursor as { code?: string }).code === 'ECONNREFUSED') return true;
    cursor = (cursor as { cause?: unknown }).cause;
  }
  return false;
}
