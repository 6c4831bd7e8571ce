/**
 * One M3 MI call through the Infor simulator (fault middleware, RS256 bearer check, matrix
 * parsing, validation, padding) against the ceiling of a bare Express GET answering JSON on the
 * same machine in the same run. Tells whether the simulator can stand in for M3 in load tests.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startInforSimulator } from '../../simulators/infor';
import { closedLoop } from '../lib/load';
import { report } from '../lib/report';


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

  await closedLoop(bareUrl, { headers: {}, concurrency, seconds: 1 }); // warm-up
  await closedLoop(miUrl, { headers: auth, concurrency, seconds: 1 });
  const ceiling = await closedLoop(bareUrl, { headers: {}, concurrency, seconds: seconds });
  const measured = await closedLoop(miUrl, { headers: auth, concurrency, seconds: seconds });

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
