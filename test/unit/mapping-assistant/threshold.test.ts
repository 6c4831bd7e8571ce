import { chooseThreshold, metrics, wilsonLowerBound, type FieldOutcome } from '../../../gateway/src/mapping-assistant/evaluation';

/** The auto-suggest threshold is held to a lower bound of precision, not to the ratio alone. */

function outcome(i: number, confidence: number, right: boolean): FieldOutcome {
  return {
    caseId: `case-${Math.floor(i / 10)}`,
    field: `F${i}`,
    kind: 'mappable',
    ranked: [{ path: right ? `right${i}` : `wrong${i}`, transform: 'none', confidence }],
    expected: { paths: [`right${i}`] },
  };
}

function results(groups: Array<{ confidence: number; right: number; wrong: number }>): FieldOutcome[] {
  const out: FieldOutcome[] = [];
  for (const g of groups) {
    for (let k = 0; k < g.right; k++) out.push(outcome(out.length, g.confidence, true));
    for (let k = 0; k < g.wrong; k++) out.push(outcome(out.length, g.confidence, false));
  }
  return out;
}

it('the Wilson lower bound pays for few suggestions and stays within 0–1', () => {
  expect(wilsonLowerBound(0, 0)).toBe(0);
  expect(wilsonLowerBound(3, 3)).toBeCloseTo(0.526, 3);
  expect(wilsonLowerBound(62, 63)).toBeCloseTo(0.932, 3);
  expect(wilsonLowerBound(100, 100)).toBeCloseTo(0.974, 3);
  expect(wilsonLowerBound(0, 5)).toBe(0);
  // two-sided 95 % (z = 1.96) is stricter than one-sided 95 %
  expect(wilsonLowerBound(47, 50, 1.96)).toBeLessThan(wilsonLowerBound(47, 50));
});

it('takes the lowest confidence whose lower bound reaches the aim, not the lowest whose ratio does', () => {
  // at 0.8: 150 right of 153 (ratio 0.980, lower bound 0.952); at 0.99: 100 of 100 (lower bound 0.974)
  const r = results([
    { confidence: 0.99, right: 100, wrong: 0 },
    { confidence: 0.8, right: 50, wrong: 3 },
  ]);
  expect(metrics(r, 0.8).precision).toBeGreaterThanOrEqual(0.98);
  const choice = chooseThreshold(r, 0.97);
  expect(choice).toEqual({ threshold: 0.99, lowerBound: expect.closeTo(0.974, 3) as number, certified: true });
});

it('when no threshold can show the aim, takes the one with the highest lower bound and says so', () => {
  // 5 of 5 at 0.99 (bound 0.65); 40 of 41 at ≥ 0.9 (bound 0.89); 60 of 70 at ≥ 0.7 (bound 0.78)
  const r = results([
    { confidence: 0.99, right: 5, wrong: 0 },
    { confidence: 0.9, right: 35, wrong: 1 },
    { confidence: 0.7, right: 20, wrong: 9 },
  ]);
  const choice = chooseThreshold(r, 0.97);
  expect(choice.certified).toBe(false);
  expect(choice.threshold).toBe(0.9);
  expect(choice.lowerBound).toBeCloseTo(wilsonLowerBound(40, 41), 10);
  expect(choice.lowerBound).toBeLessThan(0.97);
});
