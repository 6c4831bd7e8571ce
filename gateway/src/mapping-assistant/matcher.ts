import type { AddressRules } from '../domain/address';
import { features, FEATURES, profileSource, profileTarget, targetContext, type Evidence, type FeatureVector, type WordWeights } from './features';
import type { MappingEvaluator } from './jsonata/evaluator';
import type { M3Dictionary } from './m3-dictionary';
import { logit, predict, sigmoid, type MatcherModel } from './model';
import { looksLikeCardNumber } from './patterns';
import { sensitiveCategory } from './sensitive';
import { DEFAULT_SAMPLE_LIMITS, flattenSample, type SampleLimits, type SourceField } from './source';
import { propose, type TransformKind } from './transforms';
import type { DetailedCandidate, DetailedFieldSuggestion, DetailedSuggestionResult, TargetField, TargetSchema } from './types';

/**
 * The matcher: for every field of a target, every leaf of the sample is scored (features.ts →
 * the learned model), the best three become JSONata candidates (transforms.ts) that are evaluated
 * on the sample in the bounded evaluator, the tenant's earlier accepts and rejects move them, and
 * a field whose best candidate is under the threshold gets none (it abstains).
 */

/** What a tenant said about earlier suggestions (feedback-store.ts). */
export interface FeedbackIndex {
  /** accepts and rejects of `path` for this target field, and for the same field in other targets (M3 names mean the same everywhere) */
  lookup(target: string, field: string, path: string): { accepted: number; rejected: number; acceptedElsewhere: number; rejectedElsewhere: number };
}

export interface MatcherContext {
  model: MatcherModel;
  dictionary: M3Dictionary;
  weights: WordWeights;
  rules: AddressRules;
  /** evaluates each proposed expression on the sample (preview, and a candidate that fails there is marked down) */
  evaluator?: MappingEvaluator;
  feedback?: FeedbackIndex;
  tenant?: string;
}

export interface SuggestOptions {
  /** candidates per field (default 3) */
  maxCandidates?: number;
  /** alternatives below this are not shown (default 0.05) */
  floor?: number;
  /** only these target fields */
  fields?: readonly string[];
  sampleLimits?: SampleLimits;
}

/** one scored pair, before the candidate list is cut */
export interface ScoredPair {
  source: SourceField;
  vector: FeatureVector;
  evidence: Evidence;
  stage1: number;
  stage2: number[];
  confidence: number;
}

/** weights of history: one accept of this exact pair is worth this much log-odds */
const ACCEPT_WEIGHT = 3;
const REJECT_WEIGHT = 4;
const ELSEWHERE_FACTOR = 0.4;

function vectorOf(v: FeatureVector): number[] {
  return FEATURES.map((f) => v[f]);
}

/** Score every (field, source) pair: the part the benchmark and the training share. */
export function scorePairs(target: TargetSchema, sources: readonly SourceField[], ctx: Pick<MatcherContext, 'dictionary' | 'weights' | 'model'>): Map<string, ScoredPair[]> {
  const profiles = sources.map((s) => profileSource(s, ctx.dictionary));
  const byField = new Map<string, ScoredPair[]>();
  const context = targetContext(target);
  for (const field of target.fields) {
    const t = profileTarget(field, target.kind, ctx.dictionary, ctx.weights, context);
    byField.set(
      field.name,
      profiles.map((s) => {
        const { vector, evidence } = features(t, s);
        return { source: s.field, vector, evidence, stage1: predict(ctx.model.stage1, vectorOf(vector)), stage2: [], confidence: 0 };
      }),
    );
  }
  // stage 2: each pair among its rivals. A source's best field is the first (in the target's
  // order, which puts M3's main fields first) with its highest score: DIA1 before DIA2, PHNO before PHN2
  const bestFieldOfSource = new Map<string, { field: string; score: number; second: number }>();
  for (const [field, pairs] of byField) {
    for (const p of pairs) {
      const seen = bestFieldOfSource.get(p.source.path);
      if (!seen || p.stage1 > seen.score + 1e-9) bestFieldOfSource.set(p.source.path, { field, score: p.stage1, second: seen?.score ?? 0 });
      else if (p.stage1 > seen.second) seen.second = p.stage1;
    }
  }
  for (const [field, pairs] of byField) {
    const sorted = [...pairs].sort((a, b) => b.stage1 - a.stage1);
    const top = sorted[0]?.stage1 ?? 0;
    const second = sorted[1]?.stage1 ?? 0;
    for (const p of pairs) {
      const isBest = p === sorted[0] ? 1 : 0;
      const margin = isBest ? top - second : p.stage1 - top;
      const ofSource = bestFieldOfSource.get(p.source.path);
      const bestForSource = ofSource?.field === field ? 1 : 0;
      // how far this field is behind the source's best use (0 when it is that use): a source
      // clearly better used elsewhere (IVAV → total, not line tax) hardly feeds this one too
      const behindSourceBest = bestForSource ? 0 : p.stage1 - (ofSource?.score ?? p.stage1);
      // and when it is that use, by how much it beats the source's next best field: a source as
      // good for two fields (BKAG and BRAG, both "agreement number") leaves each in doubt
      const aheadOfSourceNext = bestForSource ? p.stage1 - (ofSource?.second ?? 0) : 0;
      p.stage2 = [logit(p.stage1) / 10, isBest, margin, bestForSource, isBest * bestForSource * p.stage1, behindSourceBest, aheadOfSourceNext];
      p.confidence = predict(ctx.model.stage2, p.stage2);
    }
  }
  return byField;
}

function reasonOf(field: TargetField, pair: ScoredPair, transform: string | undefined, history: string | undefined, sensitive: string | undefined): string {
  const parts: string[] = [];
  if (pair.vector.exactName) parts.push('same field name');
  if (pair.evidence.expandedKey) parts.push(`M3 name ${pair.evidence.expandedKey}`);
  if (pair.evidence.matchedWords.length) parts.push(`words ${pair.evidence.matchedWords.filter((w) => !/^\d+$/.test(w)).join('+') || pair.evidence.matchedWords.join('+')} match`);
  if (pair.evidence.patternMatch) parts.push(`value looks like ${pair.evidence.patternMatch === 'amount' ? 'an amount' : `a ${pair.evidence.patternMatch}`}`);
  if (pair.evidence.patternClash) parts.push(`but the value looks like a ${pair.evidence.patternClash}`);
  const valueType = pair.source.valueType === 'string' ? 'text' : pair.source.valueType;
  parts.push(`type ${valueType}${pair.vector.typeFits ? '' : ` for a ${field.type} field`}`);
  if (field.length !== undefined) parts.push(pair.vector.lengthFits ? `length ${field.length} ≥ ${pair.source.length}` : `value ${pair.source.length} long, field ${field.length}`);
  if (transform) parts.push(transform);
  if (history) parts.push(history);
  if (sensitive) parts.push(`${sensitive} field: a person confirms`);
  return `${field.name} ≈ '${field.description.toLowerCase()}' ← ${pair.source.path}: ${parts.join(', ')}`;
}

/** a preview never shows a card-like number */
function safePreview(value: unknown): unknown {
  if (looksLikeCardNumber(value)) return '[card number hidden]';
  if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}…`;
  return value;
}

interface Draft extends DetailedCandidate {
  pair: ScoredPair;
}

export async function suggest(target: TargetSchema, sample: unknown, ctx: MatcherContext, options: SuggestOptions = {}): Promise<DetailedSuggestionResult> {
  const max = options.maxCandidates ?? 3;
  const floor = options.floor ?? 0.05;
  // card numbers never become a source: the path is not offered whatever the target
  const sources = flattenSample(sample, options.sampleLimits ?? DEFAULT_SAMPLE_LIMITS).filter((s) => !s.patterns.includes('card-number'));
  const wanted = options.fields ? target.fields.filter((f) => options.fields!.includes(f.name)) : target.fields;
  const scored = scorePairs({ ...target, fields: wanted }, sources, ctx);
  const threshold = ctx.model.threshold;

  const drafts = new Map<string, Draft[]>();
  const context = targetContext(target);
  for (const field of wanted) {
    const sensitive = sensitiveCategory(field);
    const t = profileTarget(field, target.kind, ctx.dictionary, ctx.weights, context);
    const list: Draft[] = [];
    const seen = new Set<string>();
    // the tenant's history first: it may lift a pair the model alone ranks low
    const adjusted = scored.get(field.name)!.map((pair) => {
      let confidence = pair.confidence;
      let history: string | undefined;
      const fb = ctx.feedback?.lookup(target.target, field.name, pair.source.path);
      if (fb && fb.accepted + fb.rejected + fb.acceptedElsewhere + fb.rejectedElsewhere > 0) {
        const shift = ACCEPT_WEIGHT * Math.min(fb.accepted, 3) - REJECT_WEIGHT * Math.min(fb.rejected, 3) + ELSEWHERE_FACTOR * (ACCEPT_WEIGHT * Math.min(fb.acceptedElsewhere, 3) - REJECT_WEIGHT * Math.min(fb.rejectedElsewhere, 3));
        confidence = sigmoid(logit(confidence) + shift);
        // accepted here (or, never rejected here, for the same M3 field in another transaction) more
        // often than rejected: suggested again, whatever the model thinks
        if (fb.accepted > fb.rejected || (fb.rejected === 0 && fb.acceptedElsewhere > fb.rejectedElsewhere)) confidence = Math.max(confidence, Math.min(0.999, threshold + 0.01));
        const said = [fb.accepted && `accepted ${fb.accepted}×`, fb.rejected && `rejected ${fb.rejected}×`, fb.acceptedElsewhere && `accepted ${fb.acceptedElsewhere}× for ${field.name} elsewhere`, fb.rejectedElsewhere && `rejected ${fb.rejectedElsewhere}× for ${field.name} elsewhere`].filter(Boolean);
        history = `${said.join(', ')} in this tenant`;
      }
      return { pair, confidence, history };
    });
    for (const { pair, confidence, history } of adjusted.sort((a, b) => b.confidence - a.confidence)) {
      if (confidence < floor && list.length > 0) continue;
      const proposal = propose(t.field, pair.source, { kind: target.kind, rules: ctx.rules, sources, expected: t.expected, money: sensitive === 'money' || t.expected.includes('amount') });
      if (seen.has(proposal.expression)) continue;
      seen.add(proposal.expression);
      list.push({
        source: proposal.expression,
        confidence,
        reason: reasonOf(field, pair, proposal.note, history, sensitive),
        path: pair.source.path,
        transform: proposal.transform satisfies TransformKind,
        autoApply: false,
        pair,
      });
      if (list.length >= max + 2) break; // a few spare: evaluation may knock one out
    }
    drafts.set(field.name, list);
  }

  // evaluate every proposed expression on the sample in one bounded batch
  if (ctx.evaluator) {
    const all = [...drafts.values()].flat();
    const results = await ctx.evaluator.evaluate(all.map((d) => d.source), sample);
    all.forEach((d, i) => {
      const r = results[i]!;
      if (r.ok) d.preview = safePreview(r.value);
      else {
        d.previewError = `${r.code}: ${r.message}`;
        d.confidence = d.confidence * 0.5; // the expression fails on this very sample: hardly the right one
        d.reason += `; fails on the sample (${r.code})`;
      }
    });
  }

  const fields: DetailedFieldSuggestion[] = wanted.map((field) => {
    const sensitive = sensitiveCategory(field);
    const list = drafts.get(field.name)!.sort((a, b) => b.confidence - a.confidence);
    const abstained = !list[0] || list[0].confidence < threshold;
    const candidates = abstained
      ? []
      : list.slice(0, max).filter((c, i) => i === 0 || c.confidence >= floor).map(({ pair: _pair, ...c }) => ({ ...c, confidence: Math.round(c.confidence * 1000) / 1000, autoApply: !sensitive && c.confidence >= threshold }));
    return { field: field.name, description: field.description, mandatory: field.mandatory, ...(sensitive ? { confirmRequired: sensitive } : {}), abstained, candidates };
  });
  return { target: target.target, title: target.title, threshold, ...(ctx.tenant ? { tenant: ctx.tenant } : {}), fields };
}
