/**
 * The source tree of the mapping editor: every path a step's input may read, as the expression
 * that reads it (`event.data.amount`, `payment.ivno`, steps.`get-invoice`.amount).
 */
import type { CatalogueStep, RawStep } from '../../../src/admin/flow-builder-types';

export interface SourceField {
  expression: string;
  /** the value in the sample, when the sample has it */
  sample?: unknown;
  group: string;
}

function flatten(value: unknown, prefix: string, depth: number, out: SourceField[], group: string): void {
  out.push({ expression: prefix, sample: value, group });
  if (depth <= 0 || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (value.length) flatten(value[0], `${prefix}[0]`, depth - 1, out, group);
    return;
  }
  for (const [k, v] of Object.entries(value)) flatten(v, `${prefix}.${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : `\`${k}\``}`, depth - 1, out, group);
}

export function stepRef(id: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(id) ? `steps.${id}` : `steps.\`${id}\``;
}

export function sourceFields(sample: unknown, ledgerFields: string[], before: RawStep[], catalogue: Map<string, CatalogueStep>): SourceField[] {
  const out: SourceField[] = [];
  if (sample && typeof sample === 'object') for (const [k, v] of Object.entries(sample)) flatten(v, `event.${k}`, 3, out, 'Trigger event (sample)');
  for (const f of ledgerFields) out.push({ expression: `payment.${f}`, group: 'The payment (ledger)' });
  for (const s of before) {
    const outputs = catalogue.get(s.type)?.outputs ?? [];
    for (const o of outputs) out.push({ expression: `${stepRef(s.id)}.${o}`, group: `Step ${s.name ?? s.id}` });
  }
  return out;
}
