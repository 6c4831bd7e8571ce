import countries from 'i18n-iso-countries';
import de from 'i18n-iso-countries/langs/de.json';
import en from 'i18n-iso-countries/langs/en.json';
import es from 'i18n-iso-countries/langs/es.json';
import fr from 'i18n-iso-countries/langs/fr.json';
import { z } from 'zod';
import { AppError } from '../errors';

/**
 * Address harmonization for M3 (CRS610MI / OIS100MI address fields): ISO country codes, US/CA
 * region codes, postal code formats, unicode clean-up and splitting of street text into the 36-char
 * CUA1…CUA4 fields. The original is always kept beside the result with the list of changes.
 */

for (const locale of [en, de, fr, es]) countries.registerLocale(locale);
const LOCALES = ['en', 'de', 'fr', 'es'] as const;

const fieldName = z.enum(['CUNM', 'CUA1', 'CUA2', 'CUA3', 'CUA4', 'TOWN', 'PONO', 'ECAR', 'CSCD']);
export type M3AddressField = z.infer<typeof fieldName>;

function validRegex(text: string): boolean {
  try {
    new RegExp(text, 'u');
    return true;
  } catch {
    return false;
  }
}

const postalFormatSchema = z
  .object({
    /** matched against the cleaned text (upper case, single spaces); must match the whole value */
    pattern: z.string().refine(validRegex, 'not a valid regular expression'),
    /** the harmonized form, with $1… from the pattern's groups; absent groups become '' */
    format: z.string().min(1),
    /** a text that does not fit: error (refuse) or warning (keep it cleaned) */
    onMismatch: z.enum(['error', 'warning']),
  })
  .strict();

export const addressRulesSchema = z
  .object({
    version: z.number().int().positive(),
    /** M3 field lengths (Appendix A: CUA1–CUA4 A36, TOWN A20, PONO A10, ECAR A2, CSCD A3, CUNM A36) */
    fieldLengths: z.record(fieldName, z.number().int().positive().max(120)),
    /** street text goes into these fields, in order */
    streetFields: z.array(z.enum(['CUA1', 'CUA2', 'CUA3', 'CUA4'])).min(1).max(4),
    /** what CSCD holds: ISO alpha-2 (US) or alpha-3 (USA) [inferred: tenant setting in CRS045] */
    countryCodeFormat: z.enum(['alpha2', 'alpha3']),
    /** used when the input has no country */
    defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'an ISO alpha-2 code').optional(),
    /** extra spellings → alpha-2 ("ENGLAND": GB); compared upper-case without dots */
    countryAliases: z.record(z.string().min(1), z.string().regex(/^[A-Z]{2}$/, 'an ISO alpha-2 code')).default({}),
    /** region names → codes per country (US states, CA provinces); keys compared upper-case */
    regions: z.record(z.string().regex(/^[A-Z]{2}$/), z.record(z.string().min(1), z.string().regex(/^[A-Z0-9]{1,3}$/))).default({}),
    /** countries whose region must be a known code */
    regionRequired: z.array(z.string().regex(/^[A-Z]{2}$/)).default([]),
    postalFormats: z.record(z.string().regex(/^([A-Z]{2}|default)$/, 'a country alpha-2 code or "default"'), postalFormatSchema),
    /** remove accents (é → e) for tenants whose M3 fields are not unicode */
    asciiFold: z.boolean().default(false),
  })
  .strict()
  .superRefine((rules, ctx) => {
    // every M3 field has a length: zod's record over the field names wants each key
    for (const [alias, code] of Object.entries(rules.countryAliases)) {
      if (!countries.isValid(code)) ctx.addIssue({ code: 'custom', path: ['countryAliases', alias], message: `"${code}" is not an ISO 3166 country code` });
    }
    if (rules.defaultCountry && !countries.isValid(rules.defaultCountry)) ctx.addIssue({ code: 'custom', path: ['defaultCountry'], message: `"${rules.defaultCountry}" is not an ISO 3166 country code` });
    if (!rules.postalFormats.default) ctx.addIssue({ code: 'custom', path: ['postalFormats'], message: 'a "default" postal format is required' });
  });

export type AddressRules = z.output<typeof addressRulesSchema>;

export interface AddressInput {
  name?: string;
  /** street lines as given (storefront line1/line2, BOD AddressLine…) */
  lines: readonly string[];
  city?: string;
  /** state, province or region: a code or a name */
  region?: string;
  postalCode?: string;
  /** a country code (alpha-2 or alpha-3) or a name in en/de/fr/es */
  country?: string;
}

export type M3Address = Partial<Record<M3AddressField, string>>;

export interface AddressChange {
  field: string;
  from: string;
  to: string;
  why: string;
}

export interface AddressProblem {
  field: string;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface HarmonizedAddress {
  original: AddressInput;
  m3: M3Address;
  country?: { alpha2: string; alpha3: string };
  changes: AddressChange[];
  problems: AddressProblem[];
  /** street text that did not fit into the street fields */
  overflow: string;
  /** no problem of severity error */
  ok: boolean;
}

/** NFC, no control or format characters, single spaces, trimmed; optional accent folding. */
export function cleanText(text: string, asciiFold = false): string {
  let s = text.normalize('NFC').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ');
  if (asciiFold) s = s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
  return s.replace(/\s+/gu, ' ').trim();
}

/** Alpha-2 code of a country given as alpha-2, alpha-3, alias or name; undefined when unknown. */
export function countryCode(rules: AddressRules, text: string): string | undefined {
  const upper = cleanText(text).toUpperCase();
  if (!upper) return undefined;
  const squashed = upper.replace(/\./g, '');
  const alias = rules.countryAliases[upper] ?? rules.countryAliases[squashed];
  if (alias) return alias;
  if (/^[A-Z]{2}$/.test(squashed) && countries.isValid(squashed)) return squashed;
  if (/^[A-Z]{3}$/.test(squashed)) {
    const a2 = countries.alpha3ToAlpha2(squashed);
    if (a2) return a2;
  }
  for (const locale of LOCALES) {
    const a2 = countries.getAlpha2Code(cleanText(text), locale) ?? countries.getAlpha2Code(cleanText(text).replace(/\./g, ''), locale);
    if (a2) return a2;
  }
  return undefined;
}

/** Break text into pieces of at most `width` at word boundaries; a word longer than `width` is cut. */
export function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.split(' ').filter(Boolean)) {
    let w = word;
    while (w.length > width) {
      if (current) {
        out.push(current);
        current = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!w) continue;
    if (!current) current = w;
    else if (current.length + 1 + w.length <= width) current += ` ${w}`;
    else {
      out.push(current);
      current = w;
    }
  }
  if (current) out.push(current);
  return out;
}

/** A postal code in its country's format; `problems` receives a mismatch. */
export function formatPostal(rules: AddressRules, country: string | undefined, raw: string, problems: AddressProblem[] = []): string {
  const cleaned = cleanText(raw).toUpperCase();
  const rule = (country && rules.postalFormats[country]) || rules.postalFormats.default!;
  const m = new RegExp(`^(?:${rule.pattern})$`, 'u').exec(cleaned);
  if (!m) {
    problems.push({
      field: 'PONO',
      severity: rule.onMismatch,
      code: 'ADDRESS_POSTAL_CODE_FORMAT',
      message: `postal code "${cleaned}" does not fit the ${country && rules.postalFormats[country] ? country : 'default'} format`,
    });
    return cleaned;
  }
  return rule.format
    .replace(/\$(\d)/g, (_all, n: string) => m[Number(n)] ?? '')
    .replace(/[\s-]+$/u, '')
    .trim();
}

/** The region code for a name or code in a country with a region table; undefined when unknown or no table. */
export function regionCode(rules: AddressRules, country: string, text: string): string | undefined {
  const table = rules.regions[country];
  if (!table) return undefined;
  const upper = cleanText(text).toUpperCase().replace(/\./g, '');
  return Object.values(table).includes(upper) ? upper : table[upper];
}

/**
 * Harmonize one address for M3. Never throws for bad data: problems are listed (use
 * `requireValidAddress` where an invalid address must stop the flow).
 */
export function harmonizeAddress(rules: AddressRules, input: AddressInput): HarmonizedAddress {
  const changes: AddressChange[] = [];
  const problems: AddressProblem[] = [];
  const m3: M3Address = {};
  const fold = rules.asciiFold;
  const limit = (field: M3AddressField) => rules.fieldLengths[field]!;

  const note = (field: string, from: string | undefined, to: string, why: string) => {
    if ((from ?? '') !== to) changes.push({ field, from: from ?? '', to, why });
  };
  const fit = (field: M3AddressField, value: string, source: string) => {
    const max = limit(field);
    if (value.length <= max) return value;
    const cut = value.slice(0, max).trimEnd();
    problems.push({ field, severity: 'warning', code: 'ADDRESS_FIELD_TRUNCATED', message: `${source} is ${value.length} characters; ${field} holds ${max}` });
    note(field, value, cut, `truncated to ${max} characters`);
    return cut;
  };

  if (input.name !== undefined) {
    const name = cleanText(input.name, fold);
    note('CUNM', input.name, name, 'unicode normalized, spaces collapsed');
    if (name) m3.CUNM = fit('CUNM', name, 'name');
  }

  // country first: postal and region rules depend on it
  const givenCountry = input.country?.trim() ? input.country : rules.defaultCountry;
  let alpha2: string | undefined;
  if (!givenCountry) {
    problems.push({ field: 'CSCD', severity: 'error', code: 'ADDRESS_COUNTRY_MISSING', message: 'no country given and no default country configured' });
  } else {
    alpha2 = countryCode(rules, givenCountry);
    if (!alpha2) {
      problems.push({ field: 'CSCD', severity: 'error', code: 'ADDRESS_COUNTRY_UNKNOWN', message: `"${cleanText(givenCountry).slice(0, 60)}" is not a known country` });
    } else {
      const cscd = rules.countryCodeFormat === 'alpha2' ? alpha2 : countries.alpha2ToAlpha3(alpha2)!;
      m3.CSCD = cscd;
      note('CSCD', input.country, cscd, input.country?.trim() ? `ISO 3166 ${rules.countryCodeFormat}` : 'default country');
    }
  }

  // street lines: each given line starts a new field when it can; long lines wrap at word boundaries
  const pieces = input.lines.map((l) => cleanText(l, fold)).filter(Boolean);
  const width = Math.min(...rules.streetFields.map((f) => limit(f)));
  const wrapped = pieces.flatMap((line) => wrapWords(line, width));
  let fields = wrapped;
  if (wrapped.length > rules.streetFields.length) {
    // too many pieces: pack them together before giving up on any text
    fields = wrapWords(pieces.join(' '), width);
  }
  const used = fields.slice(0, rules.streetFields.length);
  rules.streetFields.forEach((field, i) => {
    if (used[i]) m3[field] = used[i];
  });
  const overflow = fields.slice(rules.streetFields.length).join(' ');
  if (overflow) {
    problems.push({ field: 'CUA', severity: 'error', code: 'ADDRESS_STREET_OVERFLOW', message: `street text does not fit into ${rules.streetFields.join(', ')}: "${overflow.slice(0, 80)}" left over` });
  }
  if (pieces.length === 0) problems.push({ field: rules.streetFields[0]!, severity: 'error', code: 'ADDRESS_STREET_MISSING', message: 'no street address' });
  if (used.join('|') !== input.lines.join('|')) changes.push({ field: rules.streetFields.slice(0, Math.max(used.length, 1)).join('+'), from: input.lines.join(' | '), to: used.join(' | '), why: 'cleaned and split to M3 field lengths' });

  if (input.city !== undefined) {
    const city = cleanText(input.city, fold);
    note('TOWN', input.city, city, 'unicode normalized, spaces collapsed');
    if (city) m3.TOWN = fit('TOWN', city, 'city');
  }

  if (input.region?.trim()) {
    const region = cleanText(input.region, fold);
    const table = alpha2 ? rules.regions[alpha2] : undefined;
    if (table) {
      const code = regionCode(rules, alpha2!, region);
      if (code) {
        m3.ECAR = code;
        note('ECAR', input.region, code, `${alpha2} region code`);
      } else {
        problems.push({ field: 'ECAR', severity: rules.regionRequired.includes(alpha2!) ? 'error' : 'warning', code: 'ADDRESS_REGION_UNKNOWN', message: `"${region.slice(0, 40)}" is not a ${alpha2} state/province` });
      }
    } else if (region.length <= limit('ECAR')) {
      m3.ECAR = region.toUpperCase();
      note('ECAR', input.region, m3.ECAR, 'upper case');
    } else {
      // other countries' region names do not fit ECAR (A2); keep them in the original only
      problems.push({ field: 'ECAR', severity: 'warning', code: 'ADDRESS_REGION_NOT_CODED', message: `region "${region.slice(0, 40)}" has no code and does not fit ECAR` });
    }
  } else if (alpha2 && rules.regionRequired.includes(alpha2)) {
    problems.push({ field: 'ECAR', severity: 'error', code: 'ADDRESS_REGION_MISSING', message: `${alpha2} addresses need a state/province` });
  }

  if (input.postalCode?.trim()) {
    const pono = formatPostal(rules, alpha2, input.postalCode, problems);
    note('PONO', input.postalCode, pono, 'postal code format');
    m3.PONO = fit('PONO', pono, 'postal code');
  }

  return {
    original: { ...input, lines: [...input.lines] },
    m3,
    country: alpha2 ? { alpha2, alpha3: countries.alpha2ToAlpha3(alpha2)! } : undefined,
    changes,
    problems,
    overflow,
    ok: !problems.some((p) => p.severity === 'error'),
  };
}

/** Stop the flow on an address M3 cannot take, with every problem in the error details. */
export function requireValidAddress(result: HarmonizedAddress): M3Address {
  if (result.ok) return result.m3;
  const errors = result.problems.filter((p) => p.severity === 'error');
  // codes only: the problem texts quote the address (personal data) and errors get logged
  throw new AppError(`Address cannot be used in M3: ${errors.map((e) => `${e.field} ${e.code}`).join(', ')}`, {
    code: 'ADDRESS_INVALID',
    errorClass: 'business',
    details: { problems: errors.map((e) => ({ field: e.field, code: e.code })) },
  });
}
