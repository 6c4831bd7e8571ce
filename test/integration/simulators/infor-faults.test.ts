import { FaultInjector } from '../../../simulators/common/faults';
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

interface Reading {
  inFlight: number;
}

describe('latency ranges, concurrency and throttling (the real-latency benches use them)', () => {
  const call = async () => {
    const started = performance.now();
    const res = await fetch(`${c.m3Base}/execute/CRS610MI/GetBasicData?CUNO=C10001`, { headers: { authorization: `Bearer ${await c.token()}` } });
    await res.text();
    return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
  };

  it('a latency range draws each M3 call between its bounds, and not the same time every call', async () => {
    await c.token();
    expect((await c.sim_('PUT', '/faults', { latencyMs: 40, latencyMaxMs: 90, pathPattern: '/M3/' })).status).toBe(200);
    const times = await Promise.all(Array.from({ length: 12 }, call));
    for (const t of times) {
      expect(t.status).toBe(200);
      expect(t.ms).toBeGreaterThanOrEqual(39);
    }
    // the draws themselves stay within the range (the wall clock of a loaded machine may not)
    const injector = new FaultInjector();
    injector.update({ latencyMs: 40, latencyMaxMs: 90, seed: 3 });
    const draws = Array.from({ length: 500 }, () => injector.latency());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...draws)).toBeLessThanOrEqual(90);
    expect(Math.max(...draws) - Math.min(...draws)).toBeGreaterThan(40);
    const calls = (await c.sim_('GET', '/calls?path=GetBasicData')).body as { calls: Array<{ ms: number }> };
    const ms = calls.calls.map((x) => x.ms);
    expect(Math.max(...ms) - Math.min(...ms)).toBeGreaterThan(5);
  });

  it('counts the M3 calls served at once and their peak; other paths are not counted', async () => {
    await c.token();
    await c.sim_('PUT', '/faults', { latencyMs: 600, pathPattern: '/M3/' });
    expect((await c.sim_('PUT', '/concurrency', { pathPattern: '/M3/' })).body).toMatchObject({ inFlight: 0, peak: 0, requests: 0 });
    const running = Promise.all(Array.from({ length: 7 }, call));
    await passwordGrant(c.sim); // the token endpoint is not an M3 call
    expect(((await c.sim_('GET', '/concurrency')).body as Reading).inFlight).toBeGreaterThan(0);
    await running;
    expect((await c.sim_('GET', '/concurrency')).body).toMatchObject({ pathPattern: '/M3/', inFlight: 0, peak: 7, requests: 7 });
  });

  it('maxConcurrent answers the calls beyond it with 429 and Retry-After, before they take effect', async () => {
    const token = await c.token();
    await c.sim_('PUT', '/faults', { latencyMs: 150, maxConcurrent: 3, retryAfterSeconds: 2, pathPattern: '/M3/' });
    // writes: a batch head takes its PBID once; a throttled one never ran, so its PBID is still free
    const addHead = async (pbid: number) => {
      const res = await fetch(`${c.m3Base}/execute/ARS040MI/AddBatchHead?PBID=${pbid}&BOPE=CC`, { headers: { authorization: `Bearer ${token}` } });
      await res.text();
      return { pbid, status: res.status, retryAfter: res.headers.get('retry-after') };
    };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => addHead(8200 + i)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    const throttled = results.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(5);
    expect(throttled.every((r) => r.retryAfter === '2')).toBe(true);
    await c.sim_('PUT', '/faults', { latencyMs: 0, maxConcurrent: 0 });
    for (const r of throttled) expect((await c.v1('ARS040MI/AddBatchHead', { PBID: String(r.pbid), BOPE: 'CC' })).body).not.toHaveProperty('@code');
    const taken = results.find((r) => r.status === 200)!;
    expect((await c.v1('ARS040MI/AddBatchHead', { PBID: String(taken.pbid), BOPE: 'CC' })).body).toHaveProperty('@code', 'XRE0103');
    // 503 can be the throttle's answer too
    await c.sim_('PUT', '/faults', { latencyMs: 150, maxConcurrent: 3, throttleStatus: 503 });
    const again = await Promise.all(Array.from({ length: 4 }, call));
    expect(again.map((r) => r.status).sort()).toEqual([200, 200, 200, 503]);
  });

  it('refuses a fault of the wrong kind with 400', async () => {
    expect((await c.sim_('PUT', '/faults', { latencyMs: '200' })).status).toBe(400);
    expect((await c.sim_('PUT', '/faults', { pathPattern: '(' })).status).toBe(400);
    expect((await c.sim_('PUT', '/faults', { nonsense: 1 })).status).toBe(400);
    expect((await c.sim_('PUT', '/concurrency', { pathPattern: 5 })).status).toBe(400);
    // null puts a key back to its default
    await c.sim_('PUT', '/faults', { pathPattern: '/M3/', latencyMs: 5 });
    expect((await c.sim_('PUT', '/faults', { pathPattern: null, latencyMs: null })).body).toMatchObject({ pathPattern: '', latencyMs: 0 });
  });
});

it('the call log keeps each call\'s query (M3 fields), a run of 13–19 digits masked', async () => {
  await c.v1('CRS610MI/GetBasicData', { CUNO: 'C10001' });
  await c.v1('CRCCINMI/GetInquiry', { NREF: '4012000098765439' });
  const { calls } = (await c.sim_('GET', '/calls?path=CRS610MI|CRCCINMI')).body as { calls: Array<{ path: string; query?: string }> };
  expect(calls.find((x) => x.path.endsWith('GetBasicData'))?.query).toBe('CUNO=C10001');
  expect(calls.find((x) => x.path.endsWith('GetInquiry'))?.query).toBe('NREF=401200******5439');
});
