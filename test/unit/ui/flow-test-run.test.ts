import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StepTrace, TestRunResult } from '../../../gateway/src/admin/flow-test-run-types';
import { parseDefinition, TRIGGER_NODE } from '../../../gateway/ui/src/flows/model';
import { errorText, nodeRuns, preview, runFits } from '../../../gateway/ui/src/flows/test-run';

/** A test run's trace on the canvas: what each node did, and which nodes the run never reached. */
const yaml = readFileSync(path.join(__dirname, '..', '..', '..', 'mappings', 'flows', 'invoice-links.yaml'), 'utf8');
const def = parseDefinition(readFileSync(path.join(__dirname, '..', '..', '..', 'mappings', 'flows', 'invoice-links.yaml'), 'utf8')).def!;
const ran = (stepId: string, extra: Partial<StepTrace> = {}): StepTrace => ({ stepId, type: 'x', name: stepId, outcome: 'succeeded', input: {}, output: {}, ms: 3, ...extra });
const result = (outcome: TestRunResult['outcome'], trace: StepTrace[]): TestRunResult => ({ flowId: 'invoice-links', outcome, startedAt: '2026-12-05T00:00:00Z', ms: 10, timeLimitMs: 60_000, trace });
const outcomes = (r: TestRunResult) => Object.fromEntries([...nodeRuns(def, r, { ivno: '1' })].map(([id, run]) => [id, run.outcome]));

it('marks the branch taken, the steps of the other branches not reached, and a failed step with the steps after it', () => {
  const r = result('failed', [ran('linked'), ran('invoice'), ran('customer', { outcome: 'failed', error: { code: 'M3_NOK', errorClass: 'business', message: 'CRS610MI/GetBasicData: Customer number is invalid' } })]);
  const runs = nodeRuns(def, r, { ivno: '1' });
  expect(outcomes(r)).toEqual({
    [TRIGGER_NODE]: 'started', linked: 'succeeded', triage: 'taken', 'not-linked': 'not-reached', invoice: 'succeeded', customer: 'failed',
    qualify: 'not-reached', decision: 'not-reached', link: 'not-reached', email: 'not-reached', record: 'not-reached', review: 'not-reached',
  });
  expect(runs.get('triage')!.note).toBe('took: otherwise');
  expect(runs.get('customer')!.note).toBe('M3_NOK: CRS610MI/GetBasicData: Customer number is invalid');
  expect(runs.get('qualify')!.note).toBe('the run failed at customer');
  expect(runs.get('not-linked')!.note).toBe('a branch not taken');
  expect(runs.get(TRIGGER_NODE)!.note).toBe('event: {"ivno":"1"}');
});

it('a run that ended well: a branch whose steps did not run is taken without steps only when the run went on', () => {
  const done = result('done', [ran('linked'), ran('invoice'), ran('customer'), ran('qualify')]);
  expect(outcomes(done)).toMatchObject({ qualify: 'succeeded', decision: 'taken', link: 'not-reached', review: 'not-reached' });
  expect(nodeRuns(def, done, {}).get('decision')!.note).toBe('took a branch without steps');
  // on the time limit the same place means "not reached"
  expect(outcomes(result('timeout', [ran('linked'), ran('invoice'), ran('customer'), ran('qualify')]))).toMatchObject({ decision: 'not-reached' });
  expect(outcomes(result('timeout', [ran('linked')]))).toMatchObject({ linked: 'succeeded', triage: 'not-reached', invoice: 'not-reached' });
});

it('previews a value on one line, cut', () => {
  expect(preview({ a: 'x'.repeat(200) }, 20)).toBe('{"a":"xxxxxxxxxxxxx…');
  expect(preview(undefined)).toBe('–');
  expect(preview('75.50')).toBe('"75.50"');
});

it('says an error with the other system\'s own code', () => {
  expect(errorText({ code: 'M3_NOK', errorClass: 'business', message: 'GLS840MI/AddBatchHead: Interface is invalid', said: { m3Code: 'XIM0002', field: 'INTN' } })).toBe('GLS840MI/AddBatchHead: Interface is invalid (M3 XIM0002 on INTN)');
  expect(errorText({ code: 'PAYTRACE_DECLINED', errorClass: 'business', message: 'Your transaction was not approved.', said: { responseCode: '102' } })).toBe('Your transaction was not approved. (PayTrace response 102)');
  expect(errorText({ code: 'X', errorClass: 'bug', message: 'plain' })).toBe('plain');
});

it('a cancelled run: the steps after the last one that ran are not reached, "cancelled before it"', () => {
  const runs = nodeRuns(def, result('cancelled', [ran('linked'), ran('invoice'), ran('customer')]), {});
  expect(runs.get('customer')!.outcome).toBe('succeeded');
  expect(runs.get('qualify')).toMatchObject({ outcome: 'not-reached', note: 'the run was cancelled before it' });
  expect(runs.get('decision')!.outcome).toBe('not-reached');
});

it('a kept run fits the canvas when its text is the same, or its steps are (ids, types, branches); not when a step was added, removed or retyped', () => {
  expect(runFits(yaml, yaml, def)).toBe('same');
  // an input changed: the same steps
  const edited = yaml.replace('ivno: event.ivno', 'ivno: $string(event.ivno)');
  expect(edited).not.toBe(yaml);
  expect(runFits(edited, yaml, def)).toBe('same-steps');
  const added = parseDefinition(yaml).def!;
  added.steps = [...added.steps, { id: 'extra', type: 'map', input: { n: '1' } }];
  expect(runFits(yaml, 'other text', added)).toBe('steps-differ');
  const retyped = parseDefinition(yaml).def!;
  retyped.steps = retyped.steps.map((s) => (s.id === 'linked' ? { ...s, type: 'map' } : s));
  expect(runFits(yaml, 'other text', retyped)).toBe('steps-differ');
  expect(runFits('not: [yaml', 'other text', def)).toBe('steps-differ');
});
