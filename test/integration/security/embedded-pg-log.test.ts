import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../gateway/src/store/embedded-postgres';

/**
 * The sandbox's embedded PostgreSQL: its log is readable by its owner alone, and a failing
 * statement with a hostile value (a card number) leaves neither the statement nor the value in
 * it; the data folder is the owner's alone too.
 */
describe('embedded PostgreSQL log', () => {
  let parent: string;
  let server: EmbeddedPostgres;
  beforeAll(async () => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'm3pt-pglog-'));
    chmodSync(parent, 0o777); // the postgres user must reach it when tests run as root
    server = await startEmbeddedPostgres({ dataDir: path.join(parent, 'pg'), durable: false, maxConnections: 20 });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('is mode 600, and holds no failing statement or parameter value', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await expect(client.query('select $1::uuid', ['4242424242424242-----'])).rejects.toThrow(/uuid/);
      await expect(client.query("select '4012000098765439'::int")).rejects.toThrow(/out of range/);
      const settings = await client.query("select name, setting from pg_settings where name in ('log_min_messages', 'log_min_error_statement', 'log_parameter_max_length', 'log_parameter_max_length_on_error')");
      expect(Object.fromEntries(settings.rows.map((r: { name: string; setting: string }) => [r.name, r.setting]))).toEqual({ log_min_messages: 'log', log_min_error_statement: 'panic', log_parameter_max_length: '0', log_parameter_max_length_on_error: '0' });
    } finally {
      await client.end();
    }
    const logFile = readdirSync(parent).map((n) => path.join(parent, n)).find((f) => f.endsWith('.log'))!;
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(parent, 'pg')).mode & 0o077).toBe(0);
    const text = readFileSync(logFile, 'utf8');
    expect(text).not.toContain('select $1::uuid');
    expect(text).not.toContain("'4012000098765439'::int");
    expect(text).not.toContain('4242424242424242');
    expect(text).not.toContain('4012000098765439');
    expect(text).toMatch(/ready to accept connections/);
  });
});
