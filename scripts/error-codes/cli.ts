/**
 * npm run docs:errors      writes docs/errors.md from gateway/src/errors/registry.ts
 * npm run errors:check     scans gateway/src for error codes and compares them with the registry;
 *                          exits 1 naming each unregistered, mismatched, unresolved or unused code
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkAgainstRegistry, formatReport, gatewayScanOptions } from './check';
import { renderErrorsDoc } from './doc';
import { scanErrorCodes } from './scan';

const root = path.resolve(__dirname, '../..');
const docPath = path.join(root, 'docs/errors.md');
const command = process.argv[2];

if (command === 'docs') {
  writeFileSync(docPath, renderErrorsDoc());
  console.log(`wrote ${path.relative(root, docPath)}`);
} else if (command === 'check') {
  const scan = scanErrorCodes(gatewayScanOptions(root));
  const report = checkAgainstRegistry(scan);
  const codes = new Set(scan.uses.map((u) => u.code));
  console.log(`${scan.filesScanned} files, ${scan.uses.length} sites, ${codes.size} codes, ${scan.passThrough.length} pass-through sites; helpers: ${scan.helpers.join(', ')}`);
  const stale = readFileSync(docPath, 'utf8') !== renderErrorsDoc();
  if (stale) console.error('docs/errors.md is not what the registry gives: run npm run docs:errors');
  if (!report.ok) console.error(formatReport(report));
  process.exitCode = report.ok && !stale ? 0 : 1;
} else {
  console.error('usage: cli.ts docs | check');
  process.exitCode = 2;
}
