import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTs } from '../../helpers/process';

/** `npm start` (sandbox) prints a ready payment link for a seeded open invoice, and the link opens the pay page. */
describe('npm start prints a payment link', () => {
  let parent: string;
  beforeAll(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'm3pt-links-sandbox-'));
    chmodSync(parent, 0o777);
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('prints the live link of invoice 200001; the page shows it for $1,250.00', async () => {
    const proc = runTs('gateway/src/main.ts', [], { PORT: '0', EMBEDDED_PG_DATA_DIR: path.join(parent, 'pg'), LOG_LEVEL: 'warn' });
    try {
      const [, url] = await proc.waitFor(/^\s+payment link\s+(http:\/\/\S+\/pay\/[\w-]{22}\.[\w-]{22})\s+\(invoice 200001, \$1250\.00; test card 4012000098765439\)$/m, 60_000);
      const res = await fetch(url!);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('Pay invoice 200001');
      expect(html).toContain('$1,250.00');
    } finally {
      proc.child.kill('SIGINT');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
    }
  }, 90_000);
});
