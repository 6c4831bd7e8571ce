import type { AddressRules } from '../domain/address';
import { features, FEATURES, profileSource, profileTarget, targetContext, type WordWeights } from './features';
import { chooseThreshold, outcomes, metrics, wilsonLowerBound, Z_ONE_SIDED_95, type FieldOutcome, type Ranker } from './evaluation';
import type { GroundTruthCase } from './ground-truth';
import type { MappingEvaluator } from './jsonata/evaluator';
import type { M3Dictionary } from './m3-dictionary';
import { suggest, scorePairs } from './matcher';
import { fitLogistic, STAGE2_FEATURES, type MatcherModel, type TrainingRow } from './model';
import { flattenSample } from './source';
import type { TargetSchema } from './types';

/**
 * Fit the model on the tuning split only: stage 1 on every (field, source) pair of the tuning
 * cases (right source = 1, every other = 0; ignored fields left out), stage 2 on the same pairs
 * seen among their rivals, then the threshold on out-of-fold confidences of the tuning cases (see
 * trainModel). Held-out cases are never read here.
 */

export interface TrainingInput {
  cases: readonly GroundTruthCase[];
  targets: ReadonlyMap<string, TargetSchema>;
  dictionary: M3Dictionary;
  weights: WordWeights;
  rules: AddressRules;
  evaluator?: MappingEvaluator;
  /** precision the threshold must be shown to reach: its Wilson lower bound on the tuning split's out-of-fold suggestions (default 0.97, the aim) */
  precisionAim?: number;
  /** z of that lower bound (default 1.6449: one-sided 95 %) */
  confidenceZ?: number;
}

function sourcesOf(c: GroundTruthCase) {
  return flattenSample(c.sample).filter((s) => !s.patterns.includes('card-number'));
}

/** a ranker over the real suggest() with no threshold, so every field shows its ranking */
export function matcherRanker(model: MatcherModel, input: Pick<TrainingInput, 'dictionary' | 'weights' | 'rules' | 'evaluator'>): Ranker {
  const open = { ...model, threshold: 0 };
  return async (target, c) => {
    const result = await suggest(target, c.sample, { model: open, dictionary: input.dictionary, weights: input.weights, rules: input.rules, evaluator: input.evaluator }, { floor: 0 });
    return new Map(result.fields.map((f) => [f.field, f.candidates.map((x) => ({ path: x.path, transform: x.transform, confidence: x.confidence }))]));
  };
}

/** stage 1 and stage 2 fitted on these cases */
function fitStages(tune: readonly GroundTruthCase[], input: TrainingInput): { model: MatcherModel; rows1: TrainingRow[] } {
  const rows1: TrainingRow[] = [];
  for (const c of tune) {
    const target = input.targets.get(c.target)!;
    const sources = sourcesOf(c).map((s) => profileSource(s, input.dictionary));
    const context = targetContext(target);
    for (const field of target.fields) {
      if (c.ignore.has(field.name)) continue;
      const t = profileTarget(field, target.kind, input.dictionary, input.weights, context);
      const expected = c.expected.get(field.name);
      for (const s of sources) rows1.push({ x: FEATURES.map((f) => features(t, s).vector[f]), y: expected?.paths.includes(s.field.path) ? 1 : 0 });
    }
  }
  const stage1 = fitLogistic(rows1);
  const partial: MatcherModel = { version: 1, features: FEATURES, stage1, stage2Features: STAGE2_FEATURES, stage2: { bias: 0, weights: [10, 0, 0, 0, 0, 0, 0] }, threshold: 0, trainedOn: [], tuning: { pairs: 0, positives: 0, precisionAtThreshold: 0, coverageAtThreshold: 0, suggestionsAtThreshold: 0, wrongAtThreshold: 0, precisionLowerBound: 0, precisionAim: 0, aimCertified: false } };

  const rows2: TrainingRow[] = [];
  for (const c of tune) {
    const target = input.targets.get(c.target)!;
    const scored = scorePairs(target, sourcesOf(c), { dictionary: input.dictionary, weights: input.weights, model: partial });
    for (const [field, pairs] of scored) {
      if (c.ignore.has(field)) continue;
      const expected = c.expected.get(field);
      for (const p of pairs) rows2.push({ x: p.stage2, y: expected?.paths.includes(p.source.path) ? 1 : 0 });
    }
  }
  const stage2 = fitLogistic(rows2);
  return { model: { ...partial, stage2, trainedOn: tune.map((c) => c.id) }, rows1 };
}

/** the tuning split ranked out of fold: each tuning operation by a model fitted without it (leave one operation out) */
export async function outOfFoldOutcomes(input: TrainingInput): Promise<FieldOutcome[]> {
  const tune = input.cases.filter((c) => c.split === 'tune');
  const operations = [...new Set(tune.map((c) => c.target))];
  const outOfFold: FieldOutcome[] = [];
  for (const op of operations) {
    const fold = fitStages(
      tune.filter((c) => c.target !== op),
      input,
    ).model;
    outOfFold.push(...(await outcomes(tune.filter((c) => c.target === op), input.targets, matcherRanker(fold, input))));
  }
  return outOfFold;
}

/**
 * Fit on the tuning split; the threshold is chosen on out-of-fold confidences (confidences on the
 * very pairs a model was fitted on are optimistic, and a threshold chosen on them promises a
 * precision that new operations do not get) by a bound, not a ratio: the lowest confidence whose
 * out-of-fold precision has a one-sided 95 % Wilson lower bound ≥ the 0.97 aim. The ratio rule
 * it replaces (lowest confidence with precision ≥ 0.98) ignored how few suggestions sat above it:
 * 62 of 63 passes 0.98, yet 63 suggestions cannot tell 0.98 from 0.95 (held-out came out 0.955).
 * Wilson rather than the normal approximation because precision sits near 1 and n is small (the
 * normal interval then overshoots 1 or collapses at 0 errors); rather than Clopper–Pearson because
 * that is conservative beyond its level. One-sided because only "at least the aim" matters. The
 * bound treats suggestions as independent; fields of one operation are not quite, so it is, if
 * anything, optimistic. When no threshold reaches the aim on the tuning split (too few
 * suggestions to show it), the threshold is the one with the highest lower bound and the model
 * records `aimCertified: false`.
 */
export async function trainModel(input: TrainingInput): Promise<MatcherModel> {
  const tune = input.cases.filter((c) => c.split === 'tune');
  const { model, rows1 } = fitStages(tune, input);
  const outOfFold = await outOfFoldOutcomes(input);
  const aim = input.precisionAim ?? 0.97;
  const z = input.confidenceZ ?? Z_ONE_SIDED_95;
  const threshold = Math.round(chooseThreshold(outOfFold, aim, z).threshold * 1000) / 1000;
  const m = metrics(outOfFold, threshold);
  const lowerBound = wilsonLowerBound(m.suggestions - m.wrongSuggestions, m.suggestions, z);
  return {
    ...model,
    threshold,
    tuning: {
      pairs: rows1.length,
      positives: rows1.filter((r) => r.y === 1).length,
      precisionAtThreshold: round(m.precision),
      coverageAtThreshold: round(m.coverage),
      suggestionsAtThreshold: m.suggestions,
      wrongAtThreshold: m.wrongSuggestions,
      precisionLowerBound: round(lowerBound),
      precisionAim: aim,
      aimCertified: lowerBound >= aim,
    },
  };
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
