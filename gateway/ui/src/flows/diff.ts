/**
 * What changed between two versions of a flow, as a payments admin reads it: steps added, removed,
 * moved or retyped, mappings changed input by input, branch conditions changed — not a text diff.
 */
import type { RawMapping, RawStep } from '../../../src/admin/flow-builder-types';
import type { Definition } from './model';

export interface FlowChange {
  kind: 'added' | 'removed' | 'moved' | 'changed';
  /** the step, or '' for the flow itself */
  step: string;
  what: string;
}

interface Placed {
  step: RawStep;
  /** the list it is in and the step before it: where it runs */
  place: string;
}

function placed(steps: RawStep[], where: string, out: Map<string, Placed>): Map<string, Placed> {
  steps.forEach((s, i) => {
    out.set(s.id, { step: s, place: `${where} after ${i ? steps[i - 1]!.id : 'start'}` });
    s.branches?.forEach((b) => placed(b.steps, `${s.id}/${b.name}`, out));
    placed(s.otherwise ?? [], `${s.id}/otherwise`, out);
  });
  return out;
}

const show = (m: unknown): string => (m === undefined ? '(none)' : typeof m === 'string' ? m : JSON.stringify(m));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function mappings(prefix: string, a: Record<string, RawMapping> | undefined, b: Record<string, RawMapping> | undefined): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
    const x = a?.[k];
    const y = b?.[k];
    if (same(x, y)) continue;
    if (x && y && typeof x === 'object' && typeof y === 'object') out.push(...mappings(`${prefix}${k}.`, x as Record<string, RawMapping>, y as Record<string, RawMapping>));
    else out.push(`${prefix}${k}: ${show(x)} → ${show(y)}`);
  }
  return out;
}

export function diffFlows(before: Definition, after: Definition): FlowChange[] {
  const changes: FlowChange[] = [];
  for (const key of ['name', 'triggers', 'aggregateKey', 'runKey', 'scope', 'concurrency', 'completeStatus', 'onError'] as const) {
    if (!same(before[key], after[key])) changes.push({ kind: 'changed', step: '', what: `${key}: ${show(before[key])} → ${show(after[key])}` });
  }
  // compensation steps are steps too: added, removed, their mappings changed
  const a = placed(before.compensations ?? [], 'compensations', placed(before.steps, 'steps', new Map()));
  const b = placed(after.compensations ?? [], 'compensations', placed(after.steps, 'steps', new Map()));
  for (const [id, { step }] of b) if (!a.has(id)) changes.push({ kind: 'added', step: id, what: `${step.name ?? id} (${step.type})` });
  for (const [id, { step }] of a) if (!b.has(id)) changes.push({ kind: 'removed', step: id, what: `${step.name ?? id} (${step.type})` });
  for (const [id, x] of a) {
    const y = b.get(id);
    if (!y) continue;
    const s = x.step;
    const t = y.step;
    if (x.place !== y.place) changes.push({ kind: 'moved', step: id, what: `now runs in ${y.place} (was ${x.place})` });
    if (s.type !== t.type) changes.push({ kind: 'changed', step: id, what: `type: ${s.type} → ${t.type}` });
    if (s.name !== t.name) changes.push({ kind: 'changed', step: id, what: `name: ${show(s.name)} → ${show(t.name)}` });
    if (s.when !== t.when) changes.push({ kind: 'changed', step: id, what: `runs only when: ${show(s.when)} → ${show(t.when)}` });
    if (!same(s.config, t.config)) changes.push({ kind: 'changed', step: id, what: `settings: ${show(s.config)} → ${show(t.config)}` });
    for (const m of mappings('input ', s.input, t.input)) changes.push({ kind: 'changed', step: id, what: `mapping ${m}` });
    if (!same(s.ledger, t.ledger)) changes.push({ kind: 'changed', step: id, what: `ledger: ${show(s.ledger)} → ${show(t.ledger)}` });
    if (!same(s.onError, t.onError)) changes.push({ kind: 'changed', step: id, what: `on error: ${show(s.onError)} → ${show(t.onError)}` });
    const bs = s.branches ?? [];
    const bt = t.branches ?? [];
    for (let i = 0; i < Math.max(bs.length, bt.length); i++) {
      if (!bs[i]) changes.push({ kind: 'added', step: id, what: `branch "${bt[i]!.name}" when ${bt[i]!.when}` });
      else if (!bt[i]) changes.push({ kind: 'removed', step: id, what: `branch "${bs[i]!.name}"` });
      else if (bs[i]!.when !== bt[i]!.when || bs[i]!.name !== bt[i]!.name) changes.push({ kind: 'changed', step: id, what: `branch condition "${bs[i]!.name}": ${bs[i]!.when} → "${bt[i]!.name}": ${bt[i]!.when}` });
    }
  }
  // a step that moved only because one before it was added or removed is not news
  return changes.filter((c) => c.kind !== 'moved' || !changes.some((o) => (o.kind === 'added' || o.kind === 'removed') && c.what.includes(`after ${o.step}`)));
}
