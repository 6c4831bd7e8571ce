import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A throw-away data folder the postgres user can reach (benchmarks run as root here). */
export function benchDataDir(name: string): string {
  const parent = mkdtempSync(path.join(os.tmpdir(), `m3pt-bench-${name}-`));
  chmodSync(parent, 0o777);
  return path.join(parent, 'data');
}
