import { ERROR, luhnValid, maskCard } from './codes';
import { makeCard, type SimCard } from './state';
import { object, readSmallInt, text, type FieldErrors, type JsonBody } from './wire';

/**
 * Card checks shared by keyed transactions, the vault and the Protect fields: number (35), month (43),
 * year and expiry (44), CSC (148, ours). Every failing field is reported, not only the first.
 */

export interface CardInput {
  number: unknown;
  month: unknown;
  year: unknown;
}

/** Validate a card against the simulated date; add the errors found; return the card when it is good. */
export function checkCard(input: CardInput, now: Date, errors: FieldErrors): SimCard | undefined {
  const number = typeof input.number === 'string' ? input.number.replace(/[\s-]/g, '') : typeof input.number === 'number' ? String(input.number) : '';
  const month = readSmallInt(input.month, /^(0?[1-9]|1[0-2])$/);
  const year = readSmallInt(input.year, /^\d{4}$/);
  let good = true;
  if (!luhnValid(number)) {
    errors.add(ERROR.cardNumber);
    good = false;
  }
  if (month === undefined) {
    errors.add(ERROR.expirationMonth);
    good = false;
  }
  if (year === undefined) {
    errors.add(ERROR.expirationYear);
    good = false;
  } else if (month !== undefined) {
    const thisYear = now.getUTCFullYear();
    const thisMonth = now.getUTCMonth() + 1;
    if (year < thisYear || (year === thisYear && month < thisMonth) || year > thisYear + 20) {
      errors.add(ERROR.expirationYear);
      good = false;
    }
  }
  return good ? makeCard(number, month!, year!) : undefined;
}

/** `credit_card{number, expiration_month, expiration_year}` of a keyed call */
export function readKeyedCard(body: JsonBody, now: Date, errors: FieldErrors): { card?: SimCard; masked?: string } {
  const cc = object(body, 'credit_card') ?? {};
  const card = checkCard({ number: cc.number, month: cc.expiration_month, year: cc.expiration_year }, now, errors);
  const digits = typeof cc.number === 'string' ? cc.number.replace(/\D/g, '') : '';
  // error bodies of keyed calls still echo the masked number (reference §3.3)
  return { card, masked: digits.length >= 4 ? maskCard(digits) : undefined };
}

/** `csc` at the top level: optional, 3–4 digits when given */
export function readCsc(body: JsonBody, errors: FieldErrors): string | undefined {
  const csc = text(body, 'csc');
  if (csc === undefined) return undefined;
  if (!/^\d{3,4}$/.test(csc)) {
    errors.add(ERROR.csc);
    return undefined;
  }
  return csc;
}

/**
 * `swipe`: track 1 (`%B<pan>^NAME^YYMM...?`) and/or track 2 (`;<pan>=YYMM...?`) in one string.
 */
export function readSwipe(body: JsonBody, now: Date, errors: FieldErrors): SimCard | undefined {
  const swipe = text(body, 'swipe') ?? '';
  const track1 = /%B(\d{12,19})\^[^^]*\^(\d{2})(\d{2})/.exec(swipe);
  const track2 = /;(\d{12,19})=(\d{2})(\d{2})/.exec(swipe);
  const m = track1 ?? track2;
  if (!m) {
    errors.add(ERROR.cardNumber);
    return undefined;
  }
  return checkCard({ number: m[1], month: m[3], year: `20${m[2]}` }, now, errors);
}
