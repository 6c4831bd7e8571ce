import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { adminModule } from '../../gateway/src/admin/module';
import { linksModule } from '../../gateway/src/links/module';
import { openPayment } from '../../gateway/src/pipeline/ledger';
import { payPageDeclined } from '../../gateway/src/triggers/pay-page/events';
import { newInvoice } from '../integration/links/helpers';
import { launchChromium, screenshotsDir, signInToOperatorApp } from '../helpers/browser';
import { eventually } from '../helpers/gateway';
import { handOverChargedInvoice, type Stack, startStack } from '../helpers/stack';
import { ensureUiBuilt } from '../integration/admin/ui-build';

/**
 * The flow builder in headless Chromium against the whole product: the flow list, a shipped flow
 * drawn from its definition, a new flow built with the mouse from the palette (drag a step on,
 * connect it, undo/redo), validation on the node that refuses the publish, the mapping editor,
 * publish with a reason — and the gateway runs the new version: a declined pay-page payment
 * e-mails the customer and writes an M3 record through the generic MI call (CUSEXTMI), each once.
 * Screenshots with UPDATE_SCREENSHOTS=1.
 */
const SHOTS = screenshotsDir();
jest.setTimeout(120_000);

let stack: Stack;
let browser: Browser;
let page: Page;

/** A real mouse drag from one React Flow handle to another. */
async function dragHandle(p: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await p.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await p.mouse.down();
  await p.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await p.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await p.mouse.up();
}

/**
 * A real mouse drag (HTML5 drag and drop) in small steps, so Chromium starts the drag before the
 * drop. Says what the page saw: the palette type whose drag started (the `data-type` of the
 * element that fired dragstart) and whether a drop reached the canvas — so the caller knows what
 * landed instead of guessing from a timeout.
 */
async function dragTo(p: Page, from: Locator, to: Locator, at: { x: number; y: number }): Promise<{ started?: string; dropped: boolean }> {
  // The pointer must be on the source when the button goes down: the page can still shift just
  // after it is drawn, and a drag measured before the shift once picked up the palette's
  // neighbour (Webhook event instead of E-mail) and dropped that. hover() waits until the source
  // is still and is what the pointer hits; what the page reports afterwards catches a later shift.
  let a: { x: number; y: number; width: number; height: number } | undefined;
  for (let tries = 0; tries < 5 && !a; tries++) {
    await from.hover();
    const box = (await from.boundingBox())!;
    const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    if (await from.evaluate((el, { x, y }) => el.contains(document.elementFromPoint(x, y)), point)) a = box;
  }
  if (!a) throw new Error('the drag source would not stay under the pointer');
  await p.evaluate(() => {
    const w = window as unknown as { __drag: { started?: string; dropped: boolean } };
    w.__drag = { dropped: false };
    document.addEventListener('dragstart', (e) => (w.__drag.started = (e.target as HTMLElement).closest<HTMLElement>('[data-type]')?.dataset.type), { capture: true, once: true });
    document.addEventListener('drop', (e) => (w.__drag.dropped = !!(e.target as HTMLElement).closest('[data-testid="canvas"]')), { capture: true, once: true });
  });
  const b = (await to.boundingBox())!;
  await p.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await p.mouse.down();
  await p.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 5, { steps: 3 });
  await p.mouse.move(b.x + at.x, b.y + at.y, { steps: 10 });
  await p.mouse.up();
  return p.evaluate(() => (window as unknown as { __drag: { started?: string; dropped: boolean } }).__drag);
}

const yaml = () => page.getByTestId('flow-yaml').textContent();
const settled = () => page.locator('.validation:not([data-state="validating"])').waitFor();

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startStack({ modules: [linksModule(), adminModule()], config: { admin: { alerts: { enabled: false } } } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(10_000);
  await signInToOperatorApp(page, stack.gateway.url, 'admin', 'Ada Admin');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it('lists the flows with their trigger, version and today\'s figures, and draws a shipped flow from its definition', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/flows`);
  const row = page.getByTestId('flow-list').locator('tr', { hasText: 'invoice-payment' });
  await row.getByText('Pay page: card charged').waitFor();
  await row.getByRole('cell', { name: 'v1', exact: true }).waitFor();
  await row.getByRole('link', { name: 'Invoice payment' }).click();
  await page.getByTestId('canvas').locator('.react-flow__node').first().waitFor();
  const source = readFileSync(path.join(__dirname, '..', '..', 'mappings', 'flows', 'invoice-payment.yaml'), 'utf8');
  // every step of the file is a node (plus the trigger), and the text shown is the file, byte for byte
  const stepCount = (source.match(/^\s+- id: /gm) ?? []).length;
  expect(await page.locator('.react-flow__node').count()).toBe(stepCount + 1);
  expect(await yaml()).toBe(source);
  // export, and import then export again: byte for byte the file in mappings/flows/
  const exported = async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export YAML' }).click()]);
    expect(download.suggestedFilename()).toBe('invoice-payment.yaml');
    return readFileSync((await download.path())!, 'utf8');
  };
  expect(await exported()).toBe(source);
  await page.getByLabel('import YAML').setInputFiles({ name: 'invoice-payment.yaml', mimeType: 'application/yaml', buffer: Buffer.from(source) });
  await page.getByRole('status').getByText('Imported invoice-payment.yaml', { exact: false }).waitFor();
  expect(await exported()).toBe(source);
  await settled();
  expect(await page.locator('.validation').textContent()).toBe('valid');
  await page.locator('.react-flow__node', { hasText: 'Cash receipt' }).first().click();
  await page.getByTestId('step-panel').getByText('m3.cash-receipt', { exact: false }).first().waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'flow-builder.png') });
});

it('builds a flow from the palette with the mouse, refuses to publish it invalid, publishes it, and the gateway runs it once (e-mail and M3 MI call)', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/flows`);
  await page.reload();
  await page.getByLabel('new flow id').fill('decline-notice');
  await page.getByLabel('new flow name').fill('Decline notice');
  await page.getByLabel('new flow trigger').selectOption('pay-page:declined');
  await page.getByRole('button', { name: 'Build it' }).click();
  const canvas = page.getByTestId('canvas');
  await page.getByTestId('node-trigger').waitFor();

  // drag the e-mail step from the palette onto the canvas: placed, not connected
  await page.getByRole('button', { name: 'Add E-mail (email.send)' }).scrollIntoViewIfNeeded();
  const email = page.locator('.react-flow__node', { hasText: 'email.send' });
  // Chromium may not start a synthetic drag, or the page may shift under the pointer and a
  // neighbour be dragged: then, as a person would, undo what landed and drag again (three times at most)
  const nodes = page.locator('.react-flow__node');
  for (let tries = 0; ; tries++) {
    const before = await nodes.count();
    const drag = await dragTo(page, page.getByRole('button', { name: 'Add E-mail (email.send)' }), canvas, { x: 250, y: 420 });
    if (drag.started === 'email.send' && drag.dropped) break;
    if (drag.started && drag.dropped) {
      await nodes.nth(before).waitFor({ state: 'attached' });
      await page.getByRole('button', { name: 'Undo' }).click();
      await nodes.nth(before).waitFor({ state: 'detached' });
    }
    if (tries === 2) throw new Error(`the e-mail step was not dragged onto the canvas (last try: ${JSON.stringify(drag)})`);
  }
  await email.first().waitFor();
  await email.getByText('not connected', { exact: false }).waitFor();
  expect(await page.locator('.react-flow__node').count()).toBe(2); // the trigger and the e-mail: nothing else was dropped
  expect(await yaml()).not.toContain('email.send');

  // connect it after the trigger with the mouse
  await dragHandle(page, page.getByTestId('node-trigger').locator('.react-flow__handle.source'), email.locator('.react-flow__handle.target'));
  await page.locator('.react-flow__edge').first().waitFor();
  expect(await yaml()).toContain('type: email.send');
  // undo puts it back unconnected, redo connects it again
  await page.getByRole('button', { name: 'Undo' }).click();
  expect(await yaml()).not.toContain('email.send');
  await page.getByRole('button', { name: 'Redo' }).click();
  expect(await yaml()).toContain('type: email.send');

  // the server's validator names what is missing, on the node; publishing is refused
  await email.locator('.flow-node.has-errors').waitFor();
  await email.getByText('input "to" is required by email.send', { exact: false }).waitFor();
  await page.getByLabel('publish reason').fill('tell customers their card was declined');
  expect(await page.getByRole('button', { name: 'Publish', exact: true }).isDisabled()).toBe(true);

  // map its inputs: a source dragged from the tree, literals and an expression typed
  await email.click();
  const panel = page.getByTestId('step-panel');
  await dragTo(page, panel.getByRole('button', { name: /^event\.reference/ }), panel.getByLabel('input subject'), { x: 20, y: 10 });
  expect(await panel.getByLabel('input subject').inputValue()).toBe('event.reference');
  await panel.getByLabel('input subject').fill('"Your card payment was declined"');
  await panel.getByLabel('input to').fill('"ap@northwind.example"');
  await panel.getByLabel('input text').fill('"Payment " & event.reference & " was declined: " & event.message');
  await panel.locator('output.preview').first().waitFor(); // the value on the trigger's sample
  await settled();
  await page.locator('.validation[data-state="valid"]').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'flow-builder-mapping.png') });

  // from the keyboard: the payment first (the run's key), then an M3 record through the generic MI
  // call after the e-mail — made exactly-once by its lookup
  await page.getByTestId('node-trigger').click();
  await page.getByRole('button', { name: 'Add Use payment', exact: false }).press('Enter');
  await page.getByTestId('step-panel').getByLabel('input paymentId').fill('event.paymentId');
  await email.click();
  await page.getByRole('button', { name: 'Add M3 MI call (m3.call)' }).press('Enter');
  const mi = page.getByTestId('step-panel');
  // the program and transaction from M3's metadata (MRS001MI), with each field's description, type, length, mandatory
  await mi.getByLabel('M3 program').selectOption('CUSEXTMI');
  await mi.getByLabel('M3 transaction').selectOption('AddFieldValue');
  const fields = mi.getByRole('table', { name: 'input fields of CUSEXTMI/AddFieldValue' });
  await fields.locator('tr', { hasText: 'FILE' }).getByText('*').waitFor();
  await mi.getByRole('button', { name: 'map A030' }).click();
  expect(await mi.getByLabel('input fields', { exact: true }).inputValue()).toContain('"A030"');
  expect(await mi.getByLabel('settings').inputValue()).toContain('AddFieldValue');
  await page.screenshot({ path: path.join(SHOTS, 'flow-builder-m3-picker.png') });
  // the mapping assistant's suggestions per M3 field, on the trigger's sample
  await mi.getByRole('button', { name: 'Suggest M3 fields for CUSEXTMI/AddFieldValue' }).click();
  await mi.getByRole('table', { name: 'mapping suggestions' }).locator('tr', { hasText: 'PK01' }).waitFor();
  await mi.getByLabel('settings').fill(JSON.stringify({ program: 'CUSEXTMI', transaction: 'AddFieldValue', lookup: { program: 'CUSEXTMI', transaction: 'GetFieldValue', match: ['A030'] } }));
  await mi.getByLabel('step name').click(); // the settings apply when they lose focus
  await mi.getByLabel('input fields', { exact: true }).fill(JSON.stringify({ FILE: '"DECLINE"', PK01: 'event.reference', A030: 'event.declineCode & " " & event.message' }));
  await mi.getByLabel('input lookupFields', { exact: true }).fill(JSON.stringify({ FILE: '"DECLINE"', PK01: 'event.reference' }));
  expect(await yaml()).toMatch(/type: ledger\.use-payment[\s\S]*type: email\.send[\s\S]*type: m3\.call/);
  await settled();
  await page.locator('.validation[data-state="valid"]').waitFor();

  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByRole('status').getByText('Published v1', { exact: false }).waitFor();
  const audited = await stack.gateway.services.db('audit_log').where({ action: 'flow.published', subject_id: 'decline-notice@v1' }).first<{ actor: string; reason: string }>();
  expect(audited).toMatchObject({ actor: 'operator:admin', reason: 'tell customers their card was declined' });

  // the gateway runs the new version: a declined pay-page payment (handed over twice) → one e-mail
  const { payment } = await openPayment(stack.gateway.services.db, { flow: 'invoice_payment', reference: 'PL-DECLINE-1', status: 'failed', correlationId: 'c-decline-1', fields: { cono: 100, divi: 'AAA', ivno: '200003', cuno: 'C10001', amount: '42.00', currency: 'USD' } });
  await payPageDeclined(stack.gateway.services.pipeline, payment, { code: '102', message: 'DECLINE - Do not honor' });
  await payPageDeclined(stack.gateway.services.pipeline, payment, { code: '102', message: 'DECLINE - Do not honor' });
  await eventually(async () => (await stack.gateway.services.db('email_outbox').where({ requested_by: 'flow:decline-notice' })).length > 0, 20_000, 'the e-mail in the outbox');
  await new Promise((r) => setTimeout(r, 1000));
  const mails = await stack.gateway.services.db('email_outbox').where({ requested_by: 'flow:decline-notice' });
  expect(mails).toHaveLength(1);
  expect(mails[0]).toMatchObject({ to_address: 'ap@northwind.example', subject: 'Your card payment was declined', text: 'Payment PL-DECLINE-1 was declined: DECLINE - Do not honor' });
  const records = stack.infor.state().m3.cusext;
  expect([...records.values()].filter((r) => r.FILE === 'DECLINE')).toEqual([expect.objectContaining({ PK01: 'PL-DECLINE-1', A030: '102 DECLINE - Do not honor' })]);

  // the list shows it published, with today's event
  await page.goto(`${stack.gateway.url}/ui/#/flows`);
  const row = page.getByTestId('flow-list').locator('tr', { hasText: 'decline-notice' });
  await row.getByText('Pay page: card declined').waitFor();
  await row.getByRole('cell', { name: 'v1', exact: true }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'flows.png'), fullPage: true });
});

it('is operable from the keyboard: add after the selected node, connect from the panel, delete with the Delete key', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/flows?flow=decline-notice`);
  const email = page.locator('.react-flow__node', { hasText: 'email.send' });
  await email.waitFor();
  await email.focus();
  await page.keyboard.press('Enter'); // selects the focused node
  await page.getByTestId('step-panel').waitFor();
  await page.getByRole('button', { name: 'Add Webhook', exact: false }).press('Enter'); // added after the selected step
  expect(await yaml()).toMatch(/type: email\.send[\s\S]*type: webhook/);
  // the change, as a diff against what runs
  await page.getByTestId('flow-diff').locator('li', { hasText: 'webhook-publish' }).getByText('added').waitFor();
  const webhook = page.locator('.react-flow__node', { hasText: 'webhook' });
  await webhook.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Delete');
  await webhook.waitFor({ state: 'detached' });
  expect(await yaml()).not.toContain('webhook');
  await page.getByTestId('flow-diff').getByText('none: this is what runs').waitFor();
  // nothing selected: the step is added unconnected, and connected from its panel
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.getByRole('button', { name: 'Add Webhook', exact: false }).press('Enter');
  expect(await yaml()).not.toContain('webhook');
  const panel = page.getByTestId('step-panel');
  await panel.getByLabel('run after').selectOption({ label: 'E-mail' });
  await panel.getByRole('button', { name: 'Connect' }).click();
  expect(await yaml()).toMatch(/type: email\.send[\s\S]*type: webhook/);
  await panel.getByRole('button', { name: 'Delete step' }).click();
  expect(await yaml()).not.toContain('webhook');
  // every node carries a label for screen readers
  expect(await email.getAttribute('aria-label')).toContain('E-mail');
});

it('shows a viewer the flows without anything to edit', async () => {
  const context = await browser.newContext();
  const viewer = await context.newPage();
  viewer.setDefaultTimeout(10_000);
  await signInToOperatorApp(viewer, stack.gateway.url, 'viewer', 'Vera Viewer');
  await viewer.goto(`${stack.gateway.url}/ui/#/flows?flow=invoice-payment`);
  await viewer.locator('.react-flow__node').first().waitFor();
  expect(await viewer.getByRole('navigation', { name: 'step palette' }).count()).toBe(0);
  expect(await viewer.getByRole('button', { name: 'Publish', exact: true }).count()).toBe(0);
  expect(await viewer.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
  const status = await viewer.evaluate(async () => (await fetch('/admin/api/flows/invoice-payment/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"nope"}' })).status);
  expect(status).toBe(403);
  await context.close();
});

it('answers what an admin authors with problems at their place, never a 500', async () => {
  const call = (path: string, body: unknown) =>
    page.evaluate(
      async ([p, b]) => {
        const me = (await (await fetch('/admin/api/me')).json()) as { csrfToken: string };
        const res = await fetch(p as string, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify(b) });
        return { status: res.status, body: (await res.json()) as { valid?: boolean; problems?: Array<{ path: string; message: string; line?: number }>; code?: string; errors?: Array<{ field: string }> } };
      },
      [path, body] as const,
    );
  const broken = await call('/admin/api/flows/decline-notice/validate', { source: 'version: 1\nid: decline-notice\nsteps: [unclosed' });
  expect(broken.status).toBe(200);
  expect(broken.body.valid).toBe(false);
  expect(broken.body.problems![0]!.line).toBeGreaterThan(0);
  const wrongMoney = await call('/admin/api/flows/decline-notice/validate', {
    source: 'version: 1\nid: decline-notice\nname: x\ntriggers: [{ type: pay-page, on: declined }]\nsteps:\n  - id: payment\n    type: ledger.use-payment\n    input: { paymentId: event.paymentId }\n  - id: back\n    type: paytrace.refund\n    input: { transactionId: event.paytraceTransactionId, amount: event.amount * 1.1 }\n',
  });
  expect(wrongMoney.body.problems!.some((p) => p.path.startsWith('steps.1.input.amount') && /non-money expression/.test(p.message))).toBe(true);
  const badLayout = await call('/admin/api/flows/decline-notice/draft', { source: 'version: 1', layout: { positions: { a: { x: 'left' } } } });
  expect(badLayout.status).toBe(400);
  expect(badLayout.body.code).toBe('ADMIN_BAD_REQUEST');
  const refused = await call('/admin/api/flows/decline-notice/publish', { source: 'version: 1\nid: decline-notice\nsteps: []', reason: 'should not publish' });
  expect(refused.status).toBe(422);
  expect(refused.body.code).toBe('FLOW_DEFINITION_INVALID');
});

it('changes the GL mapping of the invoice-payment flow on the canvas; the diff shows it; paid invoices post with the new text', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/flows?flow=invoice-payment`);
  await page.reload();
  const gl = page.locator('.react-flow__node', { hasText: 'GL batch posted' });
  await gl.click();
  const panel = page.getByTestId('step-panel');
  await panel.getByLabel('input description').fill('"Card payment of invoice " & payment.ivno');
  await page.getByTestId('flow-diff').getByText('mapping input description: (none) → "Card payment of invoice " & payment.ivno').waitFor();
  await settled();
  await page.locator('.validation[data-state="valid"]').waitFor();
  await page.getByTestId('flow-diff').screenshot({ path: path.join(SHOTS, 'flow-builder-diff.png') });
  // what the export writes keeps the file's comments (only the steps changed)
  expect(await yaml()).toMatch(/^# Flow 2 — an invoice paid through a payment link/);
  await page.getByLabel('publish reason').fill('GL voucher text names the invoice');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByRole('status').getByText('Published v2', { exact: false }).waitFor();

  const invoice = await newInvoice(stack, '88.20', 'C10001');
  const payment = await handOverChargedInvoice(stack, { ivno: invoice.ivno, amount: '88.20', cuno: 'C10001' });
  await eventually(async () => (await stack.gateway.services.db('payments').where({ id: payment.id }).first<{ status: string }>())?.status === 'completed', 30_000, 'the payment completed');
  const batches = JSON.stringify([...stack.infor.state().m3.glBatches.values()]);
  expect(batches).toContain(`Card payment of invoice ${invoice.ivno}`);
});

it('edits compensation steps on the canvas: added from a step\'s "If it fails", mapped, renamed with its reference, saved, deleted', async () => {
  await page.goto(`${stack.gateway.url}/ui/#/flows?flow=invoice-payment`);
  await page.reload();
  await page.locator('.react-flow__node', { hasText: 'GL batch posted' }).click();
  const panel = page.getByTestId('step-panel');
  await panel.getByText('If it fails').click(); // closed while the step keeps the defaults
  await panel.getByText('retried on outages · dead letter · nothing undone').waitFor();
  await panel.getByLabel('new compensation step type').selectOption('email.send');
  await panel.getByRole('button', { name: 'Add compensation step' }).click();
  // the new compensation is selected, drawn dashed apart from the run's path, fed by "if it fails"
  const comp = page.locator('.react-flow__node', { hasText: 'compensation: runs only when a step it undoes fails' });
  await comp.waitFor();
  expect(await comp.getAttribute('aria-label')).toContain('compensation');
  expect(await page.locator('.react-flow__edge.compensation-edge').count()).toBe(1);
  await panel.getByLabel('input to').fill('"ap@northwind.example"');
  await panel.getByLabel('input subject').fill('"GL posting failed"');
  await panel.getByLabel('input text').fill('"Payment " & payment.id & " of invoice " & payment.ivno & " is not in the GL"');
  await panel.getByLabel('step id').fill('tell-ap');
  expect(await yaml()).toMatch(/- id: gl[\s\S]*onError:\s*\n\s*compensate:\s*\n\s*- tell-ap[\s\S]*compensations:\s*\n\s*- id: tell-ap\s*\n\s*type: email\.send/);
  await page.getByTestId('flow-diff').locator('li', { hasText: 'tell-ap' }).getByText('added').waitFor();
  await settled();
  await page.locator('.validation[data-state="valid"]').waitFor();
  await page.locator('.react-flow__node', { hasText: 'GL batch posted' }).click();
  await panel.getByText('undone by tell-ap').waitFor(); // the step's policy, open now that it names a compensation
  await panel.getByRole('button', { name: 'Add compensation step' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'flow-builder-compensation.png') });
  await comp.click();
  // an input the validator refuses goes on the compensation's node like on any other
  await panel.getByLabel('input text').fill('steps.nope.x');
  await comp.locator('.flow-node.has-errors').waitFor();
  await panel.getByLabel('input text').fill('"Payment " & payment.id & " is not in the GL"');
  await settled();
  await page.locator('.validation[data-state="valid"]').waitFor();
  await page.getByRole('button', { name: 'Save draft' }).click();
  await eventually(async () => {
    const draft = await stack.gateway.services.db('flow_versions').where({ flow_id: 'invoice-payment', status: 'draft' }).first<{ source: string } | undefined>('source');
    return draft?.source.includes('- id: tell-ap') ? draft : undefined;
  }, 10_000, 'the draft with the compensation');
  // deleted from the keyboard: the node, the step and the reference go together
  await comp.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Delete');
  await comp.waitFor({ state: 'detached' });
  expect(await yaml()).not.toMatch(/tell-ap|compensations:/);
});

it("edits a BOD trigger's event mapping in the flow settings, field by field, checked by the validator", async () => {
  await page.goto(`${stack.gateway.url}/ui/#/flows?flow=invoice-links`);
  await page.reload();
  await page.getByTestId('node-trigger').click();
  const settings = page.getByTestId('flow-settings');
  const terms = settings.getByLabel('event paymentTerms');
  expect(await terms.inputValue()).toBe('noun.paymentTermCode');
  // a broken expression: refused at its field, and nothing can be published
  await terms.fill('noun.paymentTermCode &');
  await settings.getByLabel('event ivno').focus(); // the field commits when it is left
  await settings.locator('label.mapping.invalid', { hasText: 'paymentTerms' }).getByText('not a valid expression', { exact: false }).waitFor();
  await terms.fill('noun.paymentTermCode ? noun.paymentTermCode : "30"');
  await settings.getByLabel('event ivno').focus();
  await settled();
  await page.locator('.validation[data-state="valid"]').waitFor();
  expect(await yaml()).toContain(`paymentTerms: 'noun.paymentTermCode ? noun.paymentTermCode : "30"'`);
  // a new field, then emptied: it goes again
  await settings.getByLabel('trigger 1 new event field').fill('reference');
  await settings.getByRole('button', { name: 'Add event field' }).click();
  await settings.getByLabel('event reference').fill('noun.customerReference');
  await settings.getByLabel('event ivno').focus();
  await eventually(async () => (await yaml())?.includes('reference: noun.customerReference'), 5_000, 'the new field in the YAML');
  await page.getByTestId('flow-diff').getByText('triggers:', { exact: false }).waitFor();
  await settings.getByLabel('event reference').fill('');
  await settings.getByLabel('event ivno').focus();
  await eventually(async () => !(await yaml())?.includes('reference: noun.customerReference'), 5_000, 'the field gone from the YAML');
});
