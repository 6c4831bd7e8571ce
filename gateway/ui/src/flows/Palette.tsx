import type { CatalogueStep } from '../../../src/admin/flow-builder-types';

export const STEP_MIME = 'application/x-m3pt-step';

const GROUPS: Array<{ category: CatalogueStep['category']; label: string }> = [
  { category: 'paytrace', label: 'PayTrace' },
  { category: 'm3', label: 'M3' },
  { category: 'gl', label: 'GL posting' },
  { category: 'ion', label: 'ION' },
  { category: 'notify', label: 'Webhook and e-mail' },
  { category: 'ledger', label: 'Payments ledger' },
  { category: 'logic', label: 'Map, check, branch' },
];

/**
 * The step catalogue as a palette: drag an entry onto the canvas, or press it (Enter) to add the
 * step after the selected node.
 */
export function Palette({ steps, onAdd, selected }: { steps: CatalogueStep[]; onAdd: (entry: CatalogueStep) => void; selected?: string }) {
  return (
    <nav className="palette" aria-label="step palette">
      <h2>Steps</h2>
      <p className="muted small">Drag onto the canvas, or press to add {selected ? <>after <b>{selected}</b></> : 'unconnected'}.</p>
      {GROUPS.map((g) => {
        const entries = steps.filter((s) => s.category === g.category);
        if (!entries.length) return null;
        return (
          <div key={g.category} role="group" aria-label={g.label}>
            <h3>{g.label}</h3>
            {entries.map((s) => (
              <button
                type="button"
                key={s.type}
                className="palette-item"
                draggable
                title={`${s.summary} (${s.exactlyOnceExplained})`}
                aria-label={`Add ${s.title} (${s.type})`}
                data-type={s.type}
                onDragStart={(e) => {
                  e.dataTransfer.setData(STEP_MIME, s.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => onAdd(s)}
              >
                {s.title}
                {s.movesMoney && <span className="chip money">$</span>}
              </button>
            ))}
          </div>
        );
      })}
    </nav>
  );
}
