import type { RawMapping } from '../../../src/admin/flow-builder-types';
import type { Definition } from './model';

/**
 * The flow-settings panel's edits (FlowSettings.tsx) as pure functions on a copy of the definition:
 * a flow-level key set or removed, a trigger replaced, added or removed.
 */

export type Trigger = Definition['triggers'][number];
export type FlowKey = 'aggregateKey' | 'runKey' | 'scope.company' | 'scope.division' | 'concurrency' | 'completeStatus';

/** The definition with one flow-level key set (an empty value removes it, so the file stays as short as it was). */
export function withFlowKey(def: Definition, key: FlowKey, value: string): Definition {
  const next = structuredClone(def) as Definition & Record<string, unknown>;
  const v = value.trim() === '' ? undefined : value;
  if (key === 'scope.company' || key === 'scope.division') {
    const scope = { ...(next.scope ?? {}) } as Record<string, string | undefined>;
    const field = key === 'scope.company' ? 'company' : 'division';
    if (v === undefined) delete scope[field];
    else scope[field] = v;
    if (Object.keys(scope).length) next.scope = scope;
    else delete next.scope;
    return next;
  }
  if (v === undefined) delete next[key];
  else if (key === 'concurrency') next.concurrency = /^\d+$/.test(v.trim()) ? Number(v.trim()) : (v as unknown as number); // not a whole number: the validator says so
  else next[key] = v;
  return next;
}

/** The definition with trigger `index` replaced (undefined: removed); a trigger of the same type keeps its `event` mapping. */
export function withTrigger(def: Definition, index: number, trigger: Trigger | undefined): Definition {
  const next = structuredClone(def);
  const triggers = [...(next.triggers ?? [])];
  if (!trigger) triggers.splice(index, 1);
  else {
    const before = triggers[index] as (Trigger & { event?: unknown }) | undefined;
    triggers[index] = before?.type === trigger.type && before.event !== undefined ? ({ ...trigger, event: before.event } as Trigger) : trigger;
  }
  next.triggers = triggers;
  return next;
}

/**
 * The definition with one field of trigger `index`'s `event` mapping set, renamed or removed (value
 * undefined). The mapping is how a trigger that carries a document (a BOD) makes the flow's `event`;
 * with no field left it goes, and the document is the event as it comes.
 */
export function withEventField(def: Definition, index: number, field: string, value: RawMapping | undefined, renameTo?: string): Definition {
  const mapping = (def.triggers?.[index] as (Trigger & { event?: RawMapping }) | undefined)?.event;
  const before = mapping && typeof mapping === 'object' && !Array.isArray(mapping) ? (mapping as Record<string, RawMapping>) : {};
  // rebuilt in order, so a renamed field keeps its place in the file
  const event: Record<string, RawMapping> = {};
  let placed = false;
  for (const [k, v] of Object.entries(before)) {
    if (k !== field) event[k] = v;
    else {
      placed = true;
      if (value !== undefined) event[renameTo || field] = value;
    }
  }
  if (!placed && value !== undefined) event[renameTo || field] = value;
  // a copy: the new definition shares nothing with the one it was made from
  return withEvent(def, index, Object.keys(event).length ? structuredClone(event) : undefined);
}

/** The definition with trigger `index`'s whole `event` mapping replaced (undefined: removed). */
export function withEvent(def: Definition, index: number, event: RawMapping | undefined): Definition {
  const next = structuredClone(def);
  const triggers = [...(next.triggers ?? [])];
  const trigger = { ...(triggers[index] as Trigger & { event?: RawMapping }) };
  if (event === undefined) delete trigger.event;
  else trigger.event = event;
  triggers[index] = trigger as Trigger;
  next.triggers = triggers;
  return next;
}
