/**
 * The PayTrace simulator's keyed sale (Bearer check, body capture, fault middleware, validation,
 * state, Rails headers) against the ceiling of a bare Express JSON echo on the same machine in the
 * same run. Tells whether the simulator can stand in for PayTrace in load tests of the gateway.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startPayTraceSimulator } from '../../simulators/paytrace';
import { closedLoop } from '../lib/load';
import { report } from '../lib/report';


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

  await closedLoop(bareUrl, { method: 'POST', body: sale, headers: {}, concurrency, seconds: 1 }); // warm-up
  await closedLoop(saleUrl, { method: 'POST', body: sale, headers: auth, concurrency, seconds: 1 });
  const ceiling = await closedLoop(bareUrl, { method: 'POST', body: sale, headers: {}, concurrency, seconds: seconds });
  const measured = await closedLoop(saleUrl, { method: 'POST', body: sale, headers: auth, concurrency, seconds: seconds });

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
