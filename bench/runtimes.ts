/**
 * The same benchmarks on several Node binaries in one run, interleaved (A, B, A, B …) so the
 * machine's load falls on both alike, then one table of each figure per runtime.
 *
 *   npm run bench:runtimes -- pipeline bod startup
 *   npm run bench:runtimes -- --node /usr/bin/node --node node_modules/.bin/node bod
 *
 * Without --node it compares the Node that runs npm (the system's) with the one npm scripts run
 * (the pinned Node in node_modules/.bin). BENCH_RUNTIME_ROUNDS (default 1) repeats the
 * interleaving; the table shows the median of the rounds. Older runtimes are allowed to start
 * the gateway here (M3PT_ALLOW_UNSUPPORTED_NODE=1). Results: bench/results/runtimes.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchResult } from './lib/report';

const { values, positionals } = parseArgs({ options: { node: { type: 'string', multiple: true } }, allowPositionals: true });
const nodes = [...new Set(values.node ?? [process.env.npm_node_execpath, process.execPath].filter((n): n is string => Boolean(n)))];
const rounds = Number(process.env.BENCH_RUNTIME_ROUNDS ?? 1);
const root = __dirname;

function findBenches(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'lib' || entry === 'results' ? [] : findBenches(full);
    return entry.endsWith('.bench.ts') ? [full] : [];
  });
}

const benches = findBenches(root).filter((file) => positionals.length === 0 || positionals.some((f) => file.includes(f))).sort();
if (benches.length === 0) {
  console.error(`no benchmark matches ${positionals.join(', ')}`);
  process.exit(2);
}
const version = (node: string) => spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const runtimes = nodes.map((node) => ({ node, version: version(node) }));
console.log(`runtimes: ${runtimes.map((r) => `${r.version} (${r.node})`).join(', ')}; benchmarks: ${benches.map((b) => path.relative(root, b)).join(', ')}; rounds: ${rounds}`);

/** results[benchmark figure name][runtime version] = one result per round */
const results = new Map<string, Map<string, BenchResult[]>>();
let failed = 0;
for (let round = 1; round <= rounds; round++) {
  for (const file of benches) {
    for (const { node, version: v } of runtimes) {
      console.log(`\n▶ round ${round}: ${path.relative(root, file)} on ${v}`);
      const run = spawnSync(node, ['--import', 'tsx', file], { cwd: path.join(root, '..'), stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', env: { ...process.env, M3PT_ALLOW_UNSUPPORTED_NODE: '1' } });
      process.stdout.write(run.stdout);
      if (run.status !== 0) {
        failed++;
        console.error(`✗ ${path.relative(root, file)} on ${v} exited with ${run.status}`);
      }
      for (const line of run.stdout.split('\n')) {
        if (!line.startsWith('BENCH ')) continue;
        const result = JSON.parse(line.slice(6)) as BenchResult;
        const byRuntime = results.get(result.name) ?? new Map<string, BenchResult[]>();
        byRuntime.set(v, [...(byRuntime.get(v) ?? []), result]);
        results.set(result.name, byRuntime);
      }
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = [...results].map(([name, byRuntime]) => ({
  name,
  unit: [...byRuntime.values()][0]![0]!.unit,
  runtimes: Object.fromEntries(
    runtimes.map(({ version: v }) => {
      const runs = byRuntime.get(v) ?? [];
      return [v, runs.length ? { value: median(runs.map((r) => r.value)), ceiling: median(runs.map((r) => r.ceiling)), ratio: median(runs.map((r) => r.ratio)), rounds: runs.length } : null];
    }),
  ),
}));
console.log(`\n| figure | unit | ${runtimes.map((r) => `${r.version} (ceiling, ratio)`).join(' | ')} |`);
console.log(`|---|---|${runtimes.map(() => '---|').join('')}`);
for (const row of rows) {
  const cells = runtimes.map(({ version: v }) => {
    const c = row.runtimes[v];
    return c ? `${c.value.toFixed(1)} (${c.ceiling.toFixed(1)}, ${(c.ratio * 100).toFixed(0)} %)` : '–';
  });
  console.log(`| ${row.name} | ${row.unit} | ${cells.join(' | ')} |`);
}
mkdirSync(path.join(root, 'results'), { recursive: true });
writeFileSync(path.join(root, 'results', 'runtimes.json'), JSON.stringify({ at: new Date().toISOString(), runtimes, rounds, rows }, null, 2));
process.exit(failed > 0 ? 1 : 0);
