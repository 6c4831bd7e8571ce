import { useState } from 'react';
import type { FlowCatalogue, SourceProblem } from '../../../src/admin/flow-builder-types';
import { withFlowKey, withTrigger, type FlowKey, type Trigger } from './flow-settings';
import type { Definition } from './model';

/**
 * The flow's own settings, on the canvas (select the trigger node): its triggers, and the keys the
 * runner reads — `aggregateKey` (events with the same key run one at a time, in order), `runKey`
 * (what a flow without a payment keys its intents by), `scope` (the run's M3 company/division),
 * `concurrency`, `completeStatus`. Every edit goes into the definition and is checked by the same
 * compiler as the steps (POST /admin/api/flows/:id/validate); problems show beside their field.
 */

const KEYS: Array<{ key: FlowKey; label: string; hint: string }> = [
  { key: 'aggregateKey', label: 'Aggregate key', hint: 'events with the same key run one at a time, in arrival order (e.g. the invoice)' },
  { key: 'runKey', label: 'Run key', hint: 'for a flow without a payment: the key its effects are recorded under' },
  { key: 'scope.company', label: 'M3 company', hint: 'expression; default: the trigger\'s, else flows.company' },
  { key: 'scope.division', label: 'M3 division', hint: 'expression; default: the trigger\'s, else flows.division' },
  { key: 'concurrency', label: 'Concurrency', hint: 'runs of this flow one gateway runs at once (1–256)' },
  { key: 'completeStatus', label: 'Status when done', hint: 'the payment\'s status when the run ends well' },
];
const PATHS: Record<FlowKey, string> = { aggregateKey: 'aggregateKey', runKey: 'runKey', 'scope.company': 'scope.company', 'scope.division': 'scope.division', concurrency: 'concurrency', completeStatus: 'completeStatus' };

function valueOf(def: Definition, key: FlowKey): string {
  const d = def as Definition & Record<string, unknown>;
  const v = key === 'scope.company' ? def.scope?.company : key === 'scope.division' ? def.scope?.division : d[key];
  return v === undefined || v === null ? '' : String(v);
}

const claimValue = (t: { type: string } & Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'event').sort(([a], [b]) => a.localeCompare(b))));

export function FlowSettingsPanel({ def, catalogue, problems, canEdit, onChange }: { def: Definition; catalogue: FlowCatalogue; problems: SourceProblem[]; canEdit: boolean; onChange: (def: Definition) => void }) {
  // typed text is kept here until it leaves the field: the definition (and the validator) get whole values
  const [drafts, setDrafts] = useState<Partial<Record<FlowKey, string>>>({});
  const choices = catalogue.triggers.flatMap((t) => t.samples.map((s) => ({ label: `${t.title} — ${s.claim}`, trigger: { type: t.type, ...s.options } as Trigger })));
  const problemsAt = (path: string) => problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`));
  return (
    <aside className="step-panel flow-settings" aria-label="flow settings" data-testid="flow-settings">
      <h2>Flow settings</h2>
      <p className="muted small">What starts the flow and the keys the runner reads; checked by the same validator as the steps.</p>
      <h3>Triggers</h3>
      {(def.triggers ?? []).map((t, i) => {
        const current = claimValue(t as Trigger & Record<string, unknown>);
        const known = choices.some((c) => claimValue(c.trigger as Trigger & Record<string, unknown>) === current);
        return (
          <div key={i} className="trigger-row">
            <label>
              Trigger {i + 1}
              <select value={current} disabled={!canEdit} aria-label={`trigger ${i + 1}`} onChange={(e) => onChange(withTrigger(def, i, choices.find((c) => claimValue(c.trigger as Trigger & Record<string, unknown>) === e.target.value)!.trigger))}>
                {!known && <option value={current}>{current} (as in the file)</option>}
                {choices.map((c) => (
                  <option key={c.label} value={claimValue(c.trigger as Trigger & Record<string, unknown>)}>{c.label}</option>
                ))}
              </select>
            </label>
            {canEdit && (def.triggers ?? []).length > 1 && <button type="button" className="link" onClick={() => onChange(withTrigger(def, i, undefined))}>Remove trigger {i + 1}</button>}
            {problemsAt(`triggers.${i}`).map((p, j) => <span key={j} className="field-error">{p.message}</span>)}
          </div>
        );
      })}
      {canEdit && (
        <label>
          Add a trigger
          <select value="" aria-label="add a trigger" onChange={(e) => e.target.value && onChange(withTrigger(def, (def.triggers ?? []).length, choices.find((c) => c.label === e.target.value)!.trigger))}>
            <option value="">choose…</option>
            {choices.map((c) => <option key={c.label} value={c.label}>{c.label}</option>)}
          </select>
        </label>
      )}
      <h3>Keys</h3>
      {KEYS.map(({ key, label, hint }) => {
        const own = problemsAt(PATHS[key]);
        const commit = () => {
          const typed = drafts[key];
          if (typed !== undefined && typed !== valueOf(def, key)) onChange(withFlowKey(def, key, typed));
          setDrafts((d) => ({ ...d, [key]: undefined }));
        };
        return (
          <label key={key} className={own.length ? 'mapping invalid' : 'mapping'}>
            {label} <span className="muted small">{hint}</span>
            <input
              value={drafts[key] ?? valueOf(def, key)}
              readOnly={!canEdit}
              aria-label={label}
              aria-invalid={own.length > 0}
              onChange={(e) => setDrafts((d) => ({ ...d, [key]: e.target.value }))}
              onBlur={commit}
              onKeyDown={(e) => e.key === 'Enter' && commit()}
            />
            {own.map((p, j) => <span key={j} className="field-error" role="note">{p.message}</span>)}
          </label>
        );
      })}
    </aside>
  );
}
