/**
 * What our PayTrace client costs per call (transport, token cache, transformers, outcome
 * parsing) on a sale by customer against the simulator, against the ceiling of the same
 * sale posted with a bare fetch and a fixed token, in the same run on the same machine.
 */
import { Secret } from '../../gateway/src/config/secret';
import { PayTraceClient } from '../../gateway/src/paytrace/client';
import { PayTraceTransport } from '../../gateway/src/paytrace/transport';
import { startPayTraceSimulator } from '../../simulators/paytrace';
import { percentile, report } from '../lib/report';

async function loop(seconds: number, concurrency: number, call: () => Promise<void>): Promise<{ perSecond: number; p50: number; p99: number; count: number }> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const started = performance.now();
        await call();
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = 10;
  const sim = await startPayTraceSimulator({ settleAt: null });
  const client = new PayTraceClient(new PayTraceTransport({ baseUrl: sim.url, username: new Secret('demo123'), password: new Secret('demo123'), integratorId: 'M3PTSANDBOX1', timeoutMs: 10_000 }), { allowKeyedCard: true });
  const created = await client.createCustomer({ customerId: 'bench-1', card: { number: new Secret('4012000098765439'), expirationMonth: '12', expirationYear: '2030' }, billingAddress: { name: 'Bench' } });
  if (!created.approved) throw new Error(`customer create failed: ${created.statusMessage}`);

  const login = await fetch(`${sim.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password&username=demo123&password=demo123' });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const body = JSON.stringify({ amount: '10.00', customer_id: 'bench-1', invoice_id: 'BENCH', integrator_id: 'M3PTSANDBOX1' });
  const bare = async () => {
    const res = await fetch(`${sim.url}/v1/transactions/sale/by_customer`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body });
    const parsed = (await res.json()) as { response_code: number };
    if (parsed.response_code !== 101) throw new Error('bare sale not approved');
  };
  const ours = async () => {
    const sale = await client.saleByCustomer({ amount: '10.00', customerId: 'bench-1', invoiceId: 'BENCH' });
    if (!sale.approved) throw new Error('client sale not approved');
  };

  await loop(1, concurrency, bare); // warm-up
  await loop(1, concurrency, ours);
  // alternate halves so both see the same simulator state size (it grows with every sale)
  const half = seconds / 2;
  const b1 = await loop(half, concurrency, bare);
  const o1 = await loop(half, concurrency, ours);
  const o2 = await loop(half, concurrency, ours);
  const b2 = await loop(half, concurrency, bare);
  const merge = (a: typeof b1, b: typeof b1) => ({ perSecond: (a.perSecond + b.perSecond) / 2, p50: Math.max(a.p50, b.p50), p99: Math.max(a.p99, b.p99), count: a.count + b.count });
  const ceiling = merge(b1, b2);
  const measured = merge(o1, o2);
  report({
    name: 'paytrace/client-sale',
    unit: 'sales/s',
    value: measured.perSecond,
    ceiling: ceiling.perSecond,
    ceilingDescription: 'the same sale by bare fetch with a fixed token, same simulator, same run',
    ratio: measured.perSecond / ceiling.perSecond,
    extra: { concurrency, seconds, client: measured, bare: ceiling },
  });
  await sim.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
