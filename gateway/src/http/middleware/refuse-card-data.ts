import type { NextFunction, Request, Response } from 'express';
import { cardLikeRuns, luhnValid } from '../../observability/redact';
import { sendProblem } from '../problem';

/**
 * PCI scope guard: the gateway never accepts a card number or CSC in clear (cards go
 * straight from the shopper's browser to PayTrace Protect). Any request whose JSON body
 * or query string has a card-data field, or a value (or a path segment) holding a card number (Luhn-valid,
 * 13–19 digits, a known brand prefix), is refused before a route sees it, and nothing of
 * it is logged. Protect's hpf_token / enc_key are fine: they are not card data.
 */

/** Field names that only ever mean card data. Compared lower-cased without - and _. */
export const CARD_FIELDS = new Set([
  'cardnumber', 'ccnumber', 'creditcardnumber', 'pan', 'primaryaccountnumber',
  'csc', 'cvv', 'cvv2', 'cvc', 'cvc2', 'securitycode', 'cardcode', 'cardsecuritycode',
  'track1', 'track2', 'swipe', 'trackdata', 'encryptednumber', 'encryptedcsc', 'encryptedswipe',
]);

/**
 * PayTrace Protect's single-use tokens: random text that is not card data, but may by chance hold a
 * long Luhn-valid run of digits. Their values are not scanned (their names still may not hide a PAN:
 * only these exact fields are exempt).
 */
const PROTECT_TOKEN_FIELDS = new Set(['hpftoken', 'enckey']);

/** `credit_card: { number }` is PayTrace's own shape for a PAN. */
const CARD_OBJECTS = new Set(['creditcard', 'card', 'cc']);

/** A field name as the check compares it (and as `findCardData` takes its `parentKey`): lower case, no - _ or spaces. */
export const cardCheckKey = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

// the issuer ranges of Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay and Maestro all start with 2–6
const BRAND_PREFIX = /^[2-6]/;

export function containsCardNumber(text: string): boolean {
  return cardLikeRuns(text).some(({ digits }) => digits.length >= 13 && digits.length <= 19 && BRAND_PREFIX.test(digits) && luhnValid(digits));
}

/**
 * The path of the first card-data field or value in `value`, or undefined. Walks with its own
 * stack, not recursion: a hostile body nested thousands deep is scanned to the bottom like any other.
 */
export function findCardData(value: unknown, path = '', parentKey = ''): string | undefined {
  const stack: Array<{ value: unknown; path: string; parentKey: string }> = [{ value, path, parentKey }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      if (containsCardNumber(v)) return item.path || '(body)';
      continue;
    }
    if (typeof v === 'number') {
      if (Number.isInteger(v) && containsCardNumber(String(v))) return item.path || '(body)';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${item.path}[${i}]`, parentKey: item.parentKey });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    const later: typeof stack = [];
    for (const [key, child] of entries) {
      const here = item.path ? `${item.path}.${key}` : key;
      const name = cardCheckKey(key);
      const present = child !== undefined && child !== null && child !== '';
      if (present && (CARD_FIELDS.has(name) || (name === 'number' && CARD_OBJECTS.has(item.parentKey)))) return here;
      if (PROTECT_TOKEN_FIELDS.has(name) && typeof child === 'string') continue;
      later.push({ value: child, path: here, parentKey: name });
    }
    for (let i = later.length - 1; i >= 0; i--) stack.push(later[i]!);
  }
  return undefined;
}

/** The path with its escapes decoded where they decode, segment by segment ('/' stays a separator). */
function pathText(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join(' / ');
}

export function refuseCardData(req: Request, res: Response, next: NextFunction): void {
  const where = findCardData(req.body, 'body') ?? findCardData(req.query, 'query') ?? (containsCardNumber(pathText(req.path)) ? 'the path' : undefined);
  if (!where) {
    next();
    return;
  }
  // Drop what we were sent so no later handler or log line can see it.
  req.body = undefined;
  sendProblem(res, {
    title: 'Card data refused',
    status: 400,
    code: 'CARD_DATA_REFUSED',
    errorClass: 'business',
    detail: `This service never accepts card numbers or security codes (found at ${where}). Enter card details only in the PayTrace payment fields.`,
    requestId: res.locals.requestId as string | undefined,
  });
}
