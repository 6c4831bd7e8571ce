import { useEffect, useState } from 'react';
import { api } from '../api';
import { Problem, when } from '../components';

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

export function AlertsPage() {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [error, setError] = useState<Error>();
  useEffect(() => {
    const load = () =>
      api
        .get<{ alerts: Alert[] }>('/admin/api/alerts')
        .then((r) => setAlerts(r.alerts))
        .catch((err: unknown) => setError(err as Error));
    void load();
    const timer = window.setInterval(() => void load(), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <div>
      <h1>Alerts</h1>
      <p className="muted">Rules: dead-letter growth, PayTrace poller lag, connector down, decline spike. New alerts are also e-mailed through the outbox.</p>
      <Problem error={error} />
      <table data-testid="alerts">
        <thead>
          <tr><th>severity</th><th>rule</th><th>message</th><th>status</th><th>seen</th><th>raised</th><th>last seen</th><th>resolved</th></tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id} className={`sev-${a.severity} st-${a.status}`}>
              <td>{a.severity}</td><td>{a.rule}</td><td>{a.message}</td><td>{a.status}</td><td>{a.occurrences}×</td>
              <td>{when(a.raised_at)}</td><td>{when(a.last_seen_at)}</td><td>{when(a.resolved_at)}</td>
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
