import { readFileSync } from 'node:fs';
import path from 'node:path';
import { adminModule } from '../../../gateway/src/admin/module';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';

/** The Grafana dashboard and docs/metrics.md only name metrics the gateway really exports. */
let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ modules: [adminModule()], config: { admin: { alerts: { enabled: false } } } });
});
afterAll(async () => {
  await gateway.stop();
});

const docs = path.join(__dirname, '..', '..', '..', 'docs');
const metricNames = (text: string) => new Set([...text.matchAll(/\bm3pt_[a-z_]+[a-z]/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));

it('every metric in the Grafana dashboard and in docs/metrics.md is exported', async () => {
  const exported = await (await fetch(`${gateway.url}/metrics`)).text();
  const dashboard = JSON.parse(readFileSync(path.join(docs, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const named = metricNames(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n'));
  for (const name of metricNames(readFileSync(path.join(docs, 'metrics.md'), 'utf8'))) if (!/_$|process|nodejs/.test(name)) named.add(name);
  expect(named.size).toBeGreaterThan(5);
  const missing = [...named].filter((name) => !exported.includes(`# TYPE ${name} `));
  expect(missing).toEqual([]);
});
