import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Build the operator app when its output is missing or stale. Vite is ESM-only and jest runs
 * CommonJS, so the build runs in a child process; it returns at once when up to date.
 */
export async function ensureUiBuilt(): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', '..', '..', 'gateway', 'ui', 'build.ts')]);
}
