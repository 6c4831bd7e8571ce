/**
 * What the chaos and scale-out tests share: simulators that outlive gateway processes, gateway
 * processes started from the real entry point (gateway/src/main.ts, connected mode), and the
 * storefront / M3 / refund-caller side of the load, all over real HTTP.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startInforSimulator } from '../../simulators/infor';
import { startPayTraceSimulator, type PayTraceSimulator } from '../../simulators/paytrace';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { runTs, type RunningProcess } from '../helpers/process';

export type InforSimulator = Awaited<ReturnType<typeof startInforSimulator>>;

/** A free TCP port on localhost, so a restarted gateway comes back at the same address. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface SharedWorld {
  infor: InforSimulator;
  paytrace: PayTraceSimulator;
  database: TestDatabase;
  ionapiFile: string;
  ecommerceSecret: string;
  /** a file with the settings that have no environment variable (queue expiry, concurrency) */
  configFile: string;
  stop(): Promise<void>;
}

/**
 * The simulators and the database, in this process: they are the outside world, so they keep
 * their state while gateway processes die and come back.
 */
export async function startWorld(options: { config?: Record<string, unknown>; m3LatencyMs?: number } = {}): Promise<SharedWorld> {
  const infor = await startInforSimulator({ latencyMs: options.m3LatencyMs ?? 0 });
  const paytrace = await startPayTraceSimulator();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-chaos-'));
  const ionapiFile = path.join(dir, 'chaos.ionapi');
  await infor.writeIonapiFile(ionapiFile);
  const configFile = path.join(dir, 'gateway.json');
  // the gateway's own backend app (whose token the load calls /api with) may request refunds
  const config: Record<string, unknown> = { ...options.config, api: { clientRoles: { [infor.ionapi.ci]: 'operator' }, ...(options.config?.api as object | undefined) } };
  writeFileSync(configFile, JSON.stringify(config));
  const database = await createTestDatabase({ migrate: false }); // the gateway migrates it, as in production
  return {
    infor,
    paytrace,
    database,
    ionapiFile,
    configFile,
    ecommerceSecret: `whsec_${randomBytes(24).toString('base64')}`,
    async stop() {
      await database.drop();
      await infor.close();
      await paytrace.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One gateway as its own operating-system process: `node --import tsx gateway/src/main.ts`. */
export class GatewayProcess {
  #process: RunningProcess | undefined;
  starts = 0;
  /** output of every earlier incarnation (killed or stopped) */
  #history = '';

  constructor(
    private readonly world: SharedWorld,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.child.pid;
  }

  get running(): boolean {
    return this.#process !== undefined;
  }

  /** Start it and resolve once it prints its banner (it listens then). */
  async start(): Promise<void> {
    if (this.#process) throw new Error('already running');
    const proc = runTs('gateway/src/main.ts', [], {
      MODE: 'connected',
      CONFIG_FILE: this.world.configFile,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: this.url,
      DATABASE_URL: this.world.database.url,
      IONAPI_FILE: this.world.ionapiFile,
      PAYTRACE_BASE_URL: this.world.paytrace.url,
      PAYTRACE_USERNAME: 'demo123',
      PAYTRACE_PASSWORD: 'demo123',
      PAYTRACE_INTEGRATOR_ID: '9TEST0000001',
      PAYTRACE_TIMEOUT_MS: '10000',
      ECOMMERCE_WEBHOOK_SECRET: this.world.ecommerceSecret,
      LOG_LEVEL: 'warn',
      ...this.env,
    });
    this.#process = proc;
    this.starts++;
    try {
      await proc.waitFor(/m3-paytrace is running/, 60_000);
    } catch (err) {
      this.#process = undefined;
      proc.child.kill('SIGKILL');
      throw err;
    }
    // a crash later on is a test failure: it must not go unnoticed
    void proc.exited.then(({ code, signal }) => {
      if (this.#process === proc && signal !== 'SIGKILL') this.#history += `\n[gateway exited by itself: code ${code} signal ${signal}]\n`;
    });
  }

  /** SIGKILL: no shutdown hook runs, in-flight jobs and HTTP requests die with it. */
  async kill(): Promise<void> {
    const proc = this.#process;
    if (!proc) return;
    proc.child.kill('SIGKILL');
    await proc.exited;
    this.#history += proc.output();
    this.#process = undefined;
  }

  /** SIGTERM: the graceful stop. */
  async stop(): Promise<void> {
    const proc = this.#process;
    if (!proc) return;
    proc.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | number | undefined;
    const exited = await Promise.race([proc.exited, new Promise<undefined>((r) => (timer = setTimeout(r, 30_000)))]);
    clearTimeout(timer);
    if (!exited) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    this.#history += proc.output();
    this.#process = undefined;
  }

  output(): string {
    return this.#history + (this.#process?.output() ?? '');
  }

  /** The process's JSON log lines (stdout/stderr lines that parse as objects). */
  logLines(): Array<Record<string, unknown>> {
    const lines: Array<Record<string, unknown>> = [];
    for (const line of this.output().split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line cut by SIGKILL
      }
    }
    return lines;
  }

  /** CPU time (user + system, ms) the process has used so far, from /proc. */
  cpuMs(): number {
    const pid = this.pid;
    if (!pid) return 0;
    return procCpuMs(pid);
  }
}

/** user + system CPU ms of a process and its reaped children, from /proc/<pid>/stat (Linux). */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces) start after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** A storefront that signs its notifications per Standard Webhooks with the shared secret. */
export function storefrontSigner(secret: string) {
  const webhook = new Webhook(secret);
  return (webhookId: string, body: string, at = new Date()) => ({
    'content-type': 'application/json',
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(webhookId, at, body),
  });
}

/**
 * POST until the gateway answers (a storefront or M3 retries while the gateway is down or
 * restarting). Returns the first answer that is not a connection failure or a 5xx.
 */
export async function postUntilAnswered(
  url: () => string,
  path: string,
  headers: () => Record<string, string>,
  body: string,
  options: { deadlineMs?: number; onRetry?: () => void } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${url()}${path}`, { method: 'POST', headers: headers(), body, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      if (res.status < 500) return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    } catch {
      // connection refused or reset: the gateway is being killed or restarted
    }
    if (Date.now() > deadline) throw new Error(`POST ${path} got no answer before the deadline`);
    options.onRetry?.();
    await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
  }
}

/** An Infor OS access token for an API caller (the refund requester), from the simulator's token endpoint. */
export async function inforAccessToken(infor: InforSimulator): Promise<string> {
  const i = infor.ionapi;
  const res = await fetch(i.pu + i.ot, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: i.saak, password: i.sask, client_id: i.ci, client_secret: i.cs }),
  });
  if (!res.ok) throw new Error(`token: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Run `worker` over `items` with at most `concurrency` at once. */
export async function pool<T>(items: T[], concurrency: number, worker: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (;;) {
        const index = next++;
        if (index >= items.length) return;
        await worker(items[index]!, index);
      }
    }),
  );
}

/** A small deterministic random generator (mulberry32), so a chaos run can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
