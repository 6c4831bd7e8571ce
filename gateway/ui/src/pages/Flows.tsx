import { useEffect, useMemo, useState } from 'react';
import type { FlowCatalogue, FlowSummary } from '../../../src/admin/flow-builder-types';
import { api, query } from '../api';
import { Problem } from '../components';
import { useZone } from '../format';
import { FlowBuilder, type BuilderStart } from '../flows/FlowBuilder';
import { newFlow, serialize } from '../flows/model';

const CLAIM_LABELS: Record<string, string> = {
  'pay-page:charged': 'Pay page: card charged',
  'pay-page:declined': 'Pay page: card declined',
  'http:ecommerce-webhook': 'Storefront notification',
  'http:refund-api': 'Refund API',
  'paytrace-event': 'PayTrace poller',
  'm3-customer-pull': 'Scheduled M3 customer pull',
};
const claimLabel = (c: string) => CLAIM_LABELS[c] ?? (c.startsWith('bod:') ? `BOD ${c.slice(4)} from ION` : c);

/**
 * Flows: the list (trigger, published version, draft, today's events and failures) and, for the
 * flow in the URL (#/flows?flow=invoice-payment), the builder.
 */
export function FlowsPage({ flowId, canEdit, canSuggest }: { flowId: string; canEdit: boolean; canSuggest: boolean }) {
  const [catalogue, setCatalogue] = useState<FlowCatalogue>();
  const [error, setError] = useState<Error>();
  const [started, setStarted] = useState<{ id: string; start: BuilderStart }>();
  useEffect(() => {
    api.get<FlowCatalogue>('/admin/api/flow-catalogue').then(setCatalogue, (err: unknown) => setError(err as Error));
  }, []);
  if (error) return <Problem error={error} />;
  if (!catalogue) return <p>Loading…</p>;
  if (flowId) {
    return (
      <div>
        <p><a href="#/flows">← All flows</a></p>
        <FlowBuilder key={flowId} flowId={flowId} catalogue={catalogue} canEdit={canEdit} canSuggest={canSuggest} start={started?.id === flowId ? started.start : undefined} onStored={() => setStarted(undefined)} />
      </div>
    );
  }
  return <FlowList catalogue={catalogue} canEdit={canEdit} onNew={(id, start) => {
    setStarted({ id, start });
    window.location.hash = `#/flows?flow=${encodeURIComponent(id)}`;
  }} />;
}

function FlowList({ catalogue, canEdit, onNew }: { catalogue: FlowCatalogue; canEdit: boolean; onNew: (id: string, start: BuilderStart) => void }) {
  const zone = useZone();
  const [flows, setFlows] = useState<FlowSummary[]>();
  const [error, setError] = useState<Error>();
  const [form, setForm] = useState({ id: '', name: '', claim: '' });
  useEffect(() => {
    api.get<{ flows: FlowSummary[] }>(`/admin/api/flows${query({ timeZone: zone })}`).then((r) => setFlows(r.flows), (err: unknown) => setError(err as Error));
  }, [zone]);
  const triggers = useMemo(() => catalogue.triggers.flatMap((t) => t.samples.map((s) => ({ claim: s.claim, trigger: { type: t.type, ...s.options } }))), [catalogue]);
  const taken = new Set(flows?.filter((f) => f.published).flatMap((f) => f.triggers) ?? []);
  const idOk = /^[a-z][a-z0-9-]{1,40}$/.test(form.id) && !flows?.some((f) => f.id === form.id);
  const create = () => {
    const trigger = triggers.find((t) => t.claim === form.claim);
    if (!trigger || !idOk) return;
    onNew(form.id, { source: serialize(newFlow(form.id, form.name || form.id, trigger.trigger), undefined), layout: null, isNew: true });
  };
  return (
    <div>
      <h1>Flows</h1>
      <Problem error={error} />
      <table data-testid="flow-list">
        <thead>
          <tr><th>flow</th><th>trigger</th><th>published</th><th>draft</th><th>steps</th><th>events today</th><th>failures today</th><th>open dead letters</th></tr>
        </thead>
        <tbody>
          {flows?.map((f) => (
            <tr key={f.id}>
              <td><a href={`#/flows?flow=${encodeURIComponent(f.id)}`}>{f.name}</a> <code className="muted">{f.id}</code></td>
              <td>{f.triggers.map(claimLabel).join(', ') || '–'}</td>
              <td>{f.published ? `v${f.published.version}` : 'not published'}</td>
              <td>{f.draft ? `v${f.draft.version}` : '–'}</td>
              <td>{f.steps}</td>
              <td>{f.eventsToday}</td>
              <td className={f.failuresToday ? 'bad' : ''}>{f.failuresToday}</td>
              <td>{f.openDeadLetters ? <a href={`#/dead-letters`}>{f.openDeadLetters}</a> : 0}</td>
            </tr>
          ))}
          {flows && !flows.length && <tr><td colSpan={8} className="muted">no flows</td></tr>}
        </tbody>
      </table>
      {canEdit && (
        <section className="card" aria-labelledby="new-flow">
          <h2 id="new-flow">New flow</h2>
          <div className="toolbar">
            <label>Id <input value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value.trim() })} aria-label="new flow id" placeholder="decline-notice" aria-invalid={Boolean(form.id) && !idOk} /></label>
            <label>Name <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} aria-label="new flow name" /></label>
            <label>
              Trigger{' '}
              <select value={form.claim} onChange={(e) => setForm({ ...form, claim: e.target.value })} aria-label="new flow trigger">
                <option value="">choose…</option>
                {triggers.map((t) => (
                  <option key={t.claim} value={t.claim} disabled={taken.has(t.claim)}>{claimLabel(t.claim)}{taken.has(t.claim) ? ' (has a flow)' : ''}</option>
                ))}
              </select>
            </label>
            <button type="button" className="primary" disabled={!idOk || !form.claim} onClick={create}>Build it</button>
          </div>
          <p className="muted small">Ids are lowercase letters, digits and -. A trigger starts one published flow.</p>
        </section>
      )}
    </div>
  );
}
