import { asSingleton } from '../../../gateway/src/pipeline/advisory-lock';
import { rulesModule } from '../../../gateway/src/runtime/rules-module';
import { flowsModule } from '../../../gateway/src/triggers/module';
import { PAYTRACE_POLLER, PayTracePoller } from '../../../gateway/src/triggers/paytrace-poller/poller';
import { payTraceModule } from '../../../gateway/src/paytrace/module';
import { openPayment, getPayment } from '../../../gateway/src/pipeline/ledger';
import { startPayTraceSimulator, type PayTraceSimulator } from '../../../simulators/paytrace';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../../helpers/paytrace';

describe('PayTrace poller: exports become events, once, in one instance at a time', () => {
  let sim: PayTraceSimulator;
  let gateway: TestGateway;
  let poller: PayTracePoller;

  beforeAll(async () => {
    sim = await startPayTraceSimulator();
    gateway = await startTestGateway({
      modules: [rulesModule(), payTraceModule(), flowsModule()],
      config: {
        paytrace: { baseUrl: sim.url, username: 'demo123', password: 'demo123', integratorId: '9TEST0000001', timeoutMs: 10_000 },
        poller: { enabled: false }, // the test drives the ticks
      },
    });
    poller = new PayTracePoller(gateway.services.db, (input) => gateway.services.pipeline!.ingestClaim(PAYTRACE_POLLER, input), gateway.services.paytrace!, gateway.services.logger, { initialLookbackDays: 1, overlapDays: 1 });
  });
  afterAll(async () => {
    await gateway.stop();
    await sim.close();
  });

  it('ingests each new transaction once, then its settlement, and moves our ledger row', async () => {
    const storefront = storefrontPayTraceClient(sim.url);
    const ours = await openPayment(gateway.services.db, { flow: 'ecommerce_sale', reference: 'PT-POLL-1', status: 'charged', correlationId: 'c' });
    const sale = await storefront.saleKeyed({ amount: '42.00', card: TEST_VISA, invoiceId: 'PT-POLL-1' });
    const foreign = await storefront.saleKeyed({ amount: '7.50', card: TEST_VISA, invoiceId: 'VT-ELSEWHERE' });
    expect(sale.approved && foreign.approved).toBe(true);

    const first = await poller.tick();
    expect(first).toMatchObject({ ran: true, ingested: 2 });
    const second = await poller.tick();
    expect(second).toMatchObject({ ran: true, ingested: 0 }); // the overlap re-reads them; the inbox dedupes

    await eventually(async () => (await getPayment(gateway.services.db, ours.payment.id))?.settlement_state === 'pending_settlement', 15_000, 'pending settlement');
    const mirror = await eventually(async () => {
      const rows = await gateway.services.db('paytrace_transactions').orderBy('transaction_id');
      return rows.length === 2 ? rows : undefined;
    }, 15_000, 'both transactions in the mirror');
    expect(mirror.map((m) => [m.invoice_id, m.state, m.amount])).toEqual([
      ['PT-POLL-1', 'pending_settlement', '42.00'],
      ['VT-ELSEWHERE', 'pending_settlement', '7.50'],
    ]);
    expect(mirror[0].payment_id).toBe(ours.payment.id);
    expect(mirror[1].payment_id).toBeNull(); // not ours: kept for reconciliation

    await storefront.settle();
    const third = await poller.tick();
    expect(third.ingested).toBeGreaterThanOrEqual(2);
    const settled = await eventually(async () => {
      const p = await getPayment(gateway.services.db, ours.payment.id);
      return p?.settlement_state === 'settled' ? p : undefined;
    }, 15_000, 'settled');
    expect(settled.paytrace_batch).toMatch(/^\d+$/);
    const history = await gateway.services.db('payment_events').where({ payment_id: ours.payment.id }).orderBy('id');
    expect(history.map((h) => h.step)).toEqual(['open', 'paytrace-poller', 'paytrace-poller']);
  });

  it('runs in one gateway at a time', async () => {
    // another instance is polling right now (it holds the singleton lock): this one skips its tick
    const other = new PayTracePoller(gateway.services.db, (input) => gateway.services.pipeline!.ingestClaim(PAYTRACE_POLLER, input), gateway.services.paytrace!, gateway.services.logger, { initialLookbackDays: 1, overlapDays: 1 });
    const held = await asSingleton(gateway.services.db, 'paytrace-poller', async () => other.tick());
    expect(held).toMatchObject({ ran: true, value: { ran: false } });
    expect((await other.tick()).ran).toBe(true);
  });

  it('keeps polling after PayTrace is down for a tick', async () => {
    await fetch(`${sim.url}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: true }) });
    await expect(poller.tick()).rejects.toThrow();
    await fetch(`${sim.url}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: false }) });
    expect((await poller.tick()).ran).toBe(true);
  });
});
