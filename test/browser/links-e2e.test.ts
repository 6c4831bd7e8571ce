/**
 * @jest-environment ./test/unit/m3-extensions/jsdom-environment.js
 */
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { linkServiceOf } from '../../gateway/src/links/link-service';
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
 * is paid. `npm run screenshots` also writes the pay page (desktop, phone, errors, receipt, expired) under docs/screenshots.
 */

const CARD = '4012000098765439';
/** npm run screenshots (UPDATE_SCREENSHOTS=1) writes the pay page's pictures under docs/screenshots */
const SCREENSHOTS = !!process.env.UPDATE_SCREENSHOTS;
jest.setTimeout(90_000); // a whole payment through the browser, M3 and flow 2; a loaded CI machine takes its time
const SUITE = '/M3PAYTRACE';

describe('send payment link → pay page → M3 (browser)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({
      modules: [linksModule()],
      config: {
        queue: { retryLimit: 2, retryDelaySeconds: 0 },
        links: { merchantName: 'Northwind Supply Co.', merchantLogoUrl: '/pay/assets/sandbox-logo.svg', supportEmail: 'ar@northwind.example', supportPhone: '+1 509 555 0100', timeZone: 'America/Chicago', requestRecipients: ['ar-team@northwind.example'] },
      },
    });
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

  async function typeCard(page: Page, card = CARD): Promise<void> {
    const fields = page.frameLocator('#pt_hpf_form iframe');
    await fields.locator('#cc-number').fill(card);
    await fields.locator('#exp-month').selectOption('12');
    await fields.locator('#exp-year').selectOption('2030');
    await fields.locator('#cc-code').fill('999');
  }

  async function typeCardAndPay(page: Page, card = CARD): Promise<void> {
    await typeCard(page, card);
    await page.fill('#name', 'Pat Payer');
    await page.fill('#street', '1 Main St');
    await page.selectOption('#state', 'WA');
    await page.fill('#zip', '99201');
    await page.click('#pay-button');
  }

  /** the element that has the focus, by id (inside the page, not the card iframe) */
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.id);

  async function openPage(url: string, width = 1280, height = 900): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    page.setDefaultTimeout(10_000);
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
    if (SCREENSHOTS) {
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
    await page.waitForSelector('#receipt');
    expect(await focused(page)).toBe('receipt'); // focus moves to the outcome for keyboard and screen-reader users
    for (const id of ['name', 'street', 'country', 'city', 'state', 'zip']) expect(await page.locator(`label[for="${id}"]`).count()).toBe(1);
    // a receipt, not the amount due: amount, time with its zone, card brand or last four, reference, print, e-mail
    await expect(page.locator('#title').textContent()).resolves.toBe('Invoice paid');
    expect(await page.locator('dl.invoice:not(.receipt-facts)').isHidden()).toBe(true);
    await expect(page.locator('#receipt-amount').textContent()).resolves.toBe('$1,480.75 USD');
    expect(await page.locator('#receipt-time').textContent()).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M [A-Z]{2,5}([+-]\d+)?$/);
    expect(await page.locator('#receipt-card').textContent()).toMatch(/ending in 5439$/);
    await expect(page.locator('#receipt-email').inputValue()).resolves.toBe('ap@acme.example'); // CRS610MI MAIL of C10001
    await page.getByRole('button', { name: 'Send receipt' }).click();
    await page.getByText('The receipt is on its way to ap@acme.example.').waitFor();
    expect(await page.getByRole('button', { name: 'Print receipt' }).isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Print receipt' }).isVisible()).toBe(false); // the print view is the receipt alone
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('#pay-form').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    expect(await page.content()).not.toContain(CARD);

    const reference = (await page.locator('#receipt-reference').textContent())!;
    expect(reference).toMatch(/^PL-[\w-]{22}-1$/);
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
    await expect(page.locator('#receipt-card').textContent()).resolves.toBe('Visa ending in 5439'); // flow 2 read the card type back
    if (SCREENSHOTS) await page.screenshot({ path: path.resolve('docs/screenshots', 'pay-page-receipt.png'), fullPage: true });
    await page.close();
  });

  it('shows a decline at the decline amount, keeps the page usable, and takes the retry as a new attempt', async () => {
    const invoice = await newInvoice(stack, '0.29', 'C10002');
    const url = await linkFromH5(invoice.ivno, invoice.yea4);
    const page = await openPage(url);
    await typeCardAndPay(page);
    await page.waitForSelector('#errors:not([hidden])');
    expect(await page.locator('#errors').textContent()).toBe('Your bank declined the payment without giving a reason, and no money was taken. You can try again, use another card, or call the number on the back of your card.');
    expect(await focused(page)).toBe('errors'); // a decline not about one field: the summary, focused
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
    expect(await page.locator('#errors').textContent()).toMatch(/^Your bank declined the payment/);
    await typeCardAndPay(page, CARD);
    await page.waitForSelector('#receipt');
    const reference = (await page.locator('#receipt-reference').textContent())!;
    expect(reference).toMatch(/^PL-[\w-]+-2$/);
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

  it('shows each problem next to its field (aria-invalid, aria-describedby) and focuses the first; a 103 points at the address', async () => {
    const invoice = await newInvoice(stack, '0.62', 'C10001');
    const url = await linkFromH5(invoice.ivno, invoice.yea4);
    const page = await openPage(url);
    // nothing typed: the card (Protect's own check), then our fields, each at its place
    await page.click('#pay-button');
    await page.waitForSelector('#name-error:not([hidden])');
    expect(await focused(page)).toBe('pt_hpf_form');
    expect(await page.getAttribute('#pt_hpf_form', 'aria-invalid')).toBe('true');
    for (const id of ['name', 'street', 'state', 'zip']) {
      expect(await page.getAttribute(`#${id}`, 'aria-invalid')).toBe('true');
      expect(await page.getAttribute(`#${id}`, 'aria-describedby')).toContain(`${id}-error`);
    }
    await expect(page.locator('#state-error').textContent()).resolves.toBe('Choose the state of the billing address.');
    expect(await page.locator('#errors').isHidden()).toBe(true); // no paragraph mixing our words and PayTrace's
    await page.fill('#name', 'Pat'); // typing clears that field's error
    expect(await page.getAttribute('#name', 'aria-invalid')).toBeNull();

    // a 103: approved, then voided because the address did not match
    await typeCardAndPay(page);
    await page.waitForSelector('#street-error:not([hidden])');
    expect(await page.locator('#street-error').textContent()).toMatch(/^Your bank could not confirm the billing address/);
    expect(await page.getAttribute('#zip', 'aria-invalid')).toBe('true');
    expect(await page.locator('#zip-error').isHidden()).toBe(true); // the message once, at the first field it is about
    expect(await focused(page)).toBe('street');
    expect(await page.content()).not.toContain('Approved and completed');
    if (SCREENSHOTS) await page.screenshot({ path: path.resolve('docs/screenshots', 'pay-page-errors.png'), fullPage: true });
    await page.close();
  });

  it('country, region and postal code follow the address rules', async () => {
    const invoice = await newInvoice(stack, '12.34', 'C10001');
    const page = await openPage(await linkFromH5(invoice.ivno, invoice.yea4));
    await expect(page.locator('#state-label').textContent()).resolves.toBe('State');
    await page.selectOption('#country', 'CA');
    await expect(page.locator('#state-label').textContent()).resolves.toBe('Province');
    await expect(page.locator('#zip-label').textContent()).resolves.toBe('Postal code');
    expect(await page.locator('#state option').allTextContents()).toEqual(expect.arrayContaining(['Ontario', 'Quebec', 'British Columbia']));
    await page.selectOption('#country', 'DE');
    expect(await page.evaluate(() => document.getElementById('state')!.tagName)).toBe('INPUT'); // no region table: free text
    await page.selectOption('#country', 'CA');
    await typeCard(page);
    await page.fill('#name', 'Pat Payer');
    await page.fill('#street', '40 King Street West');
    await page.selectOption('#state', 'ON');
    await page.fill('#zip', '12345');
    await page.click('#pay-button');
    await page.waitForSelector('#zip-error:not([hidden])');
    await expect(page.locator('#zip-error').textContent()).resolves.toBe('12345 is not a valid Postal code.');
    await page.fill('#zip', 'M5H 1A1');
    await page.click('#pay-button');
    await page.waitForSelector('#receipt');
    await page.close();
  });

  it('renews an expired Protect key without losing what was typed, and still pays once', async () => {
    const invoice = await newInvoice(stack, '45.67', 'C10001');
    const url = await linkFromH5(invoice.ivno, invoice.yea4);
    const page = await openPage(url);
    await page.fill('#name', 'Pat Payer');
    await page.fill('#street', '1 Main St');
    await page.selectOption('#state', 'WA');
    await page.fill('#zip', '99201');
    await typeCard(page);
    // the page was left open: PayTrace's clock moves past the key's life (900 s in the simulator)
    await simJson(stack.paytrace.url, '/_sim/clock/advance', { method: 'POST', body: { seconds: 1000 } });
    await page.click('#pay-button');
    await page.waitForSelector('#card-error:not([hidden])');
    expect(await page.locator('#card-error').textContent()).toBe('The secure card fields had expired. Please enter your card details again; the rest of the form is kept.');
    expect(await focused(page)).toBe('pt_hpf_form');
    for (const [id, value] of [['name', 'Pat Payer'], ['street', '1 Main St'], ['state', 'WA'], ['zip', '99201']]) expect(await page.inputValue(`#${id}`)).toBe(value);
    await page.waitForSelector('#pay-form[data-ready="true"]');
    await typeCard(page);
    await page.click('#pay-button');
    await page.waitForSelector('#receipt');
    const linkId = /\/pay\/([\w-]{22})\./.exec(url)![1]!;
    const attempts = await stack.gateway.services.db('payments').where('reference', 'like', `PL-${linkId}-%`);
    expect(attempts).toHaveLength(1);
    await page.close();
  });

  it('sends the page at once with a skeleton while PayTrace is slow; the button says what it waits for', async () => {
    const invoice = await newInvoice(stack, '8.00', 'C10001');
    const url = await linkFromH5(invoice.ivno, invoice.yea4);
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: 'payment_fields', latencyMs: 1500 } });
    try {
      const page = await browser.newPage();
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await expect(page.locator('#amount').textContent()).resolves.toBe('$8.00');
      expect(await page.locator('#pt_hpf_form .skeleton-line').count()).toBe(3);
      expect(await page.locator('#pay-button').isDisabled()).toBe(true);
      expect(['Checking your invoice…', 'Loading secure card fields…']).toContain(await page.locator('#pay-button').textContent());
      await page.waitForSelector('#pay-form[data-ready="true"]');
      await expect(page.locator('#pay-button').textContent()).resolves.toBe('Pay $8.00');
      await page.close();
    } finally {
      await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, latencyMs: 0 } });
    }
  });

  it('an expired link says so, shows the contact, and the "send me a new link" request reaches the operators', async () => {
    const invoice = await newInvoice(stack, '99.00', 'C10002');
    const url = await linkFromH5(invoice.ivno, invoice.yea4);
    const linkId = /\/pay\/([\w-]{22})\./.exec(url)![1]!;
    const links = await linkServiceOf(stack.gateway.services);
    const [row] = await stack.gateway.services.db('payment_links').where({ id: linkId }).update({ expires_at: new Date(Date.now() - 60_000) }).returning('*');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(links.urlOf(row, stack.gateway.url));
    await expect(page.locator('h1').textContent()).resolves.toBe('This payment link has expired');
    await page.getByRole('link', { name: 'ar@northwind.example' }).waitFor();
    await page.getByRole('link', { name: '+1 509 555 0100' }).waitFor();
    await expect(page.locator('#request-email').inputValue()).resolves.toBe('billing@globex.example');
    await page.fill('#request-note', 'We still want to pay this one.');
    if (SCREENSHOTS) await page.screenshot({ path: path.resolve('docs/screenshots', 'pay-page-expired.png'), fullPage: true });
    await page.getByRole('button', { name: 'Send me a new link' }).click();
    await page.getByText('Thank you. Northwind Supply Co. has your request and will send you a new link.').waitFor();
    const request = await stack.gateway.services.db('link_requests').where({ link_id: linkId }).first();
    expect(request).toMatchObject({ status: 'open', contact_email: 'billing@globex.example', note: 'We still want to pay this one.' });
    await eventually(async () => stack.gateway.services.db('email_outbox').where({ link_id: linkId, kind: 'link-request', to_address: 'ar-team@northwind.example' }).first(), 10_000, 'operators e-mailed');
    await page.close();
  });
});
