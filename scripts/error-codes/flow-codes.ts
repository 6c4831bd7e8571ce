/**
 * Error codes raised by flow definitions (mappings/flows/*.yaml): the `config.code` of their
 * flow.require / flow.fail steps (and of any step type whose config names a code). They are raised
 * as surely as a `throw` in TypeScript, so the registry check counts them as uses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { YamlSource } from '../../gateway/src/config/yaml-source';
import type { CodeUse, ErrorClassName } from './types';

interface RawStep {
  type?: string;
  config?: { code?: unknown; errorClass?: unknown };
  branches?: Array<{ steps?: RawStep[] }>;
  otherwise?: RawStep[];
}

export function flowDefinitionCodes(rootDir: string, flowsDir = 'mappings/flows'): CodeUse[] {
  const dir = path.join(rootDir, flowsDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch {
    return [];
  }
  const uses: CodeUse[] = [];
  for (const name of names) {
    const file = path.posix.join(flowsDir, name);
    const { source, data } = YamlSource.parse(file, readFileSync(path.join(dir, name), 'utf8'));
    if (!source || !data || typeof data !== 'object') continue;
    const walk = (steps: RawStep[] | undefined, at: Array<string | number>) =>
      steps?.forEach((step, i) => {
        const here = [...at, i];
        const code = step.config?.code;
        if (typeof code === 'string') {
          const position = source.locate([...here, 'config', 'code']);
          const errorClass = (typeof step.config?.errorClass === 'string' ? step.config.errorClass : 'business') as ErrorClassName;
          uses.push({ file, line: position.line ?? 1, column: position.column ?? 1, code, isPattern: false, via: [String(step.type ?? 'step')], errorClasses: [errorClass], property: 'code' });
        }
        step.branches?.forEach((b, j) => walk(b.steps, [...here, 'branches', j, 'steps']));
        walk(step.otherwise, [...here, 'otherwise']);
      });
    walk((data as { steps?: RawStep[] }).steps, ['steps']);
    walk((data as { compensations?: RawStep[] }).compensations, ['compensations']);
  }
  return uses;
}
