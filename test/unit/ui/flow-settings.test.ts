import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileFlow } from '../../../gateway/src/pipeline/definitions/compile';
import { stepCatalogue } from '../../../gateway/src/steps';
import { triggerCatalogue } from '../../../gateway/src/triggers/catalogue';
import { withEvent, withEventField, withFlowKey, withTrigger } from '../../../gateway/ui/src/flows/flow-settings';
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

describe("a BOD trigger's event mapping (invoice-links.yaml)", () => {
  const linksText = readFileSync(path.join(__dirname, '..', '..', '..', 'mappings', 'flows', 'invoice-links.yaml'), 'utf8');
  const links = parseDefinition(linksText).def!;
  const writeLinks = (d: typeof links) => serialize(d, { text: linksText, def: links });
  const linkErrors = (yaml: string) => compileFlow('invoice-links.yaml', yaml, deps).problems.filter((p) => p.severity !== 'warning').map((p) => [p.path, p.message]);
  const eventOf = (d: typeof links, i = 0) => (d.triggers[i] as { event?: Record<string, unknown> }).event!;

  it('changes one field: only that field of the mapping, the rest of the file as it was, and the compiler takes it', () => {
    const out = writeLinks(withEventField(links, 0, 'paymentTerms', 'noun.paymentTermCode ? noun.paymentTermCode : "30"'));
    expect(eventOf(parseDefinition(out).def!)).toEqual({ ...eventOf(links), paymentTerms: 'noun.paymentTermCode ? noun.paymentTermCode : "30"' });
    expect(parseDefinition(out).def).toEqual({ ...links, triggers: [{ ...links.triggers[0], event: { ...eventOf(links), paymentTerms: 'noun.paymentTermCode ? noun.paymentTermCode : "30"' } }, links.triggers[1]] });
    expect(out.startsWith(linksText.split('\n').slice(0, 2).join('\n'))).toBe(true); // the file's head comment stays
    // only the field's own node is written anew: the comments beside its siblings stay, and each other line of the mapping is as it was
    for (const comment of ['# the BOD\'s elements as the flow\'s invoice event', '# the accounting entity "100_AAA" names company and division', '# M3 writes a credit note as an invoice with a negative amount']) expect(out).toContain(comment);
    const mappingLines = (t: string) => t.split('\n').filter((l) => /^ {6}\w+:/.test(l));
    expect(mappingLines(out).filter((l) => !mappingLines(linksText).includes(l))).toEqual([`      paymentTerms: 'noun.paymentTermCode ? noun.paymentTermCode : "30"'`]);
    expect(linkErrors(out)).toEqual([]);
  });

  it('adds a field at the end, renames one in its place, removes one; the last one out takes the mapping with it', () => {
    const added = withEventField(links, 0, 'reference', 'noun.customerReference');
    expect(Object.keys(eventOf(added)).at(-1)).toBe('reference');
    const renamed = withEventField(links, 0, 'status', 'noun.status', 'invoiceStatus');
    expect(Object.keys(eventOf(renamed))).toEqual(Object.keys(eventOf(links)).map((k) => (k === 'status' ? 'invoiceStatus' : k)));
    const removed = withEventField(links, 0, 'paymentTerms', undefined);
    expect(eventOf(removed)).not.toHaveProperty('paymentTerms');
    let none = links;
    for (const field of Object.keys(eventOf(links))) none = withEventField(none, 0, field, undefined);
    expect((none.triggers[0] as { event?: unknown }).event).toBeUndefined();
    // a whole mapping written as one expression is replaced as one
    expect((withEvent(links, 0, 'noun').triggers[0] as { event?: unknown }).event).toBe('noun');
  });

  it('answers a broken field at its path', () => {
    const problems = linkErrors(writeLinks(withEventField(links, 0, 'ivno', 'noun.id.value &')));
    expect(problems).toEqual(expect.arrayContaining([['triggers.0.event.ivno', expect.stringContaining('not a valid expression')]]));
  });
});
