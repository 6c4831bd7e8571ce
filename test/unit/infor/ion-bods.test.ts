/**
 * Every sample in ion-bods/ validates against its XSD with libxml2's own validator (xmllint
 * built to WebAssembly, from npm; cross-checked by Debian's xmllint where it is installed),
 * round-trips through the BOD library (parse → model → build → parse gives the same model, and
 * the rebuilt XML still validates), and a broken copy is refused by the XSD (the check can fail).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBod, parseBod, KNOWN_DOCUMENTS } from '../../../gateway/src/infor/bod';
import { ION_BODS, validateAgainstXsd, type XsdVerdict } from '../../helpers/xsd';

const catalog = JSON.parse(readFileSync(path.join(ION_BODS, 'catalog.json'), 'utf8')) as {
  documents: Array<{ documentName: string; schema: string; sample: string }>;
};

const sampleOf = (sample: string) => readFileSync(path.join(ION_BODS, sample), 'utf8');

/** The three documents each catalog entry checks: its sample, the sample rebuilt by the BOD library, a copy without BODID. */
function documentsOf(documentName: string, sample: string) {
  const xml = sampleOf(sample);
  const first = parseBod(Buffer.from(xml));
  return [
    { name: `${documentName}.sample.xml`, xml },
    { name: `${documentName}.rebuilt.xml`, xml: buildBod(first.envelope as never, first.model as never, first.more as never) },
    { name: `${documentName}.broken.xml`, xml: xml.replace(/<BODID>[^<]*<\/BODID>/, '') },
  ];
}

// one validator run per schema (each run is a worker thread with the WebAssembly libxml2)
const verdicts = new Map<string, XsdVerdict>();
beforeAll(async () => {
  const bySchema = new Map<string, Array<{ name: string; xml: string }>>();
  for (const { documentName, schema, sample } of catalog.documents) bySchema.set(schema, [...(bySchema.get(schema) ?? []), ...documentsOf(documentName, sample)]);
  const runs = await Promise.all([...bySchema].map(([schema, documents]) => validateAgainstXsd(schema, documents)));
  for (const verdict of runs.flat()) verdicts.set(verdict.name, verdict);
}, 60_000);

test('the catalog lists every document the gateway knows, and only those', () => {
  expect(catalog.documents.map((d) => d.documentName).sort()).toEqual([...KNOWN_DOCUMENTS].sort());
});

describe.each(catalog.documents)('$documentName', ({ documentName, sample }) => {
  test('the sample validates against its XSD', () => {
    expect(verdicts.get(`${documentName}.sample.xml`)).toMatchObject({ valid: true, errors: [] });
  });

  test('parse → build → parse keeps the model, and the rebuilt document validates', () => {
    const first = parseBod(Buffer.from(sampleOf(sample)));
    expect(first.documentName).toBe(documentName);
    const second = parseBod(Buffer.from(buildBod(first.envelope as never, first.model as never, first.more as never)));
    expect(second.envelope).toEqual(first.envelope);
    expect(second.model).toEqual(first.model);
    expect(verdicts.get(`${documentName}.rebuilt.xml`)).toMatchObject({ valid: true, errors: [] });
  });

  test('a copy without its BODID fails the XSD, with the line and the missing element', () => {
    const verdict = verdicts.get(`${documentName}.broken.xml`)!;
    expect(verdict.valid).toBe(false);
    expect(verdict.errors.join('\n')).toMatch(/^\S+\.broken\.xml:\d+: Schemas validity error : Element '\{http:\/\/schema\.infor\.com\/InforOAGIS\/2\}ApplicationArea': .*BODID/m);
  });
});

test('one run gives each document its own verdict, and a document that is not XML is invalid', async () => {
  const { schema, sample } = catalog.documents.find((d) => d.documentName === 'Sync.MyPTPayment')!;
  const result = await validateAgainstXsd(schema, [
    { name: 'good.xml', xml: sampleOf(sample) },
    { name: 'not-a-bod.xml', xml: '<Nothing/>' },
    { name: 'not-xml.xml', xml: '<Sync' },
  ]);
  expect(result.map((v) => [v.name, v.valid])).toEqual([['good.xml', true], ['not-a-bod.xml', false], ['not-xml.xml', false]]);
  expect(result[1]!.errors.join('\n')).toMatch(/No matching global declaration available for the validation root/);
  expect(result[2]!.errors.join('\n')).toMatch(/^not-xml\.xml:1: parser error/);
});

test('where a system xmllint is on PATH it validates the same files, and a different verdict fails the run', async () => {
  // an xmllint that calls everything valid, first on PATH: the broken copy must not pass
  const dir = mkdtempSync(path.join(tmpdir(), 'm3pt-lenient-xmllint-'));
  const lenient = path.join(dir, 'xmllint');
  writeFileSync(lenient, '#!/bin/sh\nfor a in "$@"; do case "$a" in --version) echo "xmllint: using libxml version 1" >&2;; *.xml) echo "$a validates" >&2;; esac; done\n');
  chmodSync(lenient, 0o755);
  const { schema, sample } = catalog.documents.find((d) => d.documentName === 'Sync.MyPTPayment')!;
  const saved = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${saved}`;
  try {
    await expect(validateAgainstXsd(schema, [{ name: 'ok.xml', xml: sampleOf(sample) }])).resolves.toEqual([{ name: 'ok.xml', valid: true, errors: [] }]);
    await expect(validateAgainstXsd(schema, [{ name: 'broken.xml', xml: sampleOf(sample).replace(/<BODID>[^<]*<\/BODID>/, '') }])).rejects.toThrow(
      /^libxml2 builds disagree on broken\.xml against nouns\/MyPTPayment\.xsd: xmllint-wasm says invalid .*, system xmllint \(libxml 1\) says valid/,
    );
  } finally {
    process.env.PATH = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
