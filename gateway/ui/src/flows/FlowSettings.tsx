import { useState } from 'react';
import type { FlowCatalogue, RawMapping, SourceProblem } from '../../../src/admin/flow-builder-types';
import { withEvent, withEventField, withFlowKey, withTrigger, type FlowKey, type Trigger } from './flow-settings';
import { mappingOf, mappingText } from './mapping-text';
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
            {problemsAt(`triggers.${i}`).filter((p) => !p.path.startsWith(`triggers.${i}.event`)).map((p, j) => <span key={j} className="field-error">{p.message}</span>)}
            {(t.type === 'bod' || (t as { event?: RawMapping }).event !== undefined) && (
              <EventMapping index={i} event={(t as { event?: RawMapping }).event} def={def} canEdit={canEdit} problemsAt={problemsAt} onChange={onChange} />
            )}
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

/**
 * A trigger's `event` mapping (a BOD trigger: `noun`, `envelope`, `settings` → the flow's event):
 * one row per event field, its expression committed when it leaves the field; a mapping written as
 * one expression is edited as one. Problems of the validator go beside their field.
 */
function EventMapping({ index, event, def, canEdit, problemsAt, onChange }: { index: number; event: RawMapping | undefined; def: Definition; canEdit: boolean; problemsAt: (path: string) => SourceProblem[]; onChange: (def: Definition) => void }) {
  // typed text is kept here until it leaves the field (as the keys above)
  const [drafts, setDrafts] = useState<Partial<Record<string, string>>>({});
  const [newField, setNewField] = useState('');
  const base = `triggers.${index}.event`;
  const fields = event && typeof event === 'object' && !Array.isArray(event) ? Object.entries(event as Record<string, RawMapping>) : undefined;
  const commit = (field: string, typed: string | undefined, current: string) => {
    if (typed !== undefined && typed !== current) onChange(withEventField(def, index, field, mappingOf(typed)));
    setDrafts(({ [field]: _done, ...rest }) => rest);
  };
  const fieldOk = /^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(newField) && !fields?.some(([k]) => k === newField);
  return (
    <details className="event-mapping" open={event !== undefined}>
      <summary>Event mapping {event === undefined ? <span className="muted small">(none: the document is the event as it comes)</span> : <span className="muted small">({fields ? `${fields.length} fields` : 'one expression'})</span>}</summary>
      {problemsAt(base).filter((p) => p.path === base).map((p, j) => <span key={j} className="field-error" role="note">{p.message}</span>)}
      {event !== undefined && !fields && (
        <label className="mapping">
          event =
          <textarea key={mappingText(event)} rows={2} defaultValue={mappingText(event)} readOnly={!canEdit} aria-label={`trigger ${index + 1} event`} onBlur={(e) => e.target.value !== mappingText(event) && onChange(withEvent(def, index, mappingOf(e.target.value)))} />
        </label>
      )}
      {fields?.map(([field, value]) => {
        const current = mappingText(value);
        const own = problemsAt(`${base}.${field}`);
        return (
          <label key={field} className={own.length ? 'mapping invalid' : 'mapping'}>
            <code>{field}</code>
            <textarea
              rows={current.length > 60 || current.includes('\n') ? 3 : 1}
              value={drafts[field] ?? current}
              readOnly={!canEdit}
              aria-label={`event ${field}`}
              aria-invalid={own.length > 0}
              placeholder="JSONata over noun, envelope, settings (empty: remove the field)"
              onChange={(e) => setDrafts((d) => ({ ...d, [field]: e.target.value }))}
              onBlur={() => commit(field, drafts[field], current)}
            />
            {own.map((p, j) => <span key={j} className="field-error" role="note">{p.message}</span>)}
          </label>
        );
      })}
      {canEdit && (fields || event === undefined) && (
        <div className="toolbar">
          <input value={newField} placeholder="new event field" aria-label={`trigger ${index + 1} new event field`} onChange={(e) => setNewField(e.target.value.trim())} />
          <button type="button" disabled={!fieldOk} onClick={() => { onChange(withEventField(def, index, newField, null)); setNewField(''); }}>Add event field</button>
        </div>
      )}
    </details>
  );
}
