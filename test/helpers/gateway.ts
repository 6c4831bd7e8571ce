import { Writable } from 'node:stream';
import { buildConfig, type ConfigInput } from '../../gateway/src/config';
import { createLogger } from '../../gateway/src/observability/logger';
import { startGateway, type GatewayModule, type StartedGateway } from '../../gateway/src/runtime/gateway';
import { createTestDatabase, type TestDatabase } from './db';

export interface TestGateway extends StartedGateway {
  database: TestDatabase;
  /** every log line the gateway wrote, parsed */
  logs: Array<Record<string, unknown>>;
}

/** A real gateway on an ephemeral port, on its own fresh database; `stop()` drops the database too. */
export async function startTestGateway(options: { config?: ConfigInput; modules?: GatewayModule[]; database?: TestDatabase } = {}): Promise<TestGateway> {
  const database = options.database ?? (await createTestDatabase());
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = buildConfig({
    ...options.config,
    http: { port: 0, ...options.config?.http },
    queue: { schema: 'pgboss', retryDelaySeconds: 0, pollingIntervalSeconds: 0.5, ...options.config?.queue },
    shutdown: { graceMs: 5000, ...options.config?.shutdown },
    log: { level: 'debug', ...options.config?.log },
  });
  const logger = createLogger({ level: config.log.level, stream });
  const gateway = await startGateway(config, { databaseUrl: database.url, modules: options.modules, logger });
  return {
    ...gateway,
    database,
    logs,
    async stop() {
      await gateway.stop();
      if (!options.database) await database.drop();
    },
  };
}

/** Resolve when `predicate` holds, polling every 25 ms (for effects that happen in a background job). */
export async function eventually<T>(predicate: () => Promise<T | undefined | false | null>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
