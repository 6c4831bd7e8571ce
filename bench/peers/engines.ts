/**
 * The peers as processes: installed at bench time into a throw-away folder (never a dependency
 * of the product), given the committed workflow file, started headless against the same
 * simulators and PostgreSQL server as the gateway, killed and restarted like it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { SharedWorld } from '../../test/chaos/harness';
import { procCpuMs } from '../../test/chaos/harness';

const HERE = __dirname;

/** Where peers are installed: reused between runs when the same version is there (`PEERS_DIR`). */
export const PEERS_DIR = process.env.PEERS_DIR ?? path.join(os.tmpdir(), 'm3pt-bench-peers');

export interface PeerEngine {
  name: 'n8n' | 'Node-RED';
  version: string;
  /** where the load driver posts: `${webhookBase}/events/ecommerce` */
  readonly webhookBase: string;
  /** install (or find installed); throws with the reason when it cannot */
  install(log: (line: string) => void): Promise<void>;
  /** one-time set-up: database, workflow import */
  prepare(): Promise<void>;
  start(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
  cpuMs(): number;
  output(): string;
  /** the peer's own result table */
  db: pg.Pool;
}

function manifestOf(dir: string): { dependencies: Record<string, string> } {
  return JSON.parse(readFileSync(path.join(HERE, dir, 'peer-package.json'), 'utf8')) as { dependencies: Record<string, string> };
}

/** npm install of the committed manifest into `${PEERS_DIR}/<name>-<version>`, once. */
function installInto(dir: string, folder: string, marker: string, log: (line: string) => void): string {
  const target = path.join(PEERS_DIR, folder);
  if (existsSync(path.join(target, marker))) return target;
  mkdirSync(target, { recursive: true });
  copyFileSync(path.join(HERE, dir, 'peer-package.json'), path.join(target, 'package.json'));
  log(`installing ${folder} into ${target} (npm; a few minutes the first time)…`);
  const started = Date.now();
  const run = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: target, encoding: 'utf8', timeout: 40 * 60_000 });
  if (run.status !== 0 || !existsSync(path.join(target, marker))) {
    throw new Error(`npm install of ${folder} failed (exit ${run.status ?? run.signal}): ${(run.stderr || run.stdout || '').trim().split('\n').slice(-8).join(' | ')}`);
  }
  log(`installed ${folder} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return target;
}

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function waitForHttp(url: string, ok: (status: number) => boolean, timeoutMs: number, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the peer exited while starting:\n${output().slice(-3000)}`);
    try {
      const res = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000) });
      await res.text();
      if (ok(res.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the peer did not answer ${url} within ${timeoutMs} ms:\n${output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The environment both peers read their endpoints and credentials from. */
function worldEnv(world: SharedWorld): Record<string, string> {
  const i = world.infor.ionapi;
  return {
    PAYTRACE_URL: world.paytrace.url,
    PAYTRACE_USERNAME: 'demo123',
    PAYTRACE_PASSWORD: 'demo123',
    PAYTRACE_INTEGRATOR_ID: '9TEST0000001',
    INFOR_TOKEN_URL: i.pu + i.ot,
    INFOR_SAAK: i.saak,
    INFOR_SASK: i.sask,
    INFOR_CLIENT_ID: i.ci,
    INFOR_CLIENT_SECRET: i.cs,
    M3_BASE_URL: `${i.iu}/${i.ti}/M3/m3api-rest`,
    ECOMMERCE_WEBHOOK_SECRET: world.ecommerceSecret,
  };
}

abstract class PeerProcess {
  #proc: ChildProcess | undefined;
  #text = '';
  db!: pg.Pool;
  protected databaseUrl = '';
  protected readonly home = mkdtempSync(path.join(os.tmpdir(), 'm3pt-peer-home-'));

  constructor(
    protected readonly world: SharedWorld,
    protected readonly serverUrl: string,
    readonly port: number,
  ) {
    process.once('exit', () => {
      this.#proc?.kill('SIGKILL');
      rmSync(this.home, { recursive: true, force: true });
    });
  }

  protected abstract command(): { cmd: string; args: string[]; env: Record<string, string>; readyUrl: string; ready: (status: number) => boolean; startMs: number };

  protected async createPeerDatabase(name: string): Promise<void> {
    this.databaseUrl = await createDatabase(this.serverUrl, name);
    this.db = new pg.Pool({ connectionString: this.databaseUrl, max: 4 });
    await this.db.query(readFileSync(path.join(HERE, 'schema.sql'), 'utf8'));
  }

  async start(): Promise<void> {
    if (this.#proc) throw new Error('already running');
    const c = this.command();
    const proc = spawn(c.cmd, c.args, { env: { ...process.env, ...worldEnv(this.world), ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc = proc;
    const onData = (chunk: Buffer) => {
      this.#text += chunk.toString('utf8');
      if (this.#text.length > 2_000_000) this.#text = this.#text.slice(-1_000_000);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    await waitForHttp(c.readyUrl, c.ready, c.startMs, proc, () => this.#text);
  }

  async kill(): Promise<void> {
    const proc = this.#proc;
    if (!proc) return;
    this.#proc = undefined;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const proc = this.#proc;
    if (!proc) return;
    this.#proc = undefined;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  cpuMs(): number {
    return this.#proc?.pid ? procCpuMs(this.#proc.pid) : 0;
  }

  output(): string {
    return this.#text;
  }
}

export class N8nPeer extends PeerProcess implements PeerEngine {
  readonly name = 'n8n' as const;
  readonly version = manifestOf('n8n').dependencies.n8n!;
  #dir = '';

  get webhookBase(): string {
    return `http://127.0.0.1:${this.port}/webhook`;
  }

  async install(log: (line: string) => void): Promise<void> {
    this.#dir = installInto('n8n', `n8n-${this.version}`, 'node_modules/.bin/n8n', log);
  }

  #env(): Record<string, string> {
    const db = new URL(this.databaseUrl);
    return {
      N8N_USER_FOLDER: this.home,
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
      N8N_TEMPLATES_ENABLED: 'false',
      N8N_PERSONALIZATION_ENABLED: 'false',
      N8N_RUNNERS_ENABLED: 'false',
      N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
      N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
      NODE_FUNCTION_ALLOW_BUILTIN: 'crypto',
      // the same concurrency as the gateway's workers per flow
      N8N_CONCURRENCY_PRODUCTION_LIMIT: process.env.PEERS_CONCURRENCY ?? '8',
      EXECUTIONS_MODE: 'regular',
      N8N_LOG_LEVEL: 'warn',
      DB_TYPE: 'postgresdb',
      DB_POSTGRESDB_HOST: db.hostname,
      DB_POSTGRESDB_PORT: db.port,
      DB_POSTGRESDB_DATABASE: db.pathname.slice(1),
      DB_POSTGRESDB_USER: decodeURIComponent(db.username),
      DB_POSTGRESDB_PASSWORD: decodeURIComponent(db.password),
      N8N_PORT: String(this.port),
      N8N_LISTEN_ADDRESS: '127.0.0.1',
    };
  }

  #cli(args: string[]): void {
    const run = spawnSync(path.join(this.#dir, 'node_modules/.bin/n8n'), args, { env: { ...process.env, ...worldEnv(this.world), ...this.#env() }, encoding: 'utf8', timeout: 10 * 60_000 });
    if (run.status !== 0) {
      const said = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
      throw new Error(`n8n ${args[0]} failed (exit ${run.status ?? run.signal}): ${said.slice(-4).join(' | ')}`);
    }
  }

  async prepare(): Promise<void> {
    await this.createPeerDatabase('peer_n8n');
    const db = new URL(this.databaseUrl);
    const credentials = path.join(this.home, 'credentials.json');
    // the workflow's Postgres node uses this credential (n8n encrypts it on import)
    writeFileSync(
      credentials,
      JSON.stringify([
        {
          id: 'm3ptPeerPg0001',
          name: 'peer database',
          type: 'postgres',
          data: { host: db.hostname, port: Number(db.port), database: db.pathname.slice(1), user: decodeURIComponent(db.username), password: decodeURIComponent(db.password), ssl: 'disable', allowUnauthorizedCerts: false },
        },
      ]),
    );
    // first command runs n8n's migrations on the fresh database (about a minute on two cores)
    this.#cli(['import:credentials', `--input=${credentials}`]);
    this.#cli(['import:workflow', `--input=${path.join(HERE, 'n8n', 'workflow.json')}`]);
    // n8n 1.12x activates the workflow's published version, which import:workflow does not
    // record (the editor does on save): record it as the editor would, then activate
    const n8nDb = new pg.Client({ connectionString: this.databaseUrl });
    await n8nDb.connect();
    try {
      await n8nDb.query(
        `insert into workflow_history ("versionId", "workflowId", authors, nodes, connections)
         select "versionId", id, 'm3-paytrace bench', nodes, connections from workflow_entity where id = $1 on conflict do nothing`,
        ['m3ptFlow1Peer01'],
      );
    } finally {
      await n8nDb.end();
    }
    this.#cli(['update:workflow', '--id=m3ptFlow1Peer01', '--active=true']);
  }

  protected command() {
    return {
      cmd: path.join(this.#dir, 'node_modules/.bin/n8n'),
      args: ['start'],
      env: this.#env(),
      // an unsigned POST is refused by the workflow itself (401): the webhook is live
      readyUrl: `${this.webhookBase}/events/ecommerce`,
      ready: (status: number) => status === 401,
      // a first start runs nothing heavy (migrations ran in prepare); a loaded machine still needs minutes
      startMs: Number(process.env.PEERS_START_TIMEOUT_MS ?? 600_000),
    };
  }
}

export class NodeRedPeer extends PeerProcess implements PeerEngine {
  readonly name = 'Node-RED' as const;
  readonly version = manifestOf('node-red').dependencies['node-red']!;
  #dir = '';

  get webhookBase(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async install(log: (line: string) => void): Promise<void> {
    this.#dir = installInto('node-red', `node-red-${this.version}`, 'node_modules/node-red/red.js', log);
  }

  async prepare(): Promise<void> {
    await this.createPeerDatabase('peer_node_red');
    // Node-RED writes next to its flows file: give it a copy in its throw-away user folder
    copyFileSync(path.join(HERE, 'node-red', 'flows.json'), path.join(this.home, 'flows.json'));
  }

  protected command() {
    return {
      cmd: process.execPath,
      args: [path.join(this.#dir, 'node_modules/node-red/red.js'), '--userDir', this.home, '--settings', path.join(HERE, 'node-red', 'settings.js'), path.join(this.home, 'flows.json')],
      env: { PEER_PORT: String(this.port), PEER_PG_MODULE: path.join(this.#dir, 'node_modules/pg'), PEER_DATABASE_URL: this.databaseUrl },
      readyUrl: `${this.webhookBase}/events/ecommerce`,
      ready: (status: number) => status === 401,
      startMs: Number(process.env.PEERS_START_TIMEOUT_MS ?? 600_000),
    };
  }
}
