import { useEffect, useState } from 'react';
import { api, query } from '../api';
import { Json, Problem, When } from '../components';

interface Entry {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  reason: string | null;
  details: unknown;
}

export function AuditPage() {
  const [subjectType, setSubjectType] = useState('');
  const [entries, setEntries] = useState<Entry[]>([]);
  const [error, setError] = useState<Error>();
  useEffect(() => {
    api
      .get<{ entries: Entry[] }>(`/admin/api/audit${query({ subjectType })}`)
      .then((r) => setEntries(r.entries))
      .catch((err: unknown) => setError(err as Error));
  }, [subjectType]);
  return (
    <div>
      <h1>Audit log</h1>
      <div className="toolbar">
        <label>
          Subject{' '}
          <select value={subjectType} onChange={(e) => setSubjectType(e.target.value)} aria-label="subject type">
            <option value="">any</option>
            <option value="dead_letter">dead letters</option>
            <option value="config">configuration</option>
            <option value="payment">payments</option>
          </select>
        </label>
      </div>
      <Problem error={error} />
      <table data-testid="audit">
        <thead>
          <tr><th>when</th><th>who</th><th>action</th><th>subject</th><th>reason</th><th>details</th></tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td><When iso={e.at} /></td><td>{e.actor}</td><td>{e.action}</td><td>{e.subject_type} {e.subject_id}</td><td>{e.reason}</td>
              <td>{e.details ? <details><summary>show</summary><Json value={e.details} /></details> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
