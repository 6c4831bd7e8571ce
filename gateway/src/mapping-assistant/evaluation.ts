import type { Expected, GroundTruthCase } from './ground-truth';
import type { TargetSchema } from './types';

/**
 * Scoring a ranker against the ground truth. Per case, every target field is either mappable
 * (labelled), must stay unmapped (every other field), or ignored (two answers defensible).
 *
 *   top-1        mappable fields whose first-ranked candidate is right / mappable fields
 *   recall@3     mappable fields with a right candidate among the first three / mappable fields
 *   precision@T  right suggestions / suggestions made (first candidate with confidence ≥ T,
 *                on mappable and must-stay-unmapped fields alike)
 *   coverage@T   mappable fields that got a suggestion / mappable fields
 *   abstention@T must-stay-unmapped fields left without a suggestion / such fields
 *
 * A candidate is right when it reads a labelled path and, where the label names one, applies the
 * labelled transform (a date as yyyyMMdd, money with its decimals, the street split …).
 */

export interface RankedCandidate {
  path: string;
  transform: string;
  confidence: number;
}

export interface FieldOutcome {
  caseId: string;
  field: string;
  kind: 'mappable' | 'unmapped';
  ranked: RankedCandidate[];
  expected?: Expected;
}

export type Ranker = (target: TargetSchema, c: GroundTruthCase) => Promise<Map<string, RankedCandidate[]>>;

export function isRight(candidate: RankedCandidate | undefined, expected: Expected | undefined): boolean {
  if (!candidate || !expected) return false;
  return expected.paths.includes(candidate.path) && (expected.transform === undefined || expected.transform === candidate.transform);
}

export async function outcomes(cases: readonly GroundTruthCase[], targets: ReadonlyMap<string, TargetSchema>, ranker: Ranker): Promise<FieldOutcome[]> {
  const out: FieldOutcome[] = [];
  for (const c of cases) {
    const target = targets.get(c.target)!;
    const ranked = await ranker(target, c);
    for (const field of target.fields) {
      if (c.ignore.has(field.name)) continue;
      const expected = c.expected.get(field.name);
      out.push({ caseId: c.id, field: field.name, kind: expected ? 'mappable' : 'unmapped', ranked: ranked.get(field.name) ?? [], expected });
    }
    for (const name of c.expected.keys()) {
      if (!target.fields.some((f) => f.name === name)) throw new Error(`${c.id}: labelled field ${name} is not a field of ${c.target}`);
    }
  }
  return out;
}

export interface Metrics {
  cases: number;
  mappable: number;
  unmapped: number;
  top1: number;
  recallAt3: number;
  threshold: number;
  precision: number;
  coverage: number;
  abstention: number;
  /** harmonic mean of precision@T and recall@T (right suggestions / mappable), to compare with published F1 */
  f1: number;
  suggestions: number;
  wrongSuggestions: number;
}

export function metrics(results: readonly FieldOutcome[], threshold: number): Metrics {
  const mappable = results.filter((r) => r.kind === 'mappable');
  const unmapped = results.filter((r) => r.kind === 'unmapped');
  const top1 = mappable.filter((r) => isRight(r.ranked[0], r.expected)).length;
  const at3 = mappable.filter((r) => r.ranked.slice(0, 3).some((c) => isRight(c, r.expected))).length;
  const suggested = results.filter((r) => r.ranked[0] && r.ranked[0].confidence >= threshold);
  const right = suggested.filter((r) => r.kind === 'mappable' && isRight(r.ranked[0], r.expected)).length;
  const coveredMappable = suggested.filter((r) => r.kind === 'mappable').length;
  const abstained = unmapped.filter((r) => !(r.ranked[0] && r.ranked[0].confidence >= threshold)).length;
  const precision = suggested.length ? right / suggested.length : 1;
  const recall = mappable.length ? right / mappable.length : 0;
  return {
    cases: new Set(results.map((r) => r.caseId)).size,
    mappable: mappable.length,
    unmapped: unmapped.length,
    top1: mappable.length ? top1 / mappable.length : 0,
    recallAt3: mappable.length ? at3 / mappable.length : 0,
    threshold,
    precision,
    coverage: mappable.length ? coveredMappable / mappable.length : 0,
    abstention: unmapped.length ? abstained / unmapped.length : 1,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    suggestions: suggested.length,
    wrongSuggestions: suggested.length - right,
  };
}

/** z of a one-sided 95 % bound: P(Z > 1.6449) = 0.05 */
export const Z_ONE_SIDED_95 = 1.6449;

/**
 * Wilson score lower bound of a proportion (`successes` of `n`): the precision that `n`
 * suggestions with that many right ones support at the confidence `z` stands for. Unlike the
 * plain ratio it pays for a small `n` (3 right of 3 → 0.53, 62 of 63 → 0.93 at z = 1.6449), and
 * unlike the normal approximation it stays inside 0–1 at 0 or n successes.
 */
export function wilsonLowerBound(successes: number, n: number, z = Z_ONE_SIDED_95): number {
  if (n <= 0) return 0;
  const p = successes / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

export interface ThresholdChoice {
  threshold: number;
  /** Wilson lower bound of the precision at that threshold on these results */
  lowerBound: number;
  /** whether that lower bound reaches the aim (else: the threshold with the highest lower bound) */
  certified: boolean;
}

/**
 * The auto-suggest threshold: the lowest confidence (most coverage) whose precision on these
 * results has a Wilson lower bound (one-sided 95 % by default) that reaches `aim`. A ratio alone
 * ignores how few suggestions sit above a threshold (60 of 61 right and 3 of 3 right would both
 * pass 0.98). When no threshold reaches the aim — the results are too few to show it — the one
 * whose lower bound is highest, the level these results say most for, with `certified: false`.
 */
export function chooseThreshold(results: readonly FieldOutcome[], aim: number, z = Z_ONE_SIDED_95): ThresholdChoice {
  const levels = [...new Set(results.map((r) => r.ranked[0]?.confidence).filter((c): c is number => c !== undefined))].sort((a, b) => a - b);
  let best: ThresholdChoice = { threshold: 1, lowerBound: 0, certified: false };
  for (const level of levels) {
    const m = metrics(results, level);
    if (m.suggestions === 0) continue;
    const lowerBound = wilsonLowerBound(m.suggestions - m.wrongSuggestions, m.suggestions, z);
    if (lowerBound >= aim) return { threshold: level, lowerBound, certified: true };
    if (lowerBound > best.lowerBound) best = { threshold: level, lowerBound, certified: false };
  }
  return best;
}

/** the wrong suggestions and misses, for the report of what the matcher gets wrong */
export function errorsOf(results: readonly FieldOutcome[], threshold: number): Array<{ caseId: string; field: string; got?: string; confidence?: number; expected?: string }> {
  return results
    .filter((r) => {
      const top = r.ranked[0];
      const suggested = top && top.confidence >= threshold;
      if (r.kind === 'unmapped') return suggested;
      return !isRight(top, r.expected) || !suggested;
    })
    .map((r) => ({
      caseId: r.caseId,
      field: r.field,
      got: r.ranked[0] && `${r.ranked[0].path}${r.ranked[0].transform !== 'none' ? ` (${r.ranked[0].transform})` : ''}`,
      confidence: r.ranked[0] && Math.round(r.ranked[0].confidence * 1000) / 1000,
      expected: r.expected && `${r.expected.paths.join(' | ')}${r.expected.transform ? ` (${r.expected.transform})` : ''}`,
    }));
}
