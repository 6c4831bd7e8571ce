import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MutantResult, PartialStrykerOptions } from '@stryker-mutator/api/core';
import { TARGETS, type MutationTarget } from './targets';

/**
 * npm run test:mutation [-- <file, folder or name>...] [--incremental] [--since <git ref>]
 *
 * Runs StrykerJS on each money and accounting rule file (scripts/mutation/targets.ts) with only
 * that file's unit tests, one target after another, and prints the score of each against its
 * threshold. Exit status 1 when a file is below its threshold.
 *   --incremental  reuse reports/mutation/<name>.incremental.json: only mutants whose code or
 *                  covering tests changed are run again (Stryker's incremental mode)
 *   --since REF    only the targets whose file or tests differ from REF (e.g. origin/main)
 */

const ROOT = path.join(__dirname, '..', '..');
const REPORTS = path.join(ROOT, 'reports', 'mutation');

interface Args {
  filters: string[];
  incremental: boolean;
  since?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { filters: [], incremental: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--incremental') args.incremental = true;
    else if (arg === '--since') {
      args.since = argv[++i];
      if (!args.since) throw new Error('--since needs a git ref, e.g. --since origin/main');
    } else if (arg === '--help' || arg === '-h') {
      console.log(readFileSync(__filename, 'utf8').split('\n').filter((l) => l.startsWith(' * ') || l === ' *').slice(0, 9).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg} (see --help)`);
    else args.filters.push(arg);
  }
  return args;
}

function normalise(p: string): string {
  return path.relative(ROOT, path.resolve(process.cwd(), p)).split(path.sep).join('/');
}

function selectTargets(args: Args): MutationTarget[] {
  let chosen = TARGETS;
  if (args.filters.length) {
    chosen = TARGETS.filter((t) =>
      args.filters.some((f) => {
        const rel = normalise(f);
        return f === t.name || rel === t.file || (rel !== '' && t.file.startsWith(`${rel}/`)) || rel === '';
      }),
    );
    if (!chosen.length) throw new Error(`no mutation target matches ${args.filters.join(' ')}; targets: ${TARGETS.map((t) => `${t.name} (${t.file})`).join(', ')}`);
  }
  if (args.since) {
    const changed = new Set(execFileSync('git', ['diff', '--name-only', args.since, '--'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean));
    chosen = chosen.filter((t) => changed.has(t.file) || t.tests.some((f) => changed.has(f)));
  }
  return chosen;
}

export interface TargetScore {
  name: string;
  file: string;
  threshold: number;
  total: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  equivalent: number;
  errors: number;
  /** killed (and timed out) of the mutants that count, in percent, one decimal */
  score: number;
  survivors: string[];
  staleEquivalents: string[];
}

/** The score of one target's results, with its listed equivalent mutants set apart. */
export function scoreOf(target: MutationTarget, results: readonly MutantResult[], sourceLines: readonly string[]): TargetScore {
  const listed = target.equivalent ?? [];
  const used = new Set<number>();
  const counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, errors: 0 };
  const survivors: string[] = [];
  for (const r of results) {
    const line = r.location.start.line;
    const text = sourceLines[line - 1] ?? '';
    if (r.status === 'Killed') counts.killed++;
    else if (r.status === 'Timeout') counts.timeout++;
    else if (r.status === 'Survived' || r.status === 'NoCoverage') {
      const match = listed.findIndex((e) => e.mutator === r.mutatorName && text.includes(e.line) && (e.replacement === undefined || (r.replacement ?? '').includes(e.replacement)));
      if (match >= 0) {
        used.add(match);
        counts.equivalent++;
        continue;
      }
      if (r.status === 'Survived') counts.survived++;
      else counts.noCoverage++;
      survivors.push(`${target.file}:${line}:${r.location.start.column} ${r.status} ${r.mutatorName}${r.static ? ' (static)' : ''}: ${(r.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)}`);
    } else counts.errors++; // CompileError, RuntimeError, Ignored: not mutants a test could kill
  }
  const detected = counts.killed + counts.timeout;
  const valid = detected + counts.survived + counts.noCoverage;
  return {
    name: target.name,
    file: target.file,
    threshold: target.threshold,
    total: results.length,
    ...counts,
    score: valid ? Math.floor((detected * 1000) / valid) / 10 : 100,
    survivors,
    staleEquivalents: listed.filter((_, i) => !used.has(i)).map((e) => `${e.mutator} on "${e.line}"`),
  };
}

async function runTarget(target: MutationTarget, incremental: boolean): Promise<TargetScore> {
  const { Stryker } = await import('@stryker-mutator/core');
  // Stryker reads stryker.config.mjs and deep-merges these over it
  const options: PartialStrykerOptions = {
    configFile: 'stryker.config.mjs',
    mutate: [target.file],
    jest: { config: { testMatch: target.tests.map((t) => `<rootDir>/${t}`) } },
    incremental,
    incrementalFile: path.join('reports', 'mutation', `${target.name}.incremental.json`),
    htmlReporter: { fileName: path.join('reports', 'mutation', `${target.name}.html`) },
    jsonReporter: { fileName: path.join('reports', 'mutation', `${target.name}.json`) },
  };
  const results = await new Stryker(options).runMutationTest();
  const lines = readFileSync(path.join(ROOT, target.file), 'utf8').split('\n');
  return scoreOf(target, results, lines);
}

function table(scores: readonly TargetScore[]): string {
  const rows = [['file', 'score', 'threshold', 'killed', 'survived', 'no cov.', 'equiv.', 'mutants']];
  for (const s of scores) rows.push([s.file, `${s.score.toFixed(1)} %`, `${s.threshold} %`, String(s.killed + s.timeout), String(s.survived), String(s.noCoverage), String(s.equivalent), String(s.total)]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const targets = selectTargets(args);
  if (!targets.length) {
    console.log(`no mutation target changed since ${args.since}; nothing to run`);
    return;
  }
  mkdirSync(REPORTS, { recursive: true });
  process.chdir(ROOT);
  const scores: TargetScore[] = [];
  for (const target of targets) {
    console.log(`\n=== mutation testing ${target.file} against ${target.tests.join(', ')}`);
    const score = await runTarget(target, args.incremental);
    scores.push(score);
    for (const s of score.survivors) console.log(`  survived  ${s}`);
    for (const s of score.staleEquivalents) console.log(`  stale equivalent (no longer survives; remove it from targets.ts): ${s}`);
  }
  writeFileSync(path.join(REPORTS, 'summary.json'), `${JSON.stringify({ at: new Date().toISOString(), scores }, null, 2)}\n`);
  console.log(`\n${table(scores)}\n\nreports: reports/mutation/<name>.html`);
  const below = scores.filter((s) => s.score < s.threshold);
  if (below.length) {
    console.error(`below threshold: ${below.map((s) => `${s.file} ${s.score} % < ${s.threshold} %`).join('; ')}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
