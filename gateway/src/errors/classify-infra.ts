import { AppError, type ErrorClass } from './app-error';

/** Node and undici codes of connection-level failures: the other side may be fine in a moment. */
export const TRANSIENT_NODE_CODES: readonly string[] = [
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET',
];
const transientNodeCodes = new Set(TRANSIENT_NODE_CODES);

/** PostgreSQL SQLSTATEs worth retrying: serialization failures, deadlocks, shutdowns, too many connections. */
export const TRANSIENT_PG_CODES: readonly string[] = ['40001', '40P01', '57P01', '57P02', '57P03', '53300'];
/** …and every SQLSTATE of these classes (08: connection exception). */
export const TRANSIENT_PG_CLASSES: readonly string[] = ['08'];

function transientPgCode(code: string): boolean {
  return TRANSIENT_PG_CODES.includes(code) || TRANSIENT_PG_CLASSES.some((prefix) => code.startsWith(prefix));
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
    if (typeof code === 'string' && (transientNodeCodes.has(code) || (/^[0-9A-Z]{5}$/.test(code) && transientPgCode(code)))) {
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
