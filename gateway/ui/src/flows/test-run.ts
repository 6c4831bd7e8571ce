/**
 * A test run's trace as the canvas shows it: for each node, what happened — ran (with input,
 * output, time), skipped (its `when` was false), failed (with the M3/PayTrace error), or not
 * reached (the run ended, failed or timed out before it; a branch not taken).
 */
import type { RawStep } from '../../../src/admin/flow-builder-types';
import type { StepTrace, TestRunResult } from '../../../src/admin/flow-test-run-types';
import { parseDefinition, TRIGGER_NODE, type Definition } from './model';

export interface NodeRun {
  outcome: StepTrace['outcome'] | 'not-reached' | 'taken' | 'started';
  /** one line for the node: "took: credit note…", "not reached: the run failed at gl" */
  note?: string;
  trace?: StepTrace;
}

/** Outcome words as a person reads them. */
export const OUTCOME_LABELS: Record<NodeRun['outcome'], string> = {
  succeeded: 'ran',
  reused: 'ran (result reused)',
  found_by_lookup: 'ran (found by lookup)',
  skipped: 'skipped',
  failed: 'failed',
  'not-reached': 'not reached',
  taken: 'ran',
  started: 'started the run',
};

/** The node of every step of the definition, with what the run did there. */
export function nodeRuns(def: Definition, result: TestRunResult, event: unknown): Map<string, NodeRun> {
  const byStep = new Map(result.trace.map((t) => [t.stepId, t]));
  const failed = result.trace.find((t) => t.outcome === 'failed');
  const why = failed ? `the run failed at ${failed.stepId}` : result.outcome === 'timeout' ? 'the time limit came first' : result.outcome === 'cancelled' ? 'the run was cancelled before it' : 'the run ended before it';
  const stoppedEarly = result.outcome === 'timeout' || result.outcome === 'cancelled';
  const out = new Map<string, NodeRun>([[TRIGGER_NODE, { outcome: 'started', note: `event: ${preview(event)}` }]]);
  const notReached = (steps: RawStep[], note: string) => {
    for (const s of steps) {
      out.set(s.id, { outcome: 'not-reached', note });
      notReached([...(s.branches ?? []).flatMap((b) => b.steps), ...(s.otherwise ?? [])], note);
    }
  };
  const ran = (steps: RawStep[]): boolean => steps.some((s) => byStep.has(s.id) || ran([...(s.branches ?? []).flatMap((b) => b.steps), ...(s.otherwise ?? [])]));
  /** walk a list the run entered; answers whether the run went on after it */
  const walk = (steps: RawStep[]): boolean => {
    for (const [i, step] of steps.entries()) {
      if (step.type === 'branch') {
        const lists = [...(step.branches ?? []).map((b) => ({ name: b.name, steps: b.steps })), { name: 'otherwise', steps: step.otherwise ?? [] }];
        const taken = lists.find((l) => ran(l.steps));
        if (!taken && stoppedEarly) {
          notReached(steps.slice(i), why);
          return false;
        }
        out.set(step.id, { outcome: 'taken', note: taken ? `took: ${taken.name}` : 'took a branch without steps' });
        for (const l of lists) if (l !== taken) notReached(l.steps, 'a branch not taken');
        if (taken && !walk(taken.steps)) {
          notReached(steps.slice(i + 1), why);
          return false;
        }
        continue;
      }
      const trace = byStep.get(step.id);
      if (!trace) {
        notReached(steps.slice(i), why);
        return false;
      }
      out.set(step.id, { outcome: trace.outcome, trace, note: trace.error ? `${trace.error.code}: ${errorText(trace.error)}` : undefined });
      if (trace.outcome === 'failed') {
        notReached(steps.slice(i + 1), why);
        return false;
      }
    }
    return true;
  };
  walk(def.steps);
  return out;
}

/** A value on one line, cut to `max` characters (the node shows it; the panel shows all of it). */
export function preview(value: unknown, max = 90): string {
  if (value === undefined) return '–';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A failed step's error as the node says it: the message, with M3's message id and field or PayTrace's response code. */
export function errorText(error: NonNullable<StepTrace['error']>): string {
  const said = error.said;
  const own = [said?.m3Code && `M3 ${said.m3Code}`, said?.field && `on ${said.field}`, said?.responseCode && `PayTrace response ${said.responseCode}`].filter(Boolean).join(' ');
  return own ? `${error.message} (${own})` : error.message;
}

/** The steps' ids, types and branches, nested: what a run's per-node results are drawn by. */
function shape(steps: RawStep[]): unknown[] {
  return steps.map((s) => [s.id, s.type, (s.branches ?? []).map((b) => [b.name, shape(b.steps)]), shape(s.otherwise ?? [])]);
}

/**
 * How a run's definition compares with the canvas: the same text; the same steps (ids, types and
 * branches; inputs or settings changed) — its per-node results still fit the nodes and are drawn;
 * or steps that differ (added, removed, moved, retyped) — they are not drawn, the panel still lists them.
 */
export function runFits(ranSource: string, source: string, def: Definition): 'same' | 'same-steps' | 'steps-differ' {
  if (ranSource === source) return 'same';
  // the run's definition is parsed once, not on every edit of the canvas
  if (ranShape?.source !== ranSource) {
    const ran = parseDefinition(ranSource).def;
    ranShape = { source: ranSource, shape: ran ? JSON.stringify(shape(ran.steps)) : undefined };
  }
  return ranShape.shape !== undefined && ranShape.shape === JSON.stringify(shape(def.steps)) ? 'same-steps' : 'steps-differ';
}
let ranShape: { source: string; shape: string | undefined } | undefined;
