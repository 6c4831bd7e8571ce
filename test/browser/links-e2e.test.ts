/**
 * @jest-environment ./test/unit/m3-extensions/jsdom-environment.js
 */
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { linksModule } from '../../gateway/src/links/module';
import { findPaymentByReference } from '../../gateway/src/pipeline/ledger';
import { eventually } from '../helpers/gateway';
import { simJson, startStack, type Stack } from '../helpers/stack';
import { newInvoice } from '../integration/links/helpers';
import { startFakeH5, type IonAnswer, type IonCall } from '../unit/m3-extensions/h5-runtime';

/**
 * Issue 6 end to end: the built H5 script (in jsdom, standing in for the H5 client) asks the real
 * gateway for a link through "the ION API gateway" (bearer token, suite context stripped); the
 * customer opens it in headless Chromium, types a test card into PayTrace's Protect iframe and
 * pays; the M3 simulator then has the cash receipt on the invoice and the GL batch, and the link
 * is paid. SCREENSHOTS=1 also writes the pay page at desktop and phone widths under docs/.
 */

const CARD = '4012000098765439';
const SUITE = '/M3PAYTRACE';

describe('send payment link → pay page → M3 (browser)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ modules: [linksModule()], config: { queue: { retryLimit: 2, retryDelaySeconds: 0 }, links: { merchantName: 'Northwind Supply Co.' } } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The ION API gateway: the suite context maps to the gateway root, the caller's Infor OS token goes along. */
  async function ionApi(call: IonCall): Promise<IonAnswer> {
    const token = await stack.gateway.services.infor!.tokens.getAccessToken();
    const res = await fetch(`${stack.gateway.url}${call.url.replace(SUITE, '')}`, {
      method: call.method,
      headers: { ...call.headers, authorization: `Bearer ${token}` },
      body: call.data === undefined ? undefined : JSON.stringify(call.data),
    });
    const text = await res.text();
    const answer = { status: res.status, statusText: res.statusText, data: text ? (JSON.parse(text) as unknown) : undefined };
    if (!res.ok) throw answer;
    return answer;
  }

  /** M3 user on OIS350/B: select the invoice, click Send payment link, read the link from the dialog. */
  async function linkFromH5(ivno: string, yea4: number): Promise<string> {
    const h5 = startFakeH5({ program: 'OIS350', columns: { IVNO: [ivno], YEA4: [String(yea4)] }, args: `api=${SUITE}`, ionApi });
    try {
      h5.button()!.click();
      await h5.settle();
      expect(h5.messageDialogs).toEqual([]);
      const url = h5.dialogs[0]!.content.querySelector<HTMLInputElement>('.m3pt-url')!.value;
      expect(url).toMatch(/\/pay\/[\w-]{22}\.[\w-]{22}$/);
      return url;
    } finally {
      h5.close();
    }
  }

  async function typeCardAndPay(page: Page, card = CARD): Promise<void> {
    const fields = page.frameLocator('#pt_hpf_form iframe');
    await fields.locator('#cc-number').fill(card);
    await fields.locator('#exp-month').selectOption('12');
    await fields.locator('#exp-year').selectOption('2030');
    await fields.locator('#cc-code').fill('999');
    await page.fill('#name', 'Pat Payer');
    await page.fill('#street', '1 Main St');
    await page.fill('#zip', '99201');
    await page.click('#pay-button');
  }

  async function openPage(url: string, width = 1280, height = 900): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(url);
    await page.waitForSelector('#pay-form[data-ready="true"]');
    return page;
  }

  it('pays an invoice from the H5 link: receipt and GL in M3, link paid', async () => {
    const invoice = await newInvoice(stack, '1480.75', 'C10001');
    const url = await linkFromH5(invoice.ivno, invoice.yea4);
    const page = await openPage(url);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text())); // CSP violations show up here
    await expect(page.locator('#amount').textContent()).resolves.toBe('$1,480.75');
    if (process.env.SCREENSHOTS === '1') {
      // a viewport as tall as the page rather than fullPage: Chromium's full-page capture lays the PayTrace iframe out anew
      const shoot = async (p: Page, width: number, file: string) => {
        await p.setViewportSize({ width, height: await p.evaluate(() => document.documentElement.scrollHeight) });
        await p.screenshot({ path: path.resolve('docs/screenshots', file) });
      };
      const phone = await openPage(url, 390, 844);
      await shoot(phone, 390, 'pay-page-mobile.png');
      await phone.close();
      await shoot(page, 1280, 'pay-page-desktop.png');
    }
    await typeCardAndPay(page);
    await page.waitForSelector('#result.paid:not([hidden])');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result'); // focus moves to the outcome for keyboard and screen-reader users
    for (const id of ['name', 'street', 'city', 'state', 'zip']) expect(await page.locator(`label[for="${id}"]`).count()).toBe(1);
    const result = await page.locator('#result').textContent();
    expect(result).toMatch(/^Thank you: your payment was received\. Reference PL-[\w-]{22}-1\.$/);
    expect(await page.locator('#pay-form').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    expect(await page.content()).not.toContain(CARD);

    const reference = /Reference (PL-[\w-]+-1)/.exec(result!)![1]!;
    const payment = await eventually(async () => {
      const p = await findPaymentByReference(stack.gateway.services.db, reference);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, 'flow 2 completed');
    const counts = await simJson<{ receiptsForInvoice: number; receiptsWithIrno: number; glBatchesWithKey1: number }>(stack.infor.url, `/_sim/m3/counts?cino=${invoice.ivno}&irno=${reference}&key1=${payment.gl_batch_key}`);
    expect(counts).toEqual(expect.objectContaining({ receiptsForInvoice: 1, receiptsWithIrno: 1, glBatchesWithKey1: 1 }));
    const m3 = await simJson<Array<{ ivno: number; open: string }>>(stack.infor.url, '/_sim/m3/invoices');
    expect(m3.find((i) => String(i.ivno) === invoice.ivno)?.open).toBe('0.00');

    const linkId = /\/pay\/([\w-]{22})\./.exec(url)![1]!;
    const api = await ionApi({ url: `${SUITE}/api/payment-links/${linkId}`, method: 'GET' });
    expect(api.data).toMatchObject({ status: 'paid' });
    await page.reload();
    await expect(page.locator('h1').textContent()).resolves.toBe('Invoice paid');
    await page.close();
  });

  it('shows a decline at the decline amount, keeps the page usable, and takes the retry as a new attempt', async () => {
    const invoice = await newInvoice(stack, '0.29', 'C10002');
    const url = await linkFromH5(invoice.ivno, invoice.yea4);
    const page = await openPage(url);
    await typeCardAndPay(page);
    await page.waitForSelector('#errors:not([hidden])');
    expect(await page.locator('#errors').textContent()).toBe('Your card was declined (Do not honor). No money was taken. You can try again or use another card.');
    expect(await page.locator('#pay-button').isEnabled()).toBe(true);

    // retry, by keyboard only: Enter in the ZIP field submits; a new charge attempt with a new
    // reference (the simulator, like PayTrace's sandbox, declines $0.29 every time)
    await page.fill('#name', 'Pat Payer Jr');
    await page.focus('#zip');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#pay-form')?.getAttribute('aria-busy') === 'false' && !document.querySelector('#errors')?.hasAttribute('hidden'));
    const linkId = /\/pay\/([\w-]{22})\./.exec(url)![1]!;
    const attempts = await eventually(async () => {
      const rows = await stack.gateway.services.db('payments').where('reference', 'like', `PL-${linkId}-%`).orderBy('reference');
      return rows.length === 2 && rows.every((r: { status: string }) => r.status === 'declined') ? rows : undefined;
    }, 15_000, 'two declined attempts');
    expect(attempts.map((p: { reference: string; status: string }) => [p.reference, p.status])).toEqual([
      [`PL-${linkId}-1`, 'declined'],
      [`PL-${linkId}-2`, 'declined'],
    ]);
    const counts = await simJson<{ receiptsForInvoice: number }>(stack.infor.url, `/_sim/m3/counts?cino=${invoice.ivno}`);
    expect(counts.receiptsForInvoice).toBe(0);
    await page.close();
  });

  it('declines a card, then takes the payment with another card on the same link (one receipt)', async () => {
    const invoice = await newInvoice(stack, '64.20', 'C10001');
    const url = await linkFromH5(invoice.ivno, invoice.yea4);
    const page = await openPage(url);
    // the simulator's decline card (PayTrace's own sandbox declines only by amount; see simulators/README.md)
    await typeCardAndPay(page, '4000000000000002');
    await page.waitForSelector('#errors:not([hidden])');
    expect(await page.locator('#errors').textContent()).toMatch(/^Your card was declined \(Do not honor\)\. No money was taken\./);
    await typeCardAndPay(page, CARD);
    await page.waitForSelector('#result.paid:not([hidden])');
    const reference = /Reference (PL-[\w-]+-2)/.exec((await page.locator('#result').textContent())!)![1]!;
    const payment = await eventually(async () => {
      const p = await findPaymentByReference(stack.gateway.services.db, reference);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, 'flow 2 completed');
    const linkId = /\/pay\/([\w-]{22})\./.exec(url)![1]!;
    const attempts = await stack.gateway.services.db('payments').where('reference', 'like', `PL-${linkId}-%`).orderBy('reference');
    expect(attempts.map((p: { reference: string; status: string }) => [p.reference, p.status])).toEqual([
      [`PL-${linkId}-1`, 'declined'],
      [`PL-${linkId}-2`, 'completed'],
    ]);
    const counts = await simJson<{ receiptsForInvoice: number; glBatchesWithKey1: number }>(stack.infor.url, `/_sim/m3/counts?cino=${invoice.ivno}&key1=${payment.gl_batch_key}`);
    expect(counts).toEqual(expect.objectContaining({ receiptsForInvoice: 1, glBatchesWithKey1: 1 }));
    await page.close();
  });
});
