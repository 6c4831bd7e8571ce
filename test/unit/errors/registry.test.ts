import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AppError,
  ERROR_CODES,
  describeErrorCode,
  errorClassOf,
  registeredError,
} from '../../../gateway/src/errors';
import { CONCERNS, DETAIL_CODES, ERROR_CODE_GROUPS, ERROR_CODE_PATTERNS, type ErrorCodeInfo } from '../../../gateway/src/errors/registry';
import { BodError } from '../../../gateway/src/infor/bod/errors';
import { checkAgainstRegistry, formatReport, gatewayScanOptions, REGISTRY } from '../../../scripts/error-codes/check';
import { renderErrorsDoc } from '../../../scripts/error-codes/doc';
import { scanErrorCodes, type ScanResult } from '../../../scripts/error-codes/scan';

const root = path.resolve(__dirname, '../../..');
const fixtureDir = 'test/unit/errors/fixtures/scan';
// the scan builds a TypeScript program of gateway/src: seconds of CPU, more on a busy machine
const SCAN_TIMEOUT = 240_000;

/** One program for the gateway and the fixture (half the time of two); each test reads its part. */
let both: ScanResult | undefined;
function scanBoth(): ScanResult {
  const gateway = gatewayScanOptions(root);
  both ??= scanErrorCodes({
    ...gateway,
    include: [...gateway.include, fixtureDir],
    extraRoots: [...(gateway.extraRoots ?? []), { file: `${fixtureDir}/throws.ts`, type: 'FixtureProblem' }],
  });
  return both;
}

function under(scan: ScanResult, dir: string): ScanResult {
  const inside = (p: { file: string }) => p.file.startsWith(`${dir}/`);
  return {
    uses: scan.uses.filter(inside),
    unresolved: scan.unresolved.filter(inside),
    passThrough: scan.passThrough.filter(inside),
    helpers: scan.helpers.filter((h) => h.startsWith(`${dir}/`)),
    filesScanned: scan.filesScanned,
  };
}

describe('error code registry', () => {
  it('has each code once, in upper snake case, with a meaning and something to do', () => {
    const all = ERROR_CODE_GROUPS.flatMap((g) => Object.keys(g));
    expect(all.length).toBe(new Set(all).size);
    expect(Object.keys(ERROR_CODES)).toHaveLength(all.length);
    const details = Object.keys(DETAIL_CODES);
    expect(details.filter((code) => code in ERROR_CODES)).toEqual([]);
    for (const [code, entry] of [...Object.entries(ERROR_CODES), ...ERROR_CODE_PATTERNS.map((p) => [p.pattern, p] as const)] as Array<[string, ErrorCodeInfo]>) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_([A-Z0-9]+|<[a-z]+>))*$/);
      expect(entry.meaning.trim().length).toBeGreaterThan(10);
      expect(entry.action.trim().length).toBeGreaterThan(3);
      expect(entry.concern in CONCERNS).toBe(true);
      for (const v of [entry, ...(entry.variants ?? [])]) {
        if (v.httpStatus !== null) expect(v.httpStatus >= 400 && v.httpStatus <= 599).toBe(true);
      }
    }
    for (const detail of Object.values(DETAIL_CODES)) expect(detail.parent in ERROR_CODES).toBe(true);
  });

  it('gives class and HTTP status to registeredError and BodError', () => {
    const notFound = registeredError('LINK_NOT_FOUND', 'no such link', { details: { id: 'x' } });
    expect(notFound).toBeInstanceOf(AppError);
    expect([notFound.code, notFound.errorClass, notFound.httpStatus, notFound.details]).toEqual(['LINK_NOT_FOUND', 'business', 404, { id: 'x' }]);
    // a code only raised in background work carries its class's status
    const expired = registeredError('JOB_EXPIRED', 'expired');
    expect([expired.errorClass, expired.httpStatus, expired.retryable]).toEqual(['transient', 503, true]);
    const tooLarge = new BodError('BOD_TOO_LARGE', 'too large');
    expect([tooLarge.errorClass, tooLarge.httpStatus]).toEqual(['business', 413]);
    expect(new BodError('BOD_UNKNOWN_NOUN', 'no').httpStatus).toBe(422);
  });

  it('describes the codes errorClassOf makes up from library errors', () => {
    const refused = errorClassOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(describeErrorCode(refused.code)).toMatchObject({ pattern: 'INFRA_<code>', errorClass: refused.errorClass });
    const serialization = errorClassOf(Object.assign(new Error('could not serialize'), { code: '40001' }));
    expect(describeErrorCode(serialization.code)).toMatchObject({ pattern: 'INFRA_<code>', errorClass: 'transient' });
    expect(describeErrorCode(errorClassOf(new TypeError('x')).code)).toMatchObject({ code: 'UNEXPECTED', errorClass: 'bug', httpStatus: 500 });
    expect(describeErrorCode('NOT_A_CODE_OF_OURS')).toBeUndefined();
  });
});

describe('docs/errors.md', () => {
  it('is what `npm run docs:errors` writes from the registry', () => {
    const onDisk = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
    // on failure: run `npm run docs:errors` and commit docs/errors.md
    expect(onDisk).toBe(renderErrorsDoc());
  });

  it('lists every registered code, detail code and pattern', () => {
    const doc = renderErrorsDoc();
    for (const code of [...Object.keys(ERROR_CODES), ...Object.keys(DETAIL_CODES), ...ERROR_CODE_PATTERNS.map((p) => p.pattern)]) {
      expect(doc).toContain(`| \`${code}\` |`);
    }
  });
});

describe('the codes the gateway raises', () => {
  let scan: ScanResult;
  beforeAll(() => {
    const all = scanBoth();
    const src = under(all, 'gateway/src');
    scan = { ...src, uses: [...src.uses, ...all.uses.filter((u) => u.file.startsWith('mappings/flows/'))] };
  }, SCAN_TIMEOUT);

  it('are all registered, raised with a registered class and status, and every entry is still raised', () => {
    const report = checkAgainstRegistry(scan);
    // the message names each problem: `not registered: CODE (file:line:column)`, …
    expect(formatReport(report)).toBe('');
    expect(report.ok).toBe(true);
  });

  it('are found in every shape they take (the scan is not vacuous)', () => {
    expect(scan.filesScanned).toBeGreaterThan(100);
    expect(scan.uses.length).toBeGreaterThan(200);
    expect(new Set(scan.uses.map((u) => u.code)).size).toBeGreaterThan(150);
    const found = (code: string, how: (u: ScanResult['uses'][number]) => boolean = () => true) => scan.uses.some((u) => u.code === code && how(u));
    // helpers found through their parameters, not listed by hand
    expect(scan.helpers).toEqual(expect.arrayContaining(['gateway/src/pipeline/functions.ts:fail', 'gateway/src/infor/bod/errors.ts:BodError', 'gateway/src/http/validation.ts:invalidRequest', 'gateway/src/paytrace/errors.ts:payTraceError']));
    expect(found('MAPPING_DATE_INVALID', (u) => u.via.includes('fail'))).toBe(true);
    expect(found('ADDRESS_REGION_UNKNOWN', (u) => u.via.includes('addressFail') && u.detailOf === 'AddressProblem')).toBe(true);
    expect(found('BOD_MISSING_FIELD', (u) => u.via.includes('BodError'))).toBe(true);
    expect(found('REFUND_REQUEST_INVALID', (u) => u.via.includes('invalidRequest'))).toBe(true);
    // an `as const` table (PayTraceErrorCode) and a conditional
    expect(found('PAYTRACE_TIMEOUT') && found('PAYTRACE_CONNECTION')).toBe(true);
    expect(found('EMAIL_REJECTED') && found('EMAIL_UNAVAILABLE')).toBe(true);
    // a parameter default (`badAmount(…, code = 'MONEY_INVALID_AMOUNT')`)
    expect(found('MONEY_INVALID_AMOUNT', (u) => u.via.includes('badAmount'))).toBe(true);
    // problem JSON, the pay page's outcomes, dead letters, payments' last error, INFRA_<code>, address details
    expect(found('BODY_MALFORMED_JSON') && found('SHUTTING_DOWN')).toBe(true);
    expect(found('PAY_NOT_CHARGED', (u) => u.httpStatuses?.includes(409) === true)).toBe(true);
    expect(found('JOB_EXPIRED', (u) => u.property === 'errorCode')).toBe(true);
    expect(found('PAYMENT_DECLINED', (u) => u.property === 'last_error_code')).toBe(true);
    expect(found('INFRA_*', (u) => u.isPattern)).toBe(true);
    expect(found('ADDRESS_STREET_MISSING', (u) => u.detailOf === 'AddressProblem')).toBe(true);
    // classes and statuses are read where they are literal
    expect(scan.uses.find((u) => u.code === 'GL_NO_RULE')).toMatchObject({ errorClasses: ['configuration'], httpStatuses: [500] });
    expect(scan.uses.find((u) => u.code === 'LINK_NOT_FOUND' && u.file.endsWith('routes.ts'))).toMatchObject({ errorClasses: ['business'], httpStatuses: [404] });
    // codes read from other errors are pass-throughs, and there are such sites
    expect(scan.passThrough.length).toBeGreaterThan(5);
  });
});

describe('the scan, on a fixture with unregistered codes', () => {
  let scan: ScanResult;
  beforeAll(() => {
    scan = under(scanBoth(), fixtureDir);
  }, SCAN_TIMEOUT);

  const fixture = `${fixtureDir}/throws.ts`;

  it('finds codes through helpers, constants, conditionals, templates and answer shapes', () => {
    const codes = scan.uses.map((u) => u.code).sort();
    expect(codes).toEqual(
      [
        'ADDRESS_STREET_MISSING',
        'BODY_TOO_LARGE',
        'FIXTURE_*_FAILED',
        'FIXTURE_CLASS_A',
        'FIXTURE_CONST_CODE',
        'FIXTURE_DETAIL',
        'FIXTURE_NESTED',
        'FIXTURE_OUTCOME',
        'FIXTURE_RECORDED',
        'FIXTURE_RETRIED',
        'FIXTURE_UNREGISTERED',
        'GL_NO_RULE',
        'M3_NOK',
      ].sort(),
    );
    expect(codes).not.toContain('custom');
    expect(scan.uses.find((u) => u.code === 'FIXTURE_NESTED')).toMatchObject({ via: ['fixtureNested', 'fixtureFail'], errorClasses: ['business'], httpStatuses: [422] });
    expect(scan.uses.find((u) => u.code === 'FIXTURE_CLASS_A')).toMatchObject({ via: ['FixtureError'], errorClasses: ['transient'], httpStatuses: [503] });
    expect(scan.uses.filter((u) => u.code === 'FIXTURE_RETRIED')).toEqual([expect.objectContaining({ via: ['fixtureRetry'], errorClasses: ['transient'] })]);
    expect(scan.passThrough).toHaveLength(1);
    expect(scan.unresolved).toEqual([expect.objectContaining({ file: fixture, text: 'name.toUpperCase()' })]);
  });

  it('fails naming each unregistered code with where it is raised', () => {
    const report = checkAgainstRegistry(scan);
    expect(report.ok).toBe(false);
    expect([...report.unregistered.keys()].sort()).toEqual(
      ['FIXTURE_*_FAILED', 'FIXTURE_CLASS_A', 'FIXTURE_CONST_CODE', 'FIXTURE_DETAIL', 'FIXTURE_NESTED', 'FIXTURE_OUTCOME', 'FIXTURE_RECORDED', 'FIXTURE_RETRIED', 'FIXTURE_UNREGISTERED'].sort(),
    );
    const message = formatReport(report);
    const line = readFileSync(path.join(root, fixture), 'utf8').split('\n').findIndex((l) => l.includes("fixtureFail('FIXTURE_UNREGISTERED'")) + 1;
    expect(message).toContain(`not registered: FIXTURE_UNREGISTERED (${fixture}:${line}:`);
    expect(message).toMatch(/class\/status: GL_NO_RULE at .*throws\.ts:\d+:\d+: raised as business, HTTP 422; the registry says configuration 500/);
    expect(message).toContain('unresolved: ');
    // registered codes raised as registered are not reported; M3_NOK as business 422 fits
    expect(message).not.toMatch(/M3_NOK|BODY_TOO_LARGE|ADDRESS_STREET_MISSING/);
  });

  it('reports the registry entries the scanned code never raises', () => {
    const report = checkAgainstRegistry(scan, REGISTRY);
    expect(report.unused).toContain('LINK_NOT_FOUND');
    expect(report.unused).not.toContain('M3_NOK');
  });
});
