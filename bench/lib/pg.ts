import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A throw-away data folder the postgres user can reach (benchmarks run as root here), removed when
 * the benchmark's process exits (a 100k-row database is half a gigabyte).
 */
export function benchDataDir(name: string): string {
  const parent = mkdtempSync(path.join(os.tmpdir(), `m3pt-bench-${name}-`));
  chmodSync(parent, 0o777);
  process.once('exit', () => rmSync(parent, { recursive: true, force: true }));
  return path.join(parent, 'data');
}
