import { randomUUID } from 'node:crypto';

import { luhnValid } from '../observability/redact';

/**
 * Ids a caller may hand us (X-Request-Id, X-Correlation-Id) end up in logs, the inbox, the ledger,
 * dead letters and answers. One rule for all of them: letters, digits and `. _ : -`, at most 128
 * characters, no 13 digits in a row, and no separator-linked digit groups that together make a
 * Luhn-valid 13–19 digit number (`4242-4242-4242-4242`) — so a card number sent as an id is never
 * echoed or stored. A UUID passes (at most 12 digits in a row; its linked groups are longer than a
 * card number). Anything else is replaced by an id of ours.
 */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const DIGITS_IN_A_ROW = /\d{13,}/;
const LINKED_DIGIT_GROUPS = /\d+(?:[._:-]\d+)+/g;

export function isSafeId(value: string | undefined): value is string {
  if (value === undefined || !SAFE_ID.test(value) || DIGITS_IN_A_ROW.test(value)) return false;
  for (const [chain] of value.matchAll(LINKED_DIGIT_GROUPS)) {
    const digits = chain.replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return false;
  }
  return true;
}

/** The caller's id when it is safe, else a new UUID (ours). */
export function safeIdOr(value: string | undefined, fallback: () => string = randomUUID): string {
  return isSafeId(value) ? value : fallback();
}

/**
 * Ids in paths and queries, checked as the type the database holds before any query sees them —
 * so a hostile id is a 400/404, never a PostgreSQL cast error (22P02) or overflow (22003) as a 500.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BIGINT_MAX = 9223372036854775807n;

/** a PostgreSQL `uuid` */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** a positive PostgreSQL `bigint` (bigserial ids) in decimal */
export function isBigintId(value: unknown): value is string {
  return typeof value === 'string' && /^[1-9]\d{0,18}$/.test(value) && BigInt(value) <= BIGINT_MAX;
}
