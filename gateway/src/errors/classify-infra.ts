import { AppError, type ErrorClass } from './app-error';

// Connection-level failures: the other side may be fine in a moment.
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET',
]);

/** PostgreSQL SQLSTATEs worth retrying: serialization failures, deadlocks, shutdowns, connection loss. */
function transientPgCode(code: string): boolean {
  return code === '40001' || code === '40P01' || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/**
 * The error class of anything thrown, including errors from libraries (pg, fetch, knex)
 * that do not know our classes: connection trouble is transient, the rest is a bug.
 */
export function errorClassOf(err: unknown): { errorClass: ErrorClass; code: string; message: string } {
  if (err instanceof AppError) return { errorClass: err.errorClass, code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  let cursor: unknown = err;
  for (let depth = 0; cursor && depth < 5; depth++) {
    const code = (cursor as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_NODE_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && transientPgCode(code)))) {
      return { errorClass: 'transient', code: `INFRA_${code}`, message };
    }
    if (cursor instanceof Error && (cursor.name === 'TimeoutError' || cursor.name === 'AbortError')) {
      return { errorClass: 'transient', code: 'INFRA_TIMEOUT', message };
    }
    if (cursor instanceof Error && /Connection terminated|timeout acquiring a connection|Knex: Timeout/i.test(cursor.message)) {
      return { errorClass: 'transient', code: 'INFRA_DB_CONNECTION', message };
    }
    cursor = (cursor as { cause?: unknown }).cause;
  }
  return { errorClass: 'bug', code: 'UNEXPECTED', message };
}
