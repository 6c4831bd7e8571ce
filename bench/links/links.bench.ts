/**
 * Payment link creation (POST /api/payment-links, the H5 script's call): Infor OS bearer check,
 * OIS350MI/GetInvHead + CRS610MI through the M3 simulator at zero latency, one row in PostgreSQL,
 * the signed URL and its QR code — latency p50/p99 and throughput at 50 concurrent callers, each
 * request for an invoice without a link yet. The ceiling: a bare Express hello-world on the same
 * machine, same run, same client loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { buildConfig } from '../../gateway/src/config';
import { createLogger } from '../../gateway/src/observability/logger';
import { startGateway } from '../../gateway/src/runtime/gateway';
import { gatewayModules } from '../../gateway/src/runtime/modules';
import { ensureDatabase, startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { startInforSimulator } from '../../simulators/infor';
import { startPayTraceSimulator } from '../../simulators/paytrace';
import { benchDataDir } from '../lib/pg';
import { closedLoop } from '../lib/load';
import { report } from '../lib/report';


async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = 50;
  const pgServer = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: benchDataDir('links'), durable: false });
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(pgServer!.url, 'bench_links'));
  const infor = await startInforSimulator({ port: 0 });
  const paytrace = await startPayTraceSimulator({ port: 0 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-bench-links-'));
  const ionapiFile = path.join(dir, 'bench.ionapi');
  await infor.writeIonapiFile(ionapiFile);
  const config = buildConfig({
    http: { port: 0 },
    log: { level: 'error' },
    database: { poolMax: 20 },
    infor: { ionapiFile },
    paytrace: { baseUrl: paytrace.url, username: 'demo123', password: 'demo123', integratorId: '9TEST0000001' },
    poller: { enabled: false },
    // the bench calls /api/payment-links with the gateway's own app token: give that app the M3 users' role
    api: { clientRoles: { [infor.ionapi.ci]: 'm3-user' } },
  });
  const gateway = await startGateway(config, { databaseUrl, logger: createLogger({ level: 'error' }), modules: gatewayModules() });
  const token = await gateway.services.infor!.tokens.getAccessToken();

  // invoices without links: more than the run can use, so every measured call makes a new link
  const pool: Array<{ ivno: string; yea4: number }> = [];
  const wanted = Math.max(2000, seconds * 900);
  for (let i = 0; i < wanted; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, wanted - i) }, async () => {
      const res = await fetch(`${infor.url}/_sim/m3/invoices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cuno: 'C10001', amount: '125.00', dudt: '20261231' }) });
      const inv = (await res.json()) as { ivno: number; yea4: number };
      return { ivno: String(inv.ivno), yea4: inv.yea4 };
    }));
    pool.push(...batch);
  }
  let cursor = 0;
  let reusedCalls = 0;
  const linkRequest = () => {
    const inv = pool[cursor++ % pool.length]!;
    if (cursor > pool.length) reusedCalls++;
    return { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ invoiceNumber: inv.ivno, invoiceYear: inv.yea4 }) };
  };

  const bare = express();
  bare.get('/', (_req, res) => {
    res.send('hello world');
  });
  const server = bare.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const bareUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const hello = () => ({ method: 'GET' });

  await closedLoop(bareUrl, { concurrency, seconds: 1, next: hello }); // warm-up
  await closedLoop(`${gateway.url}/api/payment-links`, { concurrency, seconds: 1, next: linkRequest });
  const ceiling = await closedLoop(bareUrl, { concurrency, seconds: seconds, next: hello });
  const measured = await closedLoop(`${gateway.url}/api/payment-links`, { concurrency, seconds: seconds, next: linkRequest });

  report({
    name: 'links/create',
    unit: 'requests/s',
    value: measured.perSecond,
    ceiling: ceiling.perSecond,
    ceilingDescription: 'bare Express hello-world, same machine, same run, same 50-caller loop',
    ratio: measured.perSecond / ceiling.perSecond,
    extra: { concurrency, seconds, created: measured, bare: ceiling, reusedCalls },
  });
  console.log(`links/create latency: p50 ${measured.p50ms.toFixed(1)} ms, p99 ${measured.p99ms.toFixed(1)} ms (bare hello-world p50 ${ceiling.p50ms.toFixed(1)} ms, p99 ${ceiling.p99ms.toFixed(1)} ms); errors ${measured.errors}`);
  server.close();
  await gateway.stop();
  await infor.close();
  await paytrace.close();
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
