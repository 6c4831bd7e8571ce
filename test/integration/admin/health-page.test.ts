import { createHash } from 'node:crypto';
import { eventually } from '../../helpers/gateway';
import { startStack, type Stack } from '../../helpers/stack';

/** /health: JSON for machines, a page for browsers, with the poller lag and the Infor OS token age. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { poller: { enabled: true, intervalSeconds: 60 } } });
});
afterAll(async () => {
  await stack.stop();
});

const health = (accept: string) => fetch(`${stack.gateway.url}/health`, { headers: { accept } });

it('answers JSON to machines and HTML to browsers, from the same report', async () => {
  const json = await health('application/json');
  expect(json.headers.get('content-type')).toMatch(/application\/json/);
  expect(json.headers.get('vary')).toMatch(/Accept/);
  expect(await json.json()).toMatchObject({ status: expect.any(String), components: { database: { status: 'ok' } } });
  const any = await health('*/*');
  expect(any.headers.get('content-type')).toMatch(/application\/json/); // curl and monitors keep JSON
  const page = await health('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  const html = await page.text();
  expect(html).toContain('m3-paytrace gateway health');
  expect(html).toMatch(/<th>Database<\/th><td class="st fg-green">green<\/td>/);
  expect(html).toContain('<a href="/ui/#/dead-letters">dead letters</a>');
  expect(html).toContain('@media (max-width:640px)'); // a phone gets one block per component
  // no inline style attributes; the one style sheet is allowed by its hash, not by 'unsafe-inline'
  expect(html).not.toContain(' style="');
  const sheet = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  const csp = page.headers.get('content-security-policy') ?? '';
  expect(csp).toContain(`'sha256-${createHash('sha256').update(sheet).digest('base64')}'`);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("frame-ancestors 'none'");
  // which Node runs the gateway, and until when that line gets security fixes
  expect(html).toContain(`Node.js ${process.version}`);
});

it('reports poller lag from poller_state, amber with the reason when the poller is behind', async () => {
  const db = stack.gateway.services.db;
  // the poller polls once at start; then, every 60 s: set its mark back an hour after that first poll
  await eventually(() => db('poller_state').where({ name: 'paytrace-transactions' }).first(), 15_000, 'the first PayTrace poll');
  await db('poller_state').where({ name: 'paytrace-transactions' }).update({ high_water_mark: new Date(Date.now() - 3600_000) });
  const report = (await (await health('application/json')).json()) as { components: Record<string, { status: string; reason?: string; lagSeconds?: number }> };
  expect(report.components.poller).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/^last PayTrace poll 36\d\d s ago \(expected every 60 s\)$/) });
  await db('poller_state').where({ name: 'paytrace-transactions' }).update({ high_water_mark: new Date() });
  const fresh = (await (await health('application/json')).json()) as typeof report;
  expect(fresh.components.poller).toMatchObject({ status: 'ok' });
  expect(fresh.components.poller!.lagSeconds).toBeLessThan(5);
});

it('shows the Infor OS token age once a token was fetched', async () => {
  await stack.gateway.services.infor!.tokens.getAccessToken();
  const report = (await (await health('application/json')).json()) as { components: Record<string, { tokenAgeSeconds?: number }> };
  expect(report.components['connector:infor-os']!.tokenAgeSeconds).toBeGreaterThanOrEqual(0);
});

it('escapes what a connector reported', async () => {
  stack.gateway.services.connectors.record('paytrace', false, '<script>alert(1)</script>');
  const html = await (await health('text/html')).text();
  expect(html).not.toContain('<script>alert(1)</script>');
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).toMatch(/<th>PayTrace<\/th><td class="st fg-amber">amber<\/td>/);
});
