/**
 * npm run --silent map -- suggest --target m3:OIS100MI/AddBatchHead --sample event.json [--details] [--fields CUNO,CUOR]
 * npm run --silent map -- suggest --target paytrace:sale/by_customer --sample invoice.json
 * npm run --silent map -- suggest --target bod:CustomerPartyMaster --sample customer.json
 * npm run map -- dictionary     re-read M3's field descriptions (MRS001MI) into data/m3-fields.json
 * npm run map -- train          refit data/model.json on the tuning split of mappings/ground-truth
 *
 * M3 metadata comes from IONAPI_FILE's M3, else the running sandbox, else an Infor simulator
 * started for the command. Output: JSON on stdout; errors: one line on stderr, exit code 1 (bad
 * input) or 2 (usage).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadRules } from '../domain/rules-loader';
import { AppError } from '../errors';
import { loadGroundTruth } from './ground-truth';
import { MappingEvaluator } from './jsonata/evaluator';
import { DATA_DIR, knowledgeFrom, loadKnowledge, readDescriptions } from './knowledge';
import { openM3Metadata, type M3Metadata } from './m3-metadata';
import { suggest } from './matcher';
import { readM3FieldDescriptions } from './targets/m3';
import { resolveTarget } from './targets';
import { trainModel } from './training';
import { narrow, type TargetSchema } from './types';

const USAGE = 'usage: map suggest --target <m3:PROG/Trans | paytrace:<operation> | bod:<Noun>> --sample <file.json> [--details] [--fields A,B]\n       map dictionary | map train';

class UsageError extends Error {}

async function withM3<T>(needed: boolean, fn: (m3: M3Metadata | undefined) => Promise<T>): Promise<T> {
  const m3 = needed ? await openM3Metadata() : undefined;
  try {
    return await fn(m3);
  } finally {
    await m3?.close();
  }
}

async function readSample(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError(`cannot read the sample ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { code: 'MAPPING_SAMPLE_UNREADABLE', errorClass: 'business' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError(`the sample ${file} is not JSON: ${(err as Error).message}`, { code: 'MAPPING_SAMPLE_INVALID', errorClass: 'business' });
  }
}

async function suggestCommand(args: string[]): Promise<unknown> {
  const { values } = parseArgs({ args, options: { target: { type: 'string' }, sample: { type: 'string' }, details: { type: 'boolean', default: false }, fields: { type: 'string' } }, strict: true });
  if (!values.target || !values.sample) throw new UsageError('--target and --sample are required');
  const sample = await readSample(values.sample);
  const rules = await loadRules(process.env.RULES_DIR ?? 'mappings');
  const knowledge = loadKnowledge();
  const evaluator = new MappingEvaluator(rules.address);
  try {
    return await withM3(values.target.startsWith('m3:'), async (m3) => {
      const target = await resolveTarget(values.target!, { m3: m3?.m3 });
      const result = await suggest(target, sample, { ...knowledge, rules: rules.address, evaluator }, { fields: values.fields?.split(',').map((f) => f.trim()) });
      return values.details ? result : narrow(result);
    });
  } finally {
    await evaluator.close();
  }
}

async function dictionaryCommand(): Promise<unknown> {
  return withM3(true, async (m3) => {
    const rows = await readM3FieldDescriptions(m3!.m3);
    const unique = [...new Map(rows.filter((r) => r.name && r.description).map((r) => [`${r.name}\u0000${r.description}`, [r.name, r.description] as [string, string]])).values()].sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
    const file = path.join(DATA_DIR, 'm3-fields.json');
    await writeFile(file, `${JSON.stringify({ $comment: `M3 field names and descriptions read from MRS001MI LstFields (${m3!.source}) by npm run map -- dictionary; the abbreviation dictionary and word weights are built from them`, fields: unique }, null, 0).replace(/\],\[/g, '],\n[')}\n`);
    return { file, fields: unique.length, from: m3!.source };
  });
}

/** every ground-truth target, read the way a user's would be */
export async function groundTruthTargets(specs: readonly string[], m3: M3Metadata['m3'] | undefined): Promise<Map<string, TargetSchema>> {
  const targets = new Map<string, TargetSchema>();
  for (const spec of specs) if (!targets.has(spec)) targets.set(spec, await resolveTarget(spec, { m3 }));
  return targets;
}

async function trainCommand(): Promise<unknown> {
  const cases = await loadGroundTruth();
  const rules = await loadRules(process.env.RULES_DIR ?? 'mappings');
  const base = knowledgeFrom(readDescriptions());
  const evaluator = new MappingEvaluator(rules.address);
  try {
    return await withM3(true, async (m3) => {
      const targets = await groundTruthTargets(cases.filter((c) => c.split === 'tune').map((c) => c.target), m3!.m3);
      const model = await trainModel({ cases, targets, dictionary: base.dictionary, weights: base.weights, rules: rules.address, evaluator });
      const file = path.join(DATA_DIR, 'model.json');
      await writeFile(file, `${JSON.stringify(model, null, 2)}\n`);
      return { file, threshold: model.threshold, tuning: model.tuning, trainedOn: model.trainedOn.length };
    });
  } finally {
    await evaluator.close();
  }
}

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    let out: unknown;
    if (command === 'suggest') out = await suggestCommand(rest);
    else if (command === 'dictionary') out = await dictionaryCommand();
    else if (command === 'train') out = await trainCommand();
    else throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
      return 2;
    }
    const e = err as AppError;
    process.stderr.write(`${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
