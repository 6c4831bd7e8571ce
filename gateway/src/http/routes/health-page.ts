import type { HealthReport } from './health-report';

type Report = HealthReport;

/** Every value on the page comes from connectors and the database: escape all of it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const LIGHT: Record<string, { colour: string; word: string }> = {
  ok: { colour: '#1a7f37', word: 'green' },
  degraded: { colour: '#b35900', word: 'amber' },
  down: { colour: '#c62828', word: 'red' },
};

/** What a person calls each component (the JSON keeps the machine names). */
const COMPONENT_LABELS: Record<string, string> = {
  database: 'Database',
  queue: 'Job queue',
  deadLetters: 'Dead letters',
  poller: 'PayTrace poller',
  'connector:infor-os': 'Infor OS (sign-in tokens)',
  'connector:m3': 'M3',
  'connector:ion': 'ION',
  'connector:paytrace': 'PayTrace',
};

const FACT_LABELS: Record<string, string> = {
  latencyMs: 'round trip (ms)',
  waiting: 'waiting jobs',
  active: 'running jobs',
  oldestWaitingSeconds: 'oldest waiting (s)',
  open: 'open',
  lagSeconds: 'lag (s)',
  lastPass: 'last pass',
  lastContact: 'last contact',
  lastOk: 'last success',
  lastError: 'last error',
  tokenAgeSeconds: 'token age (s)',
};

export function componentLabel(name: string): string {
  return COMPONENT_LABELS[name] ?? (name.startsWith('connector:') ? name.slice('connector:'.length) : name);
}

function factValue(value: unknown): string {
  if (value && typeof value === 'object') {
    const o = value as { at?: unknown; detail?: unknown };
    if (o.at !== undefined || o.detail !== undefined) return [o.at, o.detail].filter(Boolean).map(String).join(': ');
    return JSON.stringify(value);
  }
  return String(value);
}

function facts(component: Record<string, unknown>): string {
  return Object.entries(component)
    .filter(([k, v]) => !['status', 'reason'].includes(k) && v !== null && v !== undefined)
    .map(([k, v]) => `<span class="fact">${escapeHtml(FACT_LABELS[k] ?? k)}: <b>${escapeHtml(factValue(v))}</b></span>`)
    .join(' ');
}

/** /health for a browser: one line per component, green/amber/red with the reason. No script; fits a phone. */
export function renderHealthPage(report: Report): string {
  const overall = LIGHT[report.status] ?? LIGHT.down!;
  const rows = Object.entries(report.components)
    .map(([name, c]) => {
      const light = LIGHT[c.status] ?? LIGHT.down!;
      const action = name === 'deadLetters' ? ` <a href="/ui/#/dead-letters">Open the dead letters</a>` : '';
      return `<tr data-component="${escapeHtml(name)}"><td class="dot-cell"><span class="dot" style="background:${light.colour}" title="${light.word}"></span></td><th>${escapeHtml(componentLabel(name))}</th><td class="st" style="color:${light.colour}">${light.word}</td><td class="reason">${escapeHtml(c.reason ?? '')}${action}</td><td class="facts">${facts(c)}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="15"><title>m3-paytrace health: ${overall.word}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1f2328}
h1{font-size:1.4rem}.banner{padding:.8rem 1rem;border-radius:6px;color:#fff;font-weight:600;display:inline-block}
table{border-collapse:collapse;margin-top:1rem;width:100%}td,th{padding:.45rem .6rem;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top}
.dot{display:inline-block;width:14px;height:14px;border-radius:50%}.st{font-weight:600}.facts{color:#57606a;font-size:12px}.fact{margin-right:.8rem;display:inline-block;overflow-wrap:anywhere}
.reason,.facts{overflow-wrap:anywhere}
footer{margin-top:1rem;color:#57606a;overflow-wrap:anywhere}
@media (max-width:640px){
  body{margin:1rem}
  thead{display:none}
  table,tbody,tr,td,th{display:block;width:auto}
  tr{display:grid;grid-template-columns:auto 1fr auto;gap:.2rem .6rem;padding:.6rem 0;border-bottom:1px solid #d0d7de}
  td,th{border:0;padding:0}
  .reason,.facts{grid-column:1/-1}
}
</style></head><body>
<h1>m3-paytrace gateway health</h1>
<div class="banner" style="background:${overall.colour}">${escapeHtml(report.status.toUpperCase())} (${overall.word})</div>
<table><thead><tr><th></th><th>component</th><th>status</th><th>reason</th><th>details</th></tr></thead><tbody>
${rows}
</tbody></table>
<footer>version ${escapeHtml(report.version)} · Node.js ${escapeHtml(report.node)} · mode ${escapeHtml(report.mode)} · up ${escapeHtml(report.uptimeSeconds)} s since ${escapeHtml(report.startedAt)} · <a href="/health">JSON</a> (Accept: application/json) · <a href="/ui/">operator app</a> · <a href="/ui/#/dead-letters">dead letters</a> · refreshes every 15 s</footer>
</body></html>`;
}
