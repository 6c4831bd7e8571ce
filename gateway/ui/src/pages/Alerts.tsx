import { useEffect, useState } from 'react';
import { api } from '../api';
import { Problem, When } from '../components';
import { money } from '../format';

interface LinkRequest {
  id: string;
  invoice: string;
  customer: string;
  customerName: string | null;
  amount: string;
  currency: string;
  linkStatus: string;
  sendTo: string | null;
  note: string | null;
  asked: number;
  createdAt: string;
}

/** An invoice that qualified for an automatic payment link but could not be sent (issue 22). */
interface InvoiceReview {
  id: string;
  invoice: { company: number; division: string; year: number; number: string };
  customer: string;
  amount: string | null;
  currency: string | null;
  code: string | null;
  reason: string | null;
  retries: number;
  createdAt: string;
}

interface Alert {
  id: string;
  rule: string;
  severity: string;
  message: string;
  status: string;
  occurrences: number;
  raised_at: string;
  last_seen_at: string;
  resolved_at: string | null;
}

export function AlertsPage({ canAct }: { canAct: boolean }) {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [requests, setRequests] = useState<LinkRequest[]>([]);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [reviews, setReviews] = useState<InvoiceReview[]>([]);
  const [reviewReasons, setReviewReasons] = useState<Record<string, string>>({});
  const [retried, setRetried] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<Error>();
  const loadRequests = () =>
    api
      .get<{ requests: LinkRequest[] }>('/admin/api/link-requests?status=open')
      .then((r) => setRequests(r.requests))
      .catch((err: unknown) => setError(err as Error));
  const done = async (id: string) => {
    try {
      await api.post(`/admin/api/link-requests/${id}/done`, { reason: reasons[id] ?? '' });
      await loadRequests();
    } catch (err) {
      setError(err as Error);
    }
  };
  const loadReviews = () =>
    api
      .get<{ items: InvoiceReview[] }>('/admin/api/invoice-links/reviews')
      .then((r) => setReviews(r.items))
      .catch((err: unknown) => setError(err as Error));
  const review = async (id: string, action: 'retry' | 'dismiss') => {
    try {
      await api.post(`/admin/api/invoice-links/reviews/${id}/${action}`, { reason: reviewReasons[id] ?? '' });
      if (action === 'retry') setRetried({ ...retried, [id]: true });
      await loadReviews();
    } catch (err) {
      setError(err as Error);
    }
  };
  useEffect(() => {
    const load = () =>
      api
        .get<{ alerts: Alert[] }>('/admin/api/alerts')
        .then((r) => setAlerts(r.alerts))
        .catch((err: unknown) => setError(err as Error));
    void load();
    void loadRequests();
    void loadReviews();
    const timer = window.setInterval(() => {
      void load();
      void loadReviews();
    }, 15_000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <div>
      <h1>Alerts</h1>
      <p className="muted">Rules: dead-letter growth, PayTrace poller lag, connector down, decline spike. New alerts are also e-mailed through the outbox.</p>
      <Problem error={error} />
      <h2>Customers asking for a new payment link</h2>
      <table data-testid="link-requests">
        <thead>
          <tr><th>asked</th><th>invoice</th><th>customer</th><th>amount</th><th>old link</th><th>send to</th><th>message</th><th /></tr>
        </thead>
        <tbody>
          {requests.map((r) => (
            <tr key={r.id}>
              <td><When iso={r.createdAt} />{r.asked > 1 ? ` (${r.asked}×)` : ''}</td><td>{r.invoice}</td><td>{r.customer} {r.customerName ?? ''}</td><td className="num">{money(r.amount, r.currency)}</td>
              <td>{r.linkStatus}</td><td>{r.sendTo ?? 'the address in M3'}</td><td className="message">{r.note}</td>
              <td>
                {canAct && (
                  <>
                    <input aria-label={`what was done for request ${r.id}`} placeholder="what was done (required)" value={reasons[r.id] ?? ''} onChange={(e) => setReasons({ ...reasons, [r.id]: e.target.value })} size={24} />{' '}
                    <button type="button" disabled={(reasons[r.id] ?? '').trim().length < 3} onClick={() => void done(r.id)}>Done</button>
                  </>
                )}
              </td>
            </tr>
          ))}
          {!requests.length && (
            <tr><td colSpan={8} className="muted">No open requests.</td></tr>
          )}
        </tbody>
      </table>
      <h2>New invoices waiting for review (automatic payment links)</h2>
      <p className="muted">They qualified for a link, but M3 has no usable e-mail address for the customer. Add it in M3 (CRS610), then Retry; or Dismiss with a reason.</p>
      <table data-testid="invoice-link-reviews">
        <thead>
          <tr><th>since</th><th>invoice</th><th>customer</th><th>open</th><th>why</th><th /></tr>
        </thead>
        <tbody>
          {reviews.map((r) => (
            <tr key={r.id}>
              <td><When iso={r.createdAt} />{r.retries ? ` (retried ${r.retries}×)` : ''}</td>
              <td><a href={`#/trace?q=${encodeURIComponent(r.invoice.number)}`}>{r.invoice.number}</a> ({r.invoice.year}, {r.invoice.company}/{r.invoice.division})</td>
              <td>{r.customer}</td><td className="num">{r.amount && r.currency ? money(r.amount, r.currency) : ''}</td>
              <td className="message">{r.code}: {r.reason}</td>
              <td>
                {canAct && (
                  <>
                    <input aria-label={`reason for invoice ${r.invoice.number}`} placeholder="reason (required to dismiss)" value={reviewReasons[r.id] ?? ''} onChange={(e) => setReviewReasons({ ...reviewReasons, [r.id]: e.target.value })} size={22} />{' '}
                    {retried[r.id] ? <span className="muted" role="status">retry queued </span> : <button type="button" onClick={() => void review(r.id, 'retry')}>Retry</button>}{' '}
                    <button type="button" disabled={(reviewReasons[r.id] ?? '').trim().length < 3} onClick={() => void review(r.id, 'dismiss')}>Dismiss</button>
                  </>
                )}
              </td>
            </tr>
          ))}
          {!reviews.length && (
            <tr><td colSpan={6} className="muted">Nothing to review.</td></tr>
          )}
        </tbody>
      </table>
      <h2>Alerts</h2>
      <table data-testid="alerts">
        <thead>
          <tr><th>severity</th><th>rule</th><th>message</th><th>status</th><th>seen</th><th>raised</th><th>last seen</th><th>resolved</th></tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id} className={`sev-${a.severity} st-${a.status}`}>
              <td>{a.severity}</td><td>{a.rule}</td><td>{a.message}</td><td>{a.status}</td><td>{a.occurrences}×</td>
              <td><When iso={a.raised_at} /></td><td><When iso={a.last_seen_at} /></td><td><When iso={a.resolved_at} /></td>
            </tr>
          ))}
          {!alerts.length && (
            <tr><td colSpan={8} className="muted">No alerts.</td></tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
