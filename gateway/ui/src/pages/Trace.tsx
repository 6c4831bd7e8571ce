import { useEffect, useState, type FormEvent } from 'react';
import { api, query } from '../api';
import { Json, Problem, ReplayPanel, StateBadge, When } from '../components';
import { FLOW_LABELS, label, money, STATE_LABELS, SYSTEM_LABELS } from '../format';
import { InvoiceLinksPanel } from './InvoiceLinks';
import type { PaymentTrace, TraceHit } from '../../../src/admin/trace-queries';

// the server's answer types, imported type-only (nothing of the server is bundled)
type Hit = TraceHit;
type Trace = PaymentTrace;

export interface TraceFilter {
  q: string;
  flow: string;
  state: string;
  from: string;
  to: string;
  payment: string;
}

export function TracePage({ initial, canAct }: { initial: TraceFilter; canAct: boolean }) {
  const [q, setQ] = useState(initial.q);
  const [filter, setFilter] = useState({ flow: initial.flow, state: initial.state, from: initial.from, to: initial.to });
  const [hits, setHits] = useState<Hit[]>();
  const [recent, setRecent] = useState(false);
  const [trace, setTrace] = useState<Trace>();
  const [replaying, setReplaying] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<Error>();
  const [searched, setSearched] = useState(initial.q);

  const open = async (paymentId: string) => {
    try {
      setTrace(await api.get<Trace>(`/admin/api/trace/payments/${encodeURIComponent(paymentId)}`));
    } catch (err) {
      setError(err as Error);
    }
  };
  const search = async (text: string, f = filter) => {
    setSearched(text.trim());
    setError(undefined);
    setTrace(undefined);
    try {
      const result = await api.get<{ hits: Hit[]; recent: boolean }>(`/admin/api/trace${query({ q: text, ...f })}`);
      setHits(result.hits);
      setRecent(result.recent);
      const only = !result.recent && result.hits.length === 1 ? result.hits[0]!.paymentId : null;
      if (only) await open(only);
    } catch (err) {
      setError(err as Error);
    }
  };
  useEffect(() => {
    // opens with the recent payments (or the dashboard's filter), never blank
    if (initial.payment) void open(initial.payment);
    void search(initial.q);
    // on first display only
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    window.history.replaceState(null, '', `#/trace${query({ q, ...filter })}`);
    void search(q);
  };
  const setF = (key: 'flow' | 'state') => (e: { target: { value: string } }) => {
    const next = { ...filter, [key]: e.target.value };
    setFilter(next);
    window.history.replaceState(null, '', `#/trace${query({ q, ...next })}`);
    void search(q, next);
  };

  return (
    <div>
      <h1>Trace search</h1>
      <form className="toolbar" onSubmit={submit}>
        <input aria-label="search id" value={q} onChange={(e) => setQ(e.target.value)} placeholder="ORNO, IVNO, CUNO, PayTrace transaction id, BODID, link id or correlation id" size={60} />
        <button type="submit" className="primary">Search</button>
        <label>Flow <select value={filter.flow} onChange={setF('flow')} aria-label="flow"><option value="">any</option>{Object.entries(FLOW_LABELS).filter(([k]) => k !== 'paytrace_direct').map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        <label>State <select value={filter.state} onChange={setF('state')} aria-label="state"><option value="">any</option>{Object.entries(STATE_LABELS).filter(([k]) => k !== 'outside').map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        {(filter.from || filter.to) && (
          <span className="muted">
            from <When iso={filter.from} /> to <When iso={filter.to} />{' '}
            <button type="button" className="link" onClick={() => { const next = { ...filter, from: '', to: '' }; setFilter(next); void search(q, next); }}>any time</button>
          </span>
        )}
      </form>
      <Problem error={error} />
      {notice && <p className="notice" role="status">{notice}</p>}
      {hits && hits.length === 0 && <p className="muted">{recent ? 'No payments match these filters.' : 'Nothing found for that id.'}</p>}
      {hits && hits.length > 0 && (
        <>
          <h2>{recent ? 'Recent payments' : 'Found'}</h2>
          <table data-testid="trace-hits">
            <thead>
              <tr><th>state</th><th>flow</th><th>reference</th><th>invoice</th><th>order</th><th>customer</th><th>amount</th><th>created</th>{!recent && <th>matched on</th>}<th /></tr>
            </thead>
            <tbody>
              {hits.map((h) => (
                <tr key={h.paymentId ?? h.correlationId}>
                  <td><StateBadge state={h.state} />{h.customerCharged && h.state !== 'completed' ? <span className="muted"> charged</span> : null}</td>
                  <td>{label(FLOW_LABELS, h.flow)}</td><td>{h.reference}</td><td>{h.ivno}</td><td>{h.orno}</td><td>{h.cuno}</td>
                  <td className="num">{money(h.amount, h.currency)}</td><td><When iso={h.createdAt} /></td>{!recent && <td>{h.matchedOn}</td>}
                  <td>{h.paymentId && <button type="button" onClick={() => void open(h.paymentId!)}>Timeline</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {searched && <InvoiceLinksPanel ivno={searched} />}
      {trace && (
        <section className="card wide" data-testid="timeline">
          <h2>
            Payment {String(trace.payment.reference)} · {label(FLOW_LABELS, String(trace.payment.flow))} · <StateBadge state={trace.state} />
          </h2>
          {trace.state === 'charged_not_posted' && (
            <p className="alarm-banner" role="alert">
              The customer was charged {money(String(trace.payment.amount ?? ''), String(trace.payment.currency ?? ''))} at PayTrace, but M3 does not have it all: invoice {String(trace.payment.ivno ?? '–')}, customer {String(trace.payment.cuno ?? '–')}. Fix the cause, then replay its dead letter below. A replay never charges again.
            </p>
          )}
          <p className="muted">
            IVNO {String(trace.payment.ivno ?? '–')} · ORNO {String(trace.payment.orno ?? '–')} · CUNO {String(trace.payment.cuno ?? '–')} · PayTrace {String(trace.payment.paytrace_transaction_id ?? '–')} · amount {money(String(trace.payment.amount ?? ''), String(trace.payment.currency ?? ''))} · correlation {String(trace.payment.correlation_id)}
          </p>
          {trace.steps.length > 0 && (
            <ol className="steps" data-testid="steps">
              {trace.steps.map((s) => (
                <li key={s.key} className={s.status}>
                  {s.status === 'done' ? '✓' : s.status === 'failed' ? '✕' : s.status === 'not_started' ? '○' : '…'} {s.title}{s.error ? ` — ${s.error}` : ''}
                </li>
              ))}
            </ol>
          )}
          {trace.deadLetters.map((d) => (
            <p key={d.id} data-testid="trace-dead-letter">
              Dead letter {d.id} ({d.status}): {d.errorCode}{' '}
              {canAct && d.status === 'open' && <button type="button" className="primary" onClick={() => setReplaying(d.id)}>Replay…</button>}
            </p>
          ))}
          {replaying && (
            <ReplayPanel
              deadLetterId={replaying}
              onCancel={() => setReplaying(undefined)}
              onDone={(message) => {
                setReplaying(undefined);
                setNotice(message);
                void open(String(trace.payment.id));
              }}
            />
          )}
          <ol className="timeline">
            {trace.timeline.map((t, i) => (
              <li key={i} className={`sys-${t.system}`}>
                <span className="at"><When iso={t.at} /></span>
                <span className="system">{label(SYSTEM_LABELS, t.system)}</span>
                <span className="what">{t.what}</span>
                <span className="status">{t.status}</span>
                <details>
                  <summary>detail</summary>
                  <Json value={t.detail} />
                </details>
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
