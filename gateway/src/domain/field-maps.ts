import { z } from 'zod';
import { AppError } from '../errors';
import { cleanText, countryCode, formatPostal, regionCode, type AddressProblem, type AddressRules } from './address';
import { Money } from './money';

/**
 * The two descriptive files: the M3 field dictionary (what each MI field we read or write is,
 * its type and length) and the BOD ⇄ PayTrace field map. Both are data the flows and the UI use;
 * the loader checks them against each other (every M3 field the map names is in the dictionary).
 */

const m3FieldSchema = z
  .object({
    description: z.string().min(1),
    /** A alphanumeric, N numeric, D date (Appendix A notation) */
    type: z.enum(['A', 'N', 'D']),
    length: z.number().int().positive().max(1000),
    /** MI transactions where we use it, e.g. CRS610MI/Add */
    usedIn: z.array(z.string().regex(/^[A-Z0-9]{3,10}MI\/[A-Za-z0-9]+$/, 'use PROGRAM/Transaction, e.g. CRS610MI/Add')).min(1),
    /** true when it can hold personal data (masked in logs, excluded from exports) */
    personal: z.boolean().default(false),
    /** a value longer than `length`: refuse it (the run stops naming the field) or truncate it */
    overflow: z.enum(['refuse', 'truncate']).default('refuse'),
  })
  .strict();

export const m3FieldsSchema = z
  .object({
    version: z.number().int().positive(),
    fields: z.record(z.string().regex(/^[A-Z0-9]{4}$/, 'M3 field names are 4 upper-case characters'), m3FieldSchema),
  })
  .strict();

export type M3FieldDictionary = z.output<typeof m3FieldsSchema>;

const mappingSchema = z
  .object({
    /** path inside the BOD's noun, e.g. CustomerParty/Name */
    bod: z.string().min(1),
    /** PayTrace JSON field path, e.g. billing_address.name */
    paytrace: z.string().regex(/^[a-z_]+(\.[a-z_0-9]+)*$/, 'a PayTrace JSON path like billing_address.name'),
    /** the M3 field the BOD element carries, when there is one */
    m3: z.string().regex(/^[A-Z0-9]{4}$/).optional(),
    /** the domain rule applied on the way (address harmonization, money formatting, …) */
    transform: z.enum(['none', 'money', 'address-line', 'country-alpha2', 'region-code', 'postal-code', 'truncate']).default('none'),
    /** truncate: the PayTrace length limit */
    maxLength: z.number().int().positive().optional(),
    required: z.boolean().default(false),
  })
  .strict()
  .refine((m) => m.transform !== 'truncate' || m.maxLength !== undefined, { message: 'transform truncate needs maxLength', path: ['maxLength'] });

export const paytraceBodSchema = z
  .object({
    version: z.number().int().positive(),
    /** one list per PayTrace operation */
    operations: z
      .object({
        sale: z.object({ noun: z.string().min(1), endpoint: z.string().startsWith('/v1/'), fields: z.array(mappingSchema).min(1) }).strict(),
        refund: z.object({ noun: z.string().min(1), endpoint: z.string().startsWith('/v1/'), fields: z.array(mappingSchema).min(1) }).strict(),
        customer: z.object({ noun: z.string().min(1), endpoint: z.string().startsWith('/v1/'), fields: z.array(mappingSchema).min(1) }).strict(),
      })
      .strict(),
  })
  .strict();

export type PayTraceBodMap = z.output<typeof paytraceBodSchema>;

export type BodOperation = keyof PayTraceBodMap['operations'];

function setPath(target: Record<string, unknown>, dotted: string, value: string): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/**
 * Build the PayTrace request fields of one operation from BOD element values (path → text, as
 * the BOD parser extracted them), applying each mapping's transform. Missing required elements and
 * values a transform refuses are collected and thrown together as one business error that names
 * the BOD paths only (the values may be personal data).
 */
export function bodToPayTrace(
  rules: { paytraceBod: PayTraceBodMap; address: AddressRules },
  operation: BodOperation,
  values: ReadonlyMap<string, string>,
  options: { currency: string },
): Record<string, unknown> {
  const fields = rules.paytraceBod.operations[operation].fields;
  const missing: string[] = [];
  const invalid: Array<{ bod: string; problem: string }> = [];
  const out: Record<string, unknown> = {};
  // the country decides how region and postal code are read, so it goes first
  const countryField = fields.find((f) => f.transform === 'country-alpha2');
  const countryText = countryField ? values.get(countryField.bod)?.trim() : undefined;
  const country = (countryText ? countryCode(rules.address, countryText) : undefined) ?? rules.address.defaultCountry;
  for (const field of fields) {
    const raw = values.get(field.bod)?.trim();
    if (!raw) {
      if (field.required) missing.push(field.bod);
      continue;
    }
    let value: string | undefined;
    switch (field.transform) {
      case 'none':
        value = raw;
        break;
      case 'money':
        try {
          value = Money.parse(raw, options.currency).toPayTrace();
        } catch (err) {
          invalid.push({ bod: field.bod, problem: err instanceof AppError ? err.code : 'MONEY_INVALID_AMOUNT' });
        }
        break;
      case 'address-line':
        value = cleanText(raw, rules.address.asciiFold);
        break;
      case 'country-alpha2':
        value = countryCode(rules.address, raw);
        if (!value) invalid.push({ bod: field.bod, problem: 'ADDRESS_COUNTRY_UNKNOWN' });
        break;
      case 'region-code':
        value = country && rules.address.regions[country] ? regionCode(rules.address, country, raw) : cleanText(raw).toUpperCase();
        if (!value) invalid.push({ bod: field.bod, problem: 'ADDRESS_REGION_UNKNOWN' });
        break;
      case 'postal-code': {
        const problems: AddressProblem[] = [];
        value = formatPostal(rules.address, country, raw, problems);
        if (problems.some((p) => p.severity === 'error')) invalid.push({ bod: field.bod, problem: 'ADDRESS_POSTAL_CODE_FORMAT' });
        break;
      }
      case 'truncate':
        value = cleanText(raw).slice(0, field.maxLength);
        break;
    }
    if (value !== undefined) setPath(out, field.paytrace, value);
  }
  if (missing.length || invalid.length) {
    throw new AppError(
      `${operation} BOD cannot be mapped to PayTrace: ${[...missing.map((m) => `${m} missing`), ...invalid.map((i) => `${i.bod} ${i.problem}`)].join(', ')}`,
      { code: missing.length ? 'BOD_FIELD_MISSING' : 'BOD_FIELD_INVALID', errorClass: 'business', details: { operation, missing, invalid } },
    );
  }
  return out;
}
