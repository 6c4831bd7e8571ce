import { useEffect, useState } from 'react';
import { api, ApiError, hasRole, setCsrfToken, type Me } from './api';
import { AlertsPage } from './pages/Alerts';
import { AuditPage } from './pages/Audit';
import { ConfigPage } from './pages/Config';
import { DashboardPage } from './pages/Dashboard';
import { DeadLettersPage } from './pages/DeadLetters';
import { ReconciliationPage } from './pages/Reconciliation';
import { TracePage } from './pages/Trace';
import { useHashRoute } from './route';

const PAGES = [
  { id: 'dashboard', label: 'Dashboard', role: 'viewer' },
  { id: 'trace', label: 'Trace search', role: 'viewer' },
  { id: 'dead-letters', label: 'Dead letters', role: 'viewer' },
  { id: 'reconciliation', label: 'Reconciliation', role: 'viewer' },
  { id: 'alerts', label: 'Alerts', role: 'viewer' },
  { id: 'audit', label: 'Audit log', role: 'viewer' },
  { id: 'config', label: 'Configuration', role: 'admin' },
] as const;

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  const route = useHashRoute();

  useEffect(() => {
    api
      .get<Me>('/admin/api/me')
      .then((m) => {
        setCsrfToken(m.csrfToken);
        setMe(m);
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setMe(null);
        else setError(err instanceof Error ? err.message : String(err));
      });
  }, []);

  if (error) return <main className="centered"><p className="error">{error}</p></main>;
  if (me === undefined) return <main className="centered"><p>Loading…</p></main>;
  if (me === null) {
    return (
      <main className="centered signin">
        <h1>m3-paytrace operator</h1>
        <p>Sign in with your Infor OS account.</p>
        <a className="button primary" href={`/auth/login?returnTo=${encodeURIComponent('/ui/')}`}>Sign in with Infor OS</a>
        <p className="muted"><a href="/health">Gateway health</a></p>
      </main>
    );
  }

  const visible = PAGES.filter((p) => hasRole(me, p.role));
  const page = visible.find((p) => p.id === route.page) ?? visible[0]!;
  const signOut = async () => {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
    setMe(null);
  };

  return (
    <div className="layout">
      <header>
        <strong className="brand">m3-paytrace</strong>
        <nav>
          {visible.map((p) => (
            <a key={p.id} href={`#/${p.id}`} className={p.id === page.id ? 'active' : ''}>{p.label}</a>
          ))}
          <a href="/health" target="_blank" rel="noreferrer">Health</a>
        </nav>
        <span className="user" title={me.email ?? ''}>
          {me.name ?? me.subject} · {me.roles.join(', ') || 'no role'}
          <button type="button" className="link" onClick={() => void signOut()}>Sign out</button>
        </span>
      </header>
      <main>
        {page.id === 'dashboard' && <DashboardPage />}
        {page.id === 'trace' && <TracePage initialQuery={route.params.get('q') ?? ''} initialPayment={route.params.get('payment') ?? ''} />}
        {page.id === 'dead-letters' && <DeadLettersPage canAct={hasRole(me, 'operator')} />}
        {page.id === 'reconciliation' && <ReconciliationPage canAct={hasRole(me, 'operator')} initialRun={route.params.get('run') ?? ''} />}
        {page.id === 'alerts' && <AlertsPage />}
        {page.id === 'audit' && <AuditPage />}
        {page.id === 'config' && <ConfigPage />}
      </main>
    </div>
  );
}
