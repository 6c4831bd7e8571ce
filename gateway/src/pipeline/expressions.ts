import jsonata from 'jsonata';
import safeRegex from 'safe-regex2';
import { AppError } from '../errors';

/**
 * Field mappings and conditions of flow definitions are JSONata expressions (https://jsonata.org),
 * written by admins: input like any other. They are compiled once per definition version and
 * evaluated under bounds — wall time, nesting depth, sequence length, result size — with regular
 * expressions that cannot backtrack catastrophically. JSONata has no access to JavaScript, the file
 * system or the network; the only functions beyond its own are the ones a flow is given (see
 * steps/functions.ts), all pure.
 */

export const EXPRESSION_LIMITS = {
  /** wall time of one evaluation */
  timeoutMs: 250,
  /** nesting depth of the evaluation (recursion) */
  stack: 300,
  /** items in one sequence */
  sequence: 10_000,
  /** characters of the JSON of one result */
  resultChars: 1_000_000,
  /** characters of one expression */
  sourceChars: 20_000,
  /** characters of any string an expression builds on the way (doubling a string 30 times is a gigabyte) */
  intermediateChars: 2_000_000,
} as const;

/** Called by JSONata after each node it evaluates: a string grown past the bound stops the evaluation. */
function boundIntermediate(_expr: unknown, _input: unknown, _environment: unknown, result: unknown): void {
  if (typeof result === 'string' && result.length > EXPRESSION_LIMITS.intermediateChars) {
    throw new AppError(`an expression built a string of more than ${EXPRESSION_LIMITS.intermediateChars} characters`, { code: 'FLOW_EXPRESSION_RESULT_TOO_LARGE', errorClass: 'configuration' });
  }
}

/** A RegExp that refuses patterns with exponential backtracking (nested quantifiers) and long patterns. */
class BoundedRegExp extends RegExp {
  constructor(pattern: string | RegExp, flags?: string) {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    if (source.length > 500 || !safeRegex(source)) {
      throw new AppError(`the regular expression /${source.slice(0, 60)}/ could take exponential time (nested quantifiers) and is refused`, { code: 'FLOW_EXPRESSION_UNSAFE_REGEX', errorClass: 'configuration' });
    }
    super(pattern, flags);
  }
}

export interface ExpressionError {
  /** JSONata's error code (S0201, T2001, D1012, …) or ours */
  code: string;
  message: string;
  /** character offset in the expression, when JSONata knows it */
  position?: number;
}

export type Bindings = Record<string, unknown>;

/** A compiled expression; `source` is what the admin wrote. */
export class Expression {
  readonly #compiled: jsonata.Expression;
  /** a plain path like `event.data.orderId`: evaluated without JSONata (most mappings are) */
  readonly #path: string[] | undefined;

  private constructor(
    readonly source: string,
    compiled: jsonata.Expression,
  ) {
    this.#compiled = compiled;
    this.#path = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(source.trim()) && !/^(true|false|null)$/.test(source.trim()) ? source.trim().split('.') : undefined;
  }

  /** Compile, or answer the syntax error with its position. */
  static compile(source: string): Expression | ExpressionError {
    if (source.length > EXPRESSION_LIMITS.sourceChars) return { code: 'FLOW_EXPRESSION_TOO_LONG', message: `an expression may have at most ${EXPRESSION_LIMITS.sourceChars} characters` };
    try {
      const compiled = jsonata(source, { timeout: EXPRESSION_LIMITS.timeoutMs, stack: EXPRESSION_LIMITS.stack, sequence: EXPRESSION_LIMITS.sequence, RegexEngine: BoundedRegExp as unknown as RegExpConstructor });
      compiled.assign(Symbol.for('jsonata.__evaluate_exit') as unknown as string, boundIntermediate);
      return new Expression(source, compiled);
    } catch (err) {
      return asExpressionError(err);
    }
  }

  /**
   * The root names an expression reads (`event`, `steps`, …) and the step ids it names
   * (`steps.verify.amount` → verify). Paths inside predicates and lambdas are relative to their
   * context item, not to the run document, so only root-level paths count.
   */
  references(): { roots: Set<string>; steps: Set<string> } {
    const roots = new Set<string>();
    const steps = new Set<string>();
    const walk = (node: unknown, atRoot: boolean): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, atRoot));
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown> & { type?: string };
      if (n.type === 'path' && Array.isArray(n.steps)) {
        const [first, second] = n.steps as Array<{ type?: string; value?: unknown }>;
        if (atRoot && first?.type === 'name' && typeof first.value === 'string') {
          roots.add(first.value);
          if (first.value === 'steps' && second?.type === 'name' && typeof second.value === 'string') steps.add(second.value);
        }
        for (const step of n.steps as Array<Record<string, unknown>>) for (const [k, v] of Object.entries(step)) if (k !== 'value' && k !== 'type' && k !== 'position') walk(v, k === 'arguments' || k === 'expressions' ? atRoot : false);
        return;
      }
      for (const [key, value] of Object.entries(n)) {
        if (key === 'type' || key === 'value' || key === 'position') continue;
        walk(value, n.type === 'lambda' || key === 'stages' || key === 'predicate' ? false : atRoot);
      }
    };
    walk(this.#compiled.ast(), true);
    return { roots, steps };
  }

  /** The parsed tree, for checks that look at the shape (money fed by arithmetic). */
  ast(): jsonata.ExprNode {
    return this.#compiled.ast();
  }

  /** Evaluate against `input` with `bindings` ($functions, $variables). Throws an AppError with the JSONata code. */
  async evaluate(input: unknown, bindings: Bindings): Promise<unknown> {
    if (this.#path) {
      let value: unknown = input;
      let plain = true;
      for (const part of this.#path) {
        if (Array.isArray(value)) {
          plain = false; // JSONata maps a path over arrays: let it
          break;
        }
        if (value === null || typeof value !== 'object') return undefined;
        value = (value as Record<string, unknown>)[part];
      }
      if (plain && !Array.isArray(value)) return normalize(value);
    }
    let result: unknown;
    try {
      result = await this.#compiled.evaluate(input, bindings);
    } catch (err) {
      if (err instanceof AppError) throw err; // a function's own error (ADDRESS_INVALID, …) keeps its class
      const e = asExpressionError(err);
      throw new AppError(`the expression ${JSON.stringify(this.source.length > 80 ? `${this.source.slice(0, 77)}...` : this.source)} failed: ${e.message}`, {
        code: e.code === 'D1012' ? 'FLOW_EXPRESSION_TIMEOUT' : 'FLOW_EXPRESSION_FAILED',
        errorClass: 'configuration',
        details: { jsonataCode: e.code, position: e.position },
      });
    }
    return bounded(normalize(result), this.source);
  }
}

/** JSONata sequences are arrays with extra properties; functions and undefined leave. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    if (typeof value === 'function') return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = normalize(v);
    return out;
  }
  return typeof value === 'function' ? undefined : value;
}

function bounded(value: unknown, source: string): unknown {
  if (value !== null && typeof value === 'object' && JSON.stringify(value).length > EXPRESSION_LIMITS.resultChars) {
    throw new AppError(`the expression ${JSON.stringify(source.slice(0, 60))} produced more than ${EXPRESSION_LIMITS.resultChars} characters`, { code: 'FLOW_EXPRESSION_RESULT_TOO_LARGE', errorClass: 'configuration' });
  }
  return value;
}

function asExpressionError(err: unknown): ExpressionError {
  const e = err as { code?: string; message?: string; position?: number };
  return { code: e?.code ?? 'FLOW_EXPRESSION_FAILED', message: e?.message ?? String(err), position: typeof e?.position === 'number' ? e.position : undefined };
}

/**
 * A mapping: an expression per key, nested objects of expressions, or literals (numbers, booleans,
 * null) written as such in YAML. Compiled once; evaluated to a plain JSON value.
 */
export type Mapping = Expression | { [key: string]: Mapping } | number | boolean | null;

export async function evaluateMapping(mapping: Mapping | undefined, input: unknown, bindings: Bindings): Promise<unknown> {
  if (mapping === undefined) return undefined;
  if (mapping instanceof Expression) return mapping.evaluate(input, bindings);
  if (mapping === null || typeof mapping !== 'object') return mapping;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(mapping)) {
    const v = await evaluateMapping(value, input, bindings);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
