import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { adminModule } from '../../gateway/src/admin/module';
import { linksModule } from '../../gateway/src/links/module';
import { launchChromium, screenshotsDir, signInToOperatorApp } from '../helpers/browser';
import { eventually } from '../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../helpers/paytrace';
import { simJson, startStack, type Stack } from '../helpers/stack';
import { ensureUiBuilt } from '../integration/admin/ui-build';
import { adminCall, signInThroughInforOs } from '../integration/admin/sign-in';
import type { TestRunResult } from '../../gateway/src/admin/flow-test-run-types';

/**
 * The flow builder's test run in headless Chromium against the whole product: a draft of the
 * shipped e-commerce flow (its GL text changed on the canvas, not saved) run with the shipped
 * sample event against the simulators — each node shows what it did; then a fault in the M3
 * simulator (no GL interface PAYTRACE) and the GL node shows M3's error, the steps after it "not
 * reached"; a reload keeps the sample. Screenshot with UPDATE_SCREENSHOTS=1.
 */
const SHOTS = screenshotsDir();
const SAMPLE = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'mappings', 'flows', 'samples', 'ecommerce-sale.json'), 'utf8')) as { data: { orderId: string; paytraceTransactionId: string; amount: string } };
jest.setTimeout(120_000);

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startStack({ modules: [linksModule(), adminModule()], config: { admin: { alerts: { enabled: false } } } });
  // what the shipped sample describes: the storefront charged the card at PayTrace — the first
  // sale at a fresh simulator is transaction 1000001, the one the sample names
  const sale = await storefrontPayTraceClient(stack.paytrace.url).saleKeyed({ amount: SAMPLE.data.amount, card: TEST_VISA, invoiceId: SAMPLE.data.orderId });
  expect(String(sale.transactionId)).toBe(SAMPLE.data.paytraceTransactionId);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(15_000);
  await signInToOperatorApp(page, stack.gateway.url, 'admin', 'Ada Admin');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const node = (name: string) => page.locator('.react-flow__node', { hasText: name }).first();

/** The flow's page loaded afresh (what a reload draws from the server), its canvas drawn: the test-run panel. */
async function openAfresh(flowId: string, aNode: string) {
  await page.goto(`${stack.gateway.url}/ui/#/flows?flow=${flowId}`);
  await page.reload();
  await node(aNode).waitFor();
  return page.getByTestId('test-run');
}

it('test-runs a draft of a shipped flow with a shipped sample: every node shows what it did; an M3 fault shows on its node; a reload keeps the sample', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/flows?flow=ecommerce-sale`);
  await node('The GL posting').waitFor();
  // the draft: the GL voucher text changed on the canvas (not saved: the run takes the canvas)
  await node('The GL posting').click();
  await page.getByTestId('step-panel').getByLabel('input description').fill('"Web order " & event.data.orderId');
  await page.locator('.validation[data-state="valid"]').waitFor();

  const panel = page.getByTestId('test-run');
  await panel.getByLabel('sample', { exact: true }).selectOption({ label: 'ecommerce-sale.json (mappings/flows/samples)' });
  expect(await panel.getByLabel('sample event (JSON)').inputValue()).toContain('"SAMPLE-1001"');
  await panel.getByRole('button', { name: 'Run test' }).click();
  await panel.getByTestId('test-run-outcome').getByText('Done').waitFor({ timeout: 60_000 });

  // on the canvas: each node with its outcome, time, input and output
  await node('payment.succeeded to subscribers').getByTestId('run-succeeded').waitFor();
  await node('Read the transaction from PayTrace').getByText('out: {"found":true', { exact: false }).waitFor();
  expect(await node('The customer in M3').getByTestId('run-succeeded').locator('.chip').textContent()).toMatch(/^ran · \d+ ms$/);
  await node('The customer order').getByText('in: {"cuno":"W', { exact: false }).waitFor();
  await page.getByTestId('node-trigger').getByText('started the run').waitFor();
  expect(await node('The GL posting').getAttribute('aria-label')).toContain('test run: ran');
  // and in the panel in full: the draft's GL text is what ran
  const gl = panel.getByRole('list', { name: 'steps of the test run' }).locator('li', { hasText: 'The GL posting' });
  await gl.locator('summary').click();
  expect(await gl.locator('pre').first().textContent()).toContain('"description": "Web order SAMPLE-1001"');

  // a fault in the M3 simulator: the tenant has no GL interface PAYTRACE any more
  await simJson(stack.infor.url, '/_sim/m3/setup', { method: 'PUT', body: { glInterfaces: ['OTHER'] } });
  try {
    await panel.getByRole('button', { name: 'Run test' }).click();
    await panel.getByTestId('test-run-outcome').getByText('Failed').waitFor({ timeout: 60_000 });
    const failed = node('The GL posting');
    await failed.getByTestId('run-failed').waitFor();
    await failed.getByText('GLS840MI/AddBatchHead: Interface is invalid (M3 XIM0002 on INTN)').waitFor(); // M3's own message
    await node('Sync.MyPTPayment to ION').getByTestId('run-not-reached').waitFor();
    await node('payment.succeeded to subscribers').getByTestId('run-not-reached').waitFor();
    await node('The customer order').getByTestId('run-succeeded').waitFor(); // the steps before it ran
    expect(await panel.getByTestId('test-run-outcome').textContent()).toContain('M3_NOK');
    // the kept sample is the one that ran
    await panel.getByTestId('sample-origin').getByText('kept: ecommerce-sale.json', { exact: false }).waitFor();
    // closer to the nodes around the failure for the picture (the wheel zooms where the pointer is)
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await failed.hover();
    for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -250);
    // and up a little, so the steps not reached show below it (a drag on the pane pans)
    const box = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.move(box.x + 60, box.y + box.height - 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 60, box.y + box.height - 200, { steps: 5 });
    await page.mouse.up();
    await page.screenshot({ path: path.join(SHOTS, 'flow-builder-test-run.png'), fullPage: true });
  } finally {
    await simJson(stack.infor.url, '/_sim/m3/setup', { method: 'PUT', body: { glInterfaces: ['PAYTRACE'] } });
  }

  // the sample survives a reload: kept on the server for the flow
  await page.reload();
  await node('The GL posting').waitFor();
  await panel.getByTestId('sample-origin').getByText('kept: ecommerce-sale.json (mappings/flows/samples) · by operator:admin', { exact: false }).waitFor();
  expect(JSON.parse(await panel.getByLabel('sample event (JSON)').inputValue())).toEqual(SAMPLE);
  // and so does the last run, drawn on the nodes again: it ran the unsaved draft (the GL text), the
  // canvas now has the published flow — the same steps, so its results still go on them
  await panel.getByTestId('test-run-kept').getByText('The last test run, kept: by operator:admin', { exact: false }).waitFor();
  await panel.getByTestId('test-run-changed').getByText('Ran on an earlier version of this draft (the steps are the same', { exact: false }).waitFor();
  expect(await panel.getByTestId('test-run-outcome').textContent()).toContain('M3_NOK');
  await node('The GL posting').getByText('GLS840MI/AddBatchHead: Interface is invalid (M3 XIM0002 on INTN)').waitFor();
  await node('Sync.MyPTPayment to ION').getByTestId('run-not-reached').waitFor();
  await node('The customer order').getByTestId('run-succeeded').waitFor();

  // typed in: not JSON is said at once; a card number is refused by the gateway and not kept
  const editor = panel.getByLabel('sample event (JSON)');
  await editor.fill('{"type": "order.paid", ');
  await panel.getByText('not JSON', { exact: false }).waitFor();
  expect(await panel.getByRole('button', { name: 'Run test' }).isDisabled()).toBe(true);
  await editor.fill(JSON.stringify({ ...SAMPLE, data: { ...SAMPLE.data, note: 'card 4111 1111 1111 1111' } }));
  await panel.getByRole('button', { name: 'Keep sample' }).click();
  await panel.getByRole('alert').getByText('never accepts card numbers', { exact: false }).waitFor();
  const kept = await stack.gateway.services.db('flow_test_samples').where({ flow_id: 'ecommerce-sale' }).first<{ origin: string; event: unknown }>();
  expect(kept).toMatchObject({ origin: 'shipped', event: SAMPLE });
});

it('pins a past real trigger of the flow from the inbox and runs with it', async () => {
  // M3 publishes a new invoice through ION: a Sync.Invoice lands in the inbox of the invoice-links flow
  const invoice = await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10002', amount: '31.40' } });
  // the flow's own run of it done: its M3 reads are the ones the test run (and the next test) reuse
  await eventually(() => stack.gateway.services.db('inbox').where({ flow_id: 'invoice-links', kind: 'Sync.Invoice', status: 'done' }).first(), 30_000, 'the Sync.Invoice run by the flow');
  await page.goto(`${stack.gateway.url}/ui/#/flows?flow=invoice-links`);
  await node('The invoice as M3 has it now').waitFor();
  const panel = page.getByTestId('test-run');
  const option = panel.getByLabel('sample', { exact: true }).locator('option', { hasText: 'Sync.Invoice' });
  await panel.getByLabel('sample', { exact: true }).selectOption({ label: (await option.first().textContent())! });
  await panel.getByTestId('sample-origin').getByText('kept: inbox #', { exact: false }).waitFor();
  // the BOD as the flow's trigger maps it
  expect(JSON.parse(await panel.getByLabel('sample event (JSON)').inputValue())).toMatchObject({ ivno: String(invoice.ivno), cuno: 'C10002', totalAmount: '31.40', source: 'ion' });
  await panel.getByRole('button', { name: 'Run test' }).click();
  await panel.getByTestId('test-run-outcome').getByText('Done').waitFor({ timeout: 60_000 });
  const out = node('The invoice as M3 has it now').locator('.flow-node-run-line', { hasText: 'out:' });
  expect(await out.getAttribute('title')).toContain('"openAmount": "31.40"'); // all of it on hover
  // C10002 is not opted in: the link branch is not reached
  await node('The payment link (as the button makes it)').getByTestId('run-not-reached').waitFor();
});

it('cancels a running test from the panel: it stops before its next step, the rest not reached; the flow can be tested again at once', async () => {
  const panel = await openAfresh('invoice-links', 'The invoice as M3 has it now');
  // the last run (the pinned inbox event, above) is drawn again after the reload, on the same definition
  await panel.getByTestId('test-run-kept').waitFor();
  expect(await panel.getByTestId('test-run-changed').count()).toBe(0);
  await node('The invoice as M3 has it now').locator('.flow-node-run').getByText('ran (result reused)', { exact: false }).waitFor();
  // the shipped sample (an invoice no real run has read: its M3 reads are made, not reused)
  await panel.getByLabel('sample', { exact: true }).selectOption({ label: 'invoice-links.json (mappings/flows/samples)' });
  await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 3000, pathPattern: '/M3/' } });
  try {
    await panel.getByRole('button', { name: 'Run test' }).click();
    await panel.getByRole('button', { name: 'Running…' }).waitFor();
    // the run is at its M3 reads: it wrote between steps how many ran
    await eventually(() => stack.gateway.services.db('flow_test_runs').where({ flow_id: 'invoice-links', state: 'running' }).where('steps_ran', '>=', 1).first(), 30_000, 'the run past its first step');
    await panel.getByRole('button', { name: 'Cancel', exact: true }).click();
    await panel.getByText('Asked to stop: the step running now ends', { exact: false }).waitFor();
    await panel.getByTestId('test-run-outcome').getByText('Cancelled', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await panel.getByTestId('test-run-outcome').textContent()).toContain('FLOW_TEST_RUN_CANCELLED');
    await node('Linked already?').getByTestId('run-succeeded').waitFor();
    const after = node('Does the invoice get a link?').getByTestId('run-not-reached');
    await after.getByText('the run was cancelled before it').waitFor();
  } finally {
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 0, pathPattern: '' } });
  }
  // its lock went with its end: a new run starts at once
  await panel.getByRole('button', { name: 'Run test' }).click();
  await panel.getByTestId('test-run-outcome').getByText('Done').waitFor({ timeout: 60_000 });
});

it('lists the past runs of the flow; choosing an older one draws its results on the nodes, with the notice when the canvas changed since', async () => {
  const panel = await openAfresh('ecommerce-sale', 'The GL posting');
  const past = panel.getByTestId('past-runs').getByRole('listitem');
  await panel.getByLabel('sample', { exact: true }).selectOption({ label: 'ecommerce-sale.json (mappings/flows/samples)' });
  // the runs kept so far (the tests above) are listed once the page has read them
  await panel.getByTestId('past-runs').waitFor();
  const before = await past.count();
  // the older run: the published flow, done
  await panel.getByRole('button', { name: 'Run test' }).click();
  await panel.getByTestId('test-run-outcome').getByText('Done').waitFor({ timeout: 60_000 });
  // the newer: a draft (the GL text changed on the canvas) with no GL interface PAYTRACE in M3: failed at the GL posting
  await node('The GL posting').click();
  await page.getByTestId('step-panel').getByLabel('input description').fill('"History " & event.data.orderId');
  await page.locator('.validation[data-state="valid"]').waitFor();
  await simJson(stack.infor.url, '/_sim/m3/setup', { method: 'PUT', body: { glInterfaces: ['OTHER'] } });
  try {
    await panel.getByRole('button', { name: 'Run test' }).click();
    await panel.getByTestId('test-run-outcome').getByText('Failed').waitFor({ timeout: 60_000 });
  } finally {
    await simJson(stack.infor.url, '/_sim/m3/setup', { method: 'PUT', body: { glInterfaces: ['PAYTRACE'] } });
  }
  // both in the list, newest first: when, who, outcome, sample; the one drawn pressed
  await past.nth(before + 1).waitFor();
  expect(await past.count()).toBe(before + 2);
  const [newer, older] = [past.nth(0).getByRole('button'), past.nth(1).getByRole('button')];
  expect(await newer.textContent()).toMatch(/ · operator:admin · Failed · ecommerce-sale\.json \(mappings\/flows\/samples\)$/);
  expect(await older.textContent()).toMatch(/ · operator:admin · Done · ecommerce-sale\.json \(mappings\/flows\/samples\) · the published definition$/);
  await newer.and(page.locator('[aria-pressed="true"]')).waitFor();
  await node('The GL posting').getByTestId('run-failed').waitFor();

  // the older one, drawn as the kept last run is: it ran the published flow, the canvas is the changed draft (same steps)
  await older.click();
  await older.and(page.locator('[aria-pressed="true"]')).waitFor();
  await panel.getByTestId('test-run-kept').getByText('A past test run: by operator:admin', { exact: false }).waitFor();
  await panel.getByTestId('test-run-changed').getByText('Ran on an earlier version of this draft (the steps are the same', { exact: false }).waitFor();
  await node('The GL posting').getByTestId('run-succeeded').waitFor();
  await node('payment.succeeded to subscribers').getByTestId('run-succeeded').waitFor();
  expect(await panel.getByTestId('test-run-outcome').textContent()).toMatch(/^Done in/);
  // and back to the newer: the draft that ran is the canvas
  await newer.click();
  await node('The GL posting').getByText('GLS840MI/AddBatchHead: Interface is invalid (M3 XIM0002 on INTN)').waitFor();
  await node('Sync.MyPTPayment to ION').getByTestId('run-not-reached').waitFor();
  expect(await panel.getByTestId('test-run-changed').count()).toBe(0);
  await panel.getByTestId('test-run-kept').getByText('The last test run, kept: by operator:admin', { exact: false }).waitFor();

  // after a reload the newest is drawn again by default
  await page.reload();
  await node('The GL posting').getByTestId('run-failed').waitFor();
  await panel.getByTestId('test-run-kept').getByText('The last test run, kept', { exact: false }).waitFor();
  await past.nth(0).getByRole('button').and(page.locator('[aria-pressed="true"]')).waitFor();
});

it('follows a run started by another session while the panel is open, and across a reload, to its end; Cancel stops one', async () => {
  const panel = await openAfresh('invoice-links', 'The invoice as M3 has it now');
  await panel.getByTestId('past-runs').waitFor();
  const other = await signInThroughInforOs(stack.gateway.url, 'operator');
  const source = readFileSync(path.join(__dirname, '..', '..', 'mappings', 'flows', 'invoice-links.yaml'), 'utf8');
  const event = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'mappings', 'flows', 'samples', 'invoice-links.json'), 'utf8')) as unknown;
  // each M3 read takes 4 s: the run is going on for a while (the invoice, the customer…)
  await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 4000, pathPattern: '/M3/' } });
  try {
    const elsewhere = adminCall(stack.gateway.url, other, 'POST', '/admin/api/flows/invoice-links/test-run', { source, event });
    // the open panel notices it and follows it: running, started by the other operator; no second run
    const running = panel.getByTestId('test-run-elsewhere');
    await running.getByText('A test run of this flow is running: started by operator:operator', { exact: false }).waitFor();
    expect(await panel.getByRole('button', { name: 'Run test' }).isDisabled()).toBe(true);
    await panel.getByTestId('past-runs').getByRole('listitem').first().getByText('running').waitFor();
    // a reload while it runs: still followed
    await page.reload();
    await running.getByText('started by operator:operator', { exact: false }).waitFor();
    // to its end: its result drawn on the nodes, as the other session got it
    const answer = await elsewhere;
    expect(answer.status).toBe(200);
    const result = answer.json as unknown as TestRunResult;
    expect(result.outcome).toBe('done');
    // (the run drawn before, by operator:admin, stays until then, "a past test run" while this one runs)
    await panel.getByTestId('test-run-kept').getByText('The last test run, kept: by operator:operator', { exact: false }).waitFor({ timeout: 30_000 });
    await panel.getByTestId('test-run-outcome').getByText('Done').waitFor();
    expect(await panel.getByTestId('test-run-elsewhere').count()).toBe(0);
    await node('Linked already?').getByTestId('run-succeeded').waitFor();
    expect(await panel.getByRole('list', { name: 'steps of the test run' }).getByRole('listitem').count()).toBe(result.trace.length);
    expect(await panel.getByRole('button', { name: 'Run test' }).isDisabled()).toBe(false);

    // another one, followed, and cancelled from this panel: it stops before its next step
    const second = adminCall(stack.gateway.url, other, 'POST', '/admin/api/flows/invoice-links/test-run', { source, event });
    await running.getByText('started by operator:operator', { exact: false }).waitFor();
    await panel.getByRole('button', { name: 'Cancel', exact: true }).click();
    await running.getByText('Asked to stop', { exact: false }).waitFor();
    expect((await second).json).toMatchObject({ outcome: 'cancelled', error: { code: 'FLOW_TEST_RUN_CANCELLED' } });
    await panel.getByTestId('test-run-outcome').getByText('Cancelled', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await panel.getByTestId('test-run-outcome').textContent()).toContain('cancelled by operator:admin');
    await node('Does the invoice get a link?').getByTestId('run-not-reached').getByText('the run was cancelled before it').waitFor();
  } finally {
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { latencyMs: 0, pathPattern: '' } });
  }
});

it('lets a viewer see the kept sample but not run a test', async () => {
  const context = await browser.newContext();
  const viewer = await context.newPage();
  viewer.setDefaultTimeout(15_000);
  const p = page;
  page = viewer;
  try {
    await signInToOperatorApp(viewer, stack.gateway.url, 'viewer', 'Vera Viewer');
    await viewer.goto(`${stack.gateway.url}/ui/#/flows?flow=ecommerce-sale`);
    const panel = viewer.getByTestId('test-run');
    await panel.getByTestId('sample-origin').getByText('kept: ecommerce-sale.json', { exact: false }).waitFor();
    expect(await panel.getByRole('button', { name: 'Run test' }).count()).toBe(0);
    await panel.getByText('Operators and admins run tests.').waitFor();
  } finally {
    page = p;
    await context.close();
  }
});
