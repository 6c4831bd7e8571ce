import countries from 'i18n-iso-countries';
import { isKnownCurrency } from '../domain/money';

/**
 * Value patterns: what a sample value looks like (an e-mail, a date, an amount, a country code …)
 * and what a target field expects from its description. A match is strong evidence, a clash
 * (an e-mail offered to a postal code) strong counter-evidence.
 */
export type Pattern =
  | 'email'
  | 'date'
  | 'datetime'
  | 'amount'
  | 'integer'
  | 'country'
  | 'currency'
  | 'region'
  | 'postal'
  | 'phone'
  | 'url'
  | 'uuid'
  | 'boolean'
  | 'year'
  | 'masked-card'
  | 'card-number'
  | 'provider'
  | 'text';

const US_STATES = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP AB BC MB NB NL NS NT NU ON PE QC SK YT'.split(' '),
);

/**
 * Card payment providers/gateways by the names stores and ERPs give them (a 3rd-party provider field
 * takes the value "paytrace" of a payment_method: the value says it, the key does not)
 */
const PROVIDER = /^(paytrace|stripe|braintree|adyen|authorize[._ -]?net|authnet|paypal|square|worldpay|cybersource|elavon|moneris|chase[._ -]?paymentech|global[._ -]?payments|nmi|checkout[._ -]?com|heartland|bluesnap|payflow)([._ -].*)?$/i;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** a Luhn-valid run of 13–19 digits (spaces/dashes allowed): a card number, never shown */
export function looksLikeCardNumber(value: unknown): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  const text = String(value);
  if (!/^[\d -]{13,23}$/.test(text)) return false;
  const digits = text.replace(/\D/g, '');
  return digits.length >= 13 && digits.length <= 19 && luhn(digits);
}

function validDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 1900 && y <= 2200;
}

/** The patterns a value shows, most specific first (a value can show several: "US" is country and region). */
export function patternsOf(value: unknown): Pattern[] {
  if (typeof value === 'boolean') return ['boolean'];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return ['text'];
    if (looksLikeCardNumber(value)) return ['card-number'];
    if (Number.isInteger(value)) return value >= 1900 && value <= 2200 ? ['year', 'integer', 'amount'] : ['integer', 'amount'];
    return ['amount'];
  }
  if (typeof value !== 'string') return [];
  const text = value.trim();
  const out: Pattern[] = [];
  if (text === '') return out;
  if (looksLikeCardNumber(text)) return ['card-number'];
  if (/^[x*X•]{4,15}\d{4}$/.test(text) || /^\d{6}[x*X]{3,9}\d{4}$/.test(text)) return ['masked-card'];
  if (/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(text)) return ['email'];
  if (/^https?:\/\//i.test(text)) return ['url'];
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return ['uuid'];
  let m = /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (m && validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return m[4] ? ['datetime', 'date'] : ['date'];
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})( \d{1,2}:\d{2}(:\d{2})?( ?[AP]M)?)?$/i.exec(text);
  if (m && validDate(Number(m[3]), Number(m[1]), Number(m[2]))) return m[4] ? ['datetime', 'date'] : ['date'];
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (m && validDate(Number(m[1]), Number(m[2]), Number(m[3]))) out.push('date');
  if (/^(true|false)$/i.test(text)) return ['boolean'];
  if (PROVIDER.test(text)) return ['provider'];
  if (/^(19|20|21)\d{2}$/.test(text)) out.push('year');
  if (/^-?\d{1,15}$/.test(text)) out.push('integer');
  if (/^-?\d{1,15}(\.\d{1,6})?$/.test(text)) out.push('amount');
  if (/^[A-Z]{3}$/.test(text) && isKnownCurrency(text)) out.push('currency');
  if ((/^[A-Z]{2}$/.test(text) && countries.isValid(text)) || (/^[A-Z]{3}$/.test(text) && countries.alpha3ToAlpha2(text))) out.push('country');
  if (/^[A-Z]{2}$/.test(text) && US_STATES.has(text)) out.push('region');
  if (/^\d{5}(-\d{4})?$/.test(text) || /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i.test(text) || /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i.test(text)) out.push('postal');
  if (/^\+?[\d ().-]{7,20}$/.test(text) && /\d{3}/.test(text) && !/^\d+$/.test(text)) out.push('phone');
  if (out.length === 0) out.push('text');
  return out;
}

/** Patterns a target expects, from its description concepts and type; empty when it has no expectation. */
export function expectedPatterns(concepts: readonly string[], type: string, length?: number): Pattern[] {
  const has = (c: string) => concepts.includes(c);
  if (has('email')) return ['email'];
  if (has('provider')) return ['provider'];
  if (has('url')) return ['url', 'email'];
  if (has('fax') || has('phone')) return ['phone'];
  if (has('postal')) return ['postal'];
  if (has('currency') && ((!has('amount') && !has('price')) || (type === 'alpha' && length !== undefined && length <= 3))) return ['currency'];
  if (has('country')) return ['country'];
  if (has('region')) return ['region'];
  if (type === 'date' || (has('date') && !has('time'))) return ['date', 'datetime'];
  if (has('year')) return ['year'];
  // a number of money; an alpha field named "Charge" is the charge's code, not its amount
  if (has('amount') || ((has('price') || has('charge') || has('discount') || has('rate') || has('limit')) && type === 'numeric')) return ['amount'];
  if (has('quantity')) return ['amount', 'integer'];
  return [];
}

/** patterns that say "this value is a specific kind of thing" (a clash with them is telling) */
export const SPECIFIC: ReadonlySet<Pattern> = new Set(['email', 'date', 'datetime', 'country', 'currency', 'postal', 'phone', 'url', 'uuid', 'masked-card', 'card-number', 'boolean', 'provider']);
