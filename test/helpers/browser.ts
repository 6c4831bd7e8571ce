import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's headless Chromium as the tests run it: no sandbox (root in CI), and none of its
 * background networking, which this machine's closed network would refuse many times a start.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
