/** The ION configuration files name only documents the catalog (and so the gateway) knows, in the right direction. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..', '..', 'ion-bods');
const catalog = JSON.parse(readFileSync(path.join(ROOT, 'catalog.json'), 'utf8')) as { documents: Array<{ documentName: string; direction: string }> };
const direction = new Map(catalog.documents.map((d) => [d.documentName, d.direction]));
const load = (file: string) => YAML.parse(readFileSync(path.join(ROOT, 'config', file), 'utf8')) as Record<string, unknown>;

test('the connection point sends the gateway what it receives, and receives what it sends', () => {
  const cp = load('connection-point.yaml').connectionPoint as { documents: { send: Array<{ name: string }>; receive: Array<{ name: string }> } };
  for (const { name } of cp.documents.send) expect(['ion-to-gateway', 'both']).toContain(direction.get(name));
  for (const { name } of cp.documents.receive) expect(['gateway-to-ion', 'both']).toContain(direction.get(name));
  const inbound = catalog.documents.filter((d) => d.direction !== 'gateway-to-ion').map((d) => d.documentName).sort();
  expect(cp.documents.send.map((d) => d.name).sort()).toEqual(inbound);
});

test('every document flow names known documents', () => {
  const flows = load('document-flows.yaml').flows as Array<{ name: string; from: { documents: string[] }; to: { documents: string[] } }>;
  expect(flows.length).toBeGreaterThan(0);
  for (const flow of flows) for (const doc of [...flow.from.documents, ...flow.to.documents]) expect(direction.has(doc)).toBe(true);
});

type Suite = { name: string; apiContext: string; endpoints: Array<{ proxyEndpoint: string; targetEndpointUrl: string; targetEndpointSecurity: { type: string; name?: string; value?: string }; operations: string[] }> };

test('the IMS suite exposes the IMS operations the gateway serves', () => {
  const suites = load('api-suite.yaml').suites as Suite[];
  const ims = suites.find((s) => s.apiContext === 'ims')!;
  expect(ims.endpoints[0]!.operations).toEqual(
    expect.arrayContaining(['GET  /service/ping', 'GET  /service/protocol', 'POST /service/v2/multipartMessage', 'POST /service/v3/multipartMessage']),
  );
});

test('one suite for the link API: the H5 default context, an API key ION API offers, the key the gateway checks', () => {
  const suites = load('api-suite.yaml').suites as Suite[];
  const links = suites.filter((s) => s.endpoints.some((e) => e.operations.some((o) => o.includes('/payment-links'))));
  expect(links).toHaveLength(1);
  const endpoint = links[0]!.endpoints[0]!;
  expect(links[0]!.apiContext).toBe('M3PAYTRACE');
  expect(`/${links[0]!.apiContext}/${endpoint.proxyEndpoint}`).toBe('/M3PAYTRACE/api'); // what the script calls: api=/M3PAYTRACE + /api/payment-links
  expect(endpoint.targetEndpointUrl).toBe('${http.publicBaseUrl}/api');
  expect(endpoint.targetEndpointSecurity).toEqual({ type: 'API Key', in: 'header', name: '${links.apiSuiteKeyHeader}', value: '${links.apiSuiteKey}' });
  // the H5 script's default context is this one
  const script = readFileSync(path.resolve(ROOT, '..', 'm3-extensions', 'src', 'SendPaymentLink.ts'), 'utf8');
  expect(script).toContain(`this.setting('api', '/${links[0]!.apiContext}')`);
  // and no document tells the admin anything else
  for (const doc of ['SETUP.md', '../m3-extensions/README.md']) {
    const text = readFileSync(path.join(ROOT, doc), 'utf8');
    expect({ doc, passThrough: /pass(es|ing)? the Infor OS token through/i.test(text) }).toEqual({ doc, passThrough: false });
  }
});
