import { useCallback, useEffect, useState } from 'react';
import { api, type ApiError, query } from '../api';
import { Json, Problem, ReplayPanel, StateBadge, When } from '../components';
import { ERROR_CLASS_LABELS, label, money } from '../format';

interface DeadLetter {
  id: string;
  queue: string;
  error_class: string;
  error_code: string;
  error_message: string;
  attempts: number;
  correlation_id: string | null;
  status: string;
  created_at: string;
  resolved_by: string | null;
  resolution_reason: string | null;
  /** the payment whose work it holds */
  payment: { paymentId: string; reference: string; ivno: string | null; cuno: string | null; amount: string | null; currency: string | null; state: string; customerCharged: boolean } | null;
}

export function DeadLettersPage({ canAct }: { canAct: boolean }) {
  const [filter, setFilter] = useState({ status: 'open', queue: '', errorClass: '', errorCode: '', olderThanMinutes: '' });
  const [rows, setRows] = useState<DeadLetter[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [detail, setDetail] = useState<{ deadLetter: Record<string, unknown>; audit: unknown }>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | Error>();
  const [notice, setNotice] = useState<string>();
  const [replaying, setReplaying] = useState<string>();

  const load = useCallback(async () => {
    try {
      const result = await api.get<{ deadLetters: DeadLetter[] }>(`/admin/api/dead-letters${query(filter)}`);
      setRows(result.deadLetters);
      setError(undefined);
    } catch (err) {
      setError(err as Error);
    }
  }, [filter]);
  useEffect(() => {
    void load();
  }, [load]);

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const act = async (action: 'replay' | 'abandon', ids: string[]) => {
    setNotice(undefined);
    try {
      const result = await api.post<Record<string, string[]>>(`/admin/api/dead-letters/${action}`, { ids, reason });
      const done = result[action === 'replay' ? 'replayed' : 'abandoned'] ?? [];
      setNotice(`${action === 'replay' ? 'Replayed' : 'Abandoned'} ${done.length} dead letter(s)${result.skipped?.length ? `, skipped ${result.skipped.length} (no longer open)` : ''}.`);
      setSelected(new Set());
      setDetail(undefined);
      setReason('');
      setError(undefined);
      await load();
    } catch (err) {
      setError(err as Error);
    }
  };
  const show = async (id: string) => {
    try {
      setDetail(await api.get(`/admin/api/dead-letters/${id}`));
    } catch (err) {
      setError(err as Error);
    }
  };
  const set = (key: keyof typeof filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [key]: e.target.value });

  return (
    <div>
      <h1>Dead letters</h1>
      <div className="toolbar">
        <label>Status <select value={filter.status} onChange={set('status')} aria-label="status"><option value="">any</option><option>open</option><option>replayed</option><option>abandoned</option></select></label>
        <label>Flow / queue <input value={filter.queue} onChange={set('queue')} aria-label="queue" size={14} /></label>
        <label>Error class <select value={filter.errorClass} onChange={set('errorClass')} aria-label="error class"><option value="">any</option>{Object.entries(ERROR_CLASS_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        <label>Code <input value={filter.errorCode} onChange={set('errorCode')} aria-label="error code" size={14} /></label>
        <label>Older than (min) <input value={filter.olderThanMinutes} onChange={set('olderThanMinutes')} aria-label="older than minutes" size={5} inputMode="numeric" /></label>
        <button type="button" onClick={() => void load()}>Refresh</button>
      </div>
      {canAct && (
        <div className="toolbar actions">
          <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="reason (required)" aria-label="reason" size={40} />
          <button type="button" className="primary" disabled={!selected.size || reason.trim().length < 3} onClick={() => void act('replay', [...selected])}>Replay selected ({selected.size})</button>
          <button type="button" disabled={!selected.size || reason.trim().length < 3} onClick={() => void act('abandon', [...selected])}>Abandon selected</button>
          {selected.size > 0 && reason.trim().length < 3 && <span className="muted">type a reason to enable</span>}
        </div>
      )}
      <Problem error={error} />
      {notice && <p className="notice" role="status">{notice}</p>}
      <table data-testid="dead-letters">
        <thead>
          <tr><th /><th>id</th><th>payment</th><th>invoice</th><th>customer</th><th>amount</th><th>class</th><th>code</th><th>message</th><th>status</th><th>created</th><th /></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{canAct && r.status === 'open' && <input type="checkbox" aria-label={`select ${r.id}`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} />}</td>
              <td>{r.id}</td>
              <td>{r.payment ? <><StateBadge state={r.payment.state} />{r.payment.customerCharged && <span className="charged"> customer was charged</span>}</> : <span className="muted">{r.queue}</span>}</td>
              <td>{r.payment?.ivno ?? ''}</td><td>{r.payment?.cuno ?? ''}</td><td className="num">{r.payment ? money(r.payment.amount, r.payment.currency) : ''}</td>
              <td>{label(ERROR_CLASS_LABELS, r.error_class)}</td><td>{r.error_code}</td><td className="message">{r.error_message}</td>
              <td>{r.status}</td><td><When iso={r.created_at} /></td>
              <td>
                <button type="button" onClick={() => void show(r.id)}>Detail</button>{' '}
                {canAct && r.status === 'open' && <button type="button" onClick={() => setReplaying(r.id)}>Replay…</button>}
              </td>
            </tr>
          ))}
          {!rows.length && (
            <tr><td colSpan={12} className="muted">No dead letters match.</td></tr>
          )}
        </tbody>
      </table>
      {replaying && (
        <ReplayPanel
          deadLetterId={replaying}
          onCancel={() => setReplaying(undefined)}
          onDone={(message) => {
            setReplaying(undefined);
            setNotice(message);
            setDetail(undefined);
            void load();
          }}
        />
      )}
      {detail && (
        <section className="card wide" data-testid="dead-letter-detail">
          <h2>Dead letter {String(detail.deadLetter.id)} · {String(detail.deadLetter.error_code)}</h2>
          <p>{String(detail.deadLetter.error_message)}</p>
          {detail.deadLetter.correlation_id ? <p><a href={`#/trace?q=${encodeURIComponent(String(detail.deadLetter.correlation_id))}`}>Trace correlation {String(detail.deadLetter.correlation_id)}</a></p> : null}
          {canAct && detail.deadLetter.status === 'open' && (
            <p>
              <button type="button" className="primary" onClick={() => setReplaying(String(detail.deadLetter.id))}>Replay this one…</button>{' '}
              <button type="button" disabled={reason.trim().length < 3} onClick={() => void act('abandon', [String(detail.deadLetter.id)])}>Abandon this one</button>{' '}
              <span className="muted">abandon uses the reason above</span>
            </p>
          )}
          <h3>Payload (masked)</h3>
          <Json value={detail.deadLetter.payload} />
          <h3>Audit</h3>
          <Json value={detail.audit} />
        </section>
      )}
    </div>
  );
}
