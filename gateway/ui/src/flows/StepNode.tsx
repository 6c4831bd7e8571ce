import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { CatalogueStep, SourceProblem } from '../../../src/admin/flow-builder-types';
import { NodeOverlay } from './LiveOverlay';
import { AFTER_HANDLE } from './model';
import type { NodeRun } from './test-run';
import { NodeRunInfo } from './TestRun';

export interface StepNodeData extends Record<string, unknown> {
  title: string;
  /** the step type, or the trigger's claims */
  kind: string;
  entry?: CatalogueStep;
  trigger?: boolean;
  loose?: boolean;
  branch?: boolean;
  /** a compensation step (drawn dashed): runs only when a step that names it fails */
  compensation?: boolean;
  problems: SourceProblem[];
  /** what the last test run did here */
  run?: NodeRun;
}
export type StepNodeType = Node<StepNodeData, 'step'>;

const SYSTEM_LABELS: Record<string, string> = { paytrace: 'PayTrace', m3: 'M3', ion: 'ION', webhook: 'Webhook', email: 'E-mail', gateway: 'Ledger', none: 'Logic' };

/** One node: the step's name and type, its system, whether it moves money, and its problems on it. */
export function StepNode({ id, data, selected }: NodeProps<StepNodeType>) {
  const errors = data.problems.filter((p) => p.severity !== 'warning');
  const warnings = data.problems.filter((p) => p.severity === 'warning');
  const cls = ['flow-node', data.trigger ? 'trigger' : '', data.loose ? 'loose' : '', data.compensation ? 'compensation' : '', errors.length ? 'has-errors' : warnings.length ? 'has-warnings' : '', selected ? 'selected' : ''].filter(Boolean).join(' ');
  return (
    <div className={cls} data-testid={`node-${data.trigger ? 'trigger' : data.title}`}>
      {!data.trigger && <Handle type="target" position={Position.Top} aria-label={`connect into ${data.title}`} />}
      <div className="flow-node-head">
        <span className={`chip sys-${data.entry?.system ?? 'trigger'}`}>{data.trigger ? 'Trigger' : SYSTEM_LABELS[data.entry?.system ?? 'none'] ?? data.entry?.system}</span>
        {data.entry?.movesMoney && <span className="chip money" title="moves or books money">$ money</span>}
        {warnings.some((w) => w.message.includes('at-least-once')) && <span className="chip warn" title="no lookup: a lost answer may repeat the effect">at-least-once</span>}
      </div>
      <strong className="flow-node-title">{data.title}</strong>
      <span className="flow-node-kind">{data.kind}</span>
      {data.loose && <span className="flow-node-problem">not connected: it does not run</span>}
      {data.compensation && <span className="flow-node-kind">compensation: runs only when a step it undoes fails</span>}
      {errors.length > 0 && <span className="flow-node-problem" role="note">{errors.length === 1 ? errors[0]!.message : `${errors.length} errors: ${errors[0]!.message}`}</span>}
      {!errors.length && warnings.length > 0 && <span className="flow-node-warning">{warnings[0]!.message}</span>}
      {data.run && <NodeRunInfo run={data.run} />}
      {!data.trigger && !data.loose && <NodeOverlay stepId={id} />}
      <Handle type="source" position={Position.Bottom} aria-label={data.branch ? `add a branch to ${data.title}` : `connect from ${data.title}`} />
      {data.branch && <Handle type="source" id={AFTER_HANDLE} position={Position.Right} aria-label={`after ${data.title} (otherwise)`} />}
    </div>
  );
}
