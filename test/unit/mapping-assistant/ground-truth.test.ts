import { loadRules } from '../../../gateway/src/domain/rules-loader';
import { loadGroundTruth } from '../../../gateway/src/mapping-assistant/ground-truth';
import { flattenSample } from '../../../gateway/src/mapping-assistant/source';

/** The labelled ground truth the benchmark reports on, and its place in mappings/. */
it('the rules loader still loads mappings/ with the ground-truth subfolder in it', async () => {
  const rules = await loadRules('mappings');
  expect(rules.files.map((f) => f.file)).not.toContain('ground-truth');
});

it('is split by operation, covers the flows’ transactions and at least as many others, and every label names a path of its sample', async () => {
  const cases = await loadGroundTruth();
  const bySplit = (s: string) => cases.filter((c) => c.split === s).map((c) => c.target);
  expect(bySplit('tune').filter((t) => bySplit('held-out').includes(t))).toEqual([]);
  const m3 = cases.filter((c) => c.target.startsWith('m3:'));
  const flows = m3.filter((c) => c.flows).length;
  expect(flows).toBeGreaterThanOrEqual(8);
  expect(m3.length - flows).toBeGreaterThanOrEqual(flows);
  expect(cases.some((c) => c.target.startsWith('paytrace:'))).toBe(true);
  expect(cases.some((c) => c.target.startsWith('bod:'))).toBe(true);
  for (const c of cases) {
    const paths = new Set(flattenSample(c.sample).map((s) => s.path));
    for (const [field, expected] of c.expected) for (const p of expected.paths) expect({ case: c.id, field, path: p, inSample: paths.has(p) }).toEqual({ case: c.id, field, path: p, inSample: true });
  }
});
