import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, screenshotsDir, signInToOperatorApp } from '../helpers/browser';
import { adminModule } from '../../gateway/src/admin/module';
import { captureSender, deliverEmail, LINK_EMAIL_QUEUE } from '../../gateway/src/links/email';
import { recordDeadLetter } from '../../gateway/src/pipeline/dead-letters';
import { getPayment, openPayment, type Payment } from '../../gateway/src/pipeline/ledger';
import { eventually } from '../helpers/gateway';
import { handOverChargedInvoice, simJson, type Stack, startStack } from '../helpers/stack';
import { ensureUiBuilt } from '../integration/admin/ui-build';
import { newInvoice } from '../integration/links/helpers';

/**
 * The operator app in headless Chromium against the whole product: sign in through the Infor OS
 * simulator, the dashboard fed by invoice payments run here, trace an IVNO, replay a dead letter
 * once M3 is back, refuse a bad .ionapi, and show hostile data as text.
 * Screenshots go to docs/screenshots/ with UPDATE_SCREENSHOTS=1 (else a temporary folder).
 */
const SHOTS = screenshotsDir();
jest.setTimeout(90_000); // whole flows through a browser on a shared CI machine
const XSS = '<img src=x onerror="window.__xss=1">';

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
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
  return handOverChargedInvoice(stack, { ivno, cuno, amount });
}

const statusOf = async (id: string) => (await getPayment(stack.gateway.services.db, id))?.status;

it('signs in through Infor OS and shows the dashboard populated by the flows', async () => {
  const first = await chargedPayment('200001', 'C10001', '1250.00');
  const second = await chargedPayment('200005', 'C10002', '75.50');
  await eventually(async () => (await statusOf(first.id)) === 'completed' && (await statusOf(second.id)) === 'completed', 30_000, 'both payments completed');
  // PayTrace settles the day's batch; the poller sees it (PayTrace has no webhooks)
  await stack.paytrace.settle();
  await eventually(async () => (await stack.gateway.services.db('paytrace_transactions').whereNotNull('batch_number')).length >= 2, 20_000, 'the settled batch mirrored');

  await signInToOperatorApp(page, stack.gateway.url, 'admin', 'Ada Admin');

  await page.getByTestId('tile-payments').getByText('2', { exact: true }).waitFor();
  await page.getByTestId('tile-collected').getByText('$1,325.50').waitFor();
  await page.getByTestId('tile-success').getByText('100.0 %').waitFor();
  await page.getByTestId('tile-charged-not-posted').getByText('0', { exact: true }).waitFor();
  await page.locator('section', { hasText: 'Settlement totals per PayTrace batch' }).getByRole('cell', { name: '$1,325.50' }).waitFor();
  await page.locator('.recharts-bar-rectangle').first().waitFor(); // the charts drew their series
  await page.locator('.recharts-label-list').first().waitFor(); // every bar carries its value
  expect(await page.getByText('invoice_payment', { exact: true }).count()).toBe(0); // words, not codes
  await page.getByText('Pay-by-link invoice').first().waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
});

it('finds an IVNO and shows its timeline across systems; opens with the recent payments', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/trace`);
  await page.getByText('Recent payments').waitFor(); // not a blank page
  expect(await page.getByTestId('trace-hits').locator('tbody tr').count()).toBe(2);
  await page.getByTestId('trace-hits').getByText('Completed').first().waitFor();
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
  await table.locator('tbody tr').first().getByText('customer was charged').waitFor();
  await table.locator('tbody tr').first().getByRole('checkbox').check();
  expect(await page.getByRole('button', { name: 'Replay selected (1)' }).isDisabled()).toBe(true); // no reason: the button stays disabled
  await page.getByLabel('reason', { exact: true }).fill('M3 cash receipts are back');
  await page.getByRole('button', { name: 'Replay selected (1)' }).click();
  await page.getByRole('status').getByText('Replayed 1 dead letter(s)').waitFor();

  await eventually(async () => (await statusOf(payment.id)) === 'completed', 30_000, 'completed after replay');
  const counts = await simJson<{ receiptsForInvoice: number }>(stack.infor.url, '/_sim/m3/counts?cino=200002');
  expect(counts.receiptsForInvoice).toBe(1);
  const audited = await stack.gateway.services.db('audit_log').where({ action: 'dead_letter.replay' }).first<{ actor: string; reason: string }>();
  expect(audited).toMatchObject({ actor: 'operator:admin', reason: 'M3 cash receipts are back' });
});

it('names "charged but not posted" on the dashboard, the dead letters and the trace, and replays it from the trace after a preview', async () => {
  // the service account lost its MI authority to GLS840MI: the GL step is refused with 403 and parks
  await simJson(stack.infor.url, '/_sim/m3/setup', { method: 'PUT', body: { deniedPrograms: ['GLS840MI'] } });
  const invoice = await newInvoice(stack, '1999.95', 'C10002');
  const payment = await chargedPayment(invoice.ivno, 'C10002', '1999.95');
  await eventually(async () => (await stack.gateway.services.db('dead_letters').where({ status: 'open', correlation_id: payment.correlation_id }).first()) as unknown, 30_000, 'a dead letter');

  await page.goto(`${stack.gateway.url}/ui/#/dashboard`);
  const tile = page.getByTestId('tile-charged-not-posted');
  await tile.getByText('1', { exact: true }).waitFor();
  await tile.getByText('$1,999.95 customers paid; M3 does not know').waitFor();
  await tile.click(); // the tile leads to the payments in that state
  await page.waitForURL(/#\/trace\?state=charged_not_posted/);
  const hits = page.getByTestId('trace-hits');
  await hits.getByText('Charged, not posted').waitFor();
  expect(await hits.locator('tbody tr').count()).toBe(1);
  await hits.getByRole('button', { name: 'Timeline' }).click();
  const timeline = page.getByTestId('timeline');
  await timeline.getByRole('alert').getByText('The customer was charged $1,999.95 at PayTrace', { exact: false }).waitFor();
  await page.getByTestId('steps').getByText('✓ Cash receipt on the invoice (ARS040MI)').waitFor();
  await page.getByTestId('steps').getByText('GL batch posted (GLS840MI)', { exact: false }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'trace.png'), fullPage: true });

  await simJson(stack.infor.url, '/_sim/m3/setup', { method: 'PUT', body: { deniedPrograms: [] } }); // the fix: authority given back
  await page.getByTestId('trace-dead-letter').getByRole('button', { name: 'Replay…' }).click();
  const preview = page.getByTestId('replay-preview');
  await preview.getByText('Already done (not run again)').waitFor();
  await preview.locator('.charged', { hasText: 'customer was charged' }).waitFor();
  await preview.getByText('The customer was charged. A replay never charges again', { exact: false }).waitFor();
  await preview.getByText('✓ Cash receipt on the invoice (ARS040MI)').waitFor(); // already done: not run again
  await preview.getByText('▶ GL batch posted (GLS840MI)', { exact: false }).waitFor();
  const replay = preview.getByRole('button', { name: 'Replay', exact: true });
  expect(await replay.isDisabled()).toBe(true);
  await preview.getByLabel('replay reason').fill('GLS840MI authority given back');
  await replay.click();
  await page.getByRole('status').getByText('Replayed dead letter', { exact: false }).waitFor();
  await eventually(async () => (await statusOf(payment.id)) === 'completed', 30_000, 'completed after replay');
  const counts = await simJson<{ receiptsForInvoice: number }>(stack.infor.url, `/_sim/m3/counts?cino=${invoice.ivno}`);
  expect(counts.receiptsForInvoice).toBe(1); // the receipt was not posted twice
});

it('shows times in the zone the operator chooses, with the zone named', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/dead-letters`);
  await page.getByLabel('status', { exact: true }).selectOption(''); // the replayed ones too
  await page.getByLabel('time zone').selectOption('America/Chicago');
  // The list re-renders after the zone changes: wait for the text, not for the first paint.
  const firstTime = page.getByTestId('dead-letters').locator('time').first();
  await firstTime.filter({ hasText: / C[SD]T$/ }).waitFor();
  await page.getByLabel('time zone').selectOption('UTC');
  await firstTime.filter({ hasText: / UTC$/ }).waitFor();
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
  await signInToOperatorApp(viewer, stack.gateway.url, 'viewer', 'Vera Viewer');
  expect(await viewer.getByRole('link', { name: 'Configuration' }).count()).toBe(0);
  // a viewer opening #/config is told why, not silently shown the dashboard
  await viewer.goto(`${stack.gateway.url}/ui/#/config`);
  await viewer.getByTestId('access-denied').getByText('Configuration needs the admin role').waitFor();
  await viewer.getByTestId('access-denied').getByText('with the role viewer', { exact: false }).waitFor();
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
  await page.locator('th', { hasText: 'Infor OS (sign-in tokens)' }).waitFor();
  await page.getByText('token age (s)', { exact: false }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'health.png'), fullPage: true });
  // on a phone: nothing wider than the screen, and the dead letters one tap away
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(`${stack.gateway.url}/health`);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await phone.getByRole('link', { name: 'Open the dead letters' }).waitFor();
  await phone.screenshot({ path: path.join(SHOTS, 'health-mobile.png'), fullPage: true });
  await phone.close();

  stack.gateway.services.connectors.record('ion', false, `ION said ${XSS}`);
  await page.reload();
  await page.getByText(`ION said ${XSS}`).first().waitFor();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  stack.gateway.services.connectors.record('ion', true);
});

it('automatic payment links: the review list retries an invoice once M3 has the address; the dashboard and the trace show it', async () => {
  const m3 = stack.gateway.services.infor!.m3;
  const scope = { cono: 100, divi: 'AAA' };
  // the e-mail outbox's delivery queue (the links module's, which this stack does not start)
  const services = stack.gateway.services;
  await services.queue.register<{ emailId: string }>({ name: LINK_EMAIL_QUEUE, concurrency: 1, handler: (job) => deliverEmail(services.db, captureSender(), job.emailId, services.config.links.mailFrom) });
  // a customer opted in to automatic links (CUSEXT A230) without an e-mail address in M3
  await m3.execute('CRS610MI', 'Add', { CUNO: 'C30001', CUNM: 'Quiet Tools', CUTM: 'TEMPLATE', CUA1: '9 Elm St', TOWN: 'Joliet', ECAR: 'IL', PONO: '60431', CSCD: 'US' }, scope);
  await m3.execute('CUSEXTMI', 'AddFieldValue', { FILE: 'OCUSMA', PK01: 'C30001', A230: 'Y' }, scope);
  const invoice = await newInvoice(stack, '88.40', 'C30001');
  await eventually(async () => (await stack.gateway.services.db('invoice_links').where({ ivno: invoice.ivno }).first())?.status === 'needs_review', 20_000, 'the review item');

  await page.goto(`${stack.gateway.url}/ui/#/alerts`);
  const reviews = page.getByTestId('invoice-link-reviews');
  const row = reviews.locator('tbody tr', { hasText: invoice.ivno });
  await row.getByText('INVOICE_LINK_NO_EMAIL', { exact: false }).waitFor();
  expect(await row.getByRole('button', { name: 'Dismiss' }).isDisabled()).toBe(true); // no reason yet
  await m3.execute('CRS610MI', 'ChgBasicData', { CUNO: 'C30001', MAIL: 'ap@quiettools.example' }, scope);
  await row.getByRole('button', { name: 'Retry' }).click();
  await row.getByText('retry queued').waitFor();
  await eventually(async () => (await stack.gateway.services.db('invoice_links').where({ ivno: invoice.ivno }).first())?.status === 'linked', 20_000, 'linked after the retry');
  await page.reload();
  await reviews.getByText('Nothing to review.').waitFor();

  await page.goto(`${stack.gateway.url}/ui/`);
  await page.getByTestId('tile-auto-linked').getByText('1', { exact: true }).waitFor();
  await page.getByTestId('tile-auto-review').getByText('0', { exact: true }).waitFor();

  await page.goto(`${stack.gateway.url}/ui/#/trace`);
  await page.getByLabel('search id').fill(invoice.ivno);
  await page.getByRole('button', { name: 'Search' }).click();
  const story = page.getByTestId('invoice-links-trace');
  await story.getByText('sent to ap@quiettools.example', { exact: false }).waitFor();
  await story.getByText('the link to ap@quiettools.example', { exact: false }).waitFor();
  await story.getByRole('cell', { name: 'automatic' }).waitFor();
});
