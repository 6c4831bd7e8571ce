import { mkdtempSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitUnlessSupportedNode } from '../../gateway/src/platform/node-runtime';
import { startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';

/**
 * One real PostgreSQL server for the whole run: DATABASE_URL when given (the machine's
 * server), otherwise an embedded one in a temporary folder. Each test file then creates
 * its own database on it (test/helpers/db.ts), so files never share state.
 */
export default async function globalSetup(): Promise<void> {
  exitUnlessSupportedNode(); // one line saying what to run, before any test
  if (process.env.DATABASE_URL) {
    process.env.TEST_PG_SERVER_URL = process.env.DATABASE_URL;
    return;
  }
  const parent = mkdtempSync(path.join(os.tmpdir(), 'm3pt-test-pg-'));
  chmodSync(parent, 0o777); // the postgres user must reach it when tests run as root
  const server = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), durable: false, maxConnections: 300 });
  process.env.TEST_PG_SERVER_URL = server.url;
  (globalThis as Record<string, unknown>).__M3PT_TEST_PG__ = { server, parent };
}
