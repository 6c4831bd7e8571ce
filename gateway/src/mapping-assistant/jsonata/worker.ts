import { parentPort, workerData } from 'node:worker_threads';
import type { AddressRules } from '../../domain/address';
import { Expression } from '../../pipeline/expressions';
import { expressionFunctions } from '../../pipeline/functions';
import type { EvaluationReply, EvaluationRequest, EvaluationResult } from './protocol';

/**
 * The worker thread that tries candidate mapping expressions on a sample: its heap is capped by the
 * parent (resourceLimits) and the parent terminates it when a batch runs past its time; inside,
 * each expression runs as a flow's would (pipeline/expressions.ts: JSONata's time, depth and
 * sequence guards, the result-size bound) with the same functions (pipeline/functions.ts).
 */
const { rules } = workerData as { rules: AddressRules };
const functions = expressionFunctions({ address: rules });

async function evaluateOne(source: string, input: unknown, request: EvaluationRequest): Promise<EvaluationResult> {
  const compiled = Expression.compile(source);
  if (!(compiled instanceof Expression)) return { ok: false, code: 'MAPPING_EXPRESSION_INVALID', message: compiled.message.slice(0, 300), position: compiled.position };
  try {
    const value = await compiled.evaluate(input, functions);
    const text = value === undefined ? undefined : JSON.stringify(value);
    if (text !== undefined && text.length > request.limits.maxOutputBytes) {
      return { ok: false, code: 'MAPPING_OUTPUT_TOO_LARGE', message: `the result is larger than ${request.limits.maxOutputBytes} bytes` };
    }
    return { ok: true, value };
  } catch (err) {
    const e = err as { code?: string; message?: string; details?: { jsonataCode?: string; position?: number } };
    const jsonataCode = e.details?.jsonataCode;
    const code = jsonataCode === 'D1012' ? 'MAPPING_TIMEOUT' : jsonataCode === 'D1011' ? 'MAPPING_TOO_DEEP' : jsonataCode === 'D2015' ? 'MAPPING_SEQUENCE_TOO_LONG' : (e.code ?? 'MAPPING_EVALUATION_FAILED');
    return { ok: false, code, message: String(e.message ?? err).slice(0, 300), position: e.details?.position };
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
