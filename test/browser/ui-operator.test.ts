import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { adminModule } from '../../gateway/src/admin/module';
import { invoiceCharged } from '../../gateway/src/triggers/pay-page/events';
import { recordDeadLetter } from '../../gateway/src/pipeline/dead-letters';
import { getPayment, openPayment, type Payment } from '../../gateway/src/pipeline/ledger';
import { eventually } from '../helpers/gateway';
import { simJson, startStack, type Stack, chargedInvoicePayment } from '../helpers/stack';
import { ensureUiBuilt } from '../integration/admin/ui-build';

/**
 * The operator app in headless Chromium against the whole product: sign in through the Infor OS
 * simulator, the dashboard fed by invoice payments run here, trace an IVNO, replay a dead letter
 * once M3 is back, refuse a bad .ionapi, and show hostile data as text.
 * Screenshots go to docs/screenshots/ with UPDATE_SCREENSHOTS=1 (else a temporary folder).
 */
const SHOTS = process.env.UPDATE_SCREENSHOTS ? path.join(__dirname, '..', '..', 'docs', 'screenshots') : path.join(os.tmpdir(), 'm3pt-ui-screenshots');
const XSS = '<img src=x onerror="window.__xss=1">';

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await ensureUiBuilt();
  stack = await startStack({
    modules: [adminModule()],
    config: { queue: { retryLimit: 1, retryDelaySeconds: 0 }, poller: { enabled: true, intervalSeconds: 1 }, admin: { alerts: { enabled: false } } },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.setDefaultTimeout(10_000);
  page.on('dialog', (d) => void d.dismiss());
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function chargedPayment(ivno: string, cuno: string, amount: string): Promise<Payment> {
  const payment = await chargedInvoicePayment(stack, { ivno, cuno, amount });
  await invoiceCharged(stack.gateway.services.pipeline, payment);
  return payment;
}

const statusOf = async (id: string) => (await getPayment(stack.gateway.services.db, id))?.status;

it('signs in through Infor OS and shows the dashboard populated by the flows', async () => {
  const first = await chargedPayment('200001', 'C10001', '1250.00');
  const second = await chargedPayment('200005', 'C10002', '75.50');
  await eventually(async () => (await statusOf(first.id)) === 'completed' && (await statusOf(second.id)) === 'completed', 30_000, 'both payments completed');
  // PayTrace settles the day's batch; the poller sees it (PayTrace has no webhooks)
  await stack.paytrace.settle();
  await eventually(async () => (await stack.gateway.services.db('paytrace_transactions').whereNotNull('batch_number')).length >= 2, 20_000, 'the settled batch mirrored');

  await page.goto(`${stack.gateway.url}/ui/`);
  await page.getByRole('link', { name: 'Sign in with Infor OS' }).click();
  await page.waitForURL(/\/as\/authorization/);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('admin');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${stack.gateway.url}/ui/`);
  await page.getByText('Ada Admin').waitFor();

  await page.getByTestId('tile-payments').getByText('2', { exact: true }).waitFor();
  await page.getByTestId('tile-amount-invoice_payment').getByText('1,325.50 USD').waitFor();
  await page.getByText('Success rate').locator('..').getByText('100.0 %').waitFor();
  await page.locator('section', { hasText: 'Settlement totals per batch' }).getByRole('cell', { name: '1325.50' }).waitFor();
  await page.locator('.recharts-bar-rectangle').first().waitFor(); // the charts drew their series
  await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
});

it('finds an IVNO and shows its timeline across systems', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/trace`);
  await page.getByLabel('search id').fill('200001');
  await page.getByRole('button', { name: 'Search' }).click();
  const timeline = page.getByTestId('timeline');
  await timeline.waitFor();
  await timeline.getByText('ARS040MI', { exact: false }).first().waitFor();
  await timeline.getByText('GLS840MI', { exact: false }).first().waitFor();
  await timeline.getByText('charged → ', { exact: false }).first().waitFor();
  expect(await timeline.locator('li.sys-m3').count()).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(SHOTS, 'trace.png'), fullPage: true });
});

it('replays a dead letter after the cause is fixed, and the payment completes once', async () => {
  // M3 refuses cash receipts: the job retries, then parks
  await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { outage: true, pathPattern: 'ARS040MI' } });
  const payment = await chargedPayment('200002', 'C10001', '300.00');
  await eventually(async () => (await stack.gateway.services.db('dead_letters').where({ status: 'open', correlation_id: payment.correlation_id }).first()) as unknown, 30_000, 'a dead letter');
  expect(await statusOf(payment.id)).not.toBe('completed');
  // the fix: M3 is back
  await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { outage: false, pathPattern: '' } });

  await page.goto(`${stack.gateway.url}/ui/#/dead-letters`);
  const table = page.getByTestId('dead-letters');
  await table.locator('tbody tr').first().getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Replay selected (1)' }).click();
  await page.getByRole('alert').filter({ hasText: 'reason' }).waitFor(); // no reason: refused, nothing replayed
  await page.getByLabel('reason').fill('M3 cash receipts are back');
  await page.getByRole('button', { name: 'Replay selected (1)' }).click();
  await page.getByRole('status').getByText('Replayed 1 dead letter(s)').waitFor();

  await eventually(async () => (await statusOf(payment.id)) === 'completed', 30_000, 'completed after replay');
  const counts = await simJson<{ receiptsForInvoice: number }>(stack.infor.url, '/_sim/m3/counts?cino=200002');
  expect(counts.receiptsForInvoice).toBe(1);
  const audited = await stack.gateway.services.db('audit_log').where({ action: 'dead_letter.replay' }).first<{ actor: string; reason: string }>();
  expect(audited).toMatchObject({ actor: 'operator:admin', reason: 'M3 cash receipts are back' });
});

it('refuses a bad .ionapi upload and says which keys are wrong', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/config`);
  const card = page.getByTestId('ionapi-card');
  await card.getByLabel('ionapi file').setInputFiles({ name: 'broken.ionapi', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ti: 'ACME_PRD', cn: 'gateway', cs: 'secret-in-file', iu: 'not-a-url' })) });
  const error = card.getByRole('alert');
  await error.getByText('is not a valid Infor .ionapi file', { exact: false }).waitFor();
  await error.getByText('ci', { exact: true }).waitFor();
  await error.getByText('iu', { exact: true }).waitFor();
  expect(await page.content()).not.toContain('secret-in-file');

  await card.getByLabel('ionapi file').setInputFiles({ name: 'good.ionapi', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(stack.infor.ionapi)) });
  await card.getByRole('status').getByText('saved as version 1', { exact: false }).waitFor();
  expect(await page.content()).not.toContain(stack.infor.ionapi.cs);
});

it('shows rules validation errors inline, with file and line', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/config`);
  await page.getByLabel('rules file').selectOption('status-map.yaml');
  await page.getByLabel('rules text').fill('version: 1\nstatuses: [unclosed');
  await page.getByRole('button', { name: 'Validate and save' }).click();
  const error = page.locator('section', { hasText: 'Rules (status map' }).getByRole('alert');
  await error.getByText('the rules are not valid').waitFor();
  await error.locator('code', { hasText: /^status-map\.yaml:\d+/ }).first().waitFor();
});

it('gives a viewer no configuration and no dead-letter actions', async () => {
  const context = await browser.newContext();
  const viewer = await context.newPage();
  viewer.setDefaultTimeout(10_000);
  await viewer.goto(`${stack.gateway.url}/ui/`);
  await viewer.getByRole('link', { name: 'Sign in with Infor OS' }).click();
  await viewer.getByLabel('User name').fill('viewer');
  await viewer.getByLabel('Password').fill('viewer');
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await viewer.getByText('Vera Viewer').waitFor();
  expect(await viewer.getByRole('link', { name: 'Configuration' }).count()).toBe(0);
  await viewer.goto(`${stack.gateway.url}/ui/#/dead-letters`);
  await viewer.getByTestId('dead-letters').waitFor();
  expect(await viewer.getByRole('button', { name: /Replay selected/ }).count()).toBe(0);
  // and the API says no even if the page were changed
  const status = await viewer.evaluate(async () => (await fetch('/admin/api/config')).status);
  expect(status).toBe(403);
  await context.close();
});

it('shows hostile payload data as text, never as markup', async () => {
  await recordDeadLetter(stack.gateway.services.db, { queue: 'invoice-payment', jobId: randomUUID(), payload: { note: XSS }, correlationId: 'xss-corr', errorClass: 'business', errorCode: 'XSS_TEST', errorMessage: `M3 said ${XSS}`, attempts: 1 });
  const { payment } = await openPayment(stack.gateway.services.db, { flow: 'invoice_payment', reference: 'XSS-REF-1', status: 'charged', correlationId: 'xss-corr', fields: { cuno: XSS, ivno: '<script>window.__xss=2</script>' } });

  await page.goto(`${stack.gateway.url}/ui/#/dead-letters`);
  await page.getByLabel('error code').fill('XSS_TEST');
  const row = page.getByTestId('dead-letters').locator('tbody tr').first();
  await row.getByText(`M3 said ${XSS}`).waitFor();
  await row.getByRole('button', { name: 'Detail' }).click();
  await page.getByTestId('dead-letter-detail').getByText(XSS, { exact: false }).first().waitFor();

  await page.goto(`${stack.gateway.url}/ui/#/trace?payment=${payment.id}`);
  await page.getByTestId('timeline').getByText(XSS, { exact: false }).first().waitFor();
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});

it('serves the health page to a browser, escaping what connectors report', async () => {
  await page.goto(`${stack.gateway.url}/health`);
  await page.getByText('m3-paytrace gateway health').waitFor();
  await page.locator('th', { hasText: 'connector:infor-os' }).waitFor();
  await page.getByText('tokenAgeSeconds', { exact: false }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'health.png'), fullPage: true });

  stack.gateway.services.connectors.record('ion', false, `ION said ${XSS}`);
  await page.reload();
  await page.getByText(`ION said ${XSS}`).first().waitFor();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  stack.gateway.services.connectors.record('ion', true);
});
