import { z } from 'zod';
import { ensureCustomer } from '../../infor/m3-programs/customers';
import { currencyCode, defineStep, type StepConnectors } from '../define';
import { m3For } from './checked-client';

const address = z.object({ CUA1: z.string().optional(), CUA2: z.string().optional(), CUA3: z.string().optional(), CUA4: z.string().optional(), TOWN: z.string().optional(), PONO: z.string().optional(), CSCD: z.string().optional(), ECAR: z.string().optional() }).passthrough();

/** The customer in M3: read by its number first, added from the template when M3 does not know it. */
export function ensureCustomerStep(connectors: StepConnectors) {
  return defineStep<{ cuno: string; name: string; template: string; address: z.output<typeof address>; phone?: string; email?: string; currency?: string }, { cuno: string; created: boolean }>({
    type: 'm3.ensure-customer',
    title: 'M3 customer',
    summary: 'Find the customer in M3 (CRS610MI GetBasicData) or add it from the customer template (CRS610MI Add)',
    category: 'm3',
    system: 'm3',
    operation: 'CRS610MI/GetBasicData+Add',
    exactlyOnce: 'read-before-write',
    m3: { program: 'CRS610MI', transaction: 'Add', fields: { cuno: 'CUNO', name: 'CUNM', template: 'CUTM', phone: 'PHNO', email: 'MAIL', currency: 'CUCD' } },
    input: z.object({ cuno: z.string().min(1), name: z.string().min(1), template: z.string().min(1), address, phone: z.string().optional(), email: z.string().optional(), currency: currencyCode.optional() }).strict(),
    async execute(input, env) {
      const m3 = m3For(connectors, env, ['CRS610MI/GetBasicData', 'CRS610MI/Add']);
      const { CUA1, CUA2, CUA3, CUA4, TOWN, PONO, CSCD, ECAR } = input.address;
      return ensureCustomer(m3, env.scope, { cuno: input.cuno, name: input.name, template: input.template, address: { CUA1, CUA2, CUA3, CUA4, TOWN, PONO, CSCD, ECAR }, phone: input.phone, email: input.email, currency: input.currency });
    },
  });
}

/** M3 keeps the vault profile id (A030) and the masked card (A130) against the customer in CUSEXT. */
export function writeVaultReferenceStep(connectors: StepConnectors) {
  return defineStep<{ cuno: string; vaultId: string; maskedCard?: string | null }, { written: boolean }>({
    type: 'm3.write-vault-reference',
    title: 'M3 vault reference',
    summary: 'Keep the PayTrace vault id and masked card on the M3 customer (CUSEXTMI: read, then add or change)',
    category: 'm3',
    system: 'm3',
    operation: 'CUSEXTMI/GetFieldValue+AddFieldValue|ChgFieldValue',
    exactlyOnce: 'read-before-write',
    input: z.object({ cuno: z.string().min(1), vaultId: z.string().min(1), maskedCard: z.string().nullable().optional() }).strict(),
    async execute(input, env) {
      const m3 = m3For(connectors, env, ['CUSEXTMI/GetFieldValue', 'CUSEXTMI/AddFieldValue', 'CUSEXTMI/ChgFieldValue']);
      const masked = input.maskedCard ?? '';
      const fields = { FILE: 'OCUSMA', PK01: input.cuno, A030: input.vaultId, A130: masked };
      let exists = true;
      try {
        const { records } = await m3.execute('CUSEXTMI', 'GetFieldValue', { FILE: 'OCUSMA', PK01: input.cuno });
        if (records[0]?.A030 === input.vaultId && (records[0]?.A130 ?? '') === masked) return { written: false };
      } catch (err) {
        if ((err as { code?: string }).code !== 'M3_NOK') throw err;
        exists = false;
      }
      await m3.execute('CUSEXTMI', exists ? 'ChgFieldValue' : 'AddFieldValue', fields);
      return { written: true };
    },
  });
}
