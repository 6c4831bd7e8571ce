import { cleanText, countryCode, formatPostal, regionCode, wrapWords, type AddressRules } from '../../domain/address';
import { Money } from '../../domain/money';
import countries from 'i18n-iso-countries';

/**
 * The functions a mapping expression may call beside JSONata's own, each applying a rule of
 * gateway/src/domain (so a mapping formats money, dates and addresses exactly as the flows do):
 *
 *   $amount(value, currency?)   exact decimal text with the currency's decimals ("149.9" USD → "149.90");
 *                               never rounds: more non-zero decimals than the currency has is an error
 *   $dateYMD(value)             a date as M3 takes it: yyyyMMdd ("2026-03-01T10:00:00Z" → "20260301")
 *   $dateMDY(value)             a date as PayTrace takes it: MM/DD/YYYY
 *   $street(lines, n)           street field n (1–4) of M3's CUA1–CUA4 after the address rules
 *                               (cleaned, wrapped at word boundaries to the field length); text that
 *                               does not fit in all four is an error, never dropped
 *   $countryCode(value)         the country as M3's CSCD holds it (address-rules countryCodeFormat)
 *   $regionCode(value, country?) a state/province name or code as its code (US, CA tables)
 *   $postalCode(value, country?) a postal code in its country's format
 *
 * A date is taken as written (its own day, no time-zone conversion). A JSON number is read through
 * its shortest decimal text (51.88 → "51.88"), never computed with.
 */

export class MappingFunctionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MappingFunctionError';
  }
}

const fail = (code: string, message: string): never => {
  throw new MappingFunctionError(code, message);
};

function decimalText(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('MAPPING_AMOUNT_INVALID', 'the amount is not a finite number');
    const text = String(value);
    if (/e/i.test(text)) fail('MAPPING_AMOUNT_INVALID', `the amount ${text} is not a plain decimal`);
    return text;
  }
  if (typeof value === 'string') return value.trim();
  return fail('MAPPING_AMOUNT_INVALID', `an amount must be a number or a decimal string, not ${value === null ? 'null' : typeof value}`);
}

export function amount(value: unknown, currency?: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = decimalText(value);
  if (!/^-?\d{1,15}(\.\d{1,9})?$/.test(text)) fail('MAPPING_AMOUNT_INVALID', `"${text.slice(0, 30)}" is not a plain decimal amount`);
  if (currency === undefined || currency === null || currency === '') return text;
  if (typeof currency !== 'string') return fail('MAPPING_AMOUNT_INVALID', 'the currency must be an ISO 4217 code');
  try {
    return Money.fromM3(text, currency.trim().toUpperCase()).toM3();
  } catch (err) {
    return fail('MAPPING_AMOUNT_INVALID', (err as Error).message);
  }
}

function parseDate(value: unknown): { y: string; m: string; d: string } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') return fail('MAPPING_DATE_INVALID', 'a date must be text');
  const text = String(value).trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  let parts = m ? { y: m[1]!, m: m[2]!, d: m[3]! } : undefined;
  if (!parts) {
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: .*)?$/.exec(text);
    if (m) parts = { y: m[3]!, m: m[1]!.padStart(2, '0'), d: m[2]!.padStart(2, '0') };
  }
  if (!parts) return fail('MAPPING_DATE_INVALID', `"${text.slice(0, 30)}" is not a date (yyyy-MM-dd, ISO date-time, yyyyMMdd or MM/DD/YYYY)`);
  const check = new Date(Date.UTC(Number(parts.y), Number(parts.m) - 1, Number(parts.d)));
  if (check.getUTCMonth() !== Number(parts.m) - 1 || check.getUTCDate() !== Number(parts.d)) fail('MAPPING_DATE_INVALID', `"${text.slice(0, 30)}" is not a calendar date`);
  return parts;
}

export function dateYMD(value: unknown): string | undefined {
  const p = parseDate(value);
  return p && `${p.y}${p.m}${p.d}`;
}

export function dateMDY(value: unknown): string | undefined {
  const p = parseDate(value);
  return p && `${p.m}/${p.d}/${p.y}`;
}

export function street(rules: AddressRules, lines: unknown, n: unknown): string | undefined {
  const list = (Array.isArray(lines) ? lines : [lines]).filter((l): l is string | number => typeof l === 'string' || typeof l === 'number').map(String);
  const index = typeof n === 'number' && Number.isInteger(n) ? n : NaN;
  if (!(index >= 1 && index <= rules.streetFields.length)) fail('MAPPING_STREET_FIELD', `the street field number must be 1–${rules.streetFields.length}`);
  const pieces = list.map((l) => cleanText(l, rules.asciiFold)).filter(Boolean);
  const width = Math.min(...rules.streetFields.map((f) => rules.fieldLengths[f]!));
  // same rule as harmonizeAddress: each line keeps its own field when it can, too many are packed
  let fields = pieces.flatMap((line) => wrapWords(line, width));
  if (fields.length > rules.streetFields.length) fields = wrapWords(pieces.join(' '), width);
  if (fields.length > rules.streetFields.length) fail('ADDRESS_STREET_OVERFLOW', `the street text does not fit into ${rules.streetFields.join(', ')}`);
  return fields[index - 1];
}

export function countryOf(rules: AddressRules, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const alpha2 = typeof value === 'string' ? countryCode(rules, value) : undefined;
  if (!alpha2) return fail('ADDRESS_COUNTRY_UNKNOWN', 'not a known country');
  return rules.countryCodeFormat === 'alpha2' ? alpha2 : countries.alpha2ToAlpha3(alpha2)!;
}

function countryOrDefault(rules: AddressRules, country: unknown): string | undefined {
  return typeof country === 'string' && country.trim() ? countryCode(rules, country) : rules.defaultCountry;
}

export function regionOf(rules: AddressRules, value: unknown, country?: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return fail('ADDRESS_REGION_UNKNOWN', 'a region must be text');
  const alpha2 = countryOrDefault(rules, country);
  const coded = alpha2 ? regionCode(rules, alpha2, value) : undefined;
  if (coded) return coded;
  const cleaned = cleanText(value).toUpperCase();
  if (alpha2 && rules.regions[alpha2]) return fail('ADDRESS_REGION_UNKNOWN', `not a ${alpha2} state/province`);
  if (cleaned.length <= rules.fieldLengths.ECAR!) return cleaned;
  return fail('ADDRESS_REGION_NOT_CODED', 'the region has no code and does not fit ECAR');
}

export function postalOf(rules: AddressRules, value: unknown, country?: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') return fail('ADDRESS_POSTAL_CODE_FORMAT', 'a postal code must be text');
  const problems: Array<{ severity: string; message: string }> = [];
  const out = formatPostal(rules, countryOrDefault(rules, country), String(value), problems as never);
  const error = problems.find((p) => p.severity === 'error');
  if (error) fail('ADDRESS_POSTAL_CODE_FORMAT', 'the postal code does not fit its country format');
  return out;
}

/** name → [implementation, JSONata signature] */
export function mappingFunctions(rules: AddressRules): Record<string, [(...args: never[]) => unknown, string]> {
  return {
    amount: [amount as never, '<(sn)s?:s>'],
    dateYMD: [dateYMD as never, '<(sn):s>'],
    dateMDY: [dateMDY as never, '<(sn):s>'],
    street: [((lines: unknown, n: unknown) => street(rules, lines, n)) as never, '<(asn)n:s>'],
    countryCode: [((v: unknown) => countryOf(rules, v)) as never, '<s:s>'],
    regionCode: [((v: unknown, c?: unknown) => regionOf(rules, v, c)) as never, '<ss?:s>'],
    postalCode: [((v: unknown, c?: unknown) => postalOf(rules, v, c)) as never, '<(sn)s?:s>'],
  };
}

export const MAPPING_FUNCTION_NAMES: readonly string[] = ['amount', 'dateYMD', 'dateMDY', 'street', 'countryCode', 'regionCode', 'postalCode'];
