/**
 * One M3 MI call through the Infor simulator (fault middleware, RS256 bearer check, matrix
 * parsing, validation, padding) against the ceiling of a bare Express GET answering JSON on the
 * same machine in the same run. Tells whether the simulator can stand in for M3 in load tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startInforSimulator } from '../../simulators/infor';
import { percentile, report } from '../lib/report';

interface Loop {
  requests: number;
  errors: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

/** closed loop of keep-alive GETs with our own headers (the shared helper sends no Authorization) */
async function getLoop(url: string, headers: Record<string, string>, concurrency: number, seconds: number): Promise<Loop> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 400) errors++;
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = 20;
  const sim = await startInforSimulator({ port: 0 });
  const i = sim.ionapi;
  const grant = await fetch(i.pu + i.ot, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: i.saak, password: i.sask, client_id: i.ci, client_secret: i.cs }),
  });
  const { access_token } = (await grant.json()) as { access_token: string };
  const miUrl = `${i.iu}/${i.ti}/M3/m3api-rest/v2/execute/OIS350MI/GetInvHead;returncols=RAFC,CUCD,INST?YEA4=2026&IVNO=200002`;
  const sample = await (await fetch(miUrl, { headers: { authorization: `Bearer ${access_token}` } })).text();

  const bare = express();
  bare.get('/', (_req, res) => {
    res.type('json').send(sample);
  });
  const server = bare.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const bareUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const auth = { authorization: `Bearer ${access_token}` };

  await getLoop(bareUrl, {}, concurrency, 1); // warm-up
  await getLoop(miUrl, auth, concurrency, 1);
  const ceiling = await getLoop(bareUrl, {}, concurrency, seconds);
  const measured = await getLoop(miUrl, auth, concurrency, seconds);

  report({
    name: 'infor-simulator/mi-call',
    unit: 'requests/s',
    value: measured.perSecond,
    ceiling: ceiling.perSecond,
    ceilingDescription: 'bare Express GET answering the same JSON, same machine, same run',
    ratio: measured.perSecond / ceiling.perSecond,
    extra: { concurrency, seconds, call: 'v2 OIS350MI/GetInvHead with bearer check', simulator: measured, bare: ceiling },
  });
  server.close();
  await sim.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
