import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The CLI as a user runs it (`npm run --silent map -- suggest …`): a real process that reads M3
 * metadata from an Infor simulator it starts itself (no sandbox is running here) and prints
 * exactly {target, fields: [{field, candidates: [{source, confidence, reason}]}]}.
 */
const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'map-cli-'));
const cli = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'gateway/src/mapping-assistant/cli.ts', ...args], { env: { ...process.env, IONAPI_FILE: '', EMBEDDED_PG_DATA_DIR: path.join(dir, 'pg') }, timeout: 120_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

it('suggest --target m3:OIS100MI/AddBatchHead prints exactly the issue’s JSON shape', async () => {
  const { code, stdout, stderr } = await cli(['suggest', '--target', 'm3:OIS100MI/AddBatchHead', '--sample', 'mappings/ground-truth/samples/storefront-order-paid.json']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const out = JSON.parse(stdout) as { target: string; fields: Array<{ field: string; candidates: Array<Record<string, unknown>> }> };
  expect(Object.keys(out)).toEqual(['target', 'fields']);
  expect(out.target).toBe('m3:OIS100MI/AddBatchHead');
  expect(out.fields.map((f) => f.field)).toEqual(expect.arrayContaining(['CUNO', 'CUOR', 'CUCD', 'FACI', 'RLDT']));
  for (const f of out.fields) {
    expect(Object.keys(f)).toEqual(['field', 'candidates']);
    for (const c of f.candidates) {
      expect(Object.keys(c)).toEqual(['source', 'confidence', 'reason']);
      expect(c.confidence).toBeGreaterThanOrEqual(0);
      expect(c.confidence).toBeLessThanOrEqual(1);
    }
  }
  // a facility is nowhere in a storefront event: it abstains
  expect(out.fields.find((f) => f.field === 'FACI')!.candidates).toEqual([]);
  expect(out.fields.some((f) => f.candidates.length > 0)).toBe(true);
}, 150_000);

it('paytrace: and bod: targets, --details, and clear errors with exit codes', async () => {
  const sample = path.join(dir, 'invoice.json');
  writeFileSync(sample, JSON.stringify({ invoice: { open_amount: '1249.50' }, customer: { vault_id: 'C20417', email: 'ap@harborpointmarine.com' } }));
  const paytrace = await cli(['suggest', '--target', 'paytrace:sale/by_customer', '--sample', sample, '--details']);
  expect(paytrace.code).toBe(0);
  const detailed = JSON.parse(paytrace.stdout) as { threshold: number; fields: Array<{ field: string; confirmRequired?: string; candidates: Array<{ autoApply: boolean }> }> };
  expect(detailed.threshold).toBeGreaterThan(0);
  expect(detailed.fields.find((f) => f.field === 'amount')).toMatchObject({ confirmRequired: 'money' });
  expect(detailed.fields.find((f) => f.field === 'email')!.candidates[0]).toMatchObject({ source: 'customer.email' });

  const badTarget = await cli(['suggest', '--target', 'bod:NoSuchNoun', '--sample', sample]);
  expect(badTarget).toMatchObject({ code: 1, stdout: '' });
  expect(badTarget.stderr).toMatch(/^MAPPING_TARGET_NOT_FOUND: no BOD noun NoSuchNoun/);
  writeFileSync(path.join(dir, 'broken.json'), '{ not json');
  const broken = await cli(['suggest', '--target', 'paytrace:void', '--sample', path.join(dir, 'broken.json')]);
  expect(broken).toMatchObject({ code: 1 });
  expect(broken.stderr).toMatch(/^MAPPING_SAMPLE_INVALID: /);
  const usage = await cli(['suggest', '--target', 'paytrace:void']);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toMatch(/--target and --sample are required/);
}, 150_000);
