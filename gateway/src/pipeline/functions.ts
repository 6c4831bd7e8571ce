import { createHash } from 'node:crypto';
import countries from 'i18n-iso-countries';
import { cleanText, countryCode, formatPostal, harmonizeAddress, regionCode, requireValidAddress, wrapWords, type AddressProblem, type AddressRules } from '../domain/address';
import { cardBrandOf } from '../domain/gl';
import { Money } from '../domain/money';
import type { Rules } from '../domain/rules-loader';
import { AppError } from '../errors';
import type { Bindings } from './expressions';
import type { FlowSettings } from './step-contract';

/**
 * The functions an expression may call beside JSONata's own — in flow definitions, in the
 * builder's preview and in the mapping assistant's proposals alike — each applying a rule of
 * gateway/src/domain, so a mapping formats money, dates and addresses exactly as the flows do.
 * Money is exact decimal text, never a float. All pure.
 */
export const FUNCTION_DOCS: Record<string, string> = {
  $amount: '$amount(value, currency?) — exact decimal text with the currency\'s decimals ("149.9" USD → "149.90"); never rounds: more non-zero decimals than the currency has is an error; a JSON number is read through its shortest text',
  $moneyEquals: '$moneyEquals(a, b, currency) — true when two decimal amounts are exactly equal',
  $moneyAdd: '$moneyAdd(a, b, currency) — exact sum as decimal text',
  $moneySubtract: '$moneySubtract(a, b, currency) — exact difference as decimal text',
  $moneyNegate: '$moneyNegate(amount, currency) — the amount with the opposite sign',
  $moneyCompare: '$moneyCompare(a, b, currency) — -1, 0 or 1',
  $dateYMD: '$dateYMD(value) — a date as M3 takes it: yyyyMMdd ("2026-03-01T10:00:00Z" → "20260301")',
  $dateMDY: '$dateMDY(value) — a date as PayTrace takes it: MM/DD/YYYY',
  $m3Date: '$m3Date(date?) — yyyyMMdd of the date, or of today (UTC) without one',
  $m3Address: '$m3Address({name, lines, city, region|state, postalCode, country}) — the whole address harmonized to M3\'s fields (CUA1–CUA4, TOWN, PONO, ECAR, CSCD) with address-rules.yaml; refuses an invalid address',
  $street: '$street(lines, n) — street field n (1–4) of CUA1–CUA4 after the address rules; text that does not fit is an error, never dropped',
  $countryCode: '$countryCode(value) — the country as M3\'s CSCD holds it (address-rules countryCodeFormat)',
  $regionCode: '$regionCode(value, country?) — a state/province name or code as its code',
  $postalCode: '$postalCode(value, country?) — a postal code in its country\'s format',
  $sha256: '$sha256(text) — lowercase hex SHA-256 (stable ids)',
  $contentHash: '$contentHash(object, except?) — 32 hex of SHA-256 of the object\'s canonical JSON, without the keys in `except`',
  $cardBrand: '$cardBrand(cardType, maskedNumber) — visa, mastercard, … by gl-rules.yaml',
  $cardTypeCode: '$cardTypeCode(brand) — the M3 card type code (CTPY) of a brand from flows.cardTypeCodes',
  $ledgerState: '$ledgerState(state) — the status map\'s entry for a ledger state: {paymentStatus, order, invoice, final}',
  $receiptBatchId: '$receiptBatchId(paymentId, purpose) — the deterministic ARS040 batch number (PBID) of a payment',
  $glBatchKey: '$glBatchKey(paymentId, purpose) — the deterministic GLS840 KEY1 of a payment ("S" sale, "R" reversal, "C" chargeback)',
};

/** An expression function refused its arguments: the data does not fit the rule (the code says which). */
export class MappingFunctionError extends AppError {
  constructor(code: string, message: string) {
    super(message, { code, errorClass: 'business' });
    this.name = 'MappingFunctionError';
  }
}

const fail = (code: 'MAPPING_AMOUNT_INVALID' | 'MAPPING_DATE_INVALID' | 'MAPPING_STREET_FIELD', message: string): never => {
  throw new MappingFunctionError(code, message);
};

/** an address the address functions cannot map: ADDRESS_INVALID with the problem, as harmonizeAddress reports it */
const addressFail = (field: string, problem: AddressProblem['code'], message: string): never => {
  const problems: AddressProblem[] = [{ field, severity: 'error', code: problem, message }];
  throw new AppError(`${field}: ${message}`, { code: 'ADDRESS_INVALID', errorClass: 'business', details: { problems } });
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
  if (fields.length > rules.streetFields.length) addressFail('street', 'ADDRESS_STREET_OVERFLOW', `the street text does not fit into ${rules.streetFields.join(', ')}`);
  return fields[index - 1];
}

export function countryOf(rules: AddressRules, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const alpha2 = typeof value === 'string' ? countryCode(rules, value) : undefined;
  if (!alpha2) return addressFail('country', 'ADDRESS_COUNTRY_UNKNOWN', 'not a known country');
  return rules.countryCodeFormat === 'alpha2' ? alpha2 : countries.alpha2ToAlpha3(alpha2)!;
}

function countryOrDefault(rules: AddressRules, country: unknown): string | undefined {
  return typeof country === 'string' && country.trim() ? countryCode(rules, country) : rules.defaultCountry;
}

export function regionOf(rules: AddressRules, value: unknown, country?: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return addressFail('region', 'ADDRESS_REGION_UNKNOWN', 'a region must be text');
  const alpha2 = countryOrDefault(rules, country);
  const coded = alpha2 ? regionCode(rules, alpha2, value) : undefined;
  if (coded) return coded;
  const cleaned = cleanText(value).toUpperCase();
  if (alpha2 && rules.regions[alpha2]) return addressFail('region', 'ADDRESS_REGION_UNKNOWN', `not a ${alpha2} state/province`);
  if (cleaned.length <= rules.fieldLengths.ECAR!) return cleaned;
  return addressFail('region', 'ADDRESS_REGION_NOT_CODED', 'the region has no code and does not fit ECAR');
}

export function postalOf(rules: AddressRules, value: unknown, country?: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') return addressFail('postalCode', 'ADDRESS_POSTAL_CODE_FORMAT', 'a postal code must be text');
  const problems: Array<{ severity: string; message: string }> = [];
  const out = formatPostal(rules, countryOrDefault(rules, country), String(value), problems as never);
  const error = problems.find((p) => p.severity === 'error');
  if (error) addressFail('postalCode', 'ADDRESS_POSTAL_CODE_FORMAT', 'the postal code does not fit its country format');
  return out;
}


const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** KEY1 of a payment's GL batch (A15): deterministic, so a retry finds the same batch. */
export function glBatchKey(paymentId: string, purpose = 'S'): string {
  return `PT${purpose}${sha256(paymentId).slice(0, 12).toUpperCase()}`;
}

/** PBID of a payment's cash-receipt batch (numeric, N10): deterministic for the same reason. */
export function receiptBatchId(paymentId: string, purpose = 'receipt'): number {
  const hash = createHash('sha256').update(`${purpose}:${paymentId}`).digest();
  return 1_000_000_000 + (hash.readUInt32BE(0) % 999_999_999);
}

/** yyyyMMdd, M3's date format, in UTC */
export function m3Date(date: Date | string = new Date()): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** Decimal text in (a JSON number through its shortest text), exact money out: surplus zero decimals (M3's and the ledger's "12.3400") are fine, a significant one is refused. */
const money = (value: unknown, currency: unknown) => Money.fromM3(decimalText(value), String(currency ?? 'USD'));

/** JSON with object keys sorted: the same content gives the same text whatever the key order (jsonb reorders). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}


/** The rules an expression's functions apply (the mapping assistant has only the address rules). */
export type FunctionRules = Pick<Rules, 'address'> & Partial<Pick<Rules, 'gl' | 'statusMap'>>;

function needs<T>(part: T | undefined, what: string): T {
  if (part === undefined) throw new AppError(`this function needs the ${what}, which this evaluation does not have`, { code: 'FLOW_EXPRESSION_FAILED', errorClass: 'configuration' });
  return part;
}

/** The functions, bound to a rules version and the flow settings (as JSONata bindings). */
export function expressionFunctions(rules: FunctionRules, settings?: Pick<FlowSettings, 'cardTypeCodes'>): Bindings {
  return {
    amount: (value: unknown, currency?: unknown) => amount(value, currency),
    moneyEquals: (a: unknown, b: unknown, currency: unknown) => (a === undefined || b === undefined ? false : money(a, currency).equals(money(b, currency))),
    moneyAdd: (a: unknown, b: unknown, currency: unknown) => money(a, currency).add(money(b, currency)).toFixedString(),
    moneySubtract: (a: unknown, b: unknown, currency: unknown) => money(a, currency).subtract(money(b, currency)).toFixedString(),
    moneyNegate: (a: unknown, currency: unknown) => Money.zero(String(currency ?? 'USD')).subtract(money(a, currency)).toFixedString(),
    moneyCompare: (a: unknown, b: unknown, currency: unknown) => money(a, currency).compare(money(b, currency)),
    dateYMD: (value: unknown) => dateYMD(value),
    dateMDY: (value: unknown) => dateMDY(value),
    m3Date: (date?: unknown) => (date === undefined ? m3Date(new Date()) : dateYMD(date)),
    m3Address: (address: { name?: string; lines?: string[]; city?: string; region?: string; state?: string; postalCode?: string; country?: string } | undefined) => {
      if (!address) return undefined;
      const harmonized = harmonizeAddress(rules.address, { name: address.name, lines: address.lines ?? [], city: address.city, region: address.region ?? address.state, postalCode: address.postalCode, country: address.country });
      return { ...requireValidAddress(harmonized), country: harmonized.country?.alpha2 };
    },
    street: (lines: unknown, n: unknown) => street(rules.address, lines, n),
    countryCode: (value: unknown) => countryOf(rules.address, value),
    regionCode: (value: unknown, country?: unknown) => regionOf(rules.address, value, country),
    postalCode: (value: unknown, country?: unknown) => postalOf(rules.address, value, country),
    sha256: (text: unknown) => sha256(String(text)),
    cardBrand: (cardType?: string | null, maskedNumber?: string | null) => cardBrandOf(needs(rules.gl, 'GL rules'), { cardType, maskedNumber }),
    cardTypeCode: (brand: string) => {
      const codes = needs(settings, 'flow settings').cardTypeCodes;
      return codes[brand] ?? codes.unknown ?? 'CC';
    },
    ledgerState: (state: string) => needs(rules.statusMap, 'status map').ledgerStates[state as keyof NonNullable<Rules['statusMap']>['ledgerStates']],
    contentHash: (value: Record<string, unknown>, except?: string[] | string) => {
      const drop = new Set(Array.isArray(except) ? except : except ? [except] : []);
      const content = Object.fromEntries(Object.entries(value ?? {}).filter(([k]) => !drop.has(k)));
      return sha256(canonicalJson(content)).slice(0, 32);
    },
    receiptBatchId: (paymentId: string, purpose?: string) => receiptBatchId(paymentId, purpose),
    glBatchKey: (paymentId: string, purpose?: string) => glBatchKey(paymentId, purpose),
  };
}

/** The flow runner's functions: every rule of the pinned version. */
export function flowFunctions(rules: Rules, settings: FlowSettings): Bindings {
  return expressionFunctions(rules, settings);
}

/** The names, for the builder's expression editor and the mapping assistant. */
export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTION_DOCS).map((n) => n.slice(1));
