import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { adminModule } from '../../gateway/src/admin/module';
import { getPayment } from '../../gateway/src/pipeline/ledger';
import { launchChromium, screenshotsDir, signInToOperatorApp } from '../helpers/browser';
import { eventually } from '../helpers/gateway';
import { handOverChargedInvoice, simJson, startStack, type Stack } from '../helpers/stack';
import { ensureUiBuilt } from '../integration/admin/ui-build';

/**
 * The flow builder's live overlay in headless Chromium against the whole product: real runs of the
 * shipped invoice-payment flow — one completed, one parked at the cash receipt while M3 was down,
 * one in flight there while M3 is slow (in EUR) — show on the receipt node (in progress, failed,
 * dead-lettered, money in flight per currency, p95); clicking the node lists its runs with links to
 * their traces, and "Replay from this step" replays the parked one, which then completes once.
 * Then, as an admin, the canvas's flow settings (the trigger node) and compensation steps.
 * Screenshots docs/screenshots/flow-builder-overlay.png and flow-builder-settings.png with UPDATE_SCREENSHOTS=1.
 */
const SHOTS = screenshotsDir();
jest.setTimeout(120_000);

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startStack({ modules: [adminModule()], config: { queue: { retryLimit: 1, retryDelaySeconds: 0 }, admin: { alerts: { enabled: false } } } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(15_000);
  await signInToOperatorApp(page, stack.gateway.url, 'operator', 'Otto Operator');
}, 120_000);
afterAll(async () => {
  await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: null, outage: null, pathPattern: null } }).catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

const db = () => stack.gateway.services.db;
const faults = (body: Record<string, unknown>) => simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body });
const charged = (ivno: string, cuno: string, amount: string, currency = 'USD') => handOverChargedInvoice(stack, { ivno, cuno, amount, currency });
const statusOf = async (id: string) => (await getPayment(db(), id))?.status;

it('shows the live figures on the nodes, lists a node\'s runs with their traces, and replays a dead letter from its step', async () => {
  const done = await charged('200005', 'C10002', '75.50');
  await eventually(async () => (await statusOf(done.id)) === 'completed', 30_000, 'the first payment completed');
  // M3 takes no cash receipts: the run parks at `receipt`, its outcome there unknown (money in flight)
  await faults({ outage: true, pathPattern: 'ARS040MI' });
  const parked = await charged('200002', 'C10001', '300.00');
  await eventually(async () => (await db()('dead_letters').where({ status: 'open', correlation_id: parked.correlation_id }).first()) as unknown, 30_000, 'a dead letter');
  // M3 slow: a EUR payment is out at `receipt`
  await faults({ outage: false, latencyMs: 15_000, pathPattern: 'ARS040MI' });
  const eur = await charged('200004', 'C10003', '990.00', 'EUR');
  await eventually(async () => (await db()('intents').where({ key: `${eur.id}:receipt`, status: 'pending' }).first()) as unknown, 30_000, 'the EUR receipt out');

  await page.goto(`${stack.gateway.url}/ui/#/flows?flow=invoice-payment`);
  await page.getByTestId('canvas').locator('.react-flow__node').first().waitFor();
  expect(await page.getByTestId('overlay-receipt').count()).toBe(0); // off until asked for
  await page.getByRole('button', { name: 'Live overlay' }).click();
  const receipt = page.getByTestId('overlay-receipt');
  await receipt.getByText('1 in progress · 1 failed · 1 dead-lettered').waitFor();
  await receipt.getByText('$300.00 in flight').waitFor();
  await receipt.getByText('€990.00 in flight').waitFor();
  await page.getByTestId('overlay-verify').getByText(/^p95 \d+ ms · n=3$/).waitFor();
  // the parked run needed two attempts at the receipt (the job was retried once): the node counts it, with the p95 across attempts
  await receipt.getByText(/^1 retried · p95 total \d+ ms$/).waitFor();
  expect(await page.getByTestId('overlay-verify').locator('.overlay-retries').count()).toBe(0); // the retry reused what PayTrace said
  await page.getByTestId('overlay-status').getByText('live on published v1').waitFor();

  // the node's runs: each payment links to its trace; the parked one can be replayed from this step
  await page.getByTestId('node-Cash receipt on the invoice').click();
  const runs = page.getByTestId('overlay-runs');
  const parkedRun = runs.locator('li', { hasText: parked.reference });
  await parkedRun.getByText('dead-lettered').waitFor();
  const took = '[\\d.]+ m?s'; // "840 ms", "1.2 s"
  await parkedRun.getByTestId('run-attempts').getByText(new RegExp(`^2 attempts: ${took} failed M3_[A-Z_]+, ${took} failed M3_[A-Z_]+$`)).waitFor();
  expect(await runs.locator('li', { hasText: done.reference }).getByTestId('run-attempts').count()).toBe(0); // one attempt: its time says it
  expect(await runs.getByRole('link', { name: eur.reference }).getAttribute('href')).toBe(`#/trace?payment=${eur.id}`);
  expect(await runs.getByRole('link', { name: done.reference }).getAttribute('href')).toBe(`#/trace?payment=${done.id}`);
  // closer, for the picture: the figures sit beside each node
  for (let i = 0; i < 3; i += 1) await page.getByRole('button', { name: 'Zoom In' }).click();
  await page.screenshot({ path: path.join(SHOTS, 'flow-builder-overlay.png') });

  // the cause is fixed: M3 takes cash receipts again
  await faults({ latencyMs: null, pathPattern: null });
  await parkedRun.getByRole('button', { name: /Replay from this step/ }).click();
  const dialog = page.getByTestId('replay-preview');
  await dialog.getByText('customer was charged').first().waitFor();
  await dialog.getByLabel('replay reason').fill('M3 cash receipts are back');
  await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
  await runs.getByRole('status').getByText('Replayed dead letter', { exact: false }).waitFor();
  await eventually(async () => (await statusOf(parked.id)) === 'completed', 30_000, 'the parked payment completed after the replay');
  const counts = await simJson<{ receiptsForInvoice: number }>(stack.infor.url, '/_sim/m3/counts?cino=200002');
  expect(counts.receiptsForInvoice).toBe(1);
  // the next refresh: nothing parked at the receipt any more
  await eventually(async () => !/dead-lettered/.test((await receipt.textContent()) ?? ''), 20_000, 'the overlay without the dead letter');
  expect(await db()('audit_log').where({ action: 'dead_letter.replay', actor: 'operator:operator' }).first()).toMatchObject({ reason: 'M3 cash receipts are back' });
  // the replay was one more attempt at the receipt, done: another node's runs, then the receipt's again, read anew
  await page.getByRole('button', { name: 'Fit View' }).click();
  await page.getByTestId('node-The charge as PayTrace has it').click();
  await runs.getByRole('heading', { name: 'Recent runs at verify' }).waitFor();
  await page.getByTestId('node-Cash receipt on the invoice').click();
  await parkedRun.getByTestId('run-attempts').getByText(new RegExp(`^3 attempts: ${took} failed M3_[A-Z_]+, ${took} failed M3_[A-Z_]+, ${took} done$`)).waitFor();
  await parkedRun.getByText('done', { exact: true }).waitFor();

  // the trace link opens the payment's trace
  await runs.getByRole('link', { name: parked.reference }).click();
  await page.waitForURL(/#\/trace\?payment=/);
  await page.getByText(parked.reference).first().waitFor();
});

it('edits the flow\'s keys in the flow-settings panel (checked by the validator) and draws compensation steps dashed', async () => {
  const admin = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  admin.setDefaultTimeout(15_000);
  await signInToOperatorApp(admin, stack.gateway.url, 'admin', 'Ada Admin');
  await admin.goto(`${stack.gateway.url}/ui/#/flows?flow=invoice-payment`);
  await admin.getByTestId('node-trigger').click();
  const settings = admin.getByTestId('flow-settings');
  const key = settings.getByLabel('Aggregate key');
  expect(await key.inputValue()).toBe('"invoice:" & event.cono & ":" & event.divi & ":" & event.yea4 & ":" & event.ivno');
  await key.fill('payment.ivno');
  await key.press('Enter');
  await settings.getByText('aggregateKey is computed when the trigger is stored: "payment" is not there yet').waitFor();
  await admin.locator('.validation[data-state="invalid"]').waitFor();
  await key.fill('"invoice:" & event.ivno');
  await key.press('Enter');
  await admin.locator('.validation[data-state="valid"]').waitFor();
  expect(await admin.getByTestId('flow-yaml').textContent()).toContain(`aggregateKey: '"invoice:" & event.ivno'`);
  expect(await settings.getByLabel('trigger 1').inputValue()).toBe(JSON.stringify({ on: 'charged', type: 'pay-page' }));

  // a definition with compensations: each drawn dashed, fed by "if it fails" from the step that names it
  const withUndo = [
    'version: 1', 'id: invoice-payment', 'name: Invoice payment', 'triggers: [{ type: pay-page, on: charged }]',
    'steps:', '  - id: payment', '    type: ledger.use-payment', '    input: { paymentId: event.paymentId }',
    '  - id: back', '    type: paytrace.refund', '    input: { transactionId: payment.paytrace_transaction_id, amount: payment.amount }', '    onError: { compensate: [tell-ops] }',
    'compensations:', '  - id: tell-ops', '    type: webhook.publish', `    input: { type: '"refund.failed"', data: '{"id": payment.id}' }`, '',
  ].join('\n');
  await admin.getByLabel('import YAML').setInputFiles({ name: 'undo.yaml', mimeType: 'application/yaml', buffer: Buffer.from(withUndo) });
  const node = admin.locator('.react-flow__node', { has: admin.locator('.flow-node.compensation') });
  await node.getByText('compensation: runs only when a step it undoes fails').waitFor();
  expect(await node.getAttribute('aria-label')).toContain('compensation');
  await admin.locator('.react-flow__edge.compensation-edge').first().waitFor();
  expect(await admin.locator('.react-flow__edge.compensation-edge').count()).toBe(1);
  await admin.getByTestId('node-trigger').click();
  await admin.screenshot({ path: path.join(SHOTS, 'flow-builder-settings.png') });
  await admin.close();
});
