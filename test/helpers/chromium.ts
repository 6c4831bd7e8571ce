import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { findOnPath } from './executables';

/**
 * The Chromium the browser tests drive, found the way a developer would expect:
 *   1. CHROME_PATH (must start, or we stop: it was asked for);
 *   2. on PATH: chromium, chromium-browser, google-chrome, google-chrome-stable;
 *   3. Playwright's browser cache (PLAYWRIGHT_BROWSERS_PATH or ~/.cache/ms-playwright);
 *   4. the Chromium build that ships inside the npm package @sparticuz/chromium (a devDependency,
 *      Linux x64), unpacked once under node_modules/.cache;
 *   5. with `install`, as root where apt-get exists: Debian's chromium package.
 * Each candidate must answer `--version` (a snap stub or a binary missing its libraries does not).
 */
export interface FoundChromium {
  path: string;
  version: string;
  source: string;
}

/** No Chromium could be found or installed; the message is the one line that says what to run. */
export class NoChromiumError extends Error {}

const ROOT = path.resolve(__dirname, '..', '..');
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** `--version` of a browser binary, or null when it does not start. */
export function chromiumVersion(file: string): string | null {
  const run = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  const version = run.status === 0 ? run.stdout.trim() : '';
  return /\d+\.\d+\.\d+/.test(version) ? version : null;
}

function playwrightCache(): string {
  const configured = process.env.PLAYWRIGHT_BROWSERS_PATH;
  if (configured && configured !== '0') return configured;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'ms-playwright');
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ms-playwright');
}

/** Browsers in Playwright's cache, newest revision first (full Chromium before the headless shell of the same revision). */
export function playwrightBrowsers(cache: string = playwrightCache()): string[] {
  if (!existsSync(cache)) return [];
  const layouts: Record<string, string[]> = {
    chromium: ['chrome-linux64/chrome', 'chrome-linux/chrome', 'chrome-mac-arm64/Chromium.app/Contents/MacOS/Chromium', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium'],
    chromium_headless_shell: ['chrome-headless-shell-linux64/chrome-headless-shell', 'chrome-linux/headless_shell', 'chrome-headless-shell-mac-arm64/chrome-headless-shell', 'chrome-headless-shell-mac-x64/chrome-headless-shell'],
  };
  return readdirSync(cache)
    .map((dir) => /^(chromium|chromium_headless_shell)-(\d+)$/.exec(dir))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[2]) - Number(a[2]) || a[1]!.length - b[1]!.length)
    .flatMap((m) => layouts[m[1]!]!.map((rel) => path.join(cache, m[0], rel)))
    .filter((file) => existsSync(file));
}

/**
 * The Chromium inside @sparticuz/chromium (brotli-compressed, Linux x64), unpacked once per
 * package version into node_modules/.cache. Written to a temporary name and renamed, so test
 * workers unpacking at the same moment never run a half-written file.
 */
export async function npmPackageChromium(): Promise<string | null> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  let packageDir: string;
  try {
    packageDir = path.dirname(path.dirname(require.resolve('@sparticuz/chromium')));
  } catch {
    return null; // not installed (e.g. npm install --omit=dev)
  }
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const target = path.join(ROOT, 'node_modules', '.cache', 'm3pt-chromium', version, 'chromium');
  if (existsSync(target)) return target;
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    await pipeline(createReadStream(path.join(packageDir, 'bin', 'chromium.br')), createBrotliDecompress(), createWriteStream(partial, { mode: 0o755 }));
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return target;
}

function installWithApt(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !findOnPath('apt-get')) return false;
  process.stderr.write('browser tests: no Chromium found; installing Debian\'s chromium with apt-get (root)\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  return install !== false && install.status === 0;
}

export function whatToRun(): string {
  if (process.platform === 'linux' && findOnPath('apt-get')) {
    return 'No Chromium for the browser tests: run `sudo apt-get install -y chromium` (or set CHROME_PATH to a Chrome or Chromium binary), then `npm test` again.';
  }
  return 'No Chromium for the browser tests: set CHROME_PATH to a Chrome or Chromium binary (for example `CHROME_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" npm test`).';
}

/** One place a browser may be: resolves to it, or null to try the next place. */
export type ChromiumSource = () => Promise<FoundChromium | null>;

export const fromChromePath: ChromiumSource = async () => {
  const configured = process.env.CHROME_PATH;
  if (!configured) return null;
  const version = chromiumVersion(configured);
  // asked for by name: a wrong one stops the run rather than silently testing another browser
  if (!version) throw new NoChromiumError(`CHROME_PATH=${configured} is not a browser that starts (\`${configured} --version\` failed): point it at a Chrome or Chromium binary, or unset it.`);
  return { path: configured, version, source: 'CHROME_PATH' };
};

export const fromPath: ChromiumSource = async () => {
  for (const name of PATH_NAMES) {
    const file = findOnPath(name);
    const version = file && chromiumVersion(file);
    if (file && version) return { path: file, version, source: `${name} on PATH` };
  }
  return null;
};

export const fromPlaywrightCache: ChromiumSource = async () => {
  for (const file of playwrightBrowsers()) {
    const version = chromiumVersion(file);
    if (version) return { path: file, version, source: "Playwright's browser cache" };
  }
  return null;
};

export const fromNpmPackage: ChromiumSource = async () => {
  const file = await npmPackageChromium();
  const version = file && chromiumVersion(file);
  return file && version ? { path: file, version, source: 'the npm package @sparticuz/chromium' } : null;
};

export const DEFAULT_SOURCES: ChromiumSource[] = [fromChromePath, fromPath, fromPlaywrightCache, fromNpmPackage];

/** The first browser the sources give; with `install`, Debian's chromium where root can apt-get it; else NoChromiumError. */
export async function locateChromium(sources: ChromiumSource[], options: { install?: boolean } = {}): Promise<FoundChromium> {
  for (const source of sources) {
    const browser = await source();
    if (browser) return browser;
  }
  if (options.install && installWithApt()) {
    const installed = await fromPath();
    if (installed) return { ...installed, source: `${installed.source} (installed now with apt-get)` };
  }
  throw new NoChromiumError(whatToRun());
}

let found: Promise<FoundChromium> | undefined;

/** Find a Chromium (see the order above) once per process; with `install`, install one where that can be done. */
export function findChromium(options: { install?: boolean } = {}): Promise<FoundChromium> {
  found ??= locateChromium(DEFAULT_SOURCES, options);
  found.catch(() => (found = undefined));
  return found;
}
