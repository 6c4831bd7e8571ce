import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { adminModule } from '../../gateway/src/admin/module';
import { getPayment } from '../../gateway/src/pipeline/ledger';
import { launchChromium, screenshotsDir, signInToOperatorApp } from '../helpers/browser';
import { eventually } from '../helpers/gateway';
import { handOverChargedInvoice, simJson, type Stack, startStack } from '../helpers/stack';
import { ensureUiBuilt } from '../integration/admin/ui-build';

/**
 * The Chargebacks page in headless Chromium: an operator imports the portal's report from a file,
 * sees the case with its deadline first, opens it (postings CB-<case>), gets the evidence PDF; the
 * dashboard tile counts it; a viewer sees the cases without the import, entry and evidence controls.
 * Hostile text from the report is shown as text.
 */
const SHOTS = screenshotsDir();
const XSS = '<img src=x onerror="window.__xss=1">';

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startStack({ modules: [adminModule()], config: { queue: { retryLimit: 1, retryDelaySeconds: 0 }, admin: { alerts: { enabled: false } } } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.setDefaultTimeout(15_000);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const signIn = (p: Page, user: 'operator' | 'viewer', name: string) => signInToOperatorApp(p, stack.gateway.url, user, name);

it('an operator imports the report, sees the case deadline first, opens it and gets the evidence PDF', async () => {
  const invoice = await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10001', amount: '88.00' } });
  const payment = await handOverChargedInvoice(stack, { ivno: String(invoice.ivno), cuno: 'C10001', amount: '88.00' });
  await eventually(async () => (await getPayment(stack.gateway.services.db, payment.id))?.status === 'completed', 20_000, 'paid');
  await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST', body: {} });
  const cb = await simJson<{ caseNumber: string }>(stack.paytrace.url, '/_sim/chargebacks', { body: { transactionId: Number(payment.paytrace_transaction_id), respondInDays: 2, reason: `Not as described ${XSS}` } });
  const file = path.join(os.tmpdir(), `chargebacks-${Date.now()}.csv`);
  writeFileSync(file, await (await fetch(`${stack.paytrace.url}/_sim/chargebacks/report.csv`)).text());

  await signIn(page, 'operator', 'Otto Operator');
  await page.getByRole('navigation').getByRole('link', { name: 'Chargebacks', exact: true }).click();
  await page.getByTestId('chargebacks').getByText('no chargebacks').waitFor();
  await page.getByTestId('report-file').setInputFiles(file);
  await page.getByTestId('import-result').getByText('1 new', { exact: false }).waitFor();
  const row = page.getByTestId('chargebacks').locator('tr', { hasText: cb.caseNumber });
  await row.waitFor({ timeout: 20_000 }); // the list follows the flow
  await row.getByText(XSS).waitFor(); // shown as text
  await row.getByTestId('deadline').getByText('h left', { exact: false }).waitFor();
  // the money side completes: the case shows its posting
  await eventually(async () => (await stack.gateway.services.db('payments').where({ reference: `CB-${cb.caseNumber}`, status: 'completed' }).first()) !== undefined, 20_000, 'booked').catch(async (err: Error) => {
    const inbox = await stack.gateway.services.db('inbox').where({ source: 'chargeback' }).select('status', 'error_code', 'error');
    const p = await stack.gateway.services.db('payments').where({ reference: `CB-${cb.caseNumber}` }).first();
    throw new Error(`${err.message}: ${JSON.stringify({ inbox, p })}`);
  });
  await row.getByRole('button', { name: cb.caseNumber }).click();
  await page.getByTestId('case-detail').getByText(`CB-${cb.caseNumber}: completed`, { exact: false }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'chargebacks.png') });
  const href = await row.getByTestId('evidence').getAttribute('href');
  const pdf = await page.request.get(`${stack.gateway.url}${href}`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.getByTestId('tile-chargebacks').getByText('due soon', { exact: false }).waitFor();
  expect(await page.getByTestId('tile-chargebacks').locator('b').textContent()).toBe('1');
});

it('a viewer sees the cases but not the import, entry or evidence controls', async () => {
  const context = await browser.newContext();
  const viewer = await context.newPage();
  await signIn(viewer, 'viewer', 'Vera Viewer');
  await viewer.getByRole('navigation').getByRole('link', { name: 'Chargebacks', exact: true }).click();
  await viewer.getByTestId('chargebacks').locator('tbody tr').first().waitFor();
  expect(await viewer.getByTestId('report-file').count()).toBe(0);
  expect(await viewer.getByTestId('evidence').count()).toBe(0);
  expect(await viewer.getByRole('heading', { name: 'Enter a chargeback' }).count()).toBe(0);
  await context.close();
});
