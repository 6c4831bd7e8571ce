import { useCallback, useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, LabelList, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, cents, formatCents, query } from '../api';
import { Card, Problem } from '../components';
import { bucketLabel, ERROR_CLASS_LABELS, FLOW_LABELS, label, money, STATE_LABELS, SYSTEM_LABELS, time, useZone } from '../format';

interface Dashboard {
  range: { from: string; to: string; bucket: 'minute' | 'hour' | 'day'; timeZone: string };
  attempts: Array<{ source: string; state: string; count: number; amount: string; currency: string | null }>;
  refunds: { count: number; amount: string; currency: string | null };
  perFlow: Array<{ bucket: string; flow: string; count: number; collected: string; localCurrency: string | null }>;
  outcomes: Array<{ flow: string; outcome: string; count: number }>;
  stepLatency: Array<{ step: string; count: number; avgMs: number; p95Ms: number }>;
  retries: Array<{ system: string; outcome: string; retries: number }>;
  deadLetters: Array<{ errorClass: string; status: string; count: number }>;
  settlements: Array<{ batch: number; count: number; total: string; settled: string | null }>;
  topErrors: Array<{ code: string; count: number; sources: string[]; lastAt: string }>;
  openLinkRequests: number;
  /** open chargeback cases, those whose deadline is near, those in review, the amount at stake */
  chargebacks?: { open: number; dueSoon: number; review: number; openAmount: string };
}

const RANGES = [
  { id: '1h', label: 'Last hour', hours: 1 },
  { id: '24h', label: 'Last 24 hours', hours: 24 },
  { id: '7d', label: 'Last 7 days', hours: 24 * 7 },
  { id: '30d', label: 'Last 30 days', hours: 24 * 30 },
];
const COLOURS = ['#0969da', '#1a7f37', '#bf8700', '#8250df', '#cf222e', '#57606a'];
const STATE_COLOURS: Record<string, string> = { completed: '#1a7f37', declined: '#bf8700', charged_not_posted: '#a40e26', failed: '#cf222e', in_progress: '#0969da', outside: '#57606a' };
const STEP_LABELS: Record<string, string> = { open: 'Received', 'paytrace-poller': 'Settlement seen (poller)', 'recon-receipt': 'Receipt by reconciliation', 'recon-gl': 'GL by reconciliation', 'bod:': 'Told ION', sale: 'Card charge', verify: 'Verify at PayTrace', customer: 'M3 customer', order: 'M3 order', receipt: 'M3 cash receipt', gl: 'GL posting', announce: 'Announce', error: 'Stopped', retry: 'Retry wait' };

/** Where a tile or a bar leads: the payment list, filtered. */
function traceLink(filter: Record<string, string | undefined>): string {
  return `#/trace${query(filter)}`;
}

/** Automatic payment links for new invoices (issue 22): GET /admin/api/invoice-links/summary */
interface InvoiceLinkSummary {
  linkedAutomatically: number;
  paidThroughLink: number;
  paidElsewhere: number;
  needsReview: number;
  daysToPay: { byHand: { invoices: number; averageDays: string | null }; automatic: { invoices: number; averageDays: string | null } };
}

export function DashboardPage() {
  const zone = useZone();
  const [range, setRange] = useState('24h');
  const [live, setLive] = useState(true);
  const [data, setData] = useState<Dashboard>();
  const [links, setLinks] = useState<InvoiceLinkSummary>();
  const [error, setError] = useState<Error>();
  const [updatedAt, setUpdatedAt] = useState<Date>();

  const load = useCallback(async () => {
    const hours = RANGES.find((r) => r.id === range)!.hours;
    const to = new Date(Date.now() + 60_000); // include what lands while the page is open
    const from = new Date(to.getTime() - hours * 3_600_000);
    try {
      setData(await api.get<Dashboard>(`/admin/api/dashboard${query({ from: from.toISOString(), to: to.toISOString(), timeZone: zone })}`));
      setLinks(await api.get<InvoiceLinkSummary>(`/admin/api/invoice-links/summary${query({ from: from.toISOString(), to: to.toISOString() })}`));
      setUpdatedAt(new Date());
      setError(undefined);
    } catch (err) {
      setError(err as Error);
    }
  }, [range, zone]);

  useEffect(() => {
    void load();
    if (!live) return;
    const timer = window.setInterval(() => void load(), 10_000); // live refresh by polling
    return () => window.clearInterval(timer);
  }, [load, live]);

  const from = data?.range.from;
  const to = data?.range.to;
  const attempts = data?.attempts ?? [];
  const total = attempts.reduce((n, a) => n + a.count, 0);
  const ofState = (state: string) => attempts.filter((a) => a.state === state);
  const count = (state: string) => ofState(state).reduce((n, a) => n + a.count, 0);
  const sum = (state: string) => ofState(state).reduce((s, a) => s + cents(a.amount), 0n);
  const currency = attempts.find((a) => a.currency)?.currency ?? 'USD';
  const pct = (n: number) => (total ? `${((100 * n) / total).toFixed(1)} %` : '–');
  const collectedCents = attempts.reduce((s, a) => s + cents(a.amount), 0n); // the API sums only money that moved

  const flows = [...new Set(data?.perFlow.map((r) => r.flow) ?? [])].sort();
  const series = new Map<string, Record<string, string | number>>();
  for (const r of data?.perFlow ?? []) {
    const point = series.get(r.bucket) ?? { bucket: bucketLabel(r.bucket, data!.range.bucket, zone), iso: r.bucket };
    point[r.flow] = r.count;
    // the chart plots a number; the tiles sum exactly in cents
    point[`${r.flow} collected`] = Number(formatCents(cents(r.collected)).replaceAll(',', ''));
    series.set(r.bucket, point);
  }
  const points = [...series.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, p]) => p);
  const sources = [...new Set(data?.outcomes.map((o) => o.flow) ?? [])];
  const outcomeRows = sources.map((flow) => {
    const row: Record<string, string | number> = { flow: label(FLOW_LABELS, flow), key: flow };
    for (const o of data!.outcomes.filter((x) => x.flow === flow)) row[o.outcome] = o.count;
    return row;
  });
  const states = [...new Set(data?.outcomes.map((o) => o.outcome) ?? [])].sort((a, b) => Object.keys(STATE_COLOURS).indexOf(a) - Object.keys(STATE_COLOURS).indexOf(b));
  const go = (filter: Record<string, string | undefined>) => () => {
    window.location.hash = traceLink({ ...filter, from, to });
  };

  return (
    <div>
      <div className="toolbar">
        <h1>Dashboard</h1>
        <label>
          Time range{' '}
          <select value={range} onChange={(e) => setRange(e.target.value)} aria-label="time range">
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>{r.label}</option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> live refresh (10 s)
        </label>
        <button type="button" onClick={() => void load()}>Refresh</button>
        <span className="muted">{updatedAt ? `updated ${time(updatedAt.toISOString(), zone)}` : ''}</span>
      </div>
      <Problem error={error} />
      {data && (
        <>
          <div className="tiles">
            <a className="tile" data-testid="tile-payments" href={traceLink({ from, to })}><span>Card payments</span><b>{total}</b><small>all sources</small></a>
            <a className="tile ok" data-testid="tile-collected" href={traceLink({ state: 'completed', from, to })}><span>Collected</span><b>{money(formatCents(collectedCents).replaceAll(',', ''), currency)}</b><small>{count('completed')} completed · money moved only</small></a>
            <a className="tile ok" data-testid="tile-success" href={traceLink({ state: 'completed', from, to })}><span>Completed</span><b>{pct(count('completed'))}</b><small>{count('completed')} posted in M3</small></a>
            <a className="tile warn" data-testid="tile-declined" href={traceLink({ state: 'declined', from, to })}><span>Declined</span><b>{pct(count('declined'))}</b><small>{count('declined')} declined (pay page, storefront, PayTrace)</small></a>
            <a className={`tile ${count('charged_not_posted') ? 'alarm' : 'ok'}`} data-testid="tile-charged-not-posted" href={traceLink({ state: 'charged_not_posted' })}>
              <span>Charged, not posted</span>
              <b>{count('charged_not_posted')}</b>
              <small>{count('charged_not_posted') ? `${money(formatCents(sum('charged_not_posted')).replaceAll(',', ''), currency)} customers paid; M3 does not know` : 'none'}</small>
            </a>
            <a className="tile bad" data-testid="tile-failed" href={traceLink({ state: 'failed', from, to })}><span>Failed</span><b>{pct(count('failed'))}</b><small>{count('failed')} stopped, no money moved</small></a>
            <a className="tile" data-testid="tile-refunds" href={traceLink({ flow: 'refund', from, to })}><span>Refunded</span><b>{money(data.refunds.amount, data.refunds.currency ?? currency)}</b><small>{data.refunds.count} refund(s)</small></a>
            <a className="tile" data-testid="tile-link-requests" href="#/alerts"><span>New-link requests</span><b>{data.openLinkRequests}</b><small>from customers, open</small></a>
            {data.chargebacks && (
              <a className={`tile ${data.chargebacks.dueSoon ? 'alarm' : data.chargebacks.open ? 'warn' : 'ok'}`} data-testid="tile-chargebacks" href="#/chargebacks">
                <span>Chargebacks</span>
                <b>{data.chargebacks.open}</b>
                <small>{data.chargebacks.open ? `${money(data.chargebacks.openAmount, 'USD')} disputed · ${data.chargebacks.dueSoon} due soon${data.chargebacks.review ? ` · ${data.chargebacks.review} in review` : ''}` : 'none open'}</small>
              </a>
            )}
          </div>
          {links && (
            <div className="tiles" data-testid="invoice-link-tiles">
              <div className="tile" data-testid="tile-auto-linked"><span>Invoices linked automatically</span><b>{links.linkedAutomatically}</b><small>new M3 invoices sent with their pay link</small></div>
              <div className="tile ok" data-testid="tile-auto-paid"><span>Paid through the link</span><b>{links.paidThroughLink}</b><small>{links.paidElsewhere} paid another way (reminders stopped)</small></div>
              <a className={`tile ${links.needsReview ? 'warn' : 'ok'}`} data-testid="tile-auto-review" href="#/alerts"><span>Invoices to review</span><b>{links.needsReview}</b><small>no e-mail address in M3</small></a>
              <div className="tile" data-testid="tile-days-to-pay">
                <span>Days to pay</span>
                <b>{links.daysToPay.automatic.averageDays ?? '–'}</b>
                <small>automatic links ({links.daysToPay.automatic.invoices}); by hand {links.daysToPay.byHand.averageDays ?? '–'} ({links.daysToPay.byHand.invoices})</small>
              </div>
            </div>
          )}
          <div className="grid">
            <Card title={`Payments per flow over time (count, by ${data.range.bucket} in ${zone})`} wide>
              <ResponsiveContainer width="100%" height={260}>
                <BarChart data={points}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="bucket" />
                  <YAxis allowDecimals={false} label={{ value: 'payments', angle: -90, position: 'insideLeft' }} />
                  <Tooltip />
                  <Legend />
                  {flows.map((f, i) => (
                    <Bar key={f} dataKey={f} name={label(FLOW_LABELS, f)} stackId="count" fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} cursor="pointer" onClick={() => go({ flow: f })()}>
                      <LabelList dataKey={f} position="center" fill="#fff" />
                    </Bar>
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </Card>
            <Card title={`Money collected per flow (${currency})`} wide>
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={points}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="bucket" />
                  <YAxis label={{ value: currency, angle: -90, position: 'insideLeft' }} />
                  <Tooltip />
                  <Legend />
                  {flows.filter((f) => f === 'ecommerce_sale' || f === 'invoice_payment').map((f, i) => (
                    <Bar key={f} dataKey={`${f} collected`} name={label(FLOW_LABELS, f)} fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} cursor="pointer" onClick={() => go({ flow: f, state: 'completed' })()}>
                      <LabelList dataKey={`${f} collected`} position="top" />
                    </Bar>
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </Card>
            <Card title="Outcome by source">
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={outcomeRows}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="flow" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  {states.map((o) => (
                    <Bar key={o} dataKey={o} name={label(STATE_LABELS, o)} stackId="o" fill={STATE_COLOURS[o] ?? '#57606a'} isAnimationActive={false} cursor="pointer" onClick={(entry: { payload?: { key?: string } }) => go({ flow: entry.payload?.key === 'paytrace_direct' ? undefined : entry.payload?.key, state: o })()}>
                      <LabelList dataKey={o} position="center" fill="#fff" />
                    </Bar>
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </Card>
            <Card title="Time per step (ms; time parked as a dead letter not counted)">
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={data.stepLatency.map((s) => ({ ...s, step: STEP_LABELS[s.step] ?? s.step }))} layout="vertical" margin={{ left: 40, right: 40 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" unit=" ms" />
                  <YAxis type="category" dataKey="step" width={130} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="avgMs" name="average" fill="#0969da" isAnimationActive={false}>
                    <LabelList dataKey="avgMs" position="right" />
                  </Bar>
                  <Bar dataKey="p95Ms" name="95th percentile" fill="#8250df" isAnimationActive={false}>
                    <LabelList dataKey="p95Ms" position="right" />
                  </Bar>
                </BarChart>
              </ResponsiveContainer>
            </Card>
            <Card title="Retries and dead letters">
              <h3>Side effects retried, by system and outcome</h3>
              <Table rows={data.retries.map((r) => ({ System: label(SYSTEM_LABELS, r.system), Outcome: r.outcome, Retries: r.retries }))} empty="no retries" />
              <h3>Dead letters by error class</h3>
              <Table rows={data.deadLetters.map((d) => ({ 'Error class': label(ERROR_CLASS_LABELS, d.errorClass), Status: d.status, Count: d.count }))} empty="no dead letters" />
              <p><a href="#/dead-letters">Open the dead letters</a></p>
            </Card>
            <Card title="Settlement totals per PayTrace batch">
              <Table rows={data.settlements.map((s) => ({ Batch: s.batch, Transactions: s.count, Total: money(s.total, 'USD'), Settled: s.settled ?? '' }))} empty="no settled batches in range" />
            </Card>
            <Card title="Top error codes (each once; payments affected)">
              <Table rows={data.topErrors.map((e) => ({ Code: e.code, Payments: e.count, 'Seen on': e.sources.join(', '), Last: time(e.lastAt, zone) }))} empty="no errors" />
            </Card>
          </div>
        </>
      )}
    </div>
  );
}

function Table({ rows, empty }: { rows: Array<Record<string, string | number>>; empty: string }) {
  if (!rows.length) return <p className="muted">{empty}</p>;
  const columns = Object.keys(rows[0]!);
  return (
    <table>
      <thead>
        <tr>{columns.map((c) => <th key={c}>{c}</th>)}</tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>{columns.map((c) => <td key={c}>{String(r[c] ?? '')}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}
