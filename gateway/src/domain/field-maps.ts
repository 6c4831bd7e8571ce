import { z } from 'zod';

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
