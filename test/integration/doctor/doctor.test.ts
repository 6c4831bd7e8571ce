import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildConfig, type Config } from '../../../gateway/src/config';
import { formatReport, runDoctor, type Check } from '../../../gateway/src/doctor/doctor';
import { M3_USAGE } from '../../../gateway/src/doctor/m3-usage';
import { startInforSimulator } from '../../../simulators/infor';
import { startPayTraceSimulator, type PayTraceSimulator } from '../../../simulators/paytrace';
import { simJson, type InforSimulator } from '../../helpers/stack';

/**
 * `npm run doctor` against real HTTP: the Infor and PayTrace simulators set up as a tenant should
 * be (every check passes), then set up wrongly the ways an install goes wrong (no MI authority to
 * a program, no customer template, no GLS850 interface), each reported with its fix.
 */
let infor: InforSimulator;
let paytrace: PayTraceSimulator;
let dir: string;
let config: Config;

beforeAll(async () => {
  infor = await startInforSimulator();
  paytrace = await startPayTraceSimulator();
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-doctor-test-'));
  const ionapiFile = path.join(dir, 'tenant.ionapi');
  await infor.writeIonapiFile(ionapiFile);
  config = buildConfig({
    infor: { ionapiFile },
    paytrace: { baseUrl: paytrace.url, username: 'demo123', password: 'demo123', integratorId: '9TEST0000001' },
    links: { apiSuiteKey: 'a-long-random-suite-key-0123456789' },
  });
});
afterAll(async () => {
  await infor?.close();
  await paytrace?.close();
  rmSync(dir, { recursive: true, force: true });
});

const failed = (checks: Check[]) => checks.filter((c) => c.status === 'fail');

it('passes every check on a tenant set up as docs/install.md says, and leaves no GL batch behind', async () => {
  const checks = await runDoctor(config);
  expect(failed(checks)).toEqual([]);
  for (const program of M3_USAGE.map((u) => u.program)) expect(checks).toContainEqual(expect.objectContaining({ area: 'm3 authority', title: program, status: 'ok' }));
  expect(checks).toContainEqual(expect.objectContaining({ title: 'GLS850 interface PAYTRACE (GLS840MI probe)', status: 'ok' }));
  expect(checks.filter((c) => c.status === 'manual').map((c) => c.title)).toEqual(['3rd-party provider PAYTRACE (CRS434)', 'batch payment type CC (ARS075)', 'card type codes (CRS436 / CTPY)', 'payment method CC (CRS076)']);
  const state = await simJson<{ m3: { glBatches: unknown[] } }>(infor.url, '/_sim/state');
  expect(state.m3.glBatches).toEqual([]); // the probe deleted its batch
  expect(formatReport(checks)).toMatch(/\n\d+ ok, 0 failed, 0 warnings, 4 to check by hand$/);
});

it('names each wrong setting with its fix: MI authority, the customer template, the GLS850 interface', async () => {
  await simJson(infor.url, '/_sim/m3/setup', { method: 'PUT', body: { deniedPrograms: ['GLS840MI', 'CUSEXTMI'], customerTemplates: [], glInterfaces: ['OTHER'] } });
  try {
    const checks = await runDoctor(config);
    const byTitle = (title: string) => failed(checks).find((c) => c.title === title);
    expect(byTitle('GLS840MI')).toMatchObject({ area: 'm3 authority', detail: expect.stringContaining('403'), fix: expect.stringMatching(/^Give the service account's M3 user MI authority to GLS840MI/) });
    expect(byTitle('CUSEXTMI')?.fix).toMatch(/MI authority to CUSEXTMI/);
    expect(byTitle('customer template TEMPLATE (CRS610)')?.fix).toMatch(/^Create customer TEMPLATE in CRS610/);
    expect(byTitle('GLS850 interface PAYTRACE (GLS840MI probe)')?.fix).toMatch(/MI authority to GLS840MI/); // no authority: that is the first thing to fix
    await simJson(infor.url, '/_sim/m3/setup', { method: 'PUT', body: { deniedPrograms: [] } });
    const next = await runDoctor(config);
    expect(failed(next).map((c) => c.title)).toEqual(['customer template TEMPLATE (CRS610)', 'GLS850 interface PAYTRACE (GLS840MI probe)']);
    expect(failed(next)[1]!.fix).toMatch(/^Create interface PAYTRACE in GLS850/);
  } finally {
    await simJson(infor.url, '/_sim/m3/setup', { method: 'PUT', body: { deniedPrograms: [], customerTemplates: ['TEMPLATE'], glInterfaces: ['PAYTRACE'] } });
  }
});

it('says what is wrong with the gateway\'s own configuration and with PayTrace', async () => {
  const weak = buildConfig({ mode: 'connected', database: { url: 'postgres://x@127.0.0.1/x' }, http: { publicBaseUrl: 'https://pay.example.com' }, infor: { ionapiFile: config.infor.ionapiFile }, paytrace: { baseUrl: paytrace.url, username: 'demo123', password: 'wrong', integratorId: '9TEST0000001' }, links: { apiSuiteKey: 'short' } });
  const checks = await runDoctor(weak, { writeProbes: false });
  expect(failed(checks).map((c) => c.title)).toEqual(['ION API suite key', 'API user']);
  expect(failed(checks)[1]!.fix).toMatch(/API user/);
});

it('checks every M3 transaction the gateway calls', () => {
  const calls = new Set<string>();
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.includes(`${path.sep}doctor${path.sep}`)) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/execute\(\s*'([A-Z0-9]+MI)',\s*'([A-Za-z]+)'/g)) calls.add(`${m[1]}/${m[2]}`);
        for (const m of text.matchAll(/execute\(\s*'([A-Z0-9]+MI)',\s*\w+ \? '([A-Za-z]+)' : '([A-Za-z]+)'/g)) {
          calls.add(`${m[1]}/${m[2]}`);
          calls.add(`${m[1]}/${m[3]}`);
        }
      }
    }
  };
  walk(path.resolve(__dirname, '..', '..', '..', 'gateway', 'src'));
  const listed = new Set(M3_USAGE.flatMap((u) => u.transactions.map((t) => `${u.program}/${t}`)));
  expect([...calls].filter((c) => !listed.has(c)).sort()).toEqual([]);
});

it('npm run doctor: in sandbox mode it starts the simulators and checks them; --json for machines', async () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'gateway/src/doctor/cli.ts', '--json'], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 120_000 });
  const report = JSON.parse(stdout) as { mode: string; checks: Check[] };
  expect(report.mode).toBe('sandbox');
  expect(failed(report.checks)).toEqual([]);
}, 150_000);
