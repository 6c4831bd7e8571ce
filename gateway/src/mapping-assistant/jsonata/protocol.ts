/** Messages between the evaluator and its worker thread. */
export interface EvaluationLimits {
  /** one expression's evaluation time */
  timeoutMs: number;
  /** JSONata evaluation depth (recursion) */
  maxDepth: number;
  /** longest sequence an expression may build */
  maxSequence: number;
  /** the worker's heap (old generation), for the whole batch */
  memoryMb: number;
  /** the sample's JSON size */
  maxInputBytes: number;
  /** one result's JSON size */
  maxOutputBytes: number;
  /** one expression's text */
  maxExpressionLength: number;
}

export interface EvaluationRequest {
  id: number;
  expressions: string[];
  input: unknown;
  limits: EvaluationLimits;
}

export type EvaluationResult = { ok: true; value: unknown } | { ok: false; code: string; message: string; position?: number };

export interface EvaluationReply {
  id: number;
  results: EvaluationResult[];
}
