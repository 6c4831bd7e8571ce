import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { findOnPath } from './executables';

/** ion-bods/: the XSDs, their includes, the samples. */
export const ION_BODS = path.resolve(__dirname, '..', '..', 'ion-bods');

export interface XsdVerdict {
  name: string;
  valid: boolean;
  /** xmllint's messages about this document (empty when it validates) */
  errors: string[];
}

/** Every .xsd under ion-bods/, by path relative to it, so includes such as ../schemas/Common.xsd resolve. */
function schemaFiles(): Array<{ fileName: string; contents: string }> {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.name.endsWith('.xsd') ? [path.join(dir, entry.name)] : []));
  return walk(ION_BODS).map((file) => ({ fileName: path.relative(ION_BODS, file), contents: readFileSync(file, 'utf8') }));
}

/**
 * xmllint prints "NAME validates" or "NAME fails to validate" per document, its messages as
 * "NAME:LINE: …"; a document that is not well-formed gets a parser error and no verdict line.
 */
function verdicts(names: string[], output: string): XsdVerdict[] {
  const lines = output.split('\n');
  return names.map((name) => {
    const errors = lines.filter((line) => line.startsWith(`${name}:`));
    const valid = lines.includes(`${name} validates`);
    const invalid = lines.includes(`${name} fails to validate`) || errors.some((line) => / parser error : /.test(line));
    if (valid === invalid) throw new Error(`xmllint gave no verdict for ${name}:\n${output}`);
    return { name, valid, errors };
  });
}

/** Debian's xmllint (libxml2-utils) on the same files, where it is installed. */
function systemXmllint(schema: string, documents: Array<{ name: string; xml: string }>): { version: string; verdicts: XsdVerdict[] } | null {
  const xmllint = findOnPath('xmllint');
  if (!xmllint) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'm3pt-xsd-'));
  try {
    for (const file of schemaFiles()) {
      mkdirSync(path.dirname(path.join(dir, file.fileName)), { recursive: true });
      writeFileSync(path.join(dir, file.fileName), file.contents);
    }
    for (const doc of documents) writeFileSync(path.join(dir, doc.name), doc.xml);
    const run = spawnSync(xmllint, ['--noout', '--nonet', '--schema', schema, ...documents.map((d) => d.name)], { cwd: dir, encoding: 'utf8' });
    const version = /using libxml version (\d+)/.exec(spawnSync(xmllint, ['--version'], { encoding: 'utf8' }).stderr)?.[1] ?? '?';
    return { version, verdicts: verdicts(documents.map((d) => d.name), `${run.stdout}${run.stderr}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Validate documents against one of our XSDs (a path relative to ion-bods/) with libxml2's
 * xmllint built to WebAssembly (xmllint-wasm, from npm), so every machine runs the same
 * validator without a system package. Where Debian's xmllint is installed it validates the same
 * files too, and a different verdict fails the call: the two libxml2 builds must agree.
 * Document names are plain file names (no folders), unique within the call.
 */
export async function validateAgainstXsd(schema: string, documents: Array<{ name: string; xml: string }>): Promise<XsdVerdict[]> {
  for (const doc of documents) {
    if (!/^[\w.-]+\.xml$/.test(doc.name) || doc.name.startsWith('-')) throw new Error(`document name "${doc.name}": a plain file name ending in .xml`);
  }
  const schemas = schemaFiles();
  const main = schemas.find((s) => s.fileName === path.normalize(schema));
  if (!main) throw new Error(`no schema ${schema} under ${ION_BODS}`);
  const result = await validateXML({
    xml: documents.map((d) => ({ fileName: d.name, contents: d.xml })),
    schema: [main],
    preload: schemas.filter((s) => s !== main),
  });
  const wasm = verdicts(
    documents.map((d) => d.name),
    result.rawOutput,
  );
  const cross = systemXmllint(main.fileName, documents);
  if (cross) {
    for (const [i, verdict] of wasm.entries()) {
      const other = cross.verdicts[i]!;
      if (other.valid !== verdict.valid) {
        throw new Error(`libxml2 builds disagree on ${verdict.name} against ${schema}: xmllint-wasm says ${verdict.valid ? 'valid' : 'invalid'} ${verdict.errors.join(' ')}, system xmllint (libxml ${cross.version}) says ${other.valid ? 'valid' : 'invalid'} ${other.errors.join(' ')}`);
      }
    }
  }
  return wasm;
}
