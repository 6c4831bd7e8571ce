import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diffFlows } from '../../../gateway/ui/src/flows/diff';
import { addLoose, connect, newStep, parseDefinition, problemsByStep, remove, serialize, toGraph, TRIGGER_NODE, AFTER_HANDLE, update, type Definition, type Snapshot } from '../../../gateway/ui/src/flows/model';
import { flowCatalogue } from '../../../gateway/src/admin/flow-builder';
import { compileFlow } from '../../../gateway/src/pipeline/definitions/compile';
import { stepCatalogue } from '../../../gateway/src/steps';
import { triggerCatalogue } from '../../../gateway/src/triggers/catalogue';

/** The flow builder's model: definition ⇄ graph, the canvas's edits, and the YAML it writes. */
const deps = { catalogue: stepCatalogue(), triggers: triggerCatalogue() };
const catalogue = flowCatalogue(deps);
const entry = (type: string) => catalogue.steps.find((s) => s.type === type)!;
const FLOWS = path.join(__dirname, '..', '..', '..', 'mappings', 'flows');

function snapshotOf(text: string): Snapshot {
  return { def: parseDefinition(text).def!, loose: [], positions: {} };
}
const empty = (): Snapshot => ({ def: { version: 1, id: 'decline-notice', name: 'Decline notice', triggers: [{ type: 'pay-page', on: 'declined' }], steps: [] } as Definition, loose: [], positions: {} });

it('draws every shipped flow: one node per step plus the trigger, and writes the file back byte for byte', () => {
  for (const file of ['invoice-payment.yaml', 'refund.yaml', 'ecommerce-sale.yaml', 'customer-sync.yaml']) {
    const text = readFileSync(path.join(FLOWS, file), 'utf8');
    const s = snapshotOf(text);
    const graph = toGraph(s);
    // compensations are nodes too (drawn apart): every step of the file is one
    expect(graph.nodes.length).toBe((text.match(/^\s+- id: /gm) ?? []).length + 1);
    expect(graph.edges.every((e) => graph.nodes.some((n) => n.id === e.source) && graph.nodes.some((n) => n.id === e.target))).toBe(true);
    expect(serialize(s.def, { text, def: parseDefinition(text).def! })).toBe(text);
  }
});

it('places a dropped step only when connected, after the node it is connected from', () => {
  let s = empty();
  const email = newStep(s, entry('email.send'));
  s = addLoose(s, email, { x: 10, y: 20 });
  expect(s.def.steps).toEqual([]);
  expect(toGraph(s).nodes.find((n) => n.id === email.id)?.loose).toBe(true);
  s = connect(s, TRIGGER_NODE, email.id)!;
  expect(s.def.steps.map((x) => x.id)).toEqual(['email-send']);
  const hook = newStep(s, entry('webhook.publish'));
  s = connect(addLoose(s, hook, { x: 0, y: 0 }), TRIGGER_NODE, hook.id)!;
  expect(s.def.steps.map((x) => x.id)).toEqual(['webhook-publish', 'email-send']);
  // moving a placed step: the e-mail now runs first
  s = connect(s, TRIGGER_NODE, 'email-send')!;
  expect(s.def.steps.map((x) => x.id)).toEqual(['email-send', 'webhook-publish']);
  expect(connect(s, 'email-send', 'email-send')).toBeUndefined();
  expect(connect(s, 'email-send', TRIGGER_NODE)).toBeUndefined();
});

it('adds branches from a branch node, steps after it from its "after" handle, and refuses loops', () => {
  let s = empty();
  const branch = newStep(s, entry('branch'));
  s = connect(addLoose(s, branch, { x: 0, y: 0 }), TRIGGER_NODE, branch.id)!;
  const a = newStep(s, entry('email.send'));
  s = connect(addLoose(s, a, { x: 0, y: 0 }), branch.id, a.id)!;
  expect(s.def.steps[0]!.branches!.map((b) => b.steps.map((x) => x.id))).toEqual([[], ['email-send']]);
  const b = newStep(s, entry('webhook.publish'));
  s = connect(addLoose(s, b, { x: 0, y: 0 }), branch.id, b.id, AFTER_HANDLE)!;
  expect(s.def.steps.map((x) => x.id)).toEqual(['branch', 'webhook-publish']);
  expect(connect(s, 'email-send', 'branch')).toBeUndefined(); // a branch cannot run after a step inside it
  s = remove(s, 'branch');
  expect(s.def.steps.map((x) => x.id)).toEqual(['webhook-publish']);
});

it('puts the validator\'s problems on the step they are about, the rest on the flow', () => {
  let s = empty();
  const email = newStep(s, entry('email.send'));
  s = connect(addLoose(s, email, { x: 0, y: 0 }), TRIGGER_NODE, email.id)!;
  const text = serialize(s.def, undefined);
  const { problems } = compileFlow('decline-notice.yaml', text, deps);
  const { byStep, flow } = problemsByStep(s, problems);
  expect(byStep.get('email-send')!.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringContaining('input "to" is required by email.send')]));
  expect(flow).toEqual([]);
  expect(problemsByStep(empty(), compileFlow('decline-notice.yaml', serialize(empty().def, undefined), deps).problems).flow.length).toBeGreaterThan(0);
});

it('keeps the file\'s comments outside what changed', () => {
  const text = readFileSync(path.join(FLOWS, 'invoice-payment.yaml'), 'utf8');
  const s = snapshotOf(text);
  const changed = remove(s, 'paid');
  const out = serialize(changed.def, { text, def: s.def });
  expect(out.startsWith('# Flow 2')).toBe(true);
  expect(out).not.toContain('id: paid\n');
  expect(compileFlow('invoice-payment.yaml', out, deps).flow).toBeDefined();
});

it('changes only the lines of what was edited: folded texts and flow lists elsewhere keep the file\'s own text', () => {
  const files = ['invoice-payment.yaml', 'refund.yaml', 'ecommerce-sale.yaml', 'customer-sync.yaml', 'chargeback.yaml', 'invoice-links.yaml', 'invoice-link-reminders.yaml', 'paytrace-event.yaml'];
  let renamed = 0;
  for (const file of files) {
    const text = readFileSync(path.join(FLOWS, file), 'utf8');
    // the shipped files fold their descriptions and write short lists and maps in brackets, both ways
    if (file === 'invoice-links.yaml') expect(text).toMatch(/\[USD\][\s\S]*\{ min: /);
    expect(text).toMatch(/^description: >-\n/m);
    const def = parseDefinition(text).def!;
    def.steps.forEach((step, i) => {
      if (!step.name) return;
      const changed = structuredClone(def);
      changed.steps[i]!.name = 'Renamed by the test';
      const before = text.split('\n');
      const after = serialize(changed, { text, def }).split('\n');
      expect(after.length).toBe(before.length);
      const differing = after.flatMap((line, n) => (line === before[n] ? [] : [`${before[n]} → ${line}`]));
      expect(differing).toEqual([`${before.find((l) => l.trim() === `name: ${step.name}` || l.includes(`name: ${JSON.stringify(step.name)}`) || l.includes(`name: '${step.name}'`)) ?? '?'} → ${after.find((l) => l.includes('Renamed by the test'))}`]);
      renamed++;
    });
  }
  expect(renamed).toBeGreaterThan(30);
});

it('writes what reads as the definition after any step is removed, the file\'s folded texts kept', () => {
  for (const file of ['invoice-payment.yaml', 'refund.yaml', 'chargeback.yaml', 'invoice-links.yaml']) {
    const text = readFileSync(path.join(FLOWS, file), 'utf8');
    const s = snapshotOf(text);
    const description = /^description: >-\n(?: {2}.*\n)+/m.exec(text)![0];
    for (const step of s.def.steps) {
      const changed = remove(s, step.id);
      const out = serialize(changed.def, { text, def: s.def });
      expect(parseDefinition(out).def).toEqual(changed.def);
      expect(out).toContain(description);
    }
  }
});

it('offers the palette every step type with its inputs, and the trigger samples per option', () => {
  expect(entry('email.send').inputs.filter((i) => i.required).map((i) => i.name)).toEqual(['to', 'subject', 'text']);
  expect(catalogue.steps.some((s) => s.type === 'm3.call')).toBe(true);
  expect(catalogue.triggers.find((t) => t.type === 'pay-page')!.samples.map((x) => x.claim)).toEqual(['pay-page:charged', 'pay-page:declined']);
});

describe('semantic diff against the published version', () => {
  const text = readFileSync(path.join(FLOWS, 'invoice-payment.yaml'), 'utf8');
  const published = parseDefinition(text).def!;

  it('names steps added and removed, mappings and conditions changed — and nothing else', () => {
    let s = snapshotOf(text);
    expect(diffFlows(published, s.def)).toEqual([]);
    s = remove(s, 'paid');
    const email = newStep(s, entry('email.send'));
    s = connect(addLoose(s, email, { x: 0, y: 0 }), 'receipt', email.id)!;
    const receipt = s.def.steps.find((x) => x.id === 'receipt')!;
    s = update(s, 'receipt', { ...receipt, input: { ...receipt.input, paymentType: '"CH"' } });
    const changes = diffFlows(published, s.def);
    expect(changes).toEqual(
      expect.arrayContaining([
        { kind: 'removed', step: 'paid', what: expect.stringContaining('flow.require') },
        { kind: 'added', step: 'email-send', what: 'E-mail (email.send)' },
        { kind: 'changed', step: 'receipt', what: 'mapping input paymentType: settings.receiptPaymentType → "CH"' },
      ]),
    );
    expect(changes).toHaveLength(3); // the steps after "paid" and "email-send" did not "move"
  });

  it('names a changed branch condition', () => {
    let s = empty();
    const branch = newStep(s, entry('branch'));
    s = connect(addLoose(s, branch, { x: 0, y: 0 }), TRIGGER_NODE, branch.id)!;
    const before = structuredClone(s.def);
    const b = s.def.steps[0]!;
    s = update(s, 'branch', { ...b, branches: [{ ...b.branches![0]!, when: 'event.amount > "100"' }] });
    expect(diffFlows(before, s.def)).toEqual([{ kind: 'changed', step: 'branch', what: 'branch condition "when…": true → "when…": event.amount > "100"' }]);
  });
});
