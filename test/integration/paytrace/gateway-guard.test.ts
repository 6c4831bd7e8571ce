import request from 'supertest';
import { Secret } from '../../../gateway/src/config/secret';
import type { GatewayModule } from '../../../gateway/src/runtime/gateway';
import { gatewayModules } from '../../../gateway/src/runtime/modules';
import { startPayTraceSimulator } from '../../../simulators/paytrace';
import type { RunningSimulator } from '../../../simulators';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';

/** A route that only exists in this test: what would a handler see? */
const received: unknown[] = [];
const probe: GatewayModule = {
  routes: (app) => {
    app.post('/test/pay', (req, res) => {
      received.push(req.body);
      res.json({ ok: true });
    });
  },
};

describe('the gateway refuses card data and wires the PayTrace client', () => {
  let sim: RunningSimulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    sim = await startPayTraceSimulator({});
    gateway = await startTestGateway({
      modules: [...gatewayModules(), probe],
      config: { paytrace: { baseUrl: sim.url, username: 'demo123', password: 'demo123', integratorId: 'M3PTSANDBOX1', timeoutMs: 5_000 } },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await sim?.close();
  });

  it.each([
    ['a card number field', { credit_card: { number: '4012000098765439', expiration_month: '12' } }, 'body.credit_card.number'],
    ['a CSC', { csc: '999' }, 'body.csc'],
    ['a Luhn-valid PAN anywhere', { note: 'my card is 5499 7400 0000 0057' }, 'body.note'],
  ])('refuses %s with CARD_DATA_REFUSED before any route sees it', async (_name, body, where) => {
    const before = received.length;
    const res = await request(gateway.url).post('/test/pay').send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'CARD_DATA_REFUSED', errorClass: 'business', status: 400 });
    expect(res.body.detail).toContain(where);
    expect(JSON.stringify(res.body)).not.toMatch(/4012000098765439|5499 7400|"999"/);
    expect(received.length).toBe(before);
    expect(JSON.stringify(gateway.logs)).not.toMatch(/4012000098765439|5499 7400 0000 0057/);
  });

  it('refuses a card number in the query string', async () => {
    const res = await request(gateway.url).get('/health?pan=4012000098765439').expect(400);
    expect(res.body.code).toBe('CARD_DATA_REFUSED');
  });

  it('lets Protect tokens and ordinary bodies through', async () => {
    await request(gateway.url).post('/test/pay').send({ hpf_token: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', enc_key: 'q83vEjRWeJA=', amount: '12.34', invoice_id: 'INV-1' }).expect(200);
    expect(received.at(-1)).toMatchObject({ amount: '12.34' });
  });

  it('services.paytrace is a working client without keyed card operations', async () => {
    const client = gateway.services.paytrace;
    expect(client).toBeDefined();
    const { clientKey } = await client!.paymentFieldsToken();
    expect(clientKey.reveal().length).toBeGreaterThan(10);
    expect(gateway.services.connectors.snapshot().paytrace?.status).toBe('ok');
    await expect(client!.saleKeyed({ amount: '1.00', card: { number: new Secret('4012000098765439'), expirationMonth: '12', expirationYear: '2030' } })).rejects.toMatchObject({ code: 'PAYTRACE_KEYED_CARD_DISABLED' });
  });
});
