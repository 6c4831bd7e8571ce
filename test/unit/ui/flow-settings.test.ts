import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileFlow } from '../../../gateway/src/pipeline/definitions/compile';
import { stepCatalogue } from '../../../gateway/src/steps';
import { triggerCatalogue } from '../../../gateway/src/triggers/catalogue';
import { withFlowKey, withTrigger } from '../../../gateway/ui/src/flows/flow-settings';
import { parseDefinition, serialize } from '../../../gateway/ui/src/flows/model';

/** The flow-settings panel's edits: into the definition, written to the file, checked by the kernel's compiler. */
const deps = { catalogue: stepCatalogue(), triggers: triggerCatalogue() };
const text = readFileSync(path.join(__dirname, '..', '..', '..', 'mappings', 'flows', 'invoice-payment.yaml'), 'utf8');
const def = parseDefinition(text).def!;
const write = (d: typeof def) => serialize(d, { text, def });
const errors = (yaml: string) => compileFlow('invoice-payment.yaml', yaml, deps).problems.filter((p) => p.severity !== 'warning').map((p) => [p.path, p.message]);

it('sets a key: the definition changes by that key only, the comments stay, and the compiler takes it', () => {
  const out = write(withFlowKey(def, 'aggregateKey', '"invoice:" & event.ivno'));
  expect(out).toContain(`aggregateKey: '"invoice:" & event.ivno'`);
  // the rest of the definition is as it was, and the file's comments are kept
  expect(parseDefinition(out).def).toEqual({ ...def, aggregateKey: '"invoice:" & event.ivno' });
  expect(out.startsWith(text.split('\n').slice(0, 2).join('\n'))).toBe(true);
  expect(errors(out)).toEqual([]);
  expect(compileFlow('invoice-payment.yaml', out, deps).flow!.definition.aggregateKey).toBe('"invoice:" & event.ivno');
});

it('answers a broken key at its path, as it answers a step', () => {
  expect(errors(write(withFlowKey(def, 'aggregateKey', '"invoice:" &')))).toEqual([['aggregateKey', expect.stringContaining('not a valid expression')]]);
  expect(errors(write(withFlowKey(def, 'concurrency', 'many')))).toEqual([['concurrency', expect.any(String)]]);
  expect(errors(write(withFlowKey(def, 'concurrency', '8')))).toEqual([]);
  expect(errors(write(withFlowKey(def, 'runKey', 'steps.payment.id')))).toEqual([['runKey', 'runKey is computed when the run starts, before any step: "steps" is not there yet (it may read event, trigger, settings, scope)']]);
  expect(errors(write(withFlowKey(def, 'aggregateKey', 'payment.ivno')))).toEqual([['aggregateKey', 'aggregateKey is computed when the trigger is stored: "payment" is not there yet (it may read event, trigger, settings)']]);
});

it('removes a key when emptied, and a scope left empty altogether', () => {
  const noCompany = withFlowKey(def, 'scope.company', '');
  expect(noCompany.scope).toEqual({ division: 'payment.divi' });
  expect(withFlowKey(noCompany, 'scope.division', '').scope).toBeUndefined();
  expect(write(withFlowKey(def, 'aggregateKey', ''))).not.toContain('aggregateKey');
});

it('changes a trigger (keeping its event mapping for the same type), adds and removes one', () => {
  const declined = withTrigger(def, 0, { type: 'pay-page', on: 'declined' } as never);
  expect(declined.triggers).toEqual([{ type: 'pay-page', on: 'declined' }]);
  expect(errors(write(declined))).toEqual([]);
  const twice = withTrigger(def, 1, { type: 'pay-page', on: 'charged' } as never);
  expect(errors(write(twice))).toEqual([['triggers.1', 'the flow has the trigger pay-page:charged twice']]);
  expect(withTrigger(twice, 1, undefined).triggers).toEqual(def.triggers);
});
