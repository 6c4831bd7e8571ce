import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, screenshotsDir, signInToOperatorApp } from '../helpers/browser';
import { adminModule } from '../../gateway/src/admin/module';
import { reconModule } from '../../gateway/src/recon/module';
import { openPayment } from '../../gateway/src/pipeline/ledger';
import { eventually } from '../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../helpers/paytrace';
import { simJson, startStack, type Stack } from '../helpers/stack';
import { ensureUiBuilt } from '../integration/admin/ui-build';

/**
 * The Reconciliation page in headless Chromium: an operator starts a dry run from the page, sees
 * it complete with its exception classes, opens it (batch totals, exception items, CSV links);
 * a viewer sees the same run without the New dry run / Apply fixes controls. Hostile text from
 * the sources is shown as text.
 */
const SHOTS = screenshotsDir();
const XSS = '<img src=x onerror="window.__xss=1">';

let stack: Stack;
let browser: Browser;
let page: Page;
let today: string;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startStack({
    modules: [adminModule(), reconModule({ scheduleEnabled: false })],
    config: { queue: { retryLimit: 0, retryDelaySeconds: 0 }, admin: { alerts: { enabled: false } } },
  });
  const clock = await simJson<{ now: string }>(stack.paytrace.url, '/_sim/clock');
  today = (clock.now ?? new Date().toISOString()).slice(0, 10);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.setDefaultTimeout(10_000);
  page.on('dialog', (d) => void d.dismiss());
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const signIn = (p: Page, user: 'operator' | 'viewer', name: string) => signInToOperatorApp(p, stack.gateway.url, user, name);

it('an operator starts a dry run from the page and opens its exceptions', async () => {
  // a charge the gateway recorded but never posted, and a walk-in sale M3 never heard of
  const client = storefrontPayTraceClient(stack.paytrace.url);
  const charged = await client.saleKeyed({ amount: '75.50', card: TEST_VISA, invoiceId: 'LINK-recon-ui' });
  await openPayment(stack.gateway.services.db, {
    flow: 'invoice_payment', reference: 'LINK-recon-ui', status: 'charged', correlationId: `c-${randomUUID()}`,
    fields: { cono: 100, divi: 'AAA', ivno: '200005', yea4: 2026, amount: '75.50', currency: 'USD', paytrace_transaction_id: String(charged.transactionId) },
  });
  const walkIn = await client.saleKeyed({ amount: '19.99', card: TEST_VISA, invoiceId: XSS.slice(0, 20) });
  expect(walkIn.approved).toBe(true);
  await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST' });

  await signIn(page, 'operator', 'Otto Operator');
  await page.getByRole('link', { name: 'Reconciliation' }).click();
  await page.getByTestId('recon-runs').getByText('No reconciliation runs yet.').waitFor();
  await page.getByLabel('from').fill(today);
  await page.getByLabel('to').fill(today);
  await page.getByRole('button', { name: 'New dry run' }).click();
  await page.getByRole('alert').filter({ hasText: 'reason' }).waitFor(); // no reason: refused
  await page.getByLabel('reason', { exact: true }).fill(`daily check ${XSS}`);
  await page.getByRole('button', { name: 'New dry run' }).click();
  await page.getByRole('status').getByText('Dry run for', { exact: false }).waitFor();

  const runId = await eventually(async () => {
    const run = await stack.gateway.services.db('recon_runs').where({ status: 'completed' }).first<{ id: string } | undefined>();
    return run?.id;
  }, 30_000, 'the dry run completed');
  await page.getByRole('button', { name: 'Refresh' }).click();
  const runs = page.getByTestId('recon-runs');
  await runs.getByText('completed').waitFor();
  await runs.getByText('Missing in M3 2').waitFor();
  await runs.getByText('operator:operator').waitFor();
  await page.getByText('Periods are calendar days in UTC').waitFor(); // which zone the days are in

  const detail = page.getByTestId('recon-run');
  await detail.getByText('not balanced').waitFor();
  await page.getByTestId('recon-batches').getByRole('cell', { name: '$95.49' }).waitFor();
  const items = page.getByTestId('recon-items');
  await items.getByRole('cell', { name: 'Missing in M3' }).first().waitFor();
  await items.getByText('auto post_receipt (pending)').waitFor();
  // items in words: which transaction and which comparison, not A:tx:…; an exception says it has no match
  await items.getByRole('cell', { name: `PayTrace transaction ${charged.transactionId} (PayTrace ⇄ M3 receipts)` }).waitFor();
  await items.getByText('no match').first().waitFor();
  await page.getByLabel('exception class').selectOption('settled_but_not_posted');
  await items.getByRole('cell', { name: 'Missing in M3' }).first().waitFor({ state: 'detached' });
  await items.getByRole('cell', { name: 'Settled, not posted' }).first().waitFor();
  expect(await detail.getByRole('link', { name: 'items (CSV)' }).getAttribute('href')).toBe(`/admin/api/recon/runs/${runId}/items.csv`);
  const csv = await page.evaluate(async (href) => {
    const res = await fetch(href);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }, `/admin/api/recon/runs/${runId}/items.csv`);
  expect(csv).toMatchObject({ status: 200, type: expect.stringContaining('text/csv') });
  expect(csv.text.startsWith('leg,item,status,exception_class')).toBe(true);
  // "Apply fixes" shows what it will post, and posts only after a reason and a second click
  await page.getByTestId('recon-apply').getByRole('button', { name: 'Apply fixes…' }).click();
  const fixes = page.getByTestId('recon-fixes');
  await fixes.getByText('ARS040MI cash receipt of 75.50 USD on invoice 200005/2026, reference (IRNO) LINK-recon-ui').waitFor();
  expect(await fixes.getByRole('button', { name: 'Post them' }).isDisabled()).toBe(true);
  await page.screenshot({ path: path.join(SHOTS, 'reconciliation.png'), fullPage: true });
  await fixes.getByRole('button', { name: 'Cancel' }).click();
  expect(await stack.gateway.services.db('audit_log').where({ action: 'recon.run.apply' })).toHaveLength(0);

  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});

it('shows a viewer the runs without the operator controls', async () => {
  const context = await browser.newContext();
  const viewer = await context.newPage();
  viewer.setDefaultTimeout(10_000);
  await signIn(viewer, 'viewer', 'Vera Viewer');
  await viewer.goto(`${stack.gateway.url}/ui/#/reconciliation`);
  const runs = viewer.getByTestId('recon-runs');
  await runs.getByText('Missing in M3 2').waitFor();
  await runs.getByRole('button', { name: 'Open' }).first().click();
  await viewer.getByTestId('recon-items').waitFor();
  expect(await viewer.getByRole('button', { name: 'New dry run' }).count()).toBe(0);
  expect(await viewer.getByRole('button', { name: /Apply fixes/ }).count()).toBe(0);
  const status = await viewer.evaluate(async () => (await fetch('/admin/api/recon/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
  expect(status).toBe(403);
  await context.close();
});
