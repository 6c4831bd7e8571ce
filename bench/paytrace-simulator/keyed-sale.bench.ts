/**
 * The PayTrace simulator's keyed sale (Bearer check, body capture, fault middleware, validation,
 * state, Rails headers) against the ceiling of a bare Express JSON echo on the same machine in the
 * same run. Tells whether the simulator can stand in for PayTrace in load tests of the gateway.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startPayTraceSimulator } from '../../simulators/paytrace';
import { percentile, report } from '../lib/report';

interface Loop {
  requests: number;
  errors: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

/** closed loop of keep-alive POSTs with our own headers (the shared helper sends no Authorization) */
async function postLoop(url: string, body: string, headers: Record<string, string>, concurrency: number, seconds: number): Promise<Loop> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
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
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) await one();
  }));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = 20;
  const sim = await startPayTraceSimulator({ port: 0 });
  const token = (await (await fetch(`${sim.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'demo123', password: 'demo123' }) })).json()) as { access_token: string };
  const auth = { authorization: `Bearer ${token.access_token}` };
  const sale = JSON.stringify({ amount: '10.00', credit_card: { number: '4012000098765439', expiration_month: '12', expiration_year: '2030' }, integrator_id: '9999BENCHMRK' });

  const bare = express();
  bare.post('/', express.json(), (req, res) => {
    res.json({ received: req.body as unknown });
  });
  const server = bare.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const bareUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const saleUrl = `${sim.url}/v1/transactions/sale/keyed`;

  await postLoop(bareUrl, sale, {}, concurrency, 1); // warm-up
  await postLoop(saleUrl, sale, auth, concurrency, 1);
  const ceiling = await postLoop(bareUrl, sale, {}, concurrency, seconds);
  const measured = await postLoop(saleUrl, sale, auth, concurrency, seconds);

  report({
    name: 'paytrace-simulator/keyed-sale',
    unit: 'requests/s',
    value: measured.perSecond,
    ceiling: ceiling.perSecond,
    ceilingDescription: 'bare Express JSON echo of the same body, same machine, same run',
    ratio: measured.perSecond / ceiling.perSecond,
    extra: { concurrency, seconds, simulator: measured, bare: ceiling, transactionsStored: sim.context.state.transactions.size },
  });
  server.close();
  await sim.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
