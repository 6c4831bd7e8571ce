import { useState } from 'react';
import type { CatalogueStep, RawStep } from '../../../src/admin/flow-builder-types';

type Policy = NonNullable<RawStep['onError']>;

/** The runner's defaults (schema.ts errorPolicySchema): a policy equal to them is left out of the YAML. */
const DEFAULTS = { retry: 'transient', deadLetter: true } as const;

function tidy(policy: Policy): Policy | undefined {
  const out: Policy = {};
  if (policy.retry && policy.retry !== DEFAULTS.retry) out.retry = policy.retry;
  if (policy.deadLetter === false) out.deadLetter = false;
  if (policy.compensate?.length) out.compensate = policy.compensate;
  return Object.keys(out).length ? out : undefined;
}

interface Props {
  step: RawStep;
  canEdit: boolean;
  /** the flow's compensation steps (a compensation step itself is not offered any) */
  compensations: Array<{ id: string; label: string }>;
  isCompensation: boolean;
  /** step types a new compensation may be */
  types: CatalogueStep[];
  onChange: (onError: Policy | undefined) => void;
  onAddCompensation: (type: string) => void;
}

/**
 * What the runner does when this step fails for good (a business or configuration error, or an
 * outage past its retries): retry policy, dead letter or not, and the compensation steps that undo
 * what earlier steps did — chosen from the flow's compensations, or a new one added here.
 */
export function ErrorPolicyEditor({ step, canEdit, compensations, isCompensation, types, onChange, onAddCompensation }: Props) {
  const policy: Policy = step.onError ?? {};
  const compensate = policy.compensate ?? [];
  const [newType, setNewType] = useState(types[0]?.type ?? '');
  // closed unless the step says more than the defaults: the mappings above are what is edited most
  const [open, setOpen] = useState(Boolean(step.onError));
  const set = (change: Partial<Policy>) => onChange(tidy({ ...policy, ...change }));
  const summary = [
    (policy.retry ?? DEFAULTS.retry) === 'never' ? 'no retry' : 'retried on outages',
    (policy.deadLetter ?? DEFAULTS.deadLetter) ? 'dead letter' : 'recorded as failed',
    ...(isCompensation ? [] : [compensate.length ? `undone by ${compensate.join(', ')}` : 'nothing undone']),
  ].join(' · ');
  return (
    <details className="error-policy" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        If it fails <span className="muted small">({summary})</span>
      </summary>
      <fieldset disabled={!canEdit}>
        <label>
          Retry{' '}
          <select value={policy.retry ?? DEFAULTS.retry} onChange={(e) => set({ retry: e.target.value as Policy['retry'] })} aria-label="retry">
            <option value="transient">outages and timeouts, with backoff</option>
            <option value="never">never: the first failure decides</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={policy.deadLetter ?? DEFAULTS.deadLetter} onChange={(e) => set({ deadLetter: e.target.checked })} aria-label="park as a dead letter" />
          park the run as a dead letter for an operator (unticked: record it as failed and end)
        </label>
        {!isCompensation && (
          <div role="group" aria-label="compensation steps">
            <p className="small">Undo with (compensation steps, run in this order after a business failure):</p>
            {compensations.length === 0 && <p className="muted small">none yet</p>}
            {compensations.map((c) => (
              <label key={c.id} className="check">
                <input
                  type="checkbox"
                  checked={compensate.includes(c.id)}
                  onChange={(e) => set({ compensate: e.target.checked ? [...compensate, c.id] : compensate.filter((x) => x !== c.id) })}
                  aria-label={`undo with ${c.label}`}
                />
                {c.label} <code className="muted">{c.id}</code>
              </label>
            ))}
            <label>
              New compensation step{' '}
              <select value={newType} onChange={(e) => setNewType(e.target.value)} aria-label="new compensation step type">
                {types.map((t) => (
                  <option key={t.type} value={t.type}>{t.title} ({t.type})</option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => newType && onAddCompensation(newType)}>Add compensation step</button>
          </div>
        )}
      </fieldset>
    </details>
  );
}
