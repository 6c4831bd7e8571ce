/**
 * `npm start` cold start: the real entry point (`node --import tsx gateway/src/main.ts`, what
 * `npm start` runs after its UI-freshness check) in sandbox mode, from spawn to the printed
 * banner (embedded PostgreSQL, migrations, simulators, gateway listening), on the Node running
 * this file. Two figures: a first start (initdb of a new data folder) and a restart on that data.
 *
 * Ceiling, measured in the same run with the same Node: the same work done the cheapest way —
 * the embedded PostgreSQL started on the same kind of data folder plus a bare HTTP listener,
 * in one process loaded with the same tsx loader (bench/startup/floor.ts).
 *
 *   npm run bench -- startup           (BENCH_ROUNDS=3)
 *   npm run bench:runtimes -- startup  (the same on several Node binaries, interleaved)
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { benchDataDir } from '../lib/pg';
import { report } from '../lib/report';

const ROOT = path.resolve(__dirname, '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** Spawn, wait for `ready` on stdout, SIGINT, wait for the exit: the ms to ready. */
function timeToReady(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let readyAt: number | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (readyAt === undefined && ready.test(output)) {
        readyAt = performance.now() - started;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (readyAt !== undefined && code === 0) resolve(readyAt);
      else reject(new Error(`${args.join(' ')} exited ${code ?? signal} before/after ready:\n${output.slice(-2000)}`));
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const env = { PORT: '0', DATABASE_URL: '', LOG_LEVEL: 'warn', ENV_FILE: '', M3PT_ALLOW_UNSUPPORTED_NODE: '1' };
  const gateway = ['--import', 'tsx', 'gateway/src/main.ts'];
  const floor = ['--import', 'tsx', 'bench/startup/floor.ts'];
  // a first run warms tsx's transform cache (as every start after the first on a machine)
  const warm = benchDataDir('startup-warm');
  await timeToReady(gateway, { ...env, EMBEDDED_PG_DATA_DIR: warm }, /m3-paytrace is running/);
  rmSync(path.dirname(warm), { recursive: true, force: true });

  const first: number[] = [];
  const restart: number[] = [];
  const floorFirst: number[] = [];
  const floorRestart: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const dataDir = benchDataDir(`startup-${round}`);
    first.push(await timeToReady(gateway, { ...env, EMBEDDED_PG_DATA_DIR: dataDir }, /m3-paytrace is running/));
    restart.push(await timeToReady(gateway, { ...env, EMBEDDED_PG_DATA_DIR: dataDir }, /m3-paytrace is running/));
    const floorDir = benchDataDir(`startup-floor-${round}`);
    floorFirst.push(await timeToReady(floor, { EMBEDDED_PG_DATA_DIR: floorDir }, /^listening/m));
    floorRestart.push(await timeToReady(floor, { EMBEDDED_PG_DATA_DIR: floorDir }, /^listening/m));
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
    rmSync(path.dirname(floorDir), { recursive: true, force: true });
  }
  const extra = { node: process.version, rounds: ROUNDS, firstMs: first.map(Math.round), restartMs: restart.map(Math.round), floorFirstMs: floorFirst.map(Math.round), floorRestartMs: floorRestart.map(Math.round) };
  report({
    name: 'npm start cold start, new data folder',
    unit: 'ms',
    value: median(first),
    ceiling: median(floorFirst),
    ceilingDescription: 'initdb + embedded PostgreSQL start + a bare HTTP listener, same loader',
    ratio: median(floorFirst) / median(first),
    extra,
  });
  report({
    name: 'npm start restart, existing data',
    unit: 'ms',
    value: median(restart),
    ceiling: median(floorRestart),
    ceilingDescription: 'embedded PostgreSQL start + a bare HTTP listener, same loader',
    ratio: median(floorRestart) / median(restart),
    extra,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
