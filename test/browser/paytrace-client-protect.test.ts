import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { Secret } from '../../gateway/src/config/secret';
import { startClientAndSimulator, type ClientUnderTest } from '../integration/paytrace/setup';

/**
 * The gateway side of PayTrace Protect, in headless Chromium: our PayTraceClient fetches the
 * clientKey, a page loads the simulator's protect.min.js with it, the card is typed into the
 * iframe, and our client spends the resulting hpf_token + enc_key on a pt_protect sale and a
 * pt_protect vault profile. (The simulator's own browser test covers the library in depth.)
 */

const CARD = '4012000098765439';

const page = (simUrl: string, clientKey: string) => `<!doctype html><html><head><meta charset="utf-8"></head><body>
<div id="pt_hpf_form"></div>
<script src="${simUrl}/js/protect.min.js"></script>
<script>
  PTPayment.setup({ styles: { exp: { type: 'dropdown' } }, authorization: { clientKey: ${JSON.stringify(clientKey)} } })
    .then(function (instance) { window.ptInstance = instance; window.ptReady = true; }, function (e) { window.ptError = String(e); });
</script></body></html>`;

declare global {
  interface Window {
    ptReady?: boolean;
    ptError?: string;
    ptInstance: { process(): Promise<{ message: { hpf_token: string; enc_key: string } }> };
  }
}

describe('PayTrace Protect through our client, in headless Chromium', () => {
  let browser: Browser;
  let t: ClientUnderTest;
  let merchant: Server;
  let clientKey: Secret;

  beforeAll(async () => {
    browser = await launchChromium();
    // production settings: no keyed card operations in this client
    t = await startClientAndSimulator({ client: { allowKeyedCard: false } });
    merchant = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page(t.sim.url, clientKey.reveal()));
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (merchant ? merchant.close(() => resolve()) : resolve()));
    await t?.close();
  });

  async function tokensFromBrowser(): Promise<{ hpfToken: Secret; encKey: Secret }> {
    ({ clientKey } = await t.client.paymentFieldsToken());
    const tab = await browser.newPage();
    try {
      await tab.goto(`http://127.0.0.1:${(merchant.address() as AddressInfo).port}/`);
      await tab.waitForFunction(() => window.ptReady === true || window.ptError !== undefined);
      expect(await tab.evaluate(() => window.ptError)).toBeUndefined();
      const fields = tab.frameLocator('#pt_hpf_form iframe');
      await fields.locator('#cc-number').fill(CARD);
      await fields.locator('#exp-month').selectOption('12');
      await fields.locator('#exp-year').selectOption('2030');
      await fields.locator('#cc-code').fill('999');
      const { message } = await tab.evaluate(() => window.ptInstance.process());
      return { hpfToken: new Secret(message.hpf_token), encKey: new Secret(message.enc_key) };
    } finally {
      await tab.close();
    }
  }

  it('a pt_protect sale with the browser tokens is approved, and the card never went through our client', async () => {
    const tokens = await tokensFromBrowser();
    const sale = await t.client.saleProtect({ amount: '19.99', tokens, invoiceId: 'INV-BROWSER-1', billingAddress: { name: 'Pat Payer', zip: '99201' } });
    expect(sale).toMatchObject({ outcome: 'approved', approved: true, responseCode: 101, maskedCardNumber: 'xxxxxxxxxxxx5439' });
    const lookup = await t.client.lookupTransaction({ transactionId: sale.transactionId! });
    expect(lookup.found && lookup.transaction).toMatchObject({ amount: '19.99', invoiceId: 'INV-BROWSER-1', state: 'pending_settlement' });

    const calls = (await (await fetch(`${t.sim.url}/_sim/calls?path=%5E/v1`)).json()) as { calls: Array<{ body?: unknown }> };
    expect(calls.calls.length).toBeGreaterThan(0);
    expect(JSON.stringify(calls.calls.map((c) => c.body))).not.toContain(CARD);
  });

  it('a vault profile from browser tokens (pt_protect_create), then a sale by customer', async () => {
    const customerId = `web-${Date.now()}`;
    const created = await t.client.createCustomerProtect({ customerId, tokens: await tokensFromBrowser(), billingAddress: { name: 'Pat Payer' } });
    expect(created).toMatchObject({ outcome: 'approved', responseCode: 160, customerId });
    expect(await t.client.saleByCustomer({ amount: '5.00', customerId })).toMatchObject({ outcome: 'approved' });
  });
});
