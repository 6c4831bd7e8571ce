/**
 * Run by `npm test` before anything else: find the Chromium the browser tests drive, install it
 * where that can be done (root with apt-get), or stop with one line that says what to run.
 */
import { findChromium, NoChromiumError } from './chromium';

findChromium({ install: true }).then(
  (found) => process.stdout.write(`browser tests: ${found.version} (${found.path}, from ${found.source})\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof NoChromiumError ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
