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

test('the API suite exposes the IMS operations the gateway serves', () => {
  const suite = load('api-suite.yaml').suite as { operations?: string[]; endpoints: Array<{ operations: string[] }> };
  expect(suite.endpoints[0]!.operations).toEqual(
    expect.arrayContaining(['GET  /service/ping', 'GET  /service/protocol', 'POST /service/v2/multipartMessage', 'POST /service/v3/multipartMessage']),
  );
});
