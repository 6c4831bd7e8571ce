import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The labelled ground truth under mappings/ground-truth/: per case a target, a source sample and
 * the correct source path of every field that has one; every other field of the target must stay
 * unmapped, except the few listed under `ignore` (where two answers are defensible, so neither is
 * scored). Cases are split by operation into `tune` (fits the model) and `held-out` (reported).
 */

const label = z.union([
  z.string().min(1),
  z.object({ path: z.string().min(1), transform: z.enum(['none', 'date', 'amount', 'street', 'country', 'region', 'postal', 'truncate']).optional() }).strict(),
  z.object({ any: z.array(z.string().min(1)).min(1) }).strict(),
]);

const caseSchema = z
  .object({
    target: z.string().regex(/^(m3|paytrace|bod):.+$/),
    sample: z.string().regex(/^[\w.-]+\.json$/),
    split: z.enum(['tune', 'held-out']),
    /** a transaction/operation the four flows use */
    flows: z.boolean(),
    /** labelling round: 1 the first 35 cases, 2–4 those added later (README: how the labels were made) */
    round: z.number().int().min(1).default(1),
    fields: z.record(z.string(), label),
    ignore: z.array(z.string()).default([]),
  })
  .strict();

export interface Expected {
  /** acceptable source paths */
  paths: string[];
  transform?: string;
}

export interface GroundTruthCase {
  id: string;
  target: string;
  split: 'tune' | 'held-out';
  flows: boolean;
  round: number;
  sampleFile: string;
  sample: unknown;
  expected: Map<string, Expected>;
  ignore: Set<string>;
}

export const GROUND_TRUTH_DIR = path.resolve(__dirname, '../../../mappings/ground-truth');

export async function loadGroundTruth(dir = GROUND_TRUTH_DIR): Promise<GroundTruthCase[]> {
  const files = (await readdir(path.join(dir, 'cases'))).filter((f) => f.endsWith('.yaml')).sort();
  const out: GroundTruthCase[] = [];
  for (const file of files) {
    const parsed = caseSchema.safeParse(parse(await readFile(path.join(dir, 'cases', file), 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const c = parsed.data;
    const expected = new Map<string, Expected>();
    for (const [field, l] of Object.entries(c.fields)) {
      expected.set(field, typeof l === 'string' ? { paths: [l] } : 'any' in l ? { paths: l.any } : { paths: [l.path], transform: l.transform });
    }
    out.push({
      id: file.replace(/\.yaml$/, ''),
      target: c.target,
      split: c.split,
      flows: c.flows,
      round: c.round,
      sampleFile: c.sample,
      sample: JSON.parse(await readFile(path.join(dir, 'samples', c.sample), 'utf8')) as unknown,
      expected,
      ignore: new Set(c.ignore),
    });
  }
  // split by operation: one operation never sits on both sides
  const sides = new Map<string, string>();
  for (const c of out) {
    const seen = sides.get(c.target);
    if (seen && seen !== c.split) throw new Error(`${c.target} is in both splits`);
    sides.set(c.target, c.split);
  }
  return out;
}
