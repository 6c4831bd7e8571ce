/**
 * Build the operator app (gateway/ui → gateway/ui/dist) with Vite, or skip when the output is
 * newer than every source file. `npm start`, `npm run build` and the test run call this;
 * `--force` always builds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const UI_ROOT = __dirname;
export const UI_DIST = path.join(UI_ROOT, 'dist');
const SOURCES = ['index.html', 'src', 'build.ts'];

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce((max, name) => Math.max(max, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

/** True when dist/index.html is missing or older than a source file. */
export function uiIsStale(): boolean {
  const built = path.join(UI_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const sourcesAt = Math.max(...SOURCES.map((s) => path.join(UI_ROOT, s)).filter(existsSync).map(newestMtime));
  return sourcesAt > statSync(built).mtimeMs;
}

export async function buildUi(options: { force?: boolean; quiet?: boolean } = {}): Promise<{ built: boolean; ms: number }> {
  const started = performance.now();
  if (!options.force && !uiIsStale()) return { built: false, ms: Math.round(performance.now() - started) };
  const { build } = await import('vite');
  await build({
    root: UI_ROOT,
    base: '/ui/',
    configFile: false,
    logLevel: options.quiet ? 'warn' : 'info',
    build: { outDir: UI_DIST, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  });
  return { built: true, ms: Math.round(performance.now() - started) };
}

if (require.main === module) {
  buildUi({ force: process.argv.includes('--force') })
    .then(({ built, ms }) => {
      process.stdout.write(built ? `operator app built in ${ms} ms\n` : 'operator app is up to date\n');
    })
    .catch((err: unknown) => {
      process.stderr.write(`operator app build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
