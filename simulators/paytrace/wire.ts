import { createHash, randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ERROR, ERROR_MESSAGES, RESPONSE, type ErrorKey } from './codes';
import type { PayTraceState, SimClock } from './state';

/**
 * The wire conventions every v1 endpoint shares: Rails-style headers, the flat JSON envelopes,
 * the `errors` map, and readers for the loosely typed request fields (amounts, months, ids).
 */

export interface PayTraceConfig {
  username: string;
  password: string;
  integratorIdRequired: boolean;
  declineHttpStatus: 200 | 400;
  validationHttpStatus: number;
  tokenLifetimeSeconds: number;
  clientKeyLifetimeSeconds: number;
  hpfTokenLifetimeSeconds: number;
  autoVoidSuccess: boolean;
  /** "HH:MM" UTC on the simulated clock, or null for no nightly settlement */
  settleAt: string | null;
}

/** What every handler works on. `state` is replaced on /_sim/reset, so always read it through the context. */
export interface SimContext {
  state: PayTraceState;
  clock: SimClock;
  config: PayTraceConfig;
}

export type JsonBody = Record<string, unknown>;

export interface Reply {
  status: number;
  body: unknown;
}

/**
 * Read every API request body to the end before fault injection runs (index.ts mounts this in front
 * of the simulator kit). Like the real server, a request whose client gave up during injected
 * latency still takes effect: the timeout case of the unknown outcome. /_sim keeps its own parser.
 */
export function captureBody(limit = '1mb') {
  const raw = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path.startsWith('/_sim')) return next();
    raw(req, res, next);
  };
}

/**
 * The captured body as an object: JSON, or form fields when the request says it is a form
 * (or `form: 'default'` and it does not say JSON, as on /oauth/token). 'malformed' for bad JSON.
 */
export function readBody(req: Request, options: { form?: 'default' } = {}): JsonBody | 'malformed' {
  const captured: unknown = req.body;
  let parsed: unknown = captured ?? {};
  if (Buffer.isBuffer(captured)) {
    const raw = captured.toString('utf8');
    const type = req.get('content-type') ?? '';
    const isForm = /x-www-form-urlencoded/i.test(type) || (options.form === 'default' && !/json/i.test(type));
    if (raw.trim() === '') parsed = {};
    else if (isForm) parsed = Object.fromEntries(new URLSearchParams(raw));
    else {
      try {
        parsed = JSON.parse(raw);
      } catch {
        return 'malformed';
      }
    }
  }
  const body = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonBody) : {};
  req.body = forCallLog(body); // the call log (/_sim/calls) shows the parsed body, card data masked
  return body;
}

const CARD_FIELDS = new Set(['number', 'csc', 'swipe', 'encrypted_number', 'encrypted_csc', 'encrypted_swipe', 'password', 'account_number']);

/** A copy of a request body with card numbers, bank account numbers, CSCs, track data and passwords masked. */
export function forCallLog(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(forCallLog);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as JsonBody).map(([key, v]) => {
      if (!CARD_FIELDS.has(key) || v === undefined || v === null) return [key, forCallLog(v)];
      const digits = typeof v === 'string' || typeof v === 'number' ? String(v).replace(/\D/g, '') : '';
      if (key === 'number' && digits.length >= 4) return [key, `xxxxxxxxxxxx${digits.slice(-4)}`];
      if (key === 'account_number' && digits.length >= 4) return [key, `${'x'.repeat(Math.max(digits.length - 4, 2))}${digits.slice(-4)}`];
      return [key, '[REDACTED]'];
    }),
  );
}

/** Stamp the request start, for `X-Runtime`. */
export function railsClock(_req: Request, res: Response, next: NextFunction): void {
  res.locals.startedAt = performance.now();
  next();
}

/** Send JSON the way the real (Rails) API does, headers included. */
export function sendJson(res: Response, status: number, body: unknown, cacheControl = 'max-age=0, private, must-revalidate'): void {
  const json = JSON.stringify(body);
  const started = typeof res.locals.startedAt === 'number' ? res.locals.startedAt : performance.now();
  res.status(status);
  res.set({
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': cacheControl,
    ETag: `W/"${createHash('md5').update(json).digest('hex')}"`,
    'X-Request-Id': randomUUID(),
    'X-Runtime': ((performance.now() - started) / 1000).toFixed(6),
    Status: `${status} ${STATUS_CODES[status] ?? ''}`.trim(),
    'X-Frame-Options': 'SAMEORIGIN',
    'X-Content-Type-Options': 'nosniff',
    'X-XSS-Protection': '1; mode=block',
    'Content-Security-Policy': "frame-ancestors 'self';",
  });
  res.send(json);
}

/** Collects field errors; several can be reported at once, like the real API (35 + 43). */
export class FieldErrors {
  readonly errors: Record<string, string[]> = {};
  add(key: ErrorKey, detail?: string): this {
    (this.errors[key] ??= []).push(ERROR_MESSAGES[key](detail));
    return this;
  }
  get any(): boolean {
    return Object.keys(this.errors).length > 0;
  }
}

/** `response_code: 1` with the `errors` map; `extra` adds keys some endpoints echo (masked card). */
export function errorReply(ctx: SimContext, errors: FieldErrors, extra: JsonBody = {}): Reply {
  return {
    status: ctx.config.validationHttpStatus,
    body: { success: false, response_code: RESPONSE.errors.code, status_message: RESPONSE.errors.message, errors: errors.errors, ...extra },
  };
}

export function singleError(ctx: SimContext, key: ErrorKey, detail?: string, extra: JsonBody = {}): Reply {
  return errorReply(ctx, new FieldErrors().add(key, detail), extra);
}

export function ok(body: JsonBody): Reply {
  return { status: 200, body };
}

// ---- field readers -------------------------------------------------------

export function text(body: JsonBody, key: string): string | undefined {
  const v = body[key];
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function object(body: JsonBody, key: string): JsonBody | undefined {
  const v = body[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonBody) : undefined;
}

export type AmountRead = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'cents'; cents: number };

/**
 * Dollars as a string ("1.00") or, as recorded sandbox calls show, a JSON number (25.0, 19.95).
 * Negative, non-numeric and more-than-two-decimal amounts are invalid; the caller decides about zero.
 */
export function readAmount(body: JsonBody, key = 'amount'): AmountRead {
  const v = body[key];
  if (v === undefined || v === null || v === '') return { kind: 'missing' };
  let raw: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { kind: 'invalid' };
    raw = String(v); // 0.1 + 0.2 prints 0.30000000000000004: more than 2 decimals, refused
  } else if (typeof v === 'string') {
    raw = v.trim();
  } else {
    return { kind: 'invalid' };
  }
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(raw);
  if (!m) return { kind: 'invalid' };
  const cents = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return { kind: 'cents', cents };
}

/** Integer-valued field sent as a JSON integer or numeric string ("1000001"). */
export function readId(body: JsonBody, key: string): number | undefined {
  const v = body[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** "12", "09", 9 → 9; anything else → undefined */
export function readSmallInt(v: unknown, pattern: RegExp): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return pattern.test(String(v)) ? v : undefined;
  if (typeof v === 'string' && pattern.test(v.trim())) return Number(v.trim());
  return undefined;
}

export function dollars(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Export records carry amounts as JSON numbers; cents/100 prints exactly for two-decimal values. */
export function dollarsNumber(cents: number): number {
  return Number(dollars(cents));
}

/** "7/3/2018 5:06:57 PM", the general date text of export responses (UTC here). */
export function exportDate(d: Date): string {
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

/** `MM/DD/YYYY` (request dates) → the UTC day's start; undefined when malformed */
export function parseRequestDate(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v.trim());
  if (!m) return undefined;
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d;
}

/** start/end day of a MM/DD/YYYY range, end inclusive; or the error to report */
export function readDateRange(body: JsonBody): { from: Date; to: Date } | ErrorKey {
  const from = parseRequestDate(body.start_date);
  const to = parseRequestDate(body.end_date);
  if (!from || !to || from > to) return ERROR.dateRange;
  return { from, to: new Date(to.getTime() + 86_400_000 - 1) };
}
