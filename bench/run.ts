/**
 * npm run bench              every benchmark (bench/**\/*.bench.ts), one process each
 * npm run bench -- http      only those whose path contains "http"
 * Each prints its figure and its ceiling; this harness collects the BENCH lines into a table
 * and writes them to bench/results/latest.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function findBenches(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'lib' || entry === 'results' ? [] : findBenches(full);
    return entry.endsWith('.bench.ts') ? [full] : [];
  });
}

const filter = process.argv[2];
const root = __dirname;
const benches = findBenches(root).filter((file) => !filter || file.includes(filter)).sort();
if (benches.length === 0) {
  console.error(`no benchmark matches "${filter}"`);
  process.exit(2);
}
const results: unknown[] = [];
let failed = 0;
for (const file of benches) {
  const name = path.relative(root, file);
  console.log(`\n▶ ${name}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', env: process.env });
  process.stdout.write(run.stdout);
  if (run.status !== 0) {
    failed++;
    console.error(`✗ ${name} exited with ${run.status}`);
  }
  for (const line of run.stdout.split('\n')) if (line.startsWith('BENCH ')) results.push(JSON.parse(line.slice(6)));
}
mkdirSync(path.join(root, 'results'), { recursive: true });
writeFileSync(path.join(root, 'results', 'latest.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
console.log(`\n${results.length} result(s) written to bench/results/latest.json${failed ? `; ${failed} benchmark(s) failed` : ''}`);
process.exit(failed ? 1 : 0);
