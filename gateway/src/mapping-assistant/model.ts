import { FEATURES } from './features';

/**
 * The learned part: two logistic regressions fitted on the labelled pairs of the tuning split of
 * mappings/ground-truth (training.ts). Stage 1 weighs the signals of one pair; stage 2 looks at the
 * pair among its rivals (is it the best source for this field, by how much, is this field the
 * best use of that source) and gives the confidence. Plain gradient descent with L2, deterministic.
 */

export interface LogisticModel {
  bias: number;
  weights: number[];
}

export const STAGE2_FEATURES = ['logit1', 'bestForTarget', 'marginToNext', 'bestForSource', 'p1IfBestBoth', 'behindSourceBest', 'aheadOfSourceNext'] as const;

export interface MatcherModel {
  version: 1;
  features: readonly string[];
  stage1: LogisticModel;
  stage2Features: readonly string[];
  stage2: LogisticModel;
  /** the auto-suggest threshold: the lowest confidence whose out-of-fold precision on the tuning split has a Wilson lower bound ≥ the aim, else the one with the highest bound (training.ts) */
  threshold: number;
  /** ground-truth cases it was fitted on (never the held-out ones) */
  trainedOn: string[];
  /** figures on the tuning split when it was fitted (precision and coverage out of fold, at the threshold) */
  tuning: {
    pairs: number;
    positives: number;
    precisionAtThreshold: number;
    coverageAtThreshold: number;
    /** suggestions made / wrong at the threshold, out of fold */
    suggestionsAtThreshold?: number;
    wrongAtThreshold?: number;
    /** one-sided 95 % Wilson lower bound of that precision, the aim it is held to, and whether it reaches it */
    precisionLowerBound?: number;
    precisionAim?: number;
    aimCertified?: boolean;
  };
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

export function predict(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let i = 0; i < x.length; i++) z += (model.weights[i] ?? 0) * x[i]!;
  return sigmoid(z);
}

export interface TrainingRow {
  x: number[];
  y: 0 | 1;
}

/** solve A x = b (Gaussian elimination with partial pivoting; A is small and symmetric positive definite here) */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]![col]! || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / p;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / (row[i]! || 1e-12));
}

/**
 * Maximum-likelihood logistic regression with an L2 penalty (not on the bias), fitted by
 * Newton's method (iteratively reweighted least squares): converged in a few steps, and the same
 * rows always give the same model.
 */
export function fitLogistic(rows: readonly TrainingRow[], options: { iterations?: number; l2?: number } = {}): LogisticModel {
  const l2 = options.l2 ?? 0.1;
  const d = (rows[0]?.x.length ?? 0) + 1; // bias last
  let beta = new Array<number>(d).fill(0);
  for (let it = 0; it < (options.iterations ?? 50); it++) {
    const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    const gradient = new Array<number>(d).fill(0);
    for (const { x, y } of rows) {
      const xs = [...x, 1];
      let z = 0;
      for (let i = 0; i < d; i++) z += beta[i]! * xs[i]!;
      const p = sigmoid(z);
      const w = Math.max(p * (1 - p), 1e-9);
      for (let i = 0; i < d; i++) {
        gradient[i]! += (y - p) * xs[i]!;
        for (let j = 0; j < d; j++) hessian[i]![j]! += w * xs[i]! * xs[j]!;
      }
    }
    for (let i = 0; i < d - 1; i++) {
      gradient[i]! -= l2 * beta[i]!;
      hessian[i]![i]! += l2;
    }
    const step = solve(hessian, gradient);
    beta = beta.map((b, i) => b + step[i]!);
    if (Math.max(...step.map(Math.abs)) < 1e-7) break;
  }
  return { bias: round(beta[d - 1]!), weights: beta.slice(0, d - 1).map(round) };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

export const FEATURE_NAMES: readonly string[] = FEATURES;
