import { useCallback, useEffect, useState } from 'react';
import { api, type ApiError, query } from '../api';
import { Problem, When } from '../components';
import { money } from '../format';
import type { ReconSummary } from '../../../src/recon/model';
import type { GroupTotals } from '../../../src/recon/report';

/** "A:tx:1000003" → words: which leg compares what, and what the item is */
export function itemLabel(key: string): string {
  const [leg, kind, id] = key.split(':');
  const legText = leg === 'A' ? 'PayTrace ⇄ M3 receipts' : leg === 'B' ? 'batch ⇄ GL' : leg === 'C' ? 'ledger' : leg;
  const what = kind === 'tx' ? `PayTrace transaction ${id}` : kind === 'receipt' ? `M3 receipt ${id}` : kind === 'batch' ? `PayTrace batch ${id}` : kind === 'payment' ? `payment ${id}` : key;
  return `${what} (${legText})`;
}

const CLASS_LABELS: Record<string, string> = {
  missing_in_m3: 'Missing in M3', missing_in_paytrace: 'Missing at PayTrace', amount_differs: 'Amount differs', duplicate: 'Duplicate',
  currency_rounding: 'Currency rounding', settled_but_not_posted: 'Settled, not posted', posted_but_not_settled: 'Posted, not settled', invalid_source: 'Invalid source',
};

interface Fix { item: string; action: string; retry: boolean; reference: string; invoice: string | null; customer: string | null; amount: string | null; currency: string | null; posts: string }

/** Settlement reconciliation runs: PayTrace batches ⇄ M3 receipts ⇄ GL. Every value is shown as text. */

/** the run summary the engine stores (fix counts are added when fixes were applied) */
type Summary = ReconSummary & { fixesApplied?: number; fixesFailed?: number };

interface Run {
  id: string;
  period: { from: string; to: string };
  mode: 'dry_run' | 'apply';
  status: string;
  stage: string;
  trigger: string;
  requestedBy: string;
  summary: Summary | null;
  errorCode: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  links: { self: string; items: string; itemsCsv: string; reportCsv: string };
}

type BatchTotals = GroupTotals;

interface Item {
  key: string;
  leg: string;
  status: string;
  exceptionClass: string | null;
  rule: string | null;
  confidence: string | number | null;
  owner: string | null;
  batch: number | null;
  currency: string | null;
  paytraceAmount: string | null;
  m3Amount: string | null;
  glAmount: string | null;
  difference: string | null;
  reason: string | null;
  suggestedFix: string | null;
  fix: { kind: string; action: string | null; status: string | null } | null;
}

const EXCEPTION_CLASSES = ['missing_in_m3', 'missing_in_paytrace', 'amount_differs', 'duplicate', 'currency_rounding', 'settled_but_not_posted', 'posted_but_not_settled', 'invalid_source'];
const mode = (m: string) => (m === 'dry_run' ? 'dry run' : m);

function ClassCounts({ summary }: { summary: Summary | null }) {
  if (!summary) return <span className="muted">–</span>;
  const classes = Object.entries(summary.byClass ?? {}).filter(([, n]) => n > 0);
  if (!classes.length) return <span className="ok">none</span>;
  return (
    <span>
      {classes.map(([cls, n]) => (
        <span key={cls} className="badge" style={{ whiteSpace: 'nowrap' }}>{CLASS_LABELS[cls] ?? cls} {n}</span>
      ))}
    </span>
  );
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function ReconciliationPage({ canAct, initialRun }: { canAct: boolean; initialRun: string }) {
  const [runs, setRuns] = useState<Run[]>([]);
  const [selectedId, setSelectedId] = useState(initialRun);
  const [detail, setDetail] = useState<Run & { batches: BatchTotals[] }>();
  const [items, setItems] = useState<Item[]>([]);
  const [filter, setFilter] = useState({ status: 'exception', class: '' });
  const [form, setForm] = useState({ from: today(), to: today(), reason: '' });
  const [applyReason, setApplyReason] = useState('');
  const [fixes, setFixes] = useState<Fix[]>();
  const [zone, setRunZone] = useState('UTC');
  const [error, setError] = useState<ApiError | Error>();
  const [notice, setNotice] = useState<string>();

  const loadRuns = useCallback(async () => {
    try {
      const list = await api.get<{ runs: Run[]; timeZone: string }>('/admin/api/recon/runs');
      setRuns(list.runs);
      setRunZone(list.timeZone);
      setError(undefined);
    } catch (err) {
      setError(err as Error);
    }
  }, []);
  useEffect(() => {
    void loadRuns();
  }, [loadRuns]);

  const loadDetail = useCallback(async () => {
    if (!selectedId) {
      setDetail(undefined);
      setItems([]);
      return;
    }
    try {
      const base = `/admin/api/recon/runs/${encodeURIComponent(selectedId)}`;
      const [run, list] = await Promise.all([
        api.get<Run & { batches: BatchTotals[] }>(base),
        api.get<{ items: Item[] }>(`${base}/items${query({ status: filter.status, class: filter.class, limit: 1000 })}`),
      ]);
      setDetail(run);
      setItems(list.items);
      setError(undefined);
    } catch (err) {
      setError(err as Error);
    }
  }, [selectedId, filter]);
  useEffect(() => {
    void loadDetail();
  }, [loadDetail]);

  const select = (id: string, keepNotice = false) => {
    setSelectedId(id);
    if (!keepNotice) setNotice(undefined);
    window.location.hash = `#/reconciliation?run=${encodeURIComponent(id)}`;
  };

  const startDryRun = async () => {
    setNotice(undefined);
    try {
      const run = await api.post<Run & { created: boolean }>('/admin/api/recon/runs', { from: form.from, to: form.to, mode: 'dry_run', reason: form.reason });
      setForm({ ...form, reason: '' });
      await loadRuns();
      select(run.id, true);
      setNotice(`Dry run for ${run.period.from} – ${run.period.to} queued.`);
    } catch (err) {
      setError(err as Error);
    }
  };

  const previewFixes = async () => {
    if (!detail) return;
    try {
      setFixes((await api.get<{ fixes: Fix[] }>(`/admin/api/recon/runs/${encodeURIComponent(detail.id)}/fixes`)).fixes);
    } catch (err) {
      setError(err as Error);
    }
  };

  const applyFixes = async () => {
    if (!detail) return;
    setFixes(undefined);
    setNotice(undefined);
    try {
      await api.post<Run>(`/admin/api/recon/runs/${encodeURIComponent(detail.id)}/apply`, { reason: applyReason });
      setNotice('Applying the automatic fixes; the run is queued again.');
      setApplyReason('');
      await Promise.all([loadRuns(), loadDetail()]);
    } catch (err) {
      setError(err as Error);
    }
  };

  const setF = (key: keyof typeof filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [key]: e.target.value });

  return (
    <div>
      <h1>Reconciliation</h1>
      <p className="muted">Periods are calendar days in {zone} (the reconciliation's zone, RECON_TIMEZONE).</p>
      <div className="toolbar">
        <button type="button" onClick={() => void Promise.all([loadRuns(), loadDetail()])}>Refresh</button>
      </div>
      {canAct && (
        <div className="toolbar actions" data-testid="recon-new-run">
          <label>From <input type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} aria-label="from" /></label>
          <label>To <input type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} aria-label="to" /></label>
          <input value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} placeholder="reason (required)" aria-label="reason" size={40} />
          <button type="button" className="primary" onClick={() => void startDryRun()}>New dry run</button>
        </div>
      )}
      <Problem error={error} />
      {notice && <p className="notice" role="status">{notice}</p>}
      <table data-testid="recon-runs">
        <thead>
          <tr><th>created</th><th>period</th><th>mode</th><th>status</th><th>by</th><th>transactions</th><th>matched</th><th>review</th><th>exceptions</th><th>by class</th><th /></tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} className={r.id === selectedId ? 'selected' : ''}>
              <td><When iso={r.createdAt} /></td>
              <td>{r.period.from} – {r.period.to} <span className="muted">({zone})</span></td>
              <td>{mode(r.mode)}</td>
              <td className={r.status === 'failed' ? 'bad' : ''}>{r.status}{r.status === 'running' || r.status === 'queued' ? ` (${r.stage})` : ''}</td>
              <td>{r.requestedBy}</td>
              <td>{r.summary?.transactions ?? ''}</td>
              <td>{r.summary?.matched ?? ''}</td>
              <td>{r.summary?.review ?? ''}</td>
              <td>{r.summary?.exceptions ?? ''}</td>
              <td><ClassCounts summary={r.summary} /></td>
              <td><button type="button" onClick={() => select(r.id)}>Open</button></td>
            </tr>
          ))}
          {!runs.length && (
            <tr><td colSpan={11} className="muted">No reconciliation runs yet.</td></tr>
          )}
        </tbody>
      </table>

      {detail && (
        <section className="card wide" data-testid="recon-run">
          <h2>Run {detail.period.from} – {detail.period.to} ({zone} days) · {mode(detail.mode)} · {detail.status}</h2>
          <p className="muted">
            {detail.trigger} by {detail.requestedBy} · created <When iso={detail.createdAt} />{detail.finishedAt ? <> · finished <When iso={detail.finishedAt} /></> : ''} · stage {detail.stage}
          </p>
          {detail.error && <p className="error">{detail.errorCode}: {detail.error}</p>}
          {detail.summary && (
            <p>
              PayTrace net <b>{money(detail.summary.paytraceNet, detail.summary.currency)}</b> · GL posted <b>{money(detail.summary.glPosted, detail.summary.currency)}</b> ·{' '}
              <span className={detail.summary.balanced ? 'ok' : 'bad'}>{detail.summary.balanced ? 'balanced' : 'not balanced'}</span> · automatic fixes proposed {detail.summary.autoFixes}
              {detail.summary.fixesApplied !== undefined ? ` · applied ${detail.summary.fixesApplied}, failed ${detail.summary.fixesFailed ?? 0}` : ''}
            </p>
          )}
          <p>
            Download: <a href={detail.links.itemsCsv} download>items (CSV)</a> · <a href={`${detail.links.reportCsv}?by=batch`} download>totals per batch (CSV)</a> ·{' '}
            <a href={`${detail.links.reportCsv}?by=day`} download>totals per day (CSV)</a>
          </p>
          {canAct && detail.mode === 'dry_run' && detail.status === 'completed' && (detail.summary?.autoFixes ?? 0) > 0 && (
            <div className="toolbar actions" data-testid="recon-apply">
              {!fixes && <button type="button" className="primary" onClick={() => void previewFixes()}>Apply fixes…</button>}
              <span className="muted">{fixes ? 'This is what will be posted:' : `shows the ${detail.summary?.autoFixes} automatic fix(es) this dry run proposed before anything is posted`}</span>
            </div>
          )}
          {fixes && (
            <section className="card" role="dialog" aria-label="fixes to post" data-testid="recon-fixes">
              <h3>Apply these {fixes.length} fix(es)?</h3>
              <ol>{fixes.map((f) => <li key={`${f.item}-${f.action}`}>{f.posts}{f.retry ? ' (retry of a failed fix)' : ''}</li>)}</ol>
              <div className="toolbar actions">
                <input value={applyReason} onChange={(e) => setApplyReason(e.target.value)} placeholder="reason (required)" aria-label="apply reason" size={40} />
                <button type="button" className="primary" disabled={applyReason.trim().length < 3 || !fixes.length} onClick={() => void applyFixes()}>Post them</button>
                <button type="button" onClick={() => setFixes(undefined)}>Cancel</button>
              </div>
            </section>
          )}

          <h3>Totals per batch</h3>
          <table data-testid="recon-batches">
            <thead>
              <tr><th>batch</th><th>transactions</th><th>PayTrace net</th><th>GL posted</th><th>matched</th><th>review</th><th>exceptions</th><th>classes</th></tr>
            </thead>
            <tbody>
              {detail.batches.map((b) => (
                <tr key={b.group}>
                  <td>{b.group}</td><td>{b.transactions}</td><td className="num">{money(b.paytraceNet, detail.summary?.currency)}</td><td className="num">{money(b.glPosted, detail.summary?.currency)}</td><td>{b.matched}</td><td>{b.review}</td><td>{b.exceptions}</td><td>{b.classes}</td>
                </tr>
              ))}
              {!detail.batches.length && (
                <tr><td colSpan={8} className="muted">No batches in this run.</td></tr>
              )}
            </tbody>
          </table>

          <h3>Items</h3>
          <div className="toolbar">
            <label>Status <select value={filter.status} onChange={setF('status')} aria-label="item status"><option value="">any</option><option>exception</option><option>review</option><option>matched</option></select></label>
            <label>Class <select value={filter.class} onChange={setF('class')} aria-label="exception class"><option value="">any</option>{EXCEPTION_CLASSES.map((c) => <option key={c} value={c}>{CLASS_LABELS[c] ?? c}</option>)}</select></label>
          </div>
          <table data-testid="recon-items">
            <thead>
              <tr><th>item</th><th>status</th><th>class</th><th>match (rule, confidence)</th><th>owner</th><th>PayTrace</th><th>M3</th><th>GL</th><th>difference</th><th>reason</th><th>suggested fix</th><th>fix</th></tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.key}>
                  <td title={i.key}>{itemLabel(i.key)}</td><td>{i.status}</td><td>{i.exceptionClass ? CLASS_LABELS[i.exceptionClass] ?? i.exceptionClass : ''}</td>
                  <td>{i.rule ? `${i.rule}${i.confidence !== null && i.confidence !== undefined ? `, ${Math.round(Number(i.confidence) * 100)} %` : ''}` : <span className="muted">no match</span>}</td><td>{i.owner}</td>
                  <td className="num">{i.paytraceAmount ? money(i.paytraceAmount, i.currency) : ''}</td><td className="num">{i.m3Amount ? money(i.m3Amount, i.currency) : ''}</td><td className="num">{i.glAmount ? money(i.glAmount, i.currency) : ''}</td><td className="num">{i.difference ? money(i.difference, i.currency) : ''}</td>
                  <td className="message">{i.reason}</td><td className="message">{i.suggestedFix}</td>
                  <td>{i.fix ? `${i.fix.kind}${i.fix.action ? ` ${i.fix.action}` : ''}${i.fix.status ? ` (${i.fix.status})` : ''}` : ''}</td>
                </tr>
              ))}
              {!items.length && (
                <tr><td colSpan={12} className="muted">No items match.</td></tr>
              )}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
