import { z } from 'zod';
import { AppError, errorClassOf } from '../../errors';
import { defineStep, type StepConnectors } from '../define';
import { m3For } from './checked-client';

const transactionName = z.string().regex(/^[A-Za-z0-9]{2,30}$/);
const programName = z.string().regex(/^[A-Z0-9]{3,10}MI$/, 'an MI program such as CRS610MI');
const config = z
  .object({
    program: programName,
    transaction: transactionName,
    /**
     * How to find the effect of an earlier attempt whose answer was lost: a read transaction and
     * the fields of its records that must equal what this call wrote (e.g. a text line found by its
     * text). Without it the call is at-least-once, and the validator says so.
     */
    lookup: z.object({ program: programName, transaction: transactionName, match: z.array(z.string().regex(/^[A-Z0-9]{4}$/)).min(1) }).strict().optional(),
  })
  .strict();

const READ = /^(Get|Lst|Search|Sel)/;

/**
 * Any MI transaction: the program and transaction are fixed in the definition (the step may call
 * nothing else), the fields are mappings, checked against M3's metadata (MRS001MI) when the flow
 * is validated and against m3-fields.yaml when it runs.
 */
export function m3CallStep(connectors: StepConnectors) {
  return defineStep<{ fields: Record<string, string | number | null>; lookupFields?: Record<string, string | number | null> }, { records: Array<Record<string, string>>; foundByLookup?: boolean }, z.output<typeof config>>({
    type: 'm3.call',
    title: 'M3 MI call',
    summary: 'Call any M3 MI transaction with mapped fields (read transactions repeat freely; writes need a lookup to be exactly-once)',
    category: 'm3',
    system: 'm3',
    operation: (c) => `${c.program}/${c.transaction}`,
    exactlyOnce: (c) => (READ.test(c.transaction) ? 'read-only' : c.lookup ? 'lookup' : 'at-least-once'),
    config,
    m3: (c) => ({ program: c.program, transaction: c.transaction, fields: {} }),
    input: z.object({ fields: z.record(z.string().regex(/^[A-Z0-9]{3,6}$/), z.union([z.string(), z.number(), z.null()])), lookupFields: z.record(z.string().regex(/^[A-Z0-9]{3,6}$/), z.union([z.string(), z.number(), z.null()])).optional() }).strict(),
    async execute(input, env) {
      const { program, transaction } = env.config;
      const m3 = m3For(connectors, env, [`${program}/${transaction}`]);
      const fields = Object.fromEntries(Object.entries(input.fields).map(([k, v]) => [k, v === null ? undefined : String(v)]));
      return m3.execute(program, transaction, fields, READ.test(transaction) ? { maxrecs: 0 } : undefined);
    },
    async lookup(input, env) {
      const lookup = env.config.lookup;
      if (!lookup) throw new AppError(`${env.config.program}/${env.config.transaction} has no lookup`, { code: 'INTENT_OUTCOME_UNKNOWN', errorClass: 'configuration' });
      const m3 = m3For(connectors, env, [`${lookup.program}/${lookup.transaction}`]);
      const wanted = Object.fromEntries(Object.entries(input.fields).map(([k, v]) => [k, v === null ? '' : String(v)]));
      try {
        const { records } = await m3.execute(lookup.program, lookup.transaction, Object.fromEntries(Object.entries(input.lookupFields ?? {}).map(([k, v]) => [k, v === null ? undefined : String(v)])), { maxrecs: 0 });
        const hit = records.find((r) => lookup.match.every((f) => (r[f] ?? '').trim() === (wanted[f] ?? '').trim()));
        return hit ? { found: true, result: { records: [hit], foundByLookup: true } } : { found: false };
      } catch (err) {
        if (errorClassOf(err).errorClass === 'business') return { found: false };
        throw err;
      }
    },
  });
}
