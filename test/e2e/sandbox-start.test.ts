import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runTs } from '../helpers/process';

/**
 * `npm start` as a newcomer runs it: no configuration, an embedded PostgreSQL under the data
 * folder, simulators, printed URLs; Ctrl-C stops it cleanly; a second start reuses the data.
 */
describe('sandbox start (the real entry point, in its own process)', () => {
  let parent: string;
  let dataDir: string;
  beforeAll(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'm3pt-sandbox-'));
    chmodSync(parent, 0o777);
    dataDir = path.join(parent, 'pg');
  });
  afterAll(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  async function startSandbox() {
    const proc = runTs('gateway/src/main.ts', [], { PORT: '0', EMBEDDED_PG_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const [, gatewayUrl] = await proc.waitFor(/^\s+gateway\s+(http:\/\/\S+)$/m, 60_000);
    const [, dbPort] = await proc.waitFor(/embedded PostgreSQL on 127\.0\.0\.1:(\d+)/);
    return { proc, gatewayUrl: gatewayUrl!, dbPort: Number(dbPort) };
  }

  function postgresRunning(): boolean {
    const pidFile = path.join(dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return false;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  it('starts, answers /health, stops on SIGINT, and keeps its data for the next start', async () => {
    const first = await startSandbox();
    expect(first.proc.output()).toMatch(/health\s+http:\/\/127\.0\.0\.1:\d+\/health/);
    expect(first.proc.output()).toMatch(/paytrace simulator\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(first.proc.output()).toMatch(/infor simulator\s+http:\/\/127\.0\.0\.1:\d+/);
    // which Node runs it, and where that binary is
    expect(first.proc.output()).toMatch(new RegExp(`^\\s+node\\s+${process.version.replace(/\./g, '\\.')}.*  ${process.execPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    const health = await fetch(`${first.gatewayUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', mode: 'sandbox', components: { database: { status: 'ok' } } });

    // leave a trace in the database to find after the restart
    const password = readFileSync(`${dataDir}.password`, 'utf8').trim();
    const client = new pg.Client({ host: '127.0.0.1', port: first.dbPort, user: 'postgres', password, database: 'm3paytrace' });
    await client.connect();
    await client.query(`insert into audit_log (actor, action, subject_type, subject_id) values ('test', 'sandbox.marker', 'test', 'restart')`);
    await client.end();

    first.proc.child.kill('SIGINT');
    expect(await first.proc.exited).toEqual({ code: 0, signal: null });
    expect(first.proc.output()).toMatch(/gateway stopped/);
    expect(postgresRunning()).toBe(false);

    const second = await startSandbox();
    expect(second.proc.output()).not.toMatch(/database migrated/); // nothing new to apply: same data
    const again = new pg.Client({ host: '127.0.0.1', port: second.dbPort, user: 'postgres', password, database: 'm3paytrace' });
    await again.connect();
    const { rows } = await again.query(`select count(*)::int as n from audit_log where action = 'sandbox.marker'`);
    await again.end();
    expect(rows[0].n).toBe(1);
    second.proc.child.kill('SIGTERM');
    expect(await second.proc.exited).toEqual({ code: 0, signal: null });
  });

  it('recovers when the previous run was killed and left PostgreSQL running', async () => {
    const first = await startSandbox();
    first.proc.child.kill('SIGKILL');
    await first.proc.exited;
    expect(postgresRunning()).toBe(true); // orphaned: it runs in its own process group
    const second = await startSandbox();
    expect((await fetch(`${second.gatewayUrl}/health`)).status).toBe(200);
    second.proc.child.kill('SIGINT');
    expect((await second.proc.exited).code).toBe(0);
    expect(postgresRunning()).toBe(false);
  });

  it('refuses a bad configuration value with a message naming the key, before starting anything', async () => {
    const proc = runTs('gateway/src/main.ts', [], { PORT: 'eighty', EMBEDDED_PG_DATA_DIR: path.join(parent, 'never') });
    const { code } = await proc.exited;
    expect(code).toBe(2);
    expect(proc.output()).toMatch(/Invalid configuration:\n\s+- http\.port \(env PORT\): /);
    expect(existsSync(path.join(parent, 'never'))).toBe(false);
  });

  it('reads settings from ENV_FILE (.env by default) under the real environment, and names a missing one', async () => {
    const envFile = path.join(parent, 'settings.env');
    writeFileSync(envFile, '# as in any .env file\nPORT="eighty"\n');
    const never = path.join(parent, 'never');
    // the file's value is used when the environment has none …
    const fromFile = runTs('gateway/src/main.ts', [], { ENV_FILE: envFile, PORT: undefined, EMBEDDED_PG_DATA_DIR: never });
    expect((await fromFile.exited).code).toBe(2);
    expect(fromFile.output()).toMatch(/- http\.port \(env PORT\): /);
    // … the environment wins over the file
    const envWins = runTs('gateway/src/main.ts', [], { ENV_FILE: envFile, PORT: '0', LOG_LEVEL: 'loud', EMBEDDED_PG_DATA_DIR: never });
    expect((await envWins.exited).code).toBe(2);
    expect(envWins.output()).not.toMatch(/http\.port/);
    expect(envWins.output()).toMatch(/- log\.level \(env LOG_LEVEL\): /);
    const missing = runTs('gateway/src/main.ts', [], { ENV_FILE: path.join(parent, 'nope.env'), EMBEDDED_PG_DATA_DIR: never });
    expect((await missing.exited).code).toBe(2);
    expect(missing.output().trim()).toBe(`ENV_FILE=${path.join(parent, 'nope.env')}: no such file`);
    expect(existsSync(never)).toBe(false);
  }, 120_000); // three processes that each load the whole gateway
});
