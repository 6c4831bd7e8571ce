import { lazy, Suspense, useEffect, useState } from 'react';
import { api, ApiError, hasRole, setCsrfToken, type Me } from './api';
import { AlertsPage } from './pages/Alerts';
import { AuditPage } from './pages/Audit';
import { ChargebacksPage } from './pages/Chargebacks';
import { ConfigPage } from './pages/Config';
import { DashboardPage } from './pages/Dashboard';
import { DeadLettersPage } from './pages/DeadLetters';
import { ReconciliationPage } from './pages/Reconciliation';
import { TracePage } from './pages/Trace';
import { useHashRoute } from './route';
import { setZone, useZone, zoneChoices } from './format';

/** the flow builder (React Flow, elkjs) loads when its page opens: the other pages stay small */
const FlowsPage = lazy(() => import('./pages/Flows.js').then((m) => ({ default: m.FlowsPage })));

const PAGES = [
  { id: 'dashboard', label: 'Dashboard', role: 'viewer' },
  { id: 'trace', label: 'Trace search', role: 'viewer' },
  { id: 'dead-letters', label: 'Dead letters', role: 'viewer' },
  { id: 'flows', label: 'Flows', role: 'viewer' },
  { id: 'reconciliation', label: 'Reconciliation', role: 'viewer' },
  { id: 'chargebacks', label: 'Chargebacks', role: 'viewer' },
  { id: 'alerts', label: 'Alerts', role: 'viewer' },
  { id: 'audit', label: 'Audit log', role: 'viewer' },
  { id: 'config', label: 'Configuration', role: 'admin' },
] as const;

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  const route = useHashRoute();
  const zone = useZone();

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
  // a page the role does not open is explained, not silently swapped for the dashboard
  const denied = PAGES.find((p) => p.id === route.page && !hasRole(me, p.role));
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
        <label className="zone">
          Times in{' '}
          <select value={zone} onChange={(e) => setZone(e.target.value)} aria-label="time zone">
            {zoneChoices().map((z) => (
              <option key={z} value={z}>{z}</option>
            ))}
          </select>
        </label>
        <span className="user" title={me.email ?? ''}>
          {me.name ?? me.subject} · {me.roles.join(', ') || 'no role'}
          <button type="button" className="link" onClick={() => void signOut()}>Sign out</button>
        </span>
      </header>
      <main>
        {denied ? (
          <section className="card" role="alert" data-testid="access-denied">
            <h1>{denied.label} needs the {denied.role} role</h1>
            <p>
              You are signed in as {me.name ?? me.subject} with the role{me.roles.length === 1 ? '' : 's'} {me.roles.join(', ') || 'none'}. {denied.label} is for {denied.role}s: ask your Infor OS administrator to give you that role
              (the gateway maps Infor OS roles through <code>admin.oidc.roleMap</code>), then sign in again.
            </p>
            <p><a href="#/dashboard">Back to the dashboard</a></p>
          </section>
        ) : (
          <>
        {page.id === 'dashboard' && <DashboardPage />}
        {page.id === 'trace' && (
          <TracePage
            key={route.params.toString()}
            canAct={hasRole(me, 'operator')}
            initial={{ q: route.params.get('q') ?? '', flow: route.params.get('flow') ?? '', state: route.params.get('state') ?? '', from: route.params.get('from') ?? '', to: route.params.get('to') ?? '', payment: route.params.get('payment') ?? '' }}
          />
        )}
        {page.id === 'dead-letters' && <DeadLettersPage canAct={hasRole(me, 'operator')} />}
        {page.id === 'flows' && (
          <Suspense fallback={<p>Loading the flow builder…</p>}>
            <FlowsPage flowId={route.params.get('flow') ?? ''} canEdit={hasRole(me, 'admin')} canSuggest={hasRole(me, 'operator')} />
          </Suspense>
        )}
        {page.id === 'reconciliation' && <ReconciliationPage canAct={hasRole(me, 'operator')} initialRun={route.params.get('run') ?? ''} />}
        {page.id === 'chargebacks' && <ChargebacksPage canAct={hasRole(me, 'operator')} />}
        {page.id === 'alerts' && <AlertsPage canAct={hasRole(me, 'operator')} />}
        {page.id === 'audit' && <AuditPage />}
        {page.id === 'config' && <ConfigPage />}
          </>
        )}
      </main>
    </div>
  );
}
