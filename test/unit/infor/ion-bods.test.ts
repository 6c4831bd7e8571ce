/**
 * Every sample in ion-bods/ validates against its XSD with the real libxml2 validator (xmllint),
 * round-trips through the BOD library (parse → model → build → parse gives the same model, and
 * the rebuilt XML still validates), and a broken copy is refused by the XSD (the check can fail).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBod, parseBod, KNOWN_DOCUMENTS } from '../../../gateway/src/infor/bod';

const ROOT = path.resolve(__dirname, '..', '..', '..', 'ion-bods');
const catalog = JSON.parse(readFileSync(path.join(ROOT, 'catalog.json'), 'utf8')) as {
  documents: Array<{ documentName: string; schema: string; sample: string }>;
};

function xmllint(schema: string, file: string): { ok: boolean; output: string } {
  const result = spawnSync('/usr/bin/xmllint', ['--noout', '--nonet', '--schema', schema, file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

let dir: string;
beforeAll(() => {
  execFileSync('/usr/bin/xmllint', ['--version'], { stdio: 'ignore' });
  dir = mkdtempSync(path.join(tmpdir(), 'ion-bods-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the catalog lists every document the gateway knows, and only those', () => {
  expect(catalog.documents.map((d) => d.documentName).sort()).toEqual([...KNOWN_DOCUMENTS].sort());
});

describe.each(catalog.documents)('$documentName', ({ documentName, schema, sample }) => {
  const schemaPath = path.join(ROOT, schema);
  const samplePath = path.join(ROOT, sample);

  test('the sample validates against its XSD (xmllint)', () => {
    const { ok, output } = xmllint(schemaPath, samplePath);
    expect(output).toContain('validates');
    expect(ok).toBe(true);
  });

  test('parse → build → parse keeps the model, and the rebuilt document validates', () => {
    const first = parseBod(readFileSync(samplePath));
    expect(first.documentName).toBe(documentName);
    const rebuilt = buildBod(first.envelope as never, first.model as never, first.more as never);
    const second = parseBod(rebuilt);
    expect(second.envelope).toEqual(first.envelope);
    expect(second.model).toEqual(first.model);
    const file = path.join(dir, `${documentName}.rebuilt.xml`);
    writeFileSync(file, rebuilt);
    const { ok, output } = xmllint(schemaPath, file);
    expect(output).toContain('validates');
    expect(ok).toBe(true);
  });

  test('a copy without its BODID fails the XSD', () => {
    const broken = readFileSync(samplePath, 'utf8').replace(/<BODID>[^<]*<\/BODID>/, '');
    const file = path.join(dir, `${documentName}.broken.xml`);
    writeFileSync(file, broken);
    const { ok, output } = xmllint(schemaPath, file);
    expect(ok).toBe(false);
    expect(output).toMatch(/fails to validate/);
  });
});
