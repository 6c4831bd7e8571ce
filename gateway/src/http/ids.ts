import { randomUUID } from 'node:crypto';

/**
 * Ids a caller may hand us (X-Request-Id, X-Correlation-Id) end up in logs, the inbox, the ledger,
 * dead letters and answers. One rule for all of them: letters, digits and `. _ : -`, at most 128
 * characters, and no run of 13 or more digits (separators between the digits do not count) — so
 * a card number sent as an id can never be echoed or stored. Anything else is replaced by our own.
 */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** 13+ digits, possibly split by the separators an id may hold (a PAN is 13–19 digits) */
const LONG_DIGIT_RUN = /\d(?:[._:-]?\d){12,}/;

export function isSafeId(value: string | undefined): value is string {
  return value !== undefined && SAFE_ID.test(value) && !LONG_DIGIT_RUN.test(value);
}

/** The caller's id when it is safe, else a new UUID (ours). */
export function safeIdOr(value: string | undefined, fallback: () => string = randomUUID): string {
  return isSafeId(value) ? value : fallback();
}
