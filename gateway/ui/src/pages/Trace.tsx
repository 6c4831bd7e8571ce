import { useEffect, useState, type FormEvent } from 'react';
import { api, query } from '../api';
import { Json, Problem, when } from '../components';

interface Hit {
  paymentId: string | null;
  flow: string | null;
  status: string | null;
  reference: string | null;
  matchedOn: string;
  correlationId: string;
  ivno: string | null;
  orno: string | null;
  cuno: string | null;
  amount: string | null;
  currency: string | null;
  createdAt: string;
}

interface Trace {
  payment: Record<string, unknown>;
  timeline: Array<{ at: string; system: string; what: string; status: string; detail: unknown }>;
}

export function TracePage({ initialQuery, initialPayment }: { initialQuery: string; initialPayment: string }) {
  const [q, setQ] = useState(initialQuery);
  const [hits, setHits] = useState<Hit[]>();
  const [trace, setTrace] = useState<Trace>();
  const [error, setError] = useState<Error>();

  const search = async (text: string) => {
    setError(undefined);
    setTrace(undefined);
    try {
      const result = await api.get<{ hits: Hit[] }>(`/admin/api/trace${query({ q: text })}`);
      setHits(result.hits);
      const only = result.hits.length === 1 ? result.hits[0]!.paymentId : null;
      if (only) await open(only);
    } catch (err) {
      setError(err as Error);
    }
  };
  const open = async (paymentId: string) => {
    try {
      setTrace(await api.get<Trace>(`/admin/api/trace/payments/${encodeURIComponent(paymentId)}`));
    } catch (err) {
      setError(err as Error);
    }
  };
  useEffect(() => {
    if (initialPayment) void open(initialPayment);
    else if (initialQuery) void search(initialQuery);
    // on first display only
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    window.history.replaceState(null, '', `#/trace?q=${encodeURIComponent(q)}`);
    void search(q);
  };

  return (
    <div>
      <h1>Trace search</h1>
      <form className="toolbar" onSubmit={submit}>
        <input
          aria-label="search id"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="ORNO, IVNO, CUNO, PayTrace transaction id, BODID, link id or correlation id"
          size={70}
        />
        <button type="submit" className="primary">Search</button>
      </form>
      <Problem error={error} />
      {hits && hits.length === 0 && <p className="muted">Nothing found for that id.</p>}
      {hits && hits.length > 0 && (
        <table data-testid="trace-hits">
          <thead>
            <tr><th>matched on</th><th>flow</th><th>status</th><th>reference</th><th>IVNO</th><th>ORNO</th><th>CUNO</th><th>amount</th><th>created</th><th /></tr>
          </thead>
          <tbody>
            {hits.map((h) => (
              <tr key={h.paymentId ?? h.correlationId}>
                <td>{h.matchedOn}</td><td>{h.flow}</td><td>{h.status}</td><td>{h.reference}</td><td>{h.ivno}</td><td>{h.orno}</td><td>{h.cuno}</td>
                <td>{h.amount} {h.currency}</td><td>{when(h.createdAt)}</td>
                <td>{h.paymentId && <button type="button" onClick={() => void open(h.paymentId!)}>Timeline</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {trace && (
        <section className="card wide" data-testid="timeline">
          <h2>
            Payment {String(trace.payment.reference)} · {String(trace.payment.flow)} · <span className="badge">{String(trace.payment.status)}</span>
          </h2>
          <p className="muted">
            IVNO {String(trace.payment.ivno ?? '–')} · ORNO {String(trace.payment.orno ?? '–')} · CUNO {String(trace.payment.cuno ?? '–')} · PayTrace {String(trace.payment.paytrace_transaction_id ?? '–')} · amount {String(trace.payment.amount ?? '–')} {String(trace.payment.currency ?? '')} · correlation {String(trace.payment.correlation_id)}
          </p>
          <ol className="timeline">
            {trace.timeline.map((t, i) => (
              <li key={i} className={`sys-${t.system}`}>
                <span className="at">{when(t.at)}</span>
                <span className="system">{t.system}</span>
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
