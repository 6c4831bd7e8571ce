import type { NextFunction, Request, Response } from 'express';

/**
 * Request fields that carry credentials: OAuth passwords and client secrets, tokens, authorization
 * codes and PKCE verifiers, the .ionapi service-account secret. Shown as [REDACTED] in the call log
 * whatever simulator received them (each simulator may mask more, e.g. PayTrace's card numbers).
 */
const SECRET_FIELDS = new Set([
  'password', 'clientsecret', 'secret', 'token', 'accesstoken', 'refreshtoken', 'idtoken', 'code', 'codeverifier',
  'assertion', 'clientassertion', 'sask', 'cs', 'apikey',
]);

const normalize = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/** A copy of a request body fit to show on /_sim/calls: credential fields masked at any depth. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 16 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      SECRET_FIELDS.has(normalize(key)) && item !== undefined && item !== null && item !== '' ? '[REDACTED]' : maskSecrets(item, depth + 1),
    ]),
  );
}

export interface LoggedCall {
  seq: number;
  at: string;
  method: string;
  path: string;
  /** the query string (M3 MI fields travel there), without the '?' */
  query?: string;
  status?: number;
  ms?: number;
  /** request body as received, credentials masked (simulators never hold real card data) */
  body?: unknown;
}

/** A run of 13–19 digits could be a card number: the log keeps its first six and last four only. */
function maskLongNumbers(text: string): string {
  return text.replace(/\d{13,19}/g, (digits) => `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`);
}

/** Every request a simulator saw, newest last, bounded. Tests use it to prove what was (not) called. */
export class CallLog {
  #seq = 0;
  readonly calls: LoggedCall[] = [];
  constructor(private readonly max = 5000) {}

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (req.path.startsWith('/_sim')) return next();
      const started = performance.now();
      const [path, query] = req.originalUrl.split('?');
      const call: LoggedCall = { seq: ++this.#seq, at: new Date().toISOString(), method: req.method, path: path!, ...(query ? { query: maskLongNumbers(query) } : {}) };
      this.calls.push(call);
      if (this.calls.length > this.max) this.calls.splice(0, this.calls.length - this.max);
      res.on('finish', () => {
        call.status = res.statusCode;
        call.ms = Math.round(performance.now() - started);
        call.body = maskSecrets(req.body);
      });
      res.on('close', () => {
        call.ms ??= Math.round(performance.now() - started);
        call.body ??= maskSecrets(req.body);
      });
      next();
    };
  }

  clear(): void {
    this.calls.length = 0;
  }
}
