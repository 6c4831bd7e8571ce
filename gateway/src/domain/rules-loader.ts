import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type z } from 'zod';
import { formatProblem, schemaProblems, YamlSource, type SourceProblem } from '../config/yaml-source';
import { AppError } from '../errors';
import { addressRulesSchema, type AddressRules } from './address';
import { currencyPolicySchema, type CurrencyPolicy } from './currency';
import { m3FieldsSchema, type M3FieldDictionary } from './field-maps';
import { glRulesSchema, type GlRules } from './gl';
import { matchingRulesSchema, type MatchingRules } from './matching';
import { statusMapSchema, type StatusMap } from './status-map';

/**
 * Loads every rules file in mappings/, validates each with its zod schema and answers typed rules,
 * or one error that lists every problem as file:line:column path: message.
 */

const RULE_FILES = {
  currency: { file: 'currency-policy.yaml', schema: currencyPolicySchema },
  statusMap: { file: 'status-map.yaml', schema: statusMapSchema },
  gl: { file: 'gl-rules.yaml', schema: glRulesSchema },
  matching: { file: 'matching.yaml', schema: matchingRulesSchema },
  address: { file: 'address-rules.yaml', schema: addressRulesSchema },
  m3Fields: { file: 'm3-fields.yaml', schema: m3FieldsSchema },
} as const;

/** The newest file format this code understands; a newer file stops the start instead of being half read. */
export const SUPPORTED_RULES_VERSION = 1;

export const RULES_FILE_NAMES: readonly string[] = Object.values(RULE_FILES).map((f) => f.file);

export interface Rules {
  /** where they were read from */
  dir: string;
  /** each file and its version, for /health and the audit trail */
  files: Array<{ file: string; version: number }>;
  currency: CurrencyPolicy;
  statusMap: StatusMap;
  gl: GlRules;
  matching: MatchingRules;
  address: AddressRules;
  m3Fields: M3FieldDictionary;
}

export type RuleProblem = SourceProblem;
export { formatProblem };

export class RulesError extends AppError {
  constructor(readonly problems: RuleProblem[]) {
    super(`Invalid rules in mappings:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`, {
      code: 'RULES_INVALID',
      errorClass: 'configuration',
      details: { problems },
    });
    this.name = 'RulesError';
  }
}

function parseOne<S extends z.ZodType>(file: string, text: string, schema: S): { value?: z.output<S>; problems: RuleProblem[] } {
  const { source, data, problems } = YamlSource.parse(file, text);
  if (!source) return { problems };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { problems: [{ file, path: '', line: 1, column: 1, message: 'the file must be a YAML mapping with a version: and its rules' }] };
  }
  const version = (data as { version?: unknown }).version;
  if (typeof version === 'number' && Number.isInteger(version) && version > SUPPORTED_RULES_VERSION) {
    return { problems: [source.problem(['version'], `version ${version} is newer than this gateway understands (${SUPPORTED_RULES_VERSION})`)] };
  }
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data as z.output<S>, problems };
  return { problems: schemaProblems(source, result.error) };
}

/**
 * Validate rules from file texts (name → YAML text). Every problem of every file is collected
 * before throwing, so one start-up shows them all.
 */
export function parseRules(texts: ReadonlyMap<string, string>, dir = 'mappings'): Rules {
  const problems: RuleProblem[] = [];
  const out: Partial<Record<keyof typeof RULE_FILES, unknown>> = {};
  const files: Rules['files'] = [];
  for (const [key, def] of Object.entries(RULE_FILES) as Array<[keyof typeof RULE_FILES, (typeof RULE_FILES)[keyof typeof RULE_FILES]]>) {
    const text = texts.get(def.file);
    if (text === undefined) {
      problems.push({ file: def.file, path: '', message: `missing: every rules file is required (folder ${dir})` });
      continue;
    }
    const parsed = parseOne(def.file, text, def.schema as z.ZodType);
    problems.push(...parsed.problems);
    if (parsed.value !== undefined) {
      out[key] = parsed.value;
      files.push({ file: def.file, version: (parsed.value as { version: number }).version });
    }
  }
  for (const name of texts.keys()) {
    if (/\.ya?ml$/i.test(name) && !RULES_FILE_NAMES.includes(name)) {
      problems.push({ file: name, path: '', message: `not a known rules file (expected ${RULES_FILE_NAMES.join(', ')}); misspelled?` });
    }
  }
  if (problems.length) throw new RulesError(problems);
  return { dir, files, ...(out as Omit<Rules, 'dir' | 'files'>) };
}

/** Read and validate every rules file in `dir`. */
export async function loadRules(dir: string): Promise<Rules> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new RulesError([{ file: dir, path: '', message: `cannot read the rules folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }]);
  }
  const texts = new Map<string, string>();
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort()) {
    texts.set(name, await readFile(path.join(dir, name), 'utf8'));
  }
  return parseRules(texts, dir);
}
