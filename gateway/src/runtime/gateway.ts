import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { createApp } from '../http/app';
import type { GatewayModule } from '../kernel/module';
import { ConnectorStatus, type ConnectorName } from '../observability/connector-status';
import { createLogger, type Logger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { closeLockConnections } from '../pipeline/advisory-lock';
import { JobQueue } from '../pipeline/job-queue';
import { VersionNotifier } from '../pipeline/versions/notifier';
import { createDb, migrateLatest } from '../store/db';
import type { GatewayServices } from '../kernel/services';

export type { GatewayModule } from '../kernel/module';

export interface StartedGateway {
  url: string;
  port: number;
  services: GatewayServices;
  /** Stop accepting, finish running jobs, close the pool. Safe to call twice. */
  stop(): Promise<void>;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const CONNECTORS: ConnectorName[] = ['infor-os', 'm3', 'ion', 'paytrace'];

/** Build and start one gateway instance on an existing database. */
export async function startGateway(
  config: Config,
  options: { databaseUrl: string; modules?: GatewayModule[]; logger?: Logger } ,
): Promise<StartedGateway> {
  const logger = options.logger ?? createLogger({ level: config.log.level });
  const metrics = createMetrics();
  const db = createDb(options.databaseUrl, { poolMax: config.database.poolMax });
  const applied = await migrateLatest(db);
  if (applied.length) logger.info('database migrated', { applied });
  const queue = new JobQueue(options.databaseUrl, db, config.queue, logger, metrics);
  const notifier = new VersionNotifier(options.databaseUrl, logger);
  await notifier.start();
  const services: GatewayServices = {
    config,
    db,
    queue,
    metrics,
    logger,
    connectors: new ConnectorStatus(CONNECTORS),
    version: packageVersion(),
    startedAt: new Date(),
    lifecycle: { ready: false, shuttingDown: false },
    notifier,
  };
  const modules = options.modules ?? [];
  for (const module of modules) await module.start?.(services);
  await queue.start();

  const app = createApp(services, modules.flatMap((m) => (m.routes ? [m.routes] : [])));
  const server: Server = await new Promise((resolve, reject) => {
    // timeouts are checked every second (Node's default is 30 s, too slow to shed trickling clients)
    const s = createServer({ connectionsCheckingInterval: 1_000, headersTimeout: config.http.headersTimeoutMs, requestTimeout: Math.max(config.http.requestTimeoutMs, config.http.headersTimeoutMs) }, app);
    s.listen(config.http.port, config.http.host, () => resolve(s));
    s.once('error', reject);
  });
  // slow clients cannot hold the gateway: headers must arrive within headersTimeoutMs and the
  // whole request within requestTimeoutMs (Node closes the socket: 408), idle keep-alives close,
  // and no more than maxConnections sockets are open at once
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  server.maxConnections = config.http.maxConnections;
  const port = (server.address() as AddressInfo).port;
  services.lifecycle.ready = true;
  const url = `http://${config.http.host}:${port}`;
  services.url = url;
  logger.info('gateway listening', { url, mode: config.mode, version: services.version });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      services.lifecycle.shuttingDown = true;
      logger.info('gateway shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const module of [...modules].reverse()) {
        await module.stop?.().catch((err: unknown) => logger.error('module stop failed', { err }));
      }
      await queue.stop(config.shutdown.graceMs);
      await notifier.stop();
      for (const module of [...modules].reverse()) {
        await module.close?.().catch((err: unknown) => logger.error('module close failed', { err }));
      }
      const forced = setTimeout(() => server.closeAllConnections(), config.shutdown.graceMs);
      forced.unref();
      await closed;
      clearTimeout(forced);
      await db.destroy();
      await closeLockConnections(db);
      logger.info('gateway stopped');
    })();
    return stopping;
  };
  return { url, port, services, stop };
}
