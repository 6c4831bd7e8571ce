import { useEffect, useState, type FormEvent } from 'react';
import { api, type ApiError } from '../api';
import { Json, Problem, When } from '../components';

interface Overview {
  mode: string;
  infor: Record<string, unknown> | null;
  paytrace: { baseUrl: string | null; usernameSet: boolean; passwordSet: boolean; integratorId: string | null };
  rules: { dir: string; files: Array<{ file: string; version: number }> } | null;
  versions: Array<{ kind: string; version: number; summary: unknown; actor: string; reason: string | null; createdAt: string }>;
  systems: string[];
}

type Saved = { kind: string; version: number; summary: Record<string, unknown> };

export function ConfigPage() {
  const [overview, setOverview] = useState<Overview>();
  const [error, setError] = useState<Error>();
  const load = () =>
    api
      .get<Overview>('/admin/api/config')
      .then(setOverview)
      .catch((err: unknown) => setError(err as Error));
  useEffect(() => {
    void load();
  }, []);

  return (
    <div>
      <h1>Configuration</h1>
      <Problem error={error} />
      {overview && (
        <div className="grid">
          <IonapiCard current={overview.infor} onSaved={load} />
          <PayTraceCard current={overview.paytrace} onSaved={load} />
          <RulesCard onSaved={load} />
          <TestCard systems={overview.systems} />
          <section className="card wide">
            <h2>Versions</h2>
            <p className="muted">Saved versions are validated, audited and kept here; the running gateway applies configuration at its next start.</p>
            <table data-testid="config-versions">
              <thead>
                <tr><th>kind</th><th>version</th><th>by</th><th>when</th><th>reason</th><th>summary</th></tr>
              </thead>
              <tbody>
                {overview.versions.map((v) => (
                  <tr key={`${v.kind}-${v.version}`}>
                    <td>{v.kind}</td><td>v{v.version}</td><td>{v.actor}</td><td><When iso={v.createdAt} /></td><td>{v.reason}</td>
                    <td><details><summary>show</summary><Json value={v.summary} /></details></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      )}
    </div>
  );
}

function IonapiCard({ current, onSaved }: { current: Record<string, unknown> | null; onSaved: () => void }) {
  const [result, setResult] = useState<Saved>();
  const [error, setError] = useState<ApiError | Error>();
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await api.post<Saved>('/admin/api/config/ionapi', { content: await file.text(), reason: `uploaded ${file.name}` }));
      onSaved();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section className="card" data-testid="ionapi-card">
      <h2>Infor OS authorized app (.ionapi)</h2>
      {current ? <Json value={current} /> : <p className="muted">no .ionapi configured</p>}
      <label className="upload">
        Upload a .ionapi file <input type="file" accept=".ionapi,application/json" aria-label="ionapi file" onChange={(e) => void upload(e.target.files?.[0])} />
      </label>
      <Problem error={error} />
      {result && (
        <div className="notice" role="status">
          <p>Valid: saved as version {result.version}. Tenant <b>{String(result.summary.tenant)}</b>.</p>
          <Json value={result.summary} />
        </div>
      )}
    </section>
  );
}

function PayTraceCard({ current, onSaved }: { current: Overview['paytrace']; onSaved: () => void }) {
  const [form, setForm] = useState({ baseUrl: current.baseUrl ?? '', username: '', password: '', integratorId: current.integratorId ?? '' });
  const [result, setResult] = useState<Saved>();
  const [error, setError] = useState<Error>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      setResult(await api.post<Saved>('/admin/api/config/paytrace', { ...form, reason: 'credentials changed in the operator app' }));
      setForm({ ...form, password: '' }); // write-only: never kept in the page
      onSaved();
    } catch (err) {
      setError(err as Error);
    }
  };
  const field = (key: keyof typeof form, label: string, type = 'text') => (
    <label>
      {label} <input type={type} value={form[key]} autoComplete="off" onChange={(e) => setForm({ ...form, [key]: e.target.value })} aria-label={label} />
    </label>
  );
  return (
    <section className="card">
      <h2>PayTrace credentials</h2>
      <p className="muted">API user set: {current.usernameSet ? 'yes' : 'no'} · password set: {current.passwordSet ? 'yes' : 'no'} (write-only)</p>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        {field('baseUrl', 'API base URL')}
        {field('username', 'API user')}
        {field('password', 'Password', 'password')}
        {field('integratorId', 'Integrator id')}
        <button type="submit" className="primary">Save</button>
      </form>
      <Problem error={error} />
      {result && <p className="notice" role="status">Saved as version {result.version} (password fingerprint {String(result.summary.passwordFingerprint)}).</p>}
    </section>
  );
}

function RulesCard({ onSaved }: { onSaved: () => void }) {
  const [files, setFiles] = useState<Record<string, string>>({});
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [result, setResult] = useState<Saved>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    api
      .get<{ files: Record<string, string> }>('/admin/api/config/rules')
      .then((r) => {
        setFiles(r.files);
        const first = Object.keys(r.files).find((f) => f === 'status-map.yaml') ?? Object.keys(r.files)[0] ?? '';
        setName(first);
        setText(r.files[first] ?? '');
      })
      .catch((err: unknown) => setError(err as Error));
  }, []);
  const save = async () => {
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await api.post<Saved>('/admin/api/config/rules', { files: { [name]: text }, reason: `${name} edited in the operator app` }));
      onSaved();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section className="card wide">
      <h2>Rules (status map, GL rules, currency policy, …)</h2>
      <div className="toolbar">
        <select
          value={name}
          aria-label="rules file"
          onChange={(e) => {
            setName(e.target.value);
            setText(files[e.target.value] ?? '');
          }}
        >
          {Object.keys(files).map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
        <button type="button" className="primary" onClick={() => void save()}>Validate and save</button>
      </div>
      <textarea value={text} onChange={(e) => setText(e.target.value)} rows={14} spellCheck={false} aria-label="rules text" />
      <Problem error={error} />
      {result && <p className="notice" role="status">Valid: saved as rules version {result.version}.</p>}
    </section>
  );
}

function TestCard({ systems }: { systems: string[] }) {
  const [results, setResults] = useState<Record<string, { ok: boolean; ms: number; message: string } | 'running'>>({});
  const test = async (system: string) => {
    setResults((r) => ({ ...r, [system]: 'running' }));
    try {
      const result = await api.post<{ ok: boolean; ms: number; message: string }>(`/admin/api/config/test/${system}`, {});
      setResults((r) => ({ ...r, [system]: result }));
    } catch (err) {
      setResults((r) => ({ ...r, [system]: { ok: false, ms: 0, message: (err as Error).message } }));
    }
  };
  return (
    <section className="card">
      <h2>Test connections</h2>
      <ul className="tests">
        {systems.map((s) => {
          const r = results[s];
          return (
            <li key={s}>
              <button type="button" onClick={() => void test(s)}>Test {s}</button>{' '}
              {r === 'running' ? '…' : r ? <span className={r.ok ? 'ok' : 'bad'} data-testid={`test-${s}`}>{r.ok ? 'OK' : 'FAILED'} ({r.ms} ms): {r.message}</span> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
