import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from './chromium';

/**
 * Headless Chromium as the tests run it (found by ./chromium: CHROME_PATH, PATH, Playwright's
 * cache, or the build inside the npm package @sparticuz/chromium): no sandbox (root in CI), and
 * none of its background networking, which this machine's closed network would refuse many times
 * a start.
 */
export async function launchChromium(): Promise<Browser> {
  const { path } = await findChromium();
  return chromium.launch({
    executablePath: path,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** docs/screenshots with UPDATE_SCREENSHOTS=1 (`npm run screenshots`), else a temporary folder; made if missing */
export function screenshotsDir(): string {
  const dir = process.env.UPDATE_SCREENSHOTS ? path.join(__dirname, '..', '..', 'docs', 'screenshots') : path.join(os.tmpdir(), 'm3pt-ui-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Signs in to the operator app the way a person does: the app's "Sign in with Infor OS" link, the
 * Infor OS simulator's login form (its users' passwords are their names), back to the app, which
 * shows the user's display name.
 */
export async function signInToOperatorApp(page: Page, gatewayUrl: string, user: string, displayName: string): Promise<void> {
  await page.goto(`${gatewayUrl}/ui/`);
  await page.getByRole('link', { name: 'Sign in with Infor OS' }).click();
  await page.waitForURL(/\/as\/authorization/);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${gatewayUrl}/ui/`);
  await page.getByText(displayName).waitFor();
}
