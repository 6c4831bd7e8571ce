import jsonata from 'jsonata';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DetailedSuggestionResult } from '../../../src/mapping-assistant/types';
import type { CatalogueStep, RawMapping, RawStep, SourceProblem } from '../../../src/admin/flow-builder-types';
import { api } from '../api';
import { Problem } from '../components';
import { ErrorPolicyEditor } from './ErrorPolicy';
import { M3Picker } from './M3Picker';
import { mappingOf, mappingText } from './mapping-text';
import type { SourceField } from './sources';

export const SOURCE_MIME = 'application/x-m3pt-source';

interface Props {
  step: RawStep;
  entry?: CatalogueStep;
  loose: boolean;
  problems: SourceProblem[];
  sources: SourceField[];
  sample: unknown;
  canEdit: boolean;
  canSuggest: boolean;
  /** where a loose step may be connected (after the trigger or a placed step) */
  connectTargets: Array<{ id: string; label: string }>;
  onChange: (step: RawStep) => void;
  onDelete: () => void;
  onConnect: (after: string) => void;
  /** the "If it fails" editor: the flow's compensations, whether this is one, the types a new one may be */
  errorPolicy?: { compensations: Array<{ id: string; label: string }>; isCompensation: boolean; types: CatalogueStep[]; onAddCompensation: (type: string) => void };
}


/** The value an expression gives on the sample (gateway functions such as $money are not here). */
function Preview({ expression, sample }: { expression: string; sample: unknown }) {
  const [value, setValue] = useState<string>();
  useEffect(() => {
    let live = true;
    if (!expression.trim() || /^[[{]/.test(expression.trim())) {
      setValue(undefined);
      return;
    }
    void (async () => {
      try {
        const result: unknown = await jsonata(expression).evaluate({ event: sample, steps: {}, payment: {}, settings: {}, scope: {} });
        if (live) setValue(result === undefined ? '(empty on the sample)' : JSON.stringify(result));
      } catch (err) {
        const message = (err as { message?: string }).message ?? String(err);
        // the gateway's own functions ($money…, $amount, …) run on the server only
        if (live) setValue(/non-function/.test(message) ? '(no preview here: the expression uses a gateway function)' : `(no preview: ${message})`);
      }
    })();
    return () => {
      live = false;
    };
  }, [expression, sample]);
  return value === undefined ? null : <output className="preview">= {value}</output>;
}

/**
 * The selected step: name, condition, settings and a field-mapping editor per input. A source of
 * the tree is dragged onto an input, or pressed to go into the input last focused. Problems the
 * validator found are listed with the field they are about.
 */
export function StepPanel({ step, entry, loose, problems, sources, sample, canEdit, canSuggest, connectTargets, onChange, onDelete, onConnect, errorPolicy }: Props) {
  const [focused, setFocused] = useState<string>();
  const [config, setConfig] = useState(() => JSON.stringify(step.config ?? {}, null, 1));
  const [configError, setConfigError] = useState<string>();
  const [after, setAfter] = useState(connectTargets[0]?.id ?? '');
  const [suggestions, setSuggestions] = useState<DetailedSuggestionResult>();
  const [error, setError] = useState<Error>();
  const lastStep = useRef(step.id);
  useEffect(() => {
    if (lastStep.current !== step.id) {
      setSuggestions(undefined);
      lastStep.current = step.id;
    }
  }, [step]);
  // settings changed elsewhere (the M3 picker, undo): the text follows; typing commits on blur
  const configText = JSON.stringify(step.config ?? {}, null, 1);
  useEffect(() => setConfig(configText), [configText]);

  const inputs = useMemo(() => {
    const names = new Map((entry?.inputs ?? []).map((i) => [i.name, i]));
    for (const name of Object.keys(step.input ?? {})) if (!names.has(name)) names.set(name, { name, required: false, money: false });
    return [...names.values()];
  }, [entry, step.input]);

  const setInput = (name: string, value: string) => {
    const input = { ...(step.input ?? {}) };
    const m = mappingOf(value);
    if (m === undefined) delete input[name];
    else input[name] = m;
    onChange({ ...step, input: Object.keys(input).length ? input : undefined });
  };
  const drop = (name: string) => (e: React.DragEvent) => {
    const source = e.dataTransfer.getData(SOURCE_MIME);
    if (!source) return;
    e.preventDefault();
    setInput(name, source);
  };
  const m3Target = step.type === 'm3.call' && typeof step.config?.program === 'string' && typeof step.config?.transaction === 'string' ? `m3:${step.config.program}/${step.config.transaction}` : undefined;
  const suggest = async () => {
    try {
      setError(undefined);
      setSuggestions(await api.post<DetailedSuggestionResult>('/admin/api/mapping-assistant/suggest', { target: m3Target, sample: { event: sample } }));
    } catch (err) {
      setError(err as Error);
    }
  };
  const useSuggestion = (field: string, source: string) => {
    const fields = typeof step.input?.fields === 'object' && step.input.fields !== null ? { ...(step.input.fields as Record<string, RawMapping>) } : {};
    fields[field] = source;
    onChange({ ...step, input: { ...(step.input ?? {}), fields } });
  };
  const problemsAt = (suffix: string) => problems.filter((p) => p.path.endsWith(suffix) || p.path.includes(`${suffix}.`));

  return (
    <aside className="step-panel" aria-label={`step ${step.name ?? step.id}`} data-testid="step-panel">
      <h2>{step.name ?? step.id}</h2>
      <p className="muted small">
        {entry?.title ?? step.type} · <code>{step.type}</code>
        {entry && <> · {entry.exactlyOnce}: {entry.exactlyOnceExplained}</>}
      </p>
      {entry?.summary && <p className="small">{entry.summary}</p>}
      {problems.length > 0 && (
        <ul className="node-problems" role="alert" aria-label="problems of this step">
          {problems.map((p, i) => (
            <li key={i} className={p.severity === 'warning' ? 'warning' : 'error'}>
              {p.severity === 'warning' ? 'warning' : 'error'}: {p.message} <code className="muted">{p.path}</code>
            </li>
          ))}
        </ul>
      )}
      <Problem error={error} />
      <fieldset disabled={!canEdit}>
        <label>
          Step id <input value={step.id} onChange={(e) => onChange({ ...step, id: e.target.value })} aria-label="step id" />
        </label>
        <label>
          Name <input value={step.name ?? ''} onChange={(e) => onChange({ ...step, name: e.target.value || undefined })} aria-label="step name" />
        </label>
        {step.type !== 'branch' && (
          <label>
            Runs only when <input value={step.when ?? ''} placeholder="(always)" onChange={(e) => onChange({ ...step, when: e.target.value || undefined })} aria-label="condition" />
          </label>
        )}
        {step.type === 'branch' &&
          (step.branches ?? []).map((b, j) => (
            <div key={j} className="branch-edit">
              <label>
                Branch <input value={b.name} onChange={(e) => onChange({ ...step, branches: step.branches!.map((x, k) => (k === j ? { ...x, name: e.target.value } : x)) })} aria-label={`branch ${j + 1} name`} />
              </label>
              <label>
                when <input value={b.when} onChange={(e) => onChange({ ...step, branches: step.branches!.map((x, k) => (k === j ? { ...x, when: e.target.value } : x)) })} aria-label={`branch ${j + 1} condition`} />
              </label>
            </div>
          ))}
        {entry?.hasConfig && (
          <label>
            Settings (JSON)
            <textarea
              rows={3}
              value={config}
              aria-label="settings"
              onChange={(e) => setConfig(e.target.value)}
              onBlur={() => {
                try {
                  const parsed = JSON.parse(config || '{}') as Record<string, unknown>;
                  setConfigError(undefined);
                  onChange({ ...step, config: Object.keys(parsed).length ? parsed : undefined });
                } catch (err) {
                  setConfigError((err as Error).message);
                }
              }}
            />
            {configError && <span className="field-error" role="alert">not JSON: {configError}</span>}
          </label>
        )}
        {step.type === 'm3.call' && (
          <M3Picker
            program={typeof step.config?.program === 'string' ? step.config.program : undefined}
            transaction={typeof step.config?.transaction === 'string' ? step.config.transaction : undefined}
            mapped={typeof step.input?.fields === 'object' && step.input.fields !== null ? Object.keys(step.input.fields) : []}
            canEdit={canEdit}
            onPick={(program, transaction) => onChange({ ...step, config: { ...(step.config ?? {}), program, transaction } })}
            onMapField={(field) => onChange({ ...step, input: { ...(step.input ?? {}), fields: { ...(typeof step.input?.fields === 'object' && step.input.fields !== null ? (step.input.fields as Record<string, RawMapping>) : {}), [field]: null } } })}
          />
        )}
        {inputs.length > 0 && <h3>Inputs (field mappings)</h3>}
        {inputs.map((i) => {
          const value = mappingText(step.input?.[i.name]);
          const own = problemsAt(`input.${i.name}`);
          return (
            <div key={i.name} className={`mapping${own.some((p) => p.severity !== 'warning') ? ' invalid' : ''}`} onDragOver={(e) => e.preventDefault()} onDrop={drop(i.name)}>
              <label>
                <span>
                  {i.name}
                  {i.required && <abbr title="required"> *</abbr>}
                  {i.money && <span className="chip money" title="a money input: a decimal string, never number arithmetic">$</span>}
                </span>
                <textarea
                  rows={value.includes('\n') ? 4 : 1}
                  value={value}
                  aria-label={`input ${i.name}`}
                  aria-invalid={own.some((p) => p.severity !== 'warning')}
                  placeholder="JSONata, or drop a source here"
                  onFocus={() => setFocused(i.name)}
                  onChange={(e) => setInput(i.name, e.target.value)}
                />
              </label>
              {own.map((p, k) => (
                <span key={k} className="field-error">{p.message}</span>
              ))}
              <Preview expression={value} sample={sample} />
            </div>
          );
        })}
      </fieldset>
      {m3Target && canSuggest && (
        <div>
          <button type="button" onClick={() => void suggest()}>Suggest M3 fields for {m3Target.slice(3)}</button>
          {suggestions && (
            <table className="suggestions" aria-label="mapping suggestions">
              <thead><tr><th>M3 field</th><th>suggested source</th><th /></tr></thead>
              <tbody>
                {suggestions.fields.map((f) => (
                  <tr key={f.field}>
                    <td><b>{f.field}</b>{f.mandatory && <abbr title="mandatory"> *</abbr>} <span className="muted">{f.description}</span></td>
                    <td>{f.candidates[0] ? <><code>{f.candidates[0].source}</code> <span className="muted">{Math.round(f.candidates[0].confidence * 100)} %</span></> : <span className="muted">no suggestion</span>}</td>
                    <td>{f.candidates[0] && canEdit && <button type="button" onClick={() => useSuggestion(f.field, f.candidates[0]!.source)}>Use</button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {canEdit && inputs.length > 0 && (
        <details className="sources" open>
          <summary>Sources {focused ? <>(press to put into <b>{focused}</b>)</> : '(drag onto an input)'}</summary>
          <ul aria-label="source fields">
            {sources.map((s) => (
              <li key={`${s.group}:${s.expression}`}>
                <button
                  type="button"
                  className="source"
                  draggable
                  onDragStart={(e) => e.dataTransfer.setData(SOURCE_MIME, s.expression)}
                  onClick={() => focused && setInput(focused, s.expression)}
                  title={s.group}
                >
                  <code>{s.expression}</code>
                  {s.sample !== undefined && typeof s.sample !== 'object' && <span className="muted"> {JSON.stringify(s.sample)}</span>}
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
      {errorPolicy && step.type !== 'branch' && (
        <ErrorPolicyEditor step={step} canEdit={canEdit} {...errorPolicy} onChange={(onError) => onChange({ ...step, onError })} />
      )}
      {canEdit && (
        <div className="toolbar">
          {loose && connectTargets.length > 0 && (
            <>
              <label>
                Run after{' '}
                <select value={after} onChange={(e) => setAfter(e.target.value)} aria-label="run after">
                  {connectTargets.map((t) => (
                    <option key={t.id} value={t.id}>{t.label}</option>
                  ))}
                </select>
              </label>
              <button type="button" onClick={() => onConnect(after)}>Connect</button>
            </>
          )}
          <button type="button" className="danger" onClick={onDelete}>Delete step</button>
        </div>
      )}
    </aside>
  );
}
