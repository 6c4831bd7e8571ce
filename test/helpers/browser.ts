import { chromium, type Browser } from 'playwright-core';
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
