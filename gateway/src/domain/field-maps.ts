import { z } from 'zod';

/**
 * The M3 field dictionary (mappings/m3-fields.yaml): what each MI field we read or write is, its
 * type and length, and what to do with a value that does not fit. Every M3 step checks its values
 * against it before they leave (steps/m3/checked-client.ts); the flow validator checks constant
 * mappings against it; the builder and the mapping assistant show it. (Which BOD element feeds
 * which field is no longer a file of its own: it is the `event` mapping of each flow's BOD trigger.)
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
