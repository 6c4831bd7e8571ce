import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { buildConfig, loadConfig } from '../../../gateway/src/config';
import { rulesModule } from '../../../gateway/src/runtime/rules-module';
import { RULES_FILE_NAMES, RulesError, formatProblem, loadRules } from '../../../gateway/src/domain/rules-loader';
import { createLogger } from '../../../gateway/src/observability/logger';
import type { GatewayServices } from '../../../gateway/src/kernel/services';
import { MAPPINGS_DIR } from './helpers';
import { VersionNotifier } from '../../../gateway/src/pipeline/versions/notifier';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the shipped mappings/ to break on purpose. */
function copyOfMappings(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'm3pt-rules-'));
  dirs.push(dir);
  cpSync(MAPPINGS_DIR, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const full = path.join(dir, file);
  const before = readFileSync(full, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  writeFileSync(full, after);
}

/** Load `dir` expecting a RulesError; answer its problems as formatted lines. */
async function problemsOf(dir: string): Promise<string[]> {
  const err = await loadRules(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RulesError)) throw new Error(`expected a RulesError, got ${String(err)}`);
  expect(err.code).toBe('RULES_INVALID');
  expect(err.errorClass).toBe('configuration');
  return err.problems.map(formatProblem);
}

/** The 1-based line of the first occurrence of `needle` in a shipped file. */
function lineOf(file: string, needle: string): number {
  const lines = readFileSync(path.join(MAPPINGS_DIR, file), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

describe('the shipped rules', () => {
  it('load, validate and carry a version each', async () => {
    const rules = await loadRules(MAPPINGS_DIR);
    expect(rules.files.map((f) => f.file).sort()).toEqual([...RULES_FILE_NAMES].sort());
    expect(rules.files.every((f) => f.version === 1)).toBe(true);
    expect(Object.keys(rules.m3Fields.fields)).toEqual(expect.arrayContaining(['CUA1', 'TOWN', 'PONO', 'CSCD', 'ECAR', 'CUNM', 'AIT1', 'ARAT', 'DMCU', 'RAFA']));
    expect(rules.m3Fields.fields.CUA1).toMatchObject({ type: 'A', length: 36 });
    expect(rules.m3Fields.fields.TOWN!.length).toBe(20);
    expect(rules.m3Fields.fields.PONO!.length).toBe(10);
  });
});

describe('rules files with errors', () => {
  it('names file, line and column of a YAML syntax error', async () => {
    const dir = copyOfMappings();
    edit(dir, 'currency-policy.yaml', (t) => t.replace('rounding: half-even', 'rounding: [half-even'));
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^currency-policy\.yaml:\d+:\d+: YAML: /);
  });

  it('refuses duplicate keys', async () => {
    const dir = copyOfMappings();
    edit(dir, 'currency-policy.yaml', (t) => `${t}\nrateType: 2\n`);
    expect((await problemsOf(dir))[0]).toMatch(/^currency-policy\.yaml:\d+:\d+: YAML: Map keys must be unique/);
  });

  it('names the line of a bad value with its path and the problem', async () => {
    const dir = copyOfMappings();
    edit(dir, 'currency-policy.yaml', (t) => t.replace('rounding: half-even', 'rounding: half-odd'));
    const line = lineOf('currency-policy.yaml', 'rounding: half-even');
    expect(await problemsOf(dir)).toEqual([expect.stringMatching(new RegExp(`^currency-policy\\.yaml:${line}:\\d+ rounding: Invalid option`))]);
  });

  it('names a misspelled key', async () => {
    const dir = copyOfMappings();
    edit(dir, 'matching.yaml', (t) => t.replace('ambiguityMargin:', 'ambiguityMargn:'));
    const problems = await problemsOf(dir);
    expect(problems.join('\n')).toMatch(/matching\.yaml:\d+:\d+ thresholds: unknown key\(s\) "ambiguityMargn" \(misspelled\?\)/);
    expect(problems.join('\n')).toMatch(/thresholds\.ambiguityMargin: is required/);
  });

  it('locates a problem deep inside a list', async () => {
    const dir = copyOfMappings();
    edit(dir, 'gl-rules.yaml', (t) => t.replace('{ side: debit,  account: amex_clearing, amount: net }', '{ side: debet,  account: amex_clearing, amount: net }'));
    const line = lineOf('gl-rules.yaml', 'account: amex_clearing, amount: net');
    expect((await problemsOf(dir)).join('\n')).toMatch(new RegExp(`gl-rules\\.yaml:${line}:\\d+ rules\\.0\\.lines\\.0\\.side: Invalid option`));
  });

  it('requires version: and refuses a version newer than the code', async () => {
    const dir = copyOfMappings();
    edit(dir, 'status-map.yaml', (t) => t.replace(/^version: 1$/m, '# no version'));
    edit(dir, 'address-rules.yaml', (t) => t.replace(/^version: 1$/m, 'version: 2'));
    const problems = (await problemsOf(dir)).join('\n');
    expect(problems).toMatch(/status-map\.yaml:\d+:\d+ version: is required/);
    expect(problems).toMatch(/address-rules\.yaml:\d+:\d+ version: version 2 is newer than this gateway understands \(1\)/);
  });

  it('reports a missing file and a misspelled file name', async () => {
    const dir = copyOfMappings();
    const text = readFileSync(path.join(dir, 'gl-rules.yaml'), 'utf8');
    unlinkSync(path.join(dir, 'gl-rules.yaml'));
    writeFileSync(path.join(dir, 'gl-rule.yaml'), text);
    const problems = (await problemsOf(dir)).join('\n');
    expect(problems).toMatch(/gl-rules\.yaml: missing: every rules file/);
    expect(problems).toMatch(/gl-rule\.yaml: not a known rules file/);
  });

  it('reports a missing rules folder', async () => {
    expect(await problemsOf(path.join(tmpdir(), 'm3pt-no-such-rules-dir'))).toEqual([expect.stringMatching(/cannot read the rules folder: ENOENT/)]);
  });

  it('refuses a file that is not a mapping', async () => {
    const dir = copyOfMappings();
    writeFileSync(path.join(dir, 'matching.yaml'), '- just\n- a list\n');
    expect(await problemsOf(dir)).toEqual(['matching.yaml:1:1: the file must be a YAML mapping with a version: and its rules']);
  });

  it('checks the rules inside the files: regexes, country codes, thresholds', async () => {
    const dir = copyOfMappings();
    edit(dir, 'status-map.yaml', (t) => t.replace('statusMessage: "void"', 'statusMessage: "void("'));
    edit(dir, 'address-rules.yaml', (t) => t.replace('HOLLAND: NL', 'HOLLAND: QQ'));
    edit(dir, 'matching.yaml', (t) => t.replace('review: 0.5 ', 'review: 0.95 '));
    const problems = (await problemsOf(dir)).join('\n');
    expect(problems).toMatch(/status-map\.yaml:\d+:\d+ exportStatus\.6\.statusMessage: not a valid regular expression: void\(/);
    expect(problems).toMatch(/address-rules\.yaml:\d+:\d+ countryAliases\.HOLLAND: "QQ" is not an ISO 3166 country code/);
    expect(problems).toMatch(/matching\.yaml:\d+:\d+ thresholds\.review: review must not exceed autoApply/);
  });

  it('requires an M3 mapping and a transitions entry for every ledger state', async () => {
    const dir = copyOfMappings();
    edit(dir, 'status-map.yaml', (t) => t.replace(/^ {2}rejected: {11}\{.*\}\n/m, '').replace(/^ {2}rejected: {11}\[\]\n/m, ''));
    const problems = (await problemsOf(dir)).join('\n');
    expect(problems).toMatch(/status-map\.yaml:\d+:\d+ ledgerStates\.rejected: is required/);
    expect(problems).toMatch(/status-map\.yaml:\d+:\d+ transitions\.rejected: is required/);
  });

  it('lists the problems of every file at once', async () => {
    const dir = copyOfMappings();
    edit(dir, 'currency-policy.yaml', (t) => t.replace('maxRateAgeDays: 7', 'maxRateAgeDays: -1'));
    edit(dir, 'm3-fields.yaml', (t) => t.replace('TOWN: { description: City, type: A, length: 20', 'TOWN: { description: City, type: X, length: 20'));
    const problems = await problemsOf(dir);
    expect(problems.some((p) => p.startsWith('currency-policy.yaml:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('m3-fields.yaml:') && p.includes('fields.TOWN.type'))).toBe(true);
  });
});

describe('rules module', () => {
  let database: TestDatabase;
  let notifier: VersionNotifier;
  beforeAll(async () => {
    database = await createTestDatabase();
    notifier = new VersionNotifier(database.url, createLogger({ level: 'error' }));
    await notifier.start();
  });
  afterAll(async () => {
    await notifier.stop();
    await database.drop();
  });

  function services(rulesDir: string) {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const partial = { config: buildConfig({ rules: { dir: rulesDir } }), logger: createLogger({ level: 'info', stream }), db: database.db, notifier };
    // the module reads config, logger, the database (rules versions) and the notifier, and writes rules
    return { services: partial as unknown as GatewayServices, lines };
  }

  it('puts the validated rules on the services at start', async () => {
    const { services: s, lines } = services(MAPPINGS_DIR);
    await rulesModule().start!(s);
    expect(s.rules?.gl.rules.length).toBeGreaterThan(0);
    expect(lines.join('')).toContain('rules loaded');
  });

  it('stops the start on a bad rules file with a located message', async () => {
    const dir = copyOfMappings();
    edit(dir, 'gl-rules.yaml', (t) => t.replace('AIT1: "6580"', 'AIT1: ""'));
    const { services: s } = services(dir);
    const err = await rulesModule().start!(s).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RulesError);
    expect((err as RulesError).message).toMatch(/gl-rules\.yaml:\d+:\d+ accounts\.chargeback_loss\.AIT1: AIT1 \(the account\) is required/);
    expect(s.rules).toBeUndefined();
  });

  it('reads the folder from RULES_DIR through the configuration', () => {
    expect(loadConfig({ RULES_DIR: '/etc/m3pt/rules' }).rules.dir).toBe('/etc/m3pt/rules');
    expect(loadConfig({}).rules.dir).toBe('mappings');
  });
});
