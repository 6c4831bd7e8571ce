import { z } from 'zod';
import { isNotFound } from '../../infor/m3-programs/executor';
import { defineStep, type StepConnectors } from '../define';
import { m3For } from './checked-client';

const config = z
  .object({
    /** also read the customer's CUSEXT record (CUSEXTMI GetFieldValue, FILE OCUSMA, PK01 = CUNO): opt-in flags live there */
    extension: z.boolean().default(false),
  })
  .strict();

export interface CustomerContact {
  found: boolean;
  cuno: string;
  name: string | null;
  /** CRS610 MAIL when it is a valid address; null otherwise (the flow sends such an invoice to review) */
  email: string | null;
  /** MAIL as M3 has it, when it is not a usable address (for the review list) */
  invalidEmail: string | null;
  /** CUCL customer group */
  group: string | null;
  currency: string | null;
  paymentTerms: string | null;
  /** the CUSEXT record's fields (A030…A430, N096…N496) when `extension` is on; {} when there is none */
  extension: Record<string, string>;
}

/**
 * The invoice's customer as M3 has it: name, e-mail address (CRS610MI MAIL), customer group and
 * terms, and optionally the CUSEXT extension record where an AR team flags opted-in customers.
 */
export function getCustomerStep(connectors: StepConnectors) {
  return defineStep<{ cuno: string }, CustomerContact, z.output<typeof config>>({
    type: 'm3.get-customer',
    title: 'M3 customer contact',
    summary: 'Read a customer\'s name, e-mail, group and terms (CRS610MI GetBasicData) and, if asked, its CUSEXT record (CUSEXTMI GetFieldValue)',
    category: 'm3',
    system: 'm3',
    operation: (c) => (c.extension ? 'CRS610MI/GetBasicData+CUSEXTMI/GetFieldValue' : 'CRS610MI/GetBasicData'),
    exactlyOnce: 'read-only',
    config,
    m3: { program: 'CRS610MI', transaction: 'GetBasicData', fields: { cuno: 'CUNO' } },
    input: z.object({ cuno: z.string().trim().min(1).max(10) }).strict(),
    async execute(input, env) {
      const m3 = m3For(connectors, env, ['CRS610MI/GetBasicData', 'CUSEXTMI/GetFieldValue']);
      const none: CustomerContact = { found: false, cuno: input.cuno, name: null, email: null, invalidEmail: null, group: null, currency: null, paymentTerms: null, extension: {} };
      let record: Record<string, string | undefined> | undefined;
      try {
        record = (await m3.execute('CRS610MI', 'GetBasicData', { CUNO: input.cuno })).records[0];
      } catch (err) {
        if (isNotFound(err, 'CUNO')) return none;
        throw err;
      }
      if (!record) return none;
      const text = (v: string | undefined) => v?.trim() || null;
      const mail = text(record.MAIL);
      const valid = mail !== null && z.email().safeParse(mail).success;
      let extension: Record<string, string> = {};
      if (env.config.extension) {
        try {
          const ext = (await m3.execute('CUSEXTMI', 'GetFieldValue', { FILE: 'OCUSMA', PK01: input.cuno })).records[0] ?? {};
          extension = Object.fromEntries(Object.entries(ext).flatMap(([k, v]) => (/^[AN]\d{3}$/.test(k) && typeof v === 'string' ? [[k, v.trim()]] : [])));
        } catch (err) {
          // no extension record: the customer has no flags
          if ((err as { code?: string }).code !== 'M3_NOK') throw err;
        }
      }
      return {
        found: true,
        cuno: input.cuno,
        name: text(record.CUNM),
        email: valid ? mail : null,
        invalidEmail: valid ? null : mail,
        group: text(record.CUCL),
        currency: text(record.CUCD),
        paymentTerms: text(record.TEPY),
        extension,
      };
    },
  });
}
