import { useEffect, useState } from 'react';
import type { M3Program, M3Transaction, M3TransactionFields } from '../../../src/admin/flow-builder-types';
import { api } from '../api';
import { Problem } from '../components';

const TYPE_LABELS: Record<string, string> = { alpha: 'text', numeric: 'number', date: 'date (yyyyMMdd)', boolean: 'yes/no' };

/**
 * The program and transaction of a generic M3 MI call, chosen from M3's metadata (MRS001MI of the
 * connected M3, or the simulator), and the transaction's input fields: description, type, length,
 * mandatory. "Map" adds a field to the step's `fields` for a mapping to be written.
 */
export function M3Picker({ program, transaction, mapped, canEdit, onPick, onMapField }: { program?: string; transaction?: string; mapped: string[]; canEdit: boolean; onPick: (program: string, transaction: string) => void; onMapField: (field: string) => void }) {
  const [programs, setPrograms] = useState<M3Program[]>();
  const [transactions, setTransactions] = useState<M3Transaction[]>();
  const [fields, setFields] = useState<M3TransactionFields>();
  const [chosen, setChosen] = useState(program ?? '');
  const [error, setError] = useState<Error>();
  useEffect(() => {
    api.get<{ programs: M3Program[] }>('/admin/api/m3-metadata/programs').then((r) => setPrograms(r.programs), (err: unknown) => setError(err as Error));
  }, []);
  useEffect(() => {
    setTransactions(undefined);
    if (!chosen) return;
    api.get<{ transactions: M3Transaction[] }>(`/admin/api/m3-metadata/programs/${encodeURIComponent(chosen)}`).then((r) => setTransactions(r.transactions), (err: unknown) => setError(err as Error));
  }, [chosen]);
  useEffect(() => {
    setFields(undefined);
    if (!program || !transaction) return;
    api.get<M3TransactionFields>(`/admin/api/m3-metadata/programs/${encodeURIComponent(program)}/${encodeURIComponent(transaction)}`).then(setFields, (err: unknown) => setError(err as Error));
  }, [program, transaction]);

  return (
    <div className="m3-picker" data-testid="m3-picker">
      <h3>M3 transaction</h3>
      <Problem error={error} />
      <div className="toolbar">
        <label>
          Program{' '}
          <select value={chosen} disabled={!canEdit} onChange={(e) => setChosen(e.target.value)} aria-label="M3 program">
            <option value="">choose…</option>
            {programs?.map((p) => (
              <option key={p.program} value={p.program}>{p.program} – {p.description}</option>
            ))}
          </select>
        </label>
        <label>
          Transaction{' '}
          <select value={chosen === program ? (transaction ?? '') : ''} disabled={!canEdit || !transactions} onChange={(e) => e.target.value && onPick(chosen, e.target.value)} aria-label="M3 transaction">
            <option value="">choose…</option>
            {transactions?.map((t) => (
              <option key={t.transaction} value={t.transaction}>{t.transaction} – {t.description}{t.writes ? ' (writes)' : ''}</option>
            ))}
          </select>
        </label>
      </div>
      {fields && (
        <table className="m3-fields" aria-label={`input fields of ${fields.target.slice(3)}`}>
          <thead><tr><th>field</th><th>description</th><th>type</th><th>length</th><th /></tr></thead>
          <tbody>
            {fields.fields.map((f) => (
              <tr key={f.name}>
                <td><code>{f.name}</code>{f.mandatory && <abbr title="mandatory"> *</abbr>}</td>
                <td>{f.description}</td>
                <td>{TYPE_LABELS[f.type] ?? f.type}</td>
                <td>{f.length ?? ''}</td>
                <td>{mapped.includes(f.name) ? <span className="muted">mapped</span> : canEdit && <button type="button" onClick={() => onMapField(f.name)} aria-label={`map ${f.name}`}>Map</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
