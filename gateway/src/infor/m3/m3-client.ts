import { AppError } from '../../errors';
import { addToContext } from '../../observability/context';
import type { ConnectorStatus } from '../../observability/connector-status';
import type { Logger } from '../../observability/logger';
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
}

/**
 * The M3 MI REST client, through the ION API gateway. v2 single and bulk, v1 on request;
 * NOK → M3BusinessError (code, field, message), transport trouble → M3TransientError,
 * 401 → new token and one retry. Reads (Get/Lst/Search/Sel) retry transient errors;
 * writes never do.
 */
export class M3Client {
  readonly #o: Required<Pick<M3ClientOptions, 'readRetries' | 'retryDelayMs'>> & M3ClientOptions;

  constructor(options: M3ClientOptions) {
    this.#o = { readRetries: 2, retryDelayMs: 200, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  /** One transaction: `GET …/v2/execute/{PROGRAM}/{TRANSACTION};cono=;divi=;maxrecs=;returncols=;excludempty=?FIELD=…` */
  async execute(program: string, transaction: string, fields: M3Fields = {}, options: M3CallOptions = {}): Promise<M3Result> {
    const url = this.#singleUrl(program, transaction, fields, options);
    const api = options.api ?? 'v2';
    return this.#withRetries(program, transaction, isReadTransaction(transaction), async () => {
      const outcome = await this.#send(program, transaction, url, { method: 'GET' }, options.timeoutMs, isReadTransaction(transaction));
      if (outcome.status !== 200 && !(api === 'v2' && outcome.status === 400 && isObject(outcome.body))) {
        throw this.#httpError(program, transaction, outcome.status, isReadTransaction(transaction));
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
      if (outcome.status !== 200) throw this.#httpError(program, label, outcome.status, allReads);
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
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof M3TransientError) || n >= attempts) throw err;
        const delay = this.#o.retryDelayMs * 2 ** (n - 1) * (0.5 + Math.random() / 2);
        this.#o.logger?.warn('M3 read failed, retrying', { program, transaction, attempt: n, errorCode: err.code });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One HTTP exchange with the bearer token; a 401 gets a fresh token and exactly one more try. */
  async #send(program: string, transaction: string, url: string, init: RequestInit, timeoutMs: number | undefined, isRead: boolean): Promise<HttpOutcome> {
    addToContext({ m3Program: program, m3Transaction: transaction });
    for (let authAttempt = 1; ; authAttempt++) {
      const token = await this.#o.tokens.getAccessToken();
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
      if (response.status === 401 && authAttempt === 1) {
        await response.body?.cancel();
        this.#o.tokens.invalidate(token);
        continue;
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
      return { status: response.status, body };
    }
  }

  #httpError(program: string, transaction: string, status: number, isRead: boolean): AppError {
    if (status === 401 || status === 403) return new M3AuthError(`${program}/${transaction}: ION API answered ${status}`, { program, transaction, status });
    if (status === 429) return new M3TransientError(`${program}/${transaction}: rate limited (429)`, 'M3_RATE_LIMITED', { program, transaction, status, unknownOutcome: false });
    if (status >= 500) return new M3TransientError(`${program}/${transaction}: M3 answered ${status}`, 'M3_UNAVAILABLE', { program, transaction, status, unknownOutcome: !isRead });
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
