import { useCallback, useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, cents, formatCents, query } from '../api';
import { Card, Problem } from '../components';

interface Dashboard {
  range: { from: string; to: string; bucket: 'minute' | 'hour' | 'day' };
  perFlow: Array<{ bucket: string; flow: string; count: number; localAmount: string; localCurrency: string | null }>;
  outcomes: Array<{ flow: string; outcome: string; count: number }>;
  stepLatency: Array<{ step: string; count: number; avgMs: number; p95Ms: number }>;
  retries: Array<{ system: string; outcome: string; retries: number }>;
  deadLetters: Array<{ errorClass: string; status: string; count: number }>;
  settlements: Array<{ batch: number; count: number; total: string; settled: string | null }>;
  topErrors: Array<{ code: string; source: string; count: number }>;
}

const RANGES = [
  { id: '1h', label: 'Last hour', hours: 1 },
  { id: '24h', label: 'Last 24 hours', hours: 24 },
  { id: '7d', label: 'Last 7 days', hours: 24 * 7 },
  { id: '30d', label: 'Last 30 days', hours: 24 * 30 },
];
const COLOURS = ['#0969da', '#1a7f37', '#bf8700', '#8250df', '#cf222e', '#57606a'];
const OUTCOME_COLOURS: Record<string, string> = { success: '#1a7f37', declined: '#bf8700', error: '#cf222e', in_progress: '#0969da' };

function label(bucket: string, unit: Dashboard['range']['bucket']): string {
  const d = new Date(bucket);
  return unit === 'day' ? d.toLocaleDateString() : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function DashboardPage() {
  const [range, setRange] = useState('24h');
  const [live, setLive] = useState(true);
  const [data, setData] = useState<Dashboard>();
  const [error, setError] = useState<Error>();
  const [updatedAt, setUpdatedAt] = useState<Date>();

  const load = useCallback(async () => {
    const hours = RANGES.find((r) => r.id === range)!.hours;
    const to = new Date(Date.now() + 60_000); // include what lands while the page is open
    const from = new Date(to.getTime() - hours * 3_600_000);
    try {
      setData(await api.get<Dashboard>(`/admin/api/dashboard${query({ from: from.toISOString(), to: to.toISOString() })}`));
      setUpdatedAt(new Date());
      setError(undefined);
    } catch (err) {
      setError(err as Error);
    }
  }, [range]);

  useEffect(() => {
    void load();
    if (!live) return;
    const timer = window.setInterval(() => void load(), 10_000); // live refresh by polling
    return () => window.clearInterval(timer);
  }, [load, live]);

  const flows = [...new Set(data?.perFlow.map((r) => r.flow) ?? [])].sort();
  const series = new Map<string, Record<string, string | number>>();
  for (const r of data?.perFlow ?? []) {
    const point = series.get(r.bucket) ?? { bucket: label(r.bucket, data!.range.bucket) };
    point[r.flow] = r.count;
    // the chart plots a number; totals below are summed exactly in cents
    point[`${r.flow} amount`] = Number(formatCents(cents(r.localAmount)).replaceAll(',', ''));
    series.set(r.bucket, point);
  }
  const points = [...series.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, p]) => p);
  const totals = flows.map((flow) => {
    const rows = data!.perFlow.filter((r) => r.flow === flow);
    return { flow, count: rows.reduce((n, r) => n + r.count, 0), amount: rows.reduce((sum, r) => sum + cents(r.localAmount), 0n), currency: rows.find((r) => r.localCurrency)?.localCurrency ?? '' };
  });
  const outcomeRows = [...new Set(data?.outcomes.map((o) => o.flow) ?? [])].map((flow) => {
    const row: Record<string, string | number> = { flow };
    for (const o of data!.outcomes.filter((x) => x.flow === flow)) row[o.outcome] = o.count;
    return row;
  });
  const allOutcomes = data?.outcomes ?? [];
  const total = allOutcomes.reduce((n, o) => n + o.count, 0);
  const rate = (outcome: string) => (total ? `${((100 * allOutcomes.filter((o) => o.outcome === outcome).reduce((n, o) => n + o.count, 0)) / total).toFixed(1)} %` : '–');

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
        <span className="muted">{updatedAt ? `updated ${updatedAt.toLocaleTimeString()}` : ''}</span>
      </div>
      <Problem error={error} />
      {data && (
        <>
          <div className="tiles">
            <div className="tile" data-testid="tile-payments"><span>Payments</span><b>{total}</b></div>
            <div className="tile ok"><span>Success rate</span><b>{rate('success')}</b></div>
            <div className="tile warn"><span>Declined</span><b>{rate('declined')}</b></div>
            <div className="tile bad"><span>Errors</span><b>{rate('error')}</b></div>
            {totals.map((t) => (
              <div className="tile" key={t.flow} data-testid={`tile-amount-${t.flow}`}>
                <span>{t.flow}</span>
                <b>{formatCents(t.amount)} {t.currency}</b>
                <small>{t.count} payment(s)</small>
              </div>
            ))}
          </div>
          <div className="grid">
            <Card title="Payments per flow over time (count)" wide>
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={points}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="bucket" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  {flows.map((f, i) => (
                    <Bar key={f} dataKey={f} stackId="count" fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </Card>
            <Card title="Amount per flow (local currency)" wide>
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={points}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="bucket" />
                  <YAxis />
                  <Tooltip />
                  <Legend />
                  {flows.map((f, i) => (
                    <Bar key={f} dataKey={`${f} amount`} fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </Card>
            <Card title="Success / decline / error by flow">
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={outcomeRows}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="flow" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  {Object.entries(OUTCOME_COLOURS).map(([o, c]) => (
                    <Bar key={o} dataKey={o} stackId="o" fill={c} isAnimationActive={false} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </Card>
            <Card title="Latency per step (ms)">
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={data.stepLatency} layout="vertical" margin={{ left: 40 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" />
                  <YAxis type="category" dataKey="step" width={120} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="avgMs" name="average" fill="#0969da" isAnimationActive={false} />
                  <Bar dataKey="p95Ms" name="p95" fill="#8250df" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </Card>
            <Card title="Retries and dead letters">
              <h3>Side effects retried, by system and outcome</h3>
              <Table rows={data.retries} columns={['system', 'outcome', 'retries']} empty="no retries" />
              <h3>Dead letters by error class</h3>
              <Table rows={data.deadLetters} columns={['errorClass', 'status', 'count']} empty="no dead letters" />
            </Card>
            <Card title="Settlement totals per batch">
              <Table rows={data.settlements} columns={['batch', 'count', 'total', 'settled']} empty="no settled batches in range" />
            </Card>
            <Card title="Top error codes">
              <Table rows={data.topErrors} columns={['code', 'source', 'count']} empty="no errors" />
            </Card>
          </div>
        </>
      )}
    </div>
  );
}

function Table<T extends object>({ rows, columns, empty }: { rows: T[]; columns: Array<keyof T & string>; empty: string }) {
  if (!rows.length) return <p className="muted">{empty}</p>;
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
