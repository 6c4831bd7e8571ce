import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { PayTraceHarness } from '../integration/simulators/paytrace-harness';

/**
 * PayTrace Protect end to end in headless Chromium: a merchant page on its own origin loads the
 * simulator's protect.min.js, the card is typed into the iframe (simulator origin), the page gets
 * hpf_token + enc_key, and the merchant's server spends them on a pt_protect sale.
 */

const CARD = '4012000098765439';

interface Merchant {
  url: string;
  /** everything the merchant's server received (to prove no card data reached it) */
  received: string[];
  clientKey: string;
  close(): Promise<void>;
}

function pageHtml(simUrl: string, clientKey: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Pay invoice</title></head>
<body>
  <h1>Invoice 4711</h1>
  <div id="pt_hpf_form"></div>
  <script src="${simUrl}/js/protect.min.js"></script>
  <script>
    window.ptSetup = PTPayment.setup({
      styles: { cc: { border_color: '#336699', label_color: '#222' }, code: { width: '60px' }, exp: { type: 'dropdown' } },
      authorization: { clientKey: ${JSON.stringify(clientKey)} }
    });
    window.ptSetup.then(function (instance) { window.ptInstance = instance; window.ptReady = true; },
                        function (error) { window.ptSetupError = error; });
  </script>
</body></html>`;
}

async function startMerchant(h: PayTraceHarness): Promise<Merchant> {
  const received: string[] = [];
  // the merchant's server gets the clientKey with its own Bearer token, as a real server would
  const key = await h.call('/v1/payment_fields/token/create', {});
  const clientKey = key.body.clientKey as string;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${body}`);
      if (req.url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(pageHtml(h.url, clientKey));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    clientKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

declare global {
  interface Window {
    PTPayment: {
      validate(cb: (errors: Array<{ responseCode: string; description: string }>) => void): Promise<unknown>;
      getControl(name: string): { label: { text(t: string): unknown } };
      theme(name: string): Promise<void>;
    };
    ptReady?: boolean;
    ptSetupError?: unknown;
    ptInstance: { process(): Promise<{ message: { hpf_token: string; enc_key: string } }> };
  }
}

describe('PayTrace Protect hosted fields in headless Chromium', () => {
  let browser: Browser;
  let h: PayTraceHarness;
  let merchant: Merchant;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
  });
  beforeEach(async () => {
    h = await PayTraceHarness.start({ startTime: new Date() });
    merchant = await startMerchant(h);
    page = await browser.newPage();
    await page.goto(merchant.url);
    await page.waitForFunction(() => window.ptReady === true || window.ptSetupError !== undefined);
  });
  afterEach(async () => {
    await page.close();
    await merchant.close();
    await h.close();
  });

  async function typeCard(number: string, month = '12', year = '2030', csc = '999'): Promise<void> {
    const fields = page.frameLocator('#pt_hpf_form iframe');
    await fields.locator('#cc-number').fill(number);
    await fields.locator('#exp-month').selectOption(month);
    await fields.locator('#exp-year').selectOption(year);
    await fields.locator('#cc-code').fill(csc);
  }

  const tokenize = () => page.evaluate(() => window.ptInstance.process());

  it('gets an hpf_token + enc_key from the iframe, and a pt_protect sale with them is approved once', async () => {
    await typeCard(CARD);
    const result = await tokenize();
    expect(result.message.hpf_token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(result.message.enc_key).toHaveLength(44);

    const sale = await h.call('/v1/transactions/sale/pt_protect', { amount: '19.99', invoice_id: 'INV-4711', ...result.message, billing_address: { name: 'Pat Payer', zip: '99201' } });
    expect(sale.body).toMatchObject({ success: true, response_code: 101, status_message: 'Your transaction was successfully approved.', masked_card_number: 'xxxxxxxxxxxx5439', csc_response: 'Match' });

    const again = await h.call('/v1/transactions/sale/pt_protect', { amount: '19.99', ...result.message });
    expect(again.body).toMatchObject({ success: false, response_code: 1, errors: { '2001': [expect.any(String)] } });

    // the card went from the iframe to the simulator only: not to the merchant's server, not into its page
    expect(merchant.received.join('\n')).not.toContain(CARD);
    expect(await page.content()).not.toContain(CARD);
    expect(await page.evaluate(() => document.querySelector('iframe')?.contentDocument ?? null)).toBeNull();
    expect(new URL(await page.locator('#pt_hpf_form iframe').getAttribute('src') ?? '').origin).toBe(h.url);
  });

  it('a pt_protect sale on the decline amount is declined (102) and still spends the token', async () => {
    await typeCard('5499740000000057');
    const { message } = await tokenize();
    const sale = await h.call('/v1/transactions/sale/pt_protect', { amount: '0.29', ...message });
    expect(sale.body).toMatchObject({ success: false, response_code: 102, approval_message: '    DECLINE - Do not honor' });
    expect((await h.call('/v1/transactions/sale/pt_protect', { amount: '1.00', ...message })).body.response_code).toBe(1);
  });

  it('validate() reports bad fields with PayTrace codes, and process() rejects without a token', async () => {
    await typeCard('4012000098765438', '', '', '12');
    const errors = await page.evaluate(() => new Promise<Array<{ responseCode: string; description: string }>>((resolve) => void window.PTPayment.validate(resolve)));
    expect(errors.map((e) => e.responseCode)).toEqual(['35', '43', '44', '148']);
    expect(errors[0]!.description).toBe('Please provide a valid Credit Card Number.');
    const rejected = await page.evaluate(() => window.ptInstance.process().then(() => 'resolved', (e: { errors: unknown[] }) => e.errors.length));
    expect(rejected).toBe(4);
    expect((await h.simState()).transactions).toHaveLength(0);
  });

  it('the simulator, not the page, decides that a card has expired (44)', async () => {
    // last year is in the dropdown and well-formed, so only the simulator's expiry check can refuse it
    await typeCard(CARD, '12', String(new Date().getFullYear() - 1));
    const outcome = await page.evaluate(() => window.ptInstance.process().then(() => [] as string[], (e: { errors: Array<{ responseCode: string }> }) => e.errors.map((x) => x.responseCode)));
    expect(outcome).toEqual(['44']);
  });

  it('creates a vault customer from Protect tokens (160) and sells by customer', async () => {
    await typeCard(CARD);
    const { message } = await tokenize();
    const created = await h.call('/v1/customer/pt_protect_create', { customer_id: 'web-77', billing_address: { name: 'Pat Payer' }, ...message });
    expect(created.body).toEqual({ success: true, response_code: 160, status_message: 'The customer profile for web-77/Pat Payer was successfully created.', customer_id: 'web-77', masked_card_number: 'xxxxxxxxxxxx5439' });
    expect((await h.call('/v1/transactions/sale/by_customer', { customer_id: 'web-77', amount: '5.00' })).body.response_code).toBe(101);
  });

  it('getControl().label.text() and theme() change the fields inside the iframe', async () => {
    await page.evaluate(() => {
      window.PTPayment.getControl('creditCard').label.text('Card number');
      return window.PTPayment.theme('horizontal');
    });
    const fields = page.frameLocator('#pt_hpf_form iframe');
    await expect(fields.locator('#cc-label').textContent()).resolves.toBe('Card number');
    await fields.locator('form.horizontal').waitFor();
    expect(await fields.locator('#cc-number').evaluate((el) => (el as HTMLElement).style.borderColor)).toBe('rgb(51, 102, 153)');
  });

  it('an expired clientKey makes setup() reject', async () => {
    h.sim.advanceClock(901);
    const again = await browser.newPage();
    try {
      await again.goto(merchant.url);
      await again.waitForFunction(() => window.ptReady === true || window.ptSetupError !== undefined);
      expect(await again.evaluate(() => (window.ptSetupError as { responseCode?: string } | undefined)?.responseCode)).toBe('2001');
    } finally {
      await again.close();
    }
  });
});
