import { startInforSimulator } from '../../../simulators/infor';
import { passwordGrant, startInforTestClient, type InforTestClient } from './infor-client';

/** fault injection aimed at one Infor system at a time through the kit's pathPattern */

let c: InforTestClient;
beforeAll(async () => {
  c = await startInforTestClient();
});
afterAll(async () => {
  await c.sim.close();
});
beforeEach(async () => {
  await c.sim_('POST', '/reset');
});

const basicData = async () => (await c.v1('CRS610MI/GetBasicData', { CUNO: 'C10001' })).status;

it('an M3-only outage (pathPattern /M3/) leaves the token endpoint and ION working', async () => {
  await c.token();
  expect((await c.sim_('PUT', '/faults', { outage: true, pathPattern: '/M3/' })).status).toBe(200);
  const m3 = await fetch(`${c.m3Base}/execute/CRS610MI/GetBasicData?CUNO=C10001`, { headers: { authorization: `Bearer ${await c.token()}` } });
  expect(m3.status).toBe(503);
  expect((await passwordGrant(c.sim)).status).toBe(200);
  expect((await fetch(`${c.imsBase}/ping`, { headers: { authorization: `Bearer ${await c.token()}` } })).status).toBe(200);
  await c.sim_('POST', '/reset');
  expect(await basicData()).toBe(200);
});

it('token-endpoint-only errors (pathPattern token.oauth2) leave M3 answering holders of a token', async () => {
  await c.token();
  await c.sim_('PUT', '/faults', { errorRate: 1, errorStatus: 503, pathPattern: 'token\\.oauth2$' });
  expect((await passwordGrant(c.sim)).status).toBe(503);
  expect(await basicData()).toBe(200);
});

it('dropAfterCommit on M3: the payment is applied though the caller sees a dropped connection; the read-back by IRNO finds it', async () => {
  await c.v1('ARS040MI/AddBatchHead', { PBID: '9100', BOPE: 'CC' });
  await c.sim_('PUT', '/faults', { dropAfterCommit: 1, pathPattern: '/M3/' });
  const query = new URLSearchParams({ PBID: '9100', TRNO: '1', CINO: '200001', INYR: '2026', CUNO: 'C10001', PYAM: '250.00', IRNO: 'PT-DROP-1' });
  await expect(
    fetch(`${c.m3Base}/execute/ARS040MI/AddBatchLine?${query.toString()}`, { headers: { authorization: `Bearer ${await c.token()}` } }),
  ).rejects.toThrow();
  const found = await c.v2Records('ARS040MI/LstBatchLine;returncols=CINO,PYAM', { IRNO: 'PT-DROP-1' });
  expect(found).toEqual([{ CINO: '200001', PYAM: '250.00' }]);
  expect((await c.v1Record('OIS350MI/GetInvHead', { YEA4: '2026', IVNO: '200001' })).RAFC).toBe('1000.00');
});

it('the latencyMs option becomes the default latency fault', async () => {
  const slow = await startInforSimulator({ latencyMs: 250 });
  try {
    const faults = (await (await fetch(`${slow.url}/_sim/faults`)).json()) as { latencyMs: number };
    expect(faults.latencyMs).toBe(250);
  } finally {
    await slow.close();
  }
});

it('/_sim/reset keeps the start-up latency', async () => {
  const slow = await startInforSimulator({ latencyMs: 120 });
  try {
    await fetch(`${slow.url}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: true }) });
    await fetch(`${slow.url}/_sim/reset`, { method: 'POST' });
    expect(await (await fetch(`${slow.url}/_sim/faults`)).json()).toMatchObject({ latencyMs: 120, outage: false });
  } finally {
    await slow.close();
  }
});
