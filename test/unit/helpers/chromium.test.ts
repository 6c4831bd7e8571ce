/**
 * How the browser tests find their Chromium on a machine nobody prepared: the order of the
 * places, what counts as a browser (it answers --version), and the one line when there is none.
 * Stand-in "browsers" here are shell scripts that print a version, to tell the places apart; the
 * npm package's Chromium is the real one, unpacked and started.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromiumVersion, fromChromePath, fromNpmPackage, fromPath, locateChromium, NoChromiumError, playwrightBrowsers, whatToRun } from '../../helpers/chromium';

let dir: string;
const saved = { PATH: process.env.PATH, CHROME_PATH: process.env.CHROME_PATH };
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'm3pt-chromium-'));
});
afterEach(() => {
  process.env.PATH = saved.PATH;
  if (saved.CHROME_PATH === undefined) delete process.env.CHROME_PATH;
  else process.env.CHROME_PATH = saved.CHROME_PATH;
  rmSync(dir, { recursive: true, force: true });
});

/** An executable that answers --version like a browser (or fails like a snap stub). */
function fakeBrowser(file: string, answer: string | null): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, answer === null ? '#!/bin/sh\necho "chromium is not installed; install it with snap" >&2\nexit 1\n' : `#!/bin/sh\necho "${answer}"\n`);
  chmodSync(file, 0o755);
  return file;
}

it('takes CHROME_PATH first, and stops with one line when it is not a browser', async () => {
  process.env.CHROME_PATH = fakeBrowser(path.join(dir, 'my-chrome'), 'Google Chrome 150.0.1.2');
  await expect(locateChromium([fromChromePath, fromPath])).resolves.toEqual({ path: process.env.CHROME_PATH, version: 'Google Chrome 150.0.1.2', source: 'CHROME_PATH' });
  process.env.CHROME_PATH = path.join(dir, 'missing');
  const refusal = locateChromium([fromChromePath, fromPath]);
  await expect(refusal).rejects.toThrow(NoChromiumError);
  await expect(refusal).rejects.toThrow(`CHROME_PATH=${path.join(dir, 'missing')} is not a browser that starts`);
});

it('looks on PATH for chromium, chromium-browser, google-chrome in that order, skipping one that does not start', async () => {
  const bin = path.join(dir, 'bin');
  fakeBrowser(path.join(bin, 'chromium'), null); // e.g. Ubuntu's snap stub
  fakeBrowser(path.join(bin, 'google-chrome'), 'Google Chrome 151.0.0.0');
  fakeBrowser(path.join(bin, 'chromium-browser'), 'Chromium 152.0.0.0');
  process.env.PATH = bin;
  await expect(fromPath()).resolves.toEqual({ path: path.join(bin, 'chromium-browser'), version: 'Chromium 152.0.0.0', source: 'chromium-browser on PATH' });
  process.env.PATH = path.join(dir, 'empty');
  await expect(fromPath()).resolves.toBeNull();
});

it("reads Playwright's cache newest revision first, full Chromium before the headless shell", () => {
  const cache = path.join(dir, 'ms-playwright');
  const older = fakeBrowser(path.join(cache, 'chromium-1100', 'chrome-linux', 'chrome'), 'Chromium 120.0.0.0');
  const shell = fakeBrowser(path.join(cache, 'chromium_headless_shell-1200', 'chrome-headless-shell-linux64', 'chrome-headless-shell'), 'Chromium 140.0.0.0');
  const full = fakeBrowser(path.join(cache, 'chromium-1200', 'chrome-linux64', 'chrome'), 'Chromium 140.0.0.0');
  mkdirSync(path.join(cache, 'firefox-900'));
  expect(playwrightBrowsers(cache)).toEqual([full, shell, older]);
  expect(playwrightBrowsers(path.join(dir, 'none'))).toEqual([]);
});

it('with nothing anywhere and no install, stops with the one line that says what to run', async () => {
  const nowhere = async () => null;
  const refusal = locateChromium([nowhere, nowhere]);
  await expect(refusal).rejects.toThrow(NoChromiumError);
  await expect(refusal).rejects.toThrow(whatToRun());
  expect(whatToRun()).not.toContain('\n');
  expect(whatToRun()).toMatch(/^No Chromium for the browser tests: (run `sudo apt-get install -y chromium`|set CHROME_PATH)/);
});

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
(linuxX64 ? it : it.skip)('unpacks the Chromium that ships in the npm package @sparticuz/chromium, and it starts', async () => {
  const found = await fromNpmPackage();
  expect(found).toMatchObject({ source: 'the npm package @sparticuz/chromium', version: expect.stringMatching(/^Chromium \d+\.\d+\.\d+\.\d+$/) });
  expect(found!.path).toMatch(/node_modules\/\.cache\/m3pt-chromium\/[\d.]+\/chromium$/);
  expect(chromiumVersion(found!.path)).toBe(found!.version);
}, 120_000);
