/**
 * The flow builder's model: a definition (what mappings/flows/<flow>.yaml holds) as a graph the
 * canvas draws, and the edits the canvas makes, as pure functions on a copy of the definition.
 * Steps run in list order; a branch runs the first branch whose condition holds, else `otherwise`.
 * An edge therefore means "runs after": connecting B after A moves B into A's list, after A.
 * Positions and unconnected ("loose") steps live beside the definition (FlowLayout), never in it.
 */
import YAML from 'yaml';
import type { CatalogueStep, FlowDefinitionInput, FlowLayout, RawStep, SourceProblem } from '../../../src/admin/flow-builder-types';

export type Definition = Omit<FlowDefinitionInput, 'steps' | 'compensations'> & { steps: RawStep[]; compensations?: RawStep[] };
export type LooseStep = NonNullable<FlowLayout['loose']>[number];

/** What undo/redo steps through: the definition and what lies beside it. */
export interface Snapshot {
  def: Definition;
  loose: LooseStep[];
  positions: FlowLayout['positions'];
}

export const TRIGGER_NODE = 'trigger';
/** the branch node's second handle: "after the branch" (its first is "a new branch") */
export const AFTER_HANDLE = 'after';

export interface GraphNode {
  id: string;
  step?: RawStep;
  loose: boolean;
  /** where the step sits in the file: steps.2.branches.0.steps.1 */
  path: string;
  /** a step of `compensations`: runs only when a step that names it fails */
  compensation?: boolean;
}
export interface GraphEdge {
  id: string;
  source: string;
  sourceHandle?: string;
  target: string;
  label?: string;
  /** "when this fails, that undoes": not "runs after" */
  compensation?: boolean;
}

/** Nodes (trigger, steps in file order, loose steps) and "runs after" edges. */
export function toGraph(snapshot: Snapshot): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [{ id: TRIGGER_NODE, loose: false, path: 'triggers' }];
  const edges: GraphEdge[] = [];
  const link = (from: Array<{ id: string; handle?: string; label?: string }>, to: string) => {
    for (const f of from) edges.push({ id: `${f.id}${f.handle ? `:${f.handle}` : ''}->${to}#${edges.length}`, source: f.id, sourceHandle: f.handle, target: to, label: f.label });
  };
  const walk = (steps: RawStep[], path: string, before: Array<{ id: string; handle?: string; label?: string }>) => {
    let prev = before;
    steps.forEach((step, i) => {
      const here = `${path}.${i}`;
      nodes.push({ id: step.id, step, loose: false, path: here });
      link(prev, step.id);
      if (step.type === 'branch') {
        const exits: Array<{ id: string; handle?: string; label?: string }> = [];
        (step.branches ?? []).forEach((b, j) => exits.push(...walk(b.steps, `${here}.branches.${j}.steps`, [{ id: step.id, label: b.name }])));
        exits.push(...walk(step.otherwise ?? [], `${here}.otherwise`, [{ id: step.id, handle: AFTER_HANDLE, label: 'otherwise' }]));
        prev = exits;
      } else prev = [{ id: step.id }];
    });
    return prev;
  };
  walk(snapshot.def.steps, 'steps', [{ id: TRIGGER_NODE }]);
  // compensations run only on failure: each is fed by the steps whose onError.compensate names it
  // (a flow-level onError.compensate: by the trigger, "any step fails")
  const flowLevel = snapshot.def.onError?.compensate ?? [];
  const placed = allSteps(snapshot.def.steps).filter((s) => s.type !== 'branch');
  (snapshot.def.compensations ?? []).forEach((c, i) => {
    nodes.push({ id: c.id, step: c, loose: false, path: `compensations.${i}`, compensation: true });
    for (const s of placed) if (s.onError?.compensate?.includes(c.id)) edges.push({ id: `${s.id}~>${c.id}`, source: s.id, target: c.id, label: 'if it fails', compensation: true });
    if (flowLevel.includes(c.id)) edges.push({ id: `${TRIGGER_NODE}~>${c.id}`, source: TRIGGER_NODE, target: c.id, label: 'if any step fails', compensation: true });
  });
  for (const l of snapshot.loose) nodes.push({ id: l.step.id, step: l.step, loose: true, path: '' });
  return { nodes, edges };
}

/** Every step of the definition in file order (branches included). */
export function allSteps(steps: RawStep[]): RawStep[] {
  return steps.flatMap((s) => [s, ...(s.branches ?? []).flatMap((b) => allSteps(b.steps)), ...allSteps(s.otherwise ?? [])]);
}

function locate(steps: RawStep[], id: string): { list: RawStep[]; index: number } | undefined {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (s.id === id) return { list: steps, index: i };
    for (const b of s.branches ?? []) {
      const found = locate(b.steps, id);
      if (found) return found;
    }
    const found = locate(s.otherwise ?? [], id);
    if (found) return found;
  }
  return undefined;
}

const clone = (s: Snapshot): Snapshot => structuredClone(s);

/** A step id not yet used: `email-send`, `email-send-2`, … */
export function freshId(snapshot: Snapshot, type: string): string {
  const used = new Set([...allSteps(snapshot.def.steps).map((s) => s.id), ...(snapshot.def.compensations ?? []).map((s) => s.id), ...snapshot.loose.map((l) => l.step.id)]);
  const base = type.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 34) || 'step';
  const start = /^[a-z]/.test(base) ? base : `s-${base}`;
  if (!used.has(start)) return start;
  for (let n = 2; ; n++) if (!used.has(`${start}-${n}`)) return `${start}-${n}`;
}

/** A new step of a palette entry: its required inputs empty, for the validator to name. */
export function newStep(snapshot: Snapshot, entry: CatalogueStep): RawStep {
  const id = freshId(snapshot, entry.type);
  if (entry.type === 'branch') return { id, type: 'branch', name: entry.title, branches: [{ name: 'when…', when: 'true', steps: [] }] };
  return { id, type: entry.type, name: entry.title };
}

/** Drop a step on the canvas, not connected yet: it does not run until it is. */
export function addLoose(snapshot: Snapshot, step: RawStep, at: { x: number; y: number }): Snapshot {
  const next = clone(snapshot);
  next.loose.push({ step, x: at.x, y: at.y });
  return next;
}

/** Is `id` the step `ancestor` or inside one of its branches? */
function within(snapshot: Snapshot, ancestor: string, id: string): boolean {
  const a = allSteps(snapshot.def.steps).find((s) => s.id === ancestor) ?? snapshot.loose.find((l) => l.step.id === ancestor)?.step;
  return a ? allSteps([a]).some((s) => s.id === id) : false;
}

/**
 * Connect: `target` runs after `source` (the trigger: first). From a branch node's main handle the
 * target starts a new branch; from its "after" handle it runs after the branch. A placed target
 * moves (with its branches); a loose one is placed. Refused (undefined) when it would make a loop.
 */
export function connect(snapshot: Snapshot, source: string, target: string, sourceHandle?: string | null): Snapshot | undefined {
  if (target === TRIGGER_NODE || source === target || within(snapshot, target, source)) return undefined;
  if (source !== TRIGGER_NODE && !locate(snapshot.def.steps, source)) return undefined; // a loose step has no place to follow yet
  const next = clone(snapshot);
  let step: RawStep;
  const looseAt = next.loose.findIndex((l) => l.step.id === target);
  if (looseAt >= 0) step = next.loose.splice(looseAt, 1)[0]!.step;
  else {
    const where = locate(next.def.steps, target);
    if (!where) return undefined;
    step = where.list.splice(where.index, 1)[0]!;
  }
  if (source === TRIGGER_NODE) next.def.steps.unshift(step);
  else {
    const where = locate(next.def.steps, source)!;
    const src = where.list[where.index]!;
    if (src.type === 'branch' && sourceHandle !== AFTER_HANDLE) {
      src.branches = [...(src.branches ?? []), { name: `branch ${(src.branches?.length ?? 0) + 1}`, when: 'true', steps: [step] }];
    } else where.list.splice(where.index + 1, 0, step);
  }
  return next;
}

/** What holds an `onError`: the flow itself and each step (placed, loose, compensations). */
function errorPolicyHolders(def: Definition, loose: LooseStep[]): Array<{ onError?: Definition['onError'] }> {
  return [def, ...allSteps(def.steps), ...loose.flatMap((l) => allSteps([l.step])), ...(def.compensations ?? [])];
}

/**
 * Rename (or, with `to` undefined, drop) a compensation wherever an `onError.compensate` names it;
 * a policy left with nothing in it goes, so the file says no more than it means.
 */
function renameCompensation(snapshot: Snapshot, from: string, to: string | undefined): void {
  for (const holder of errorPolicyHolders(snapshot.def, snapshot.loose)) {
    const policy = holder.onError;
    if (!policy?.compensate?.includes(from)) continue;
    const compensate = to ? policy.compensate.map((c) => (c === from ? to : c)) : policy.compensate.filter((c) => c !== from);
    const { compensate: _old, ...rest } = policy;
    const next = compensate.length ? { ...rest, compensate } : rest;
    if (Object.keys(next).length) holder.onError = next;
    else delete holder.onError;
  }
}

/**
 * Delete a step (a branch with the steps inside it); what followed it now follows what preceded it.
 * A compensation step is also taken out of every `onError.compensate` that named it.
 */
export function remove(snapshot: Snapshot, id: string): Snapshot {
  const next = clone(snapshot);
  next.loose = next.loose.filter((l) => l.step.id !== id);
  const where = locate(next.def.steps, id);
  if (where) where.list.splice(where.index, 1);
  const compensation = (next.def.compensations ?? []).findIndex((c) => c.id === id);
  if (compensation >= 0) {
    next.def.compensations!.splice(compensation, 1);
    if (!next.def.compensations!.length) delete next.def.compensations;
    renameCompensation(next, id, undefined);
  }
  delete next.positions[id];
  return next;
}

/**
 * A new compensation step that undoes `forStep` when it fails (`forStep`'s `onError.compensate`
 * names it; the trigger: the flow's own `onError`, for a failure of any step).
 */
export function addCompensation(snapshot: Snapshot, forStep: string, step: RawStep): Snapshot {
  const next = clone(snapshot);
  next.def.compensations = [...(next.def.compensations ?? []), step];
  if (forStep === TRIGGER_NODE) next.def.onError = { ...next.def.onError, compensate: [...(next.def.onError?.compensate ?? []), step.id] };
  else {
    const target = [...allSteps(next.def.steps), ...next.loose.map((l) => l.step)].find((s) => s.id === forStep);
    if (!target) return snapshot;
    target.onError = { ...target.onError, compensate: [...(target.onError?.compensate ?? []), step.id] };
  }
  return next;
}

/** Change a step (placed, loose or a compensation); a new id keeps its position and, for a compensation, the references to it. */
export function update(snapshot: Snapshot, id: string, step: RawStep): Snapshot {
  const next = clone(snapshot);
  const where = locate(next.def.steps, id);
  const compensation = (next.def.compensations ?? []).findIndex((c) => c.id === id);
  if (where) where.list[where.index] = step;
  else if (compensation >= 0) {
    next.def.compensations![compensation] = step;
    if (step.id !== id) renameCompensation(next, id, step.id);
  } else next.loose = next.loose.map((l) => (l.step.id === id ? { ...l, step } : l));
  if (step.id !== id && next.positions[id]) {
    next.positions[step.id] = next.positions[id]!;
    delete next.positions[id];
  }
  return next;
}

export function findStep(snapshot: Snapshot, id: string): { step: RawStep; loose: boolean; compensation?: boolean } | undefined {
  const placed = allSteps(snapshot.def.steps).find((s) => s.id === id);
  if (placed) return { step: placed, loose: false };
  const compensation = snapshot.def.compensations?.find((s) => s.id === id);
  if (compensation) return { step: compensation, loose: false, compensation: true };
  const loose = snapshot.loose.find((l) => l.step.id === id);
  return loose ? { step: loose.step, loose: true } : undefined;
}

/**
 * The steps whose output a step may read: those before it in file order. A compensation runs after
 * a failure, so any step may have run before it (the validator says which ones surely did).
 */
export function stepsBefore(snapshot: Snapshot, id: string): RawStep[] {
  const all = allSteps(snapshot.def.steps);
  const at = all.findIndex((s) => s.id === id);
  return at < 0 ? all : all.slice(0, at);
}

/** The YAML text of a definition: the original text when nothing changed (import/export round-trips exactly). */
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Write into `doc` at `path` only what differs between `before` and `after`, going down maps and
 * same-length lists: an edit of one field replaces that field's node, so the comments and layout of
 * everything around it — its siblings inside the same trigger or step too — stay as they were.
 */
function patchNode(doc: YAML.Document, path: Array<string | number>, before: unknown, after: unknown): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const node = path.length ? doc.getIn(path, true) : doc.contents;
  if (isPlainObject(before) && isPlainObject(after) && YAML.isMap(node)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (after[key] === undefined) doc.deleteIn([...path, key]);
      else if (before[key] === undefined) doc.setIn([...path, key], doc.createNode(after[key]));
      else patchNode(doc, [...path, key], before[key], after[key]);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && YAML.isSeq(node)) {
    after.forEach((item, i) => patchNode(doc, [...path, i], before[i], item));
    return;
  }
  if (path.length === 0) throw new Error('the definition is not a map'); // parseDefinition refuses that before
  doc.setIn(path, doc.createNode(after));
}

interface WrittenNode {
  /** the node's data as JSON, and where it sits (keys and indexes) */
  value: string;
  path: string;
  start: number;
  end: number;
  /** the line's text before the node (indentation, key, list dash): where the node sits in its line */
  lead: string;
}

/**
 * The nodes of a YAML text the library writes its own way — folded (`>`) and literal (`|`) texts,
 * flow lists and maps (`[USD]`, `{ code: X }`) — with where their source is. Not inside each other:
 * a flow collection is taken whole.
 */
function styledNodes(text: string): WrittenNode[] {
  const found: WrittenNode[] = [];
  const record = (node: YAML.Scalar | YAML.YAMLMap | YAML.YAMLSeq, ancestors: readonly unknown[]) => {
    if (!node.range) return;
    const chain = [...ancestors, node];
    const keys: string[] = [];
    for (let i = 0; i < chain.length - 1; i++) {
      const at = chain[i];
      if (YAML.isPair(at) && chain[i + 1] === at.value) keys.push(String(YAML.isScalar(at.key) ? at.key.value : at.key));
      else if (YAML.isSeq(at)) keys.push(String(at.items.indexOf(chain[i + 1])));
    }
    const start = node.range[0];
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    found.push({ value: JSON.stringify(node.toJSON()), path: keys.join('/'), start, end: node.range[1], lead: text.slice(lineStart, start) });
  };
  YAML.visit(YAML.parseDocument(text), {
    Scalar(_key, node, ancestors) {
      if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') record(node, ancestors);
    },
    Map(_key, node, ancestors) {
      if (!node.flow) return undefined;
      record(node, ancestors);
      return YAML.visit.SKIP;
    },
    Seq(_key, node, ancestors) {
      if (!node.flow) return undefined;
      record(node, ancestors);
      return YAML.visit.SKIP;
    },
  });
  return found;
}

let lastOriginal: { text: string; nodes: WrittenNode[] } | undefined;

/**
 * The yaml library re-renders every node when it writes a document: a description the file folds
 * over five lines came back as one, `[USD]` as `[ USD ]`, though nobody edited them. Each such node
 * of the output whose data the file has — at the same place if it can, else anywhere after the same
 * indentation and key — gets the file's own text back. Kept only if the result still reads as the same
 * data; otherwise the library's rendering stands.
 */
function keepWrittenStyle(originalText: string, rendered: string, data: unknown): string {
  // every edit writes the same file again: its nodes are read once
  if (lastOriginal?.text !== originalText) lastOriginal = { text: originalText, nodes: styledNodes(originalText) };
  const before = lastOriginal.nodes;
  let out = rendered;
  for (const node of styledNodes(rendered).sort((x, y) => y.start - x.start)) {
    const same = before.filter((b) => b.value === node.value && b.lead === node.lead);
    const source = same.find((b) => b.path === node.path) ?? same[0];
    if (source) out = out.slice(0, node.start) + originalText.slice(source.start, source.end) + out.slice(node.end);
  }
  if (out === rendered) return rendered;
  try {
    return JSON.stringify(YAML.parse(out)) === JSON.stringify(data) ? out : rendered;
  } catch {
    return rendered; // a splice that does not parse: the library's rendering stands
  }
}

export function serialize(def: Definition, original: { text: string; def: Definition } | undefined): string {
  if (original && JSON.stringify(original.def) === JSON.stringify(def)) return original.text;
  if (original) {
    // keep the file's comments and layout outside the parts that changed
    const doc = YAML.parseDocument(original.text);
    patchNode(doc, [], original.def, def);
    return keepWrittenStyle(original.text, doc.toString({ lineWidth: 0 }), doc.toJS());
  }
  return YAML.stringify(def, { lineWidth: 0 });
}

/** YAML text → definition, or why the builder cannot draw it (the text view still shows it). */
export function parseDefinition(text: string): { def?: Definition; error?: string } {
  try {
    const data = YAML.parse(text) as unknown;
    if (!data || typeof data !== 'object' || !Array.isArray((data as { steps?: unknown }).steps)) return { error: 'the file has no list of steps' };
    return { def: data as Definition };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Problems by the step they are about (the longest step path that contains theirs); the rest belong to the flow. */
export function problemsByStep(snapshot: Snapshot, problems: SourceProblem[]): { byStep: Map<string, SourceProblem[]>; flow: SourceProblem[] } {
  const paths = toGraph(snapshot).nodes.filter((n) => n.step && !n.loose).map((n) => ({ id: n.id, path: n.path })).sort((a, b) => b.path.length - a.path.length);
  const byStep = new Map<string, SourceProblem[]>();
  const flow: SourceProblem[] = [];
  for (const p of problems) {
    const owner = paths.find((s) => p.path === s.path || p.path.startsWith(`${s.path}.`));
    if (owner) byStep.set(owner.id, [...(byStep.get(owner.id) ?? []), p]);
    else flow.push(p);
  }
  return { byStep, flow };
}

/** The definition of a new flow: its trigger, and no steps yet (the palette adds them). */
export function newFlow(id: string, name: string, trigger: Record<string, unknown>): Definition {
  return { version: 1, id, name, triggers: [trigger as Definition['triggers'][number]], steps: [] };
}
