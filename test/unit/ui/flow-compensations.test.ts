import { compileFlow } from '../../../gateway/src/pipeline/definitions/compile';
import { stepCatalogue } from '../../../gateway/src/steps';
import { triggerCatalogue } from '../../../gateway/src/triggers/catalogue';
import { freshId, parseDefinition, problemsByStep, serialize, toGraph, TRIGGER_NODE, type Snapshot } from '../../../gateway/ui/src/flows/model';

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
