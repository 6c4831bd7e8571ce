import { compileFlow } from '../../../gateway/src/pipeline/definitions/compile';
import { stepCatalogue } from '../../../gateway/src/steps';
import { triggerCatalogue } from '../../../gateway/src/triggers/catalogue';
import { diffFlows } from '../../../gateway/ui/src/flows/diff';
import { addCompensation, findStep, freshId, parseDefinition, problemsByStep, remove, serialize, toGraph, TRIGGER_NODE, update, type Snapshot } from '../../../gateway/ui/src/flows/model';

/**
 * Compensation steps on the canvas: apart from the run's path (nodes marked as compensations, fed
 * by "if it fails" edges from the steps whose onError.compensate names them, or from the trigger
 * for the flow's own policy), with the validator's problems on them, and the file unchanged.
 */
const TEXT = `version: 1
id: refund-with-undo
name: Refund with undo
triggers: [{ type: pay-page, on: declined }]
onError: { compensate: [tell-ops] }
steps:
  - id: payment
    type: ledger.use-payment
    input: { paymentId: event.paymentId }
  - id: back
    type: paytrace.refund
    input: { transactionId: payment.paytrace_transaction_id, amount: payment.amount }
    onError: { compensate: [undo-note, tell-ops] }
compensations:
  - id: undo-note
    type: email.send
    input: { to: '"ops@example.com"', subject: '"refund failed"', text: payment.cuno }
  - id: tell-ops
    type: webhook.publish
    input: { type: '"refund.failed"', data: '{"id": payment.id}' }
`;
const snapshot = (): Snapshot => ({ def: parseDefinition(TEXT).def!, loose: [], positions: {} });

it('draws each compensation as its own node, fed by the steps that name it (dashed "if it fails" edges)', () => {
  const graph = toGraph(snapshot());
  const comp = graph.nodes.filter((n) => n.compensation);
  expect(comp.map((n) => [n.id, n.path])).toEqual([['undo-note', 'compensations.0'], ['tell-ops', 'compensations.1']]);
  const failureEdges = graph.edges.filter((e) => e.compensation).map((e) => [e.source, e.target, e.label]);
  expect(failureEdges).toEqual([
    ['back', 'undo-note', 'if it fails'],
    ['back', 'tell-ops', 'if it fails'],
    [TRIGGER_NODE, 'tell-ops', 'if any step fails'],
  ]);
  // the run's path is unchanged: trigger → payment → back, and nothing runs after a compensation
  expect(graph.edges.filter((e) => !e.compensation).map((e) => [e.source, e.target])).toEqual([[TRIGGER_NODE, 'payment'], ['payment', 'back']]);
});

it('puts the validator\'s problems of a compensation on its node, and writes the file back unchanged', () => {
  const broken = TEXT.replace("text: payment.cuno", "text: steps.nope.x");
  const { problems } = compileFlow('refund-with-undo.yaml', broken, { catalogue: stepCatalogue(), triggers: triggerCatalogue() });
  const s: Snapshot = { def: parseDefinition(broken).def!, loose: [], positions: {} };
  const { byStep } = problemsByStep(s, problems);
  expect(byStep.get('undo-note')?.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringContaining('there is no step "nope"')]));
  expect(serialize(snapshot().def, { text: TEXT, def: parseDefinition(TEXT).def! })).toBe(TEXT);
});

it('never gives a new step the id of a compensation', () => {
  expect(freshId(snapshot(), 'tell-ops')).toBe('tell-ops-2');
});

describe('editing compensations on the canvas', () => {
  const compile = (s: Snapshot) => compileFlow('refund-with-undo.yaml', serialize(s.def, undefined), { catalogue: stepCatalogue(), triggers: triggerCatalogue() });
  // the fixture's refund step lacks inputs of its own: an edit must add no error beyond those
  const errors = (s: Snapshot) => compile(s).problems.filter((p) => p.severity !== 'warning' && !p.path.startsWith('steps.1.input')).map((p) => `${p.path}: ${p.message}`);

  it('adds a compensation for a step: it joins compensations and the step\'s onError names it; the trigger\'s goes to the flow\'s own policy', () => {
    const added = addCompensation(snapshot(), 'payment', { id: 'note-payment', type: 'email.send', input: { to: '"ops@example.com"', subject: '"payment step failed"', text: 'event.paymentId' } });
    expect(added.def.compensations!.map((c) => c.id)).toEqual(['undo-note', 'tell-ops', 'note-payment']);
    expect(findStep(added, 'payment')!.step.onError).toEqual({ compensate: ['note-payment'] });
    expect(findStep(added, 'note-payment')).toEqual({ step: expect.objectContaining({ id: 'note-payment' }), loose: false, compensation: true });
    expect(toGraph(added).edges).toContainEqual(expect.objectContaining({ source: 'payment', target: 'note-payment', label: 'if it fails' }));
    expect(errors(added)).toEqual([]);

    const flowLevel = addCompensation(snapshot(), TRIGGER_NODE, { id: 'page-ops', type: 'webhook.publish', input: { type: '"flow.failed"', data: '{"id": event.paymentId}' } });
    expect(flowLevel.def.onError).toEqual({ compensate: ['tell-ops', 'page-ops'] });
    expect(errors(flowLevel)).toEqual([]);
  });

  it('edits a compensation in place, and a new id follows into every onError that names it', () => {
    const s = snapshot();
    const renamed = update(s, 'tell-ops', { ...findStep(s, 'tell-ops')!.step, id: 'page-ops', name: 'Page ops' });
    expect(renamed.def.compensations!.map((c) => c.id)).toEqual(['undo-note', 'page-ops']);
    expect(renamed.def.onError).toEqual({ compensate: ['page-ops'] });
    expect(findStep(renamed, 'back')!.step.onError).toEqual({ compensate: ['undo-note', 'page-ops'] });
    expect(errors(renamed)).toEqual([]);
    // the step list itself is untouched, and the first snapshot is not changed (undo keeps it)
    expect(renamed.def.steps).toEqual(s.def.steps.map((x) => (x.id === 'back' ? { ...x, onError: { compensate: ['undo-note', 'page-ops'] } } : x)));
    expect(s.def.onError).toEqual({ compensate: ['tell-ops'] });
  });

  it('deletes a compensation and every reference to it; the last one takes the compensations list with it', () => {
    const one = remove(snapshot(), 'tell-ops');
    expect(one.def.onError).toBeUndefined(); // nothing left in the flow's policy: it goes
    expect(findStep(one, 'back')!.step.onError).toEqual({ compensate: ['undo-note'] });
    expect(errors(one)).toEqual([]);
    const none = remove(one, 'undo-note');
    expect(none.def.compensations).toBeUndefined();
    expect(findStep(none, 'back')!.step.onError).toBeUndefined();
    expect(serialize(none.def, undefined)).not.toMatch(/undo-note|tell-ops/);
    expect(errors(none)).toEqual([]);
  });

  it('shows compensation steps in the diff against the published version', () => {
    const published = snapshot().def;
    const edited = update(addCompensation(snapshot(), 'payment', { id: 'note-payment', type: 'email.send', input: { to: '"ops@example.com"', subject: '"x"', text: '"y"' } }), 'undo-note', { ...findStep(snapshot(), 'undo-note')!.step, input: { to: '"ops@example.com"', subject: '"refund failed"', text: 'payment.ivno' } });
    const changes = diffFlows(published, edited.def);
    expect(changes).toEqual(expect.arrayContaining([
      { kind: 'added', step: 'note-payment', what: 'note-payment (email.send)' },
      { kind: 'changed', step: 'payment', what: 'on error: (none) → {"compensate":["note-payment"]}' },
      { kind: 'changed', step: 'undo-note', what: 'mapping input text: payment.cuno → payment.ivno' },
    ]));
    expect(diffFlows(published, remove(snapshot(), 'undo-note').def)).toContainEqual({ kind: 'removed', step: 'undo-note', what: 'undo-note (email.send)' });
  });
});
