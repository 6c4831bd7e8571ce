import type { healthReport } from './health';

type Report = Awaited<ReturnType<typeof healthReport>>;

/** Every value on the page comes from connectors and the database: escape all of it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const LIGHT: Record<string, { colour: string; word: string }> = {
  ok: { colour: '#1a7f37', word: 'green' },
  degraded: { colour: '#b35900', word: 'amber' },
  down: { colour: '#c62828', word: 'red' },
};

function facts(component: Record<string, unknown>): string {
  return Object.entries(component)
    .filter(([k, v]) => !['status', 'reason'].includes(k) && v !== null && v !== undefined)
    .map(([k, v]) => `<span class="fact">${escapeHtml(k)}: <b>${escapeHtml(typeof v === 'object' ? JSON.stringify(v) : v)}</b></span>`)
    .join(' ');
}

/** /health for a browser: one line per component, green/amber/red with the reason. No script. */
export function renderHealthPage(report: Report): string {
  const overall = LIGHT[report.status] ?? LIGHT.down!;
  const rows = Object.entries(report.components)
    .map(([name, c]) => {
      const light = LIGHT[c.status] ?? LIGHT.down!;
      return `<tr><td><span class="dot" style="background:${light.colour}" title="${light.word}"></span></td><th>${escapeHtml(name)}</th><td class="st" style="color:${light.colour}">${light.word}</td><td>${escapeHtml(c.reason ?? '')}</td><td class="facts">${facts(c)}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="15"><title>m3-paytrace health: ${overall.word}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1f2328}
h1{font-size:1.4rem}.banner{padding:.8rem 1rem;border-radius:6px;color:#fff;font-weight:600;display:inline-block}
table{border-collapse:collapse;margin-top:1rem;width:100%}td,th{padding:.45rem .6rem;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top}
.dot{display:inline-block;width:14px;height:14px;border-radius:50%}.st{font-weight:600}.facts{color:#57606a;font-size:12px}.fact{margin-right:.8rem;white-space:nowrap}
footer{margin-top:1rem;color:#57606a}
</style></head><body>
<h1>m3-paytrace gateway health</h1>
<div class="banner" style="background:${overall.colour}">${escapeHtml(report.status.toUpperCase())} (${overall.word})</div>
<table><thead><tr><th></th><th>component</th><th>status</th><th>reason</th><th>details</th></tr></thead><tbody>
${rows}
</tbody></table>
<footer>version ${escapeHtml(report.version)} · Node.js ${escapeHtml(report.node)} · mode ${escapeHtml(report.mode)} · up ${escapeHtml(report.uptimeSeconds)} s since ${escapeHtml(report.startedAt)} · <a href="/health">JSON</a> (Accept: application/json) · <a href="/ui/">operator app</a> · refreshes every 15 s</footer>
</body></html>`;
}
