/**
 * Compares what the scan found in the source with the error code registry
 * (gateway/src/errors/registry.ts): unregistered codes, codes raised with a class or status the
 * registry does not list, code expressions the scan cannot resolve, and entries nothing raises.
 */
import { DETAIL_CODES, ERROR_CODE_PATTERNS, ERROR_CODES, patternRegExp, type ErrorCodeInfo } from '../../gateway/src/errors/registry';
import type { CodeUse, ScanOptions, ScanResult, SourcePosition } from './scan';

export interface RegistryView {
  codes: Readonly<Record<string, Pick<ErrorCodeInfo, 'errorClass' | 'httpStatus' | 'variants'>>>;
  details: Readonly<Record<string, unknown>>;
  patterns: ReadonlyArray<{ pattern: string; errorClass: ErrorCodeInfo['errorClass']; httpStatus: number | null }>;
}

export const REGISTRY: RegistryView = { codes: ERROR_CODES, details: DETAIL_CODES, patterns: ERROR_CODE_PATTERNS };

/** What the gateway's scan covers: its source; the simulators throw their own errors, not ours. */
export function gatewayScanOptions(rootDir: string): ScanOptions {
  return {
    rootDir,
    include: ['gateway/src'],
    // the codes the shipped flow definitions raise (flow.require / flow.fail)
    flowDefinitions: ['mappings/flows'],
    // codes inside ADDRESS_INVALID's details (and the address harmonization result)
    extraRoots: [{ file: 'gateway/src/domain/address.ts', type: 'AddressProblem' }],
  };
}

export interface CheckReport {
  /** codes raised in the source that the registry lacks, with where */
  unregistered: Map<string, SourcePosition[]>;
  /** a site raises a registered code with a class or status the registry does not list */
  mismatches: string[];
  /** code expressions the scan could not reduce to codes */
  unresolved: string[];
  /** registry entries (codes, detail codes, patterns) that nothing in the source raises */
  unused: string[];
  ok: boolean;
}

const at = (p: SourcePosition) => `${p.file}:${p.line}:${p.column}`;
const glob = (pattern: string) => pattern.replace(/<[^>]+>/g, '*');

type Variant = { errorClass: string; httpStatus: number | null };

function variantsOf(entry: Pick<ErrorCodeInfo, 'errorClass' | 'httpStatus' | 'variants'>): Variant[] {
  return [{ errorClass: entry.errorClass, httpStatus: entry.httpStatus }, ...(entry.variants ?? [])];
}

/** Can the site raise the code as one of the registry's variants? */
function fits(variants: Variant[], use: CodeUse, soleCode: boolean): boolean {
  const matches = (v: Variant, errorClass: string | undefined) =>
    (errorClass === undefined || v.errorClass === errorClass) && (v.httpStatus === null || !use.httpStatuses || use.httpStatuses.includes(v.httpStatus));
  const classes = use.errorClasses;
  if (!classes) return variants.some((v) => matches(v, undefined));
  // one code at the site: every class it can be raised with must be registered;
  // several (`cond ? 'A' : 'B'` with `cond ? 'x' : 'y'`): the pairing is unknown, one fit is enough
  return soleCode ? classes.every((c) => variants.some((v) => matches(v, c))) : classes.some((c) => variants.some((v) => matches(v, c)));
}

export function checkAgainstRegistry(scan: ScanResult, registry: RegistryView = REGISTRY): CheckReport {
  const unregistered = new Map<string, SourcePosition[]>();
  const mismatches: string[] = [];
  const usedCodes = new Set<string>();
  const usedPatterns = new Set<string>();
  const codesAt = new Map<string, number>();
  for (const use of scan.uses) codesAt.set(at(use), (codesAt.get(at(use)) ?? 0) + 1);
  const note = (code: string, use: CodeUse) => unregistered.set(code, [...(unregistered.get(code) ?? []), use]);

  for (const use of scan.uses) {
    if (use.detailOf) {
      if (use.code in registry.details) usedCodes.add(use.code);
      else note(use.code, use);
      continue;
    }
    if (use.isPattern) {
      const pattern = registry.patterns.find((p) => glob(p.pattern) === use.code);
      if (pattern) usedPatterns.add(pattern.pattern);
      else note(use.code, use);
      continue;
    }
    const entry = registry.codes[use.code];
    const pattern = entry ? undefined : registry.patterns.find((p) => patternRegExp(p.pattern).test(use.code));
    if (!entry && !pattern) {
      note(use.code, use);
      continue;
    }
    if (entry) usedCodes.add(use.code);
    else usedPatterns.add(pattern!.pattern);
    const variants = entry ? variantsOf(entry) : [{ errorClass: pattern!.errorClass, httpStatus: pattern!.httpStatus }];
    if (!fits(variants, use, codesAt.get(at(use)) === 1)) {
      const raised = `${use.errorClasses?.join('/') ?? 'any class'}, HTTP ${use.httpStatuses?.join('/') ?? 'any'}`;
      const registered = variants.map((v) => `${v.errorClass} ${v.httpStatus ?? '–'}`).join(' or ');
      mismatches.push(`${use.code} at ${at(use)}${use.via.length ? ` (via ${use.via.join(' → ')})` : ''}: raised as ${raised}; the registry says ${registered}`);
    }
  }

  const unused = [
    ...Object.keys(registry.codes).filter((code) => !usedCodes.has(code)),
    ...Object.keys(registry.details).filter((code) => !usedCodes.has(code)),
    ...registry.patterns.map((p) => p.pattern).filter((p) => !usedPatterns.has(p)),
  ];
  const unresolved = scan.unresolved.map((u) => `${at(u)}: cannot tell which code \`${u.text}\` is${u.via.length ? ` (via ${u.via.join(' → ')})` : ''}`);
  return { unregistered, mismatches, unresolved, unused, ok: !unregistered.size && !mismatches.length && !unresolved.length && !unused.length };
}

/** The report in words, one problem a line, for the test's failure message and the CLI. */
export function formatReport(report: CheckReport): string {
  const lines: string[] = [];
  for (const [code, where] of [...report.unregistered].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`not registered: ${code} (${where.map(at).join(', ')}) — add it to gateway/src/errors/registry.ts`);
  }
  for (const m of report.mismatches) lines.push(`class/status: ${m}`);
  for (const u of report.unresolved) lines.push(`unresolved: ${u}`);
  for (const code of report.unused) lines.push(`registered but never raised: ${code} — remove it from gateway/src/errors/registry.ts (or raise it)`);
  return lines.join('\n');
}
