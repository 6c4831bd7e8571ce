import { adminModule } from '../../../gateway/src/admin/module';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';
import { ensureUiBuilt } from './ui-build';

/** /ui serves the built app: index.html for client routes, hashed assets, a 404 for missing ones. */
let gateway: TestGateway;
beforeAll(async () => {
  await ensureUiBuilt();
  gateway = await startTestGateway({ modules: [adminModule()], config: { admin: { alerts: { enabled: false } } } });
});
afterAll(async () => {
  await gateway.stop();
});

it('serves index.html for the app and its client-side routes, without caching it', async () => {
  for (const path of ['/ui/', '/ui/anything/deeper']) {
    const res = await fetch(`${gateway.url}${path}`);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toMatch(/<div id="root"><\/div>/);
  }
  const root = await fetch(`${gateway.url}/`, { redirect: 'manual' });
  expect(root.status).toBe(302);
  expect(root.headers.get('location')).toBe('/ui/');
});

it('serves hashed assets for a year and answers 404 for a missing one', async () => {
  const html = await (await fetch(`${gateway.url}/ui/`)).text();
  const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  const asset = await fetch(`${gateway.url}${script}`);
  expect(asset.status).toBe(200);
  expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
  const missing = await fetch(`${gateway.url}/ui/assets/nope-123.js`);
  expect(missing.status).toBe(404);
});

it('labels the app route in /metrics with its template, not a regex', async () => {
  await fetch(`${gateway.url}/ui/anything/deeper`);
  await fetch(`${gateway.url}/ui`);
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const routes = [...metrics.matchAll(/^m3pt_http_requests_total\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]);
  expect(routes).toContain('/ui{/*path}');
  expect(routes.filter((r) => /[\^$\\]/.test(r!))).toEqual([]);
});
