import { parentPort, workerData } from 'node:worker_threads';
import jsonata from 'jsonata';
import type { AddressRules } from '../../domain/address';
import { mappingFunctions } from './functions';
import type { EvaluationReply, EvaluationRequest, EvaluationResult } from './protocol';

/**
 * The worker thread that evaluates mapping expressions: its heap is capped by the parent
 * (resourceLimits) and the parent terminates it when a batch runs past its time; here each
 * expression also gets JSONata's own guards (time, depth, sequence length).
 */
const { rules } = workerData as { rules: AddressRules };
const functions = mappingFunctions(rules);

async function evaluateOne(expression: string, input: unknown, request: EvaluationRequest): Promise<EvaluationResult> {
  try {
    const compiled = jsonata(expression, { timeout: request.limits.timeoutMs, stack: request.limits.maxDepth, sequence: request.limits.maxSequence } as never);
    for (const [name, [impl, signature]] of Object.entries(functions)) compiled.registerFunction(name, impl as never, signature);
    const value: unknown = await compiled.evaluate(input);
    const text = value === undefined ? undefined : JSON.stringify(value);
    if (text !== undefined && text.length > request.limits.maxOutputBytes) {
      return { ok: false, code: 'MAPPING_OUTPUT_TOO_LARGE', message: `the result is larger than ${request.limits.maxOutputBytes} bytes` };
    }
    return { ok: true, value: text === undefined ? undefined : (JSON.parse(text) as unknown) };
  } catch (err) {
    const e = err as { code?: string; message?: string; position?: number };
    const code = e.code === 'D1012' ? 'MAPPING_TIMEOUT' : e.code === 'D1011' ? 'MAPPING_TOO_DEEP' : e.code === 'D2015' ? 'MAPPING_SEQUENCE_TOO_LONG' : (e.code ?? 'MAPPING_EVALUATION_FAILED');
    return { ok: false, code, message: String(e.message ?? err).slice(0, 300), position: e.position };
  }
}

parentPort!.postMessage({ ready: true });
parentPort!.on('message', (request: EvaluationRequest) => {
  void (async () => {
    const results: EvaluationResult[] = [];
    for (const expression of request.expressions) results.push(await evaluateOne(expression, request.input, request));
    const reply: EvaluationReply = { id: request.id, results };
    parentPort!.postMessage(reply);
  })();
});
