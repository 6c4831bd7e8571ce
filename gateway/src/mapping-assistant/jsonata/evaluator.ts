import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Expression } from '../../pipeline/expressions';
import type { AddressRules } from '../../domain/address';
import { AppError } from '../../errors';
import { FUNCTION_NAMES } from '../../pipeline/functions';
import type { EvaluationLimits, EvaluationReply, EvaluationRequest, EvaluationResult } from './protocol';

export type { EvaluationLimits, EvaluationResult } from './protocol';

/**
 * JSONata for mapping expressions, bounded: an expression is what an admin authors (or accepts),
 * so it is parsed here with a length cap and evaluated in a worker thread whose heap is capped
 * (resourceLimits) and which is terminated when a batch runs past its time — a runaway regular
 * expression or a gigantic string cannot take the gateway's memory or event loop with it.
 * Inside, every expression also runs with JSONata's own time, depth and sequence guards.
 */

export const DEFAULT_LIMITS: EvaluationLimits = {
  timeoutMs: 250,
  maxDepth: 200,
  maxSequence: 100_000,
  memoryMb: 64,
  maxInputBytes: 512 * 1024,
  maxOutputBytes: 64 * 1024,
  maxExpressionLength: 2000,
};

export interface SyntaxCheck {
  ok: boolean;
  message?: string;
  position?: number;
}

/** Parse only (no evaluation): linear in the expression's length, which is capped. */
export function checkSyntax(expression: string, limits: Pick<EvaluationLimits, 'maxExpressionLength'> = DEFAULT_LIMITS): SyntaxCheck {
  if (typeof expression !== 'string' || expression.trim() === '') return { ok: false, message: 'the expression is empty' };
  if (expression.length > limits.maxExpressionLength) return { ok: false, message: `the expression is longer than ${limits.maxExpressionLength} characters` };
  const compiled = Expression.compile(expression);
  return compiled instanceof Expression ? { ok: true } : { ok: false, message: compiled.message.slice(0, 300), position: compiled.position };
}

/** The expression's syntax, or a 400 naming the problem. */
export function requireValidExpression(expression: string): void {
  const check = checkSyntax(expression);
  if (!check.ok) {
    throw new AppError(`not a valid JSONata expression: ${check.message}`, { code: 'MAPPING_EXPRESSION_INVALID', errorClass: 'business', httpStatus: 400, details: { position: check.position } });
  }
}

function workerSource(): { source: string; evaluate: boolean } {
  const js = path.join(__dirname, 'worker.js');
  if (existsSync(js)) return { source: js, evaluate: false };
  // from the TypeScript sources (npm start, tests, benchmarks): the worker registers tsx first
  return { source: `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'worker.ts'))});`, evaluate: true };
}

export class MappingEvaluator {
  readonly limits: EvaluationLimits;
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  #nextId = 1;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly rules: AddressRules,
    limits: Partial<EvaluationLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** known mapping functions, for documentation and the API */
  static readonly functions = FUNCTION_NAMES;

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const { source, evaluate } = workerSource();
    const worker = new Worker(source, {
      eval: evaluate,
      workerData: { rules: this.rules },
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    this.#worker = worker;
    // the worker says when its modules are loaded: start-up does not count against a batch's time
    this.#ready = new Promise((resolve) => {
      const onReady = (message: unknown) => {
        if ((message as { ready?: boolean }).ready) {
          worker.off('message', onReady);
          resolve();
        }
      };
      worker.on('message', onReady);
      worker.once('exit', () => resolve());
    });
    const forget = () => {
      if (this.#worker === worker) this.#worker = undefined;
    };
    worker.once('exit', forget);
    worker.once('error', forget);
    return worker;
  }

  /**
   * Evaluate each expression against the input. Never throws for a bad expression or input:
   * each result says ok/value or the error code (MAPPING_TIMEOUT, MAPPING_MEMORY_LIMIT, …).
   */
  evaluate(expressions: readonly string[], input: unknown): Promise<EvaluationResult[]> {
    const run = this.#queue.then(() => this.#evaluateAll(expressions, input));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #evaluateAll(expressions: readonly string[], input: unknown): Promise<EvaluationResult[]> {
    const results: EvaluationResult[] = new Array<EvaluationResult>(expressions.length);
    const todo: number[] = [];
    expressions.forEach((expression, i) => {
      const check = checkSyntax(expression, this.limits);
      if (check.ok) todo.push(i);
      else results[i] = { ok: false, code: 'MAPPING_EXPRESSION_INVALID', message: check.message ?? 'invalid', position: check.position };
    });
    const json = JSON.stringify(input ?? null);
    if (json.length > this.limits.maxInputBytes) {
      for (const i of todo) results[i] = { ok: false, code: 'MAPPING_SAMPLE_TOO_LARGE', message: `the sample is larger than ${this.limits.maxInputBytes} bytes` };
      return results;
    }
    if (todo.length === 0) return results;
    const batch = await this.#batch(todo.map((i) => expressions[i]!), input);
    if (batch) {
      todo.forEach((i, k) => (results[i] = batch[k]!));
      return results;
    }
    if (todo.length === 1) {
      results[todo[0]!] = this.#lastFailure;
      return results;
    }
    // the batch hit a limit: find which expression did, one at a time
    for (const i of todo) {
      const one = await this.#batch([expressions[i]!], input);
      results[i] = one ? one[0]! : this.#lastFailure;
    }
    return results;
  }

  #lastFailure: EvaluationResult = { ok: false, code: 'MAPPING_LIMIT', message: 'evaluation stopped' };

  /** one round trip to the worker; undefined when it had to be stopped (time or memory) */
  async #batch(expressions: string[], input: unknown): Promise<EvaluationResult[] | undefined> {
    const worker = this.#start();
    worker.ref(); // kept alive while a batch is in flight, not after (an idle evaluator does not hold the process)
    await this.#ready;
    const id = this.#nextId++;
    const request: EvaluationRequest = { id, expressions, input, limits: this.limits };
    const budget = this.limits.timeoutMs * expressions.length + 1000;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: EvaluationResult[] | undefined, failure?: EvaluationResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.unref();
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (failure) this.#lastFailure = failure;
        resolve(value);
      };
      const onMessage = (reply: EvaluationReply) => {
        if (reply.id === id) finish(reply.results);
      };
      const onError = (err: Error & { code?: string }) => {
        const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
        finish(undefined, { ok: false, code: memory ? 'MAPPING_MEMORY_LIMIT' : 'MAPPING_EVALUATION_FAILED', message: memory ? `the evaluation needed more than ${this.limits.memoryMb} MB` : err.message.slice(0, 300) });
      };
      // an out-of-memory worker reports 'error' and then 'exit'; give the error its turn first
      const onExit = () => setImmediate(() => finish(undefined, { ok: false, code: 'MAPPING_EVALUATION_FAILED', message: 'the evaluator stopped' }));
      const timer = setTimeout(() => {
        if (this.#worker === worker) this.#worker = undefined;
        void worker.terminate();
        finish(undefined, { ok: false, code: 'MAPPING_TIMEOUT', message: `the evaluation ran longer than ${this.limits.timeoutMs} ms` });
      }, budget);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }
}
