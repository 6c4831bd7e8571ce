/**
 * The gateway's HTTP stack (helmet, request context, metrics, problem handling, a database
 * round trip) on GET /ready, against the ceiling of a bare Express "hello world" on the same
 * machine in the same run. Shows what the skeleton costs before any business logic.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { buildConfig } from '../../gateway/src/config';
import { createLogger } from '../../gateway/src/observability/logger';
import { startGateway } from '../../gateway/src/runtime/gateway';
import { ensureDatabase, startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { closedLoop } from '../lib/load';
import { report } from '../lib/report';
import { benchDataDir } from '../lib/pg';

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = 20;
  const pgServer = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: benchDataDir('http'), durable: false });
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(pgServer!.url, 'bench_http'));
  const gateway = await startGateway(buildConfig({ http: { port: 0 }, log: { level: 'error' } }), { databaseUrl, logger: createLogger({ level: 'error' }) });

  const bare = express();
  bare.get('/', (_req, res) => {
    res.send('hello world');
  });
  const server = bare.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const bareUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  await closedLoop(bareUrl, { concurrency, seconds: 1 }); // warm-up
  await closedLoop(`${gateway.url}/ready`, { concurrency, seconds: 1 });
  const ceiling = await closedLoop(bareUrl, { concurrency, seconds });
  const measured = await closedLoop(`${gateway.url}/ready`, { concurrency, seconds });

  report({
    name: 'http/readiness',
    unit: 'requests/s',
    value: measured.perSecond,
    ceiling: ceiling.perSecond,
    ceilingDescription: 'bare Express hello-world, same machine, same run',
    ratio: measured.perSecond / ceiling.perSecond,
    extra: { concurrency, seconds, gateway: measured, bare: ceiling },
  });
  server.close();
  await gateway.stop();
  await pgServer?.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
