import { useCallback, useEffect, useState } from 'react';
import { api, query } from '../api';
import { Problem, StateBadge, When } from '../components';
import { money } from '../format';
import type { CaseView } from '../../../src/triggers/chargeback/cases';

/** the server's view of a case (the list leaves out history, postings and problems) */
type CaseDetail = CaseView;
type CaseRow = Omit<CaseView, 'history' | 'postings' | 'problems'>;

interface ImportResult {
  rows: number;
  accepted: Array<{ line: number; caseNumber: string; stage: string }>;
  duplicates: Array<{ line: number; caseNumber: string }>;
  conflicts: Array<{ line: number; caseNumber: string; message: string }>;
  invalid: Array<{ line: number; errors: Array<{ field: string; message: string }> }>;
}

const STAGES = ['received', 'evidence_submitted', 'won', 'lost', 'accepted'] as const;

function Deadline({ c }: { c: CaseRow }) {
  if (!c.respondBy) return <span className="muted">–</span>;
  if (c.hoursLeft === null) return <When iso={c.respondBy} />;
  const cls = c.hoursLeft < 0 ? 'bad' : c.hoursLeft <= 72 ? 'warn' : '';
  return (
    <span className={cls} data-testid="deadline">
      <When iso={c.respondBy} /> · {c.hoursLeft < 0 ? `passed ${-c.hoursLeft} h ago` : `${c.hoursLeft} h left`}
    </span>
  );
}

/** Chargebacks: open cases with the nearest response deadline first, a case's postings, manual entry, report upload, evidence PDF. */
export function ChargebacksPage({ canAct }: { canAct: boolean }) {
  const [status, setStatus] = useState('');
  const [cases, setCases] = useState<CaseRow[]>([]);
  const [open, setOpen] = useState<CaseDetail>();
  const [error, setError] = useState<Error>();
  const [imported, setImported] = useState<ImportResult>();
  const [notice, setNotice] = useState<string>();
  const [form, setForm] = useState({ caseNumber: '', transactionId: '', amount: '', fee: '', stage: 'received', reasonCode: '', reason: '', respondBy: '' });

  const load = useCallback(() => {
    api
      .get<{ cases: CaseRow[] }>(`/admin/api/chargebacks${query({ status })}`)
      .then((r) => {
        setCases(r.cases);
        setError(undefined);
      })
      .catch((err: unknown) => setError(err as Error));
  }, [status]);
  useEffect(() => {
    load();
    // notices become cases as the flow runs them: keep the list current
    const timer = window.setInterval(load, 5_000);
    return () => window.clearInterval(timer);
  }, [load]);

  const show = (caseNumber: string) =>
    api
      .get<CaseDetail>(`/admin/api/chargebacks/${encodeURIComponent(caseNumber)}`)
      .then(setOpen)
      .catch((err: unknown) => setError(err as Error));

  const [closing, setClosing] = useState({ outcome: 'accepted', reason: '' });
  const closeCase = async (caseNumber: string) => {
    try {
      setOpen(await api.post<CaseDetail>(`/admin/api/chargebacks/${encodeURIComponent(caseNumber)}/close`, closing));
      setError(undefined);
      load();
    } catch (err) {
      setError(err as Error);
    }
  };

  const upload = async (file: File) => {
    try {
      const result = await api.post<ImportResult>('/admin/api/chargebacks/reports', { csv: await file.text(), fileName: file.name });
      setImported(result);
      setError(undefined);
      window.setTimeout(load, 1000);
    } catch (err) {
      setError(err as Error);
    }
  };

  const enter = async () => {
    const body = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== ''));
    try {
      const r = await api.post<{ caseNumber: string; duplicate: boolean }>('/admin/api/chargebacks', body);
      setNotice(r.duplicate ? `case ${r.caseNumber} (${form.stage}) was already known` : `case ${r.caseNumber} (${form.stage}) received`);
      setError(undefined);
      window.setTimeout(load, 1000);
    } catch (err) {
      setError(err as Error);
    }
  };

  return (
    <div>
      <h1>Chargebacks</h1>
      <div className="toolbar">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="case status">
            <option value="">any</option>
            {[...STAGES, 'review'].map((s) => (
              <option key={s} value={s}>{s.replace('_', ' ')}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={load}>Refresh</button>
        {canAct && (
          <label className="button">
            Import report (CSV){' '}
            <input type="file" accept=".csv,text/csv" data-testid="report-file" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
          </label>
        )}
      </div>
      <Problem error={error} />
      {notice && <p className="ok" role="status">{notice}</p>}
      {imported && (
        <section className="card" data-testid="import-result">
          <h2>Report imported</h2>
          <p>{imported.rows} row(s): {imported.accepted.length} new, {imported.duplicates.length} already known, {imported.conflicts.length} conflicting, {imported.invalid.length} invalid.</p>
          {imported.invalid.length > 0 && (
            <ul>{imported.invalid.map((r) => <li key={r.line}>line {r.line}: {r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}</li>)}</ul>
          )}
          {imported.conflicts.length > 0 && <ul>{imported.conflicts.map((r) => <li key={r.line}>line {r.line}: {r.message}</li>)}</ul>}
        </section>
      )}
      <table data-testid="chargebacks">
        <thead>
          <tr><th>case</th><th>status</th><th>respond by</th><th>amount</th><th>reason</th><th>payment</th><th /></tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr key={c.caseNumber}>
              <td><button type="button" className="link" onClick={() => void show(c.caseNumber)}>{c.caseNumber}</button></td>
              <td><StateBadge state={c.status} /></td>
              <td><Deadline c={c} /></td>
              <td>{money(c.amount, c.currency)}{Number(c.fee) > 0 ? ` + ${money(c.fee, c.currency)} fee` : ''}</td>
              <td>{[c.reasonCode, c.reason].filter(Boolean).join(' ')}</td>
              <td>{c.payment ? <a href={`#/trace?payment=${c.payment.id}`}>{c.payment.reference}</a> : <span className="warn">not ours: review</span>}</td>
              <td>{canAct && c.payment ? <a href={`/admin/api/chargebacks/${encodeURIComponent(c.caseNumber)}/evidence.pdf`} data-testid="evidence">Evidence PDF</a> : null}</td>
            </tr>
          ))}
          {cases.length === 0 && <tr><td colSpan={7} className="muted">no chargebacks</td></tr>}
        </tbody>
      </table>
      {open && (
        <section className="card" data-testid="case-detail">
          <h2>Case {open.caseNumber} <StateBadge state={open.status} /></h2>
          <p>PayTrace transaction {open.paytraceTransactionId} · {money(open.amount, open.currency)} · source {open.source}</p>
          <h3>History</h3>
          <ul>{open.history.map((h) => <li key={h.stage}>{h.stage.replace('_', ' ')} · <When iso={h.at} /> · {h.source}</li>)}</ul>
          <h3>Postings in M3 and the GL</h3>
          {open.postings.length === 0 ? <p className="muted">none</p> : (
            <ul>{open.postings.map((p) => <li key={p.reference}>{p.reference}: {p.status}{p.glBatch ? ` · GL ${p.glBatch}` : ''}{p.receipt ? ` · receipt ${p.receipt}` : ''}{p.lastErrorCode ? ` · ${p.lastErrorCode}` : ''}</li>)}</ul>
          )}
          {open.problems.length > 0 && (
            <>
              <h3>Problems</h3>
              <ul>{open.problems.map((p) => <li key={p.stage}>{p.stage}: {p.errorCode} {p.error}</li>)}</ul>
            </>
          )}
          {canAct && open.status === 'review' && (
            <div className="toolbar" data-testid="close-review">
              <span>Handled by hand:</span>
              <select value={closing.outcome} onChange={(e) => setClosing({ ...closing, outcome: e.target.value })} aria-label="outcome">
                {['accepted', 'won', 'lost'].map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
              <input value={closing.reason} onChange={(e) => setClosing({ ...closing, reason: e.target.value })} aria-label="reason" placeholder="reason" />
              <button type="button" onClick={() => void closeCase(open.caseNumber)}>Close the case</button>
            </div>
          )}
          <button type="button" onClick={() => setOpen(undefined)}>Close</button>
        </section>
      )}
      {canAct && (
        <section className="card">
          <h2>Enter a chargeback</h2>
          <p className="muted">As the PayTrace portal shows it. The same case and stage twice is one event.</p>
          <div className="form-grid">
            {([['caseNumber', 'case number'], ['transactionId', 'PayTrace transaction'], ['amount', 'amount'], ['fee', 'fee'], ['reasonCode', 'reason code'], ['reason', 'reason']] as const).map(([k, text]) => (
              <label key={k}>{text} <input value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} aria-label={k} /></label>
            ))}
            <label>stage <select value={form.stage} onChange={(e) => setForm({ ...form, stage: e.target.value })} aria-label="stage">{STAGES.map((s) => <option key={s} value={s}>{s}</option>)}</select></label>
            <label>respond by <input type="date" value={form.respondBy} onChange={(e) => setForm({ ...form, respondBy: e.target.value })} aria-label="respondBy" /></label>
          </div>
          <button type="button" className="primary" onClick={() => void enter()}>Enter</button>
        </section>
      )}
    </div>
  );
}
