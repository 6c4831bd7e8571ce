import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig, Secret } from '../../gateway/src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults to sandbox mode with nothing configured', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('sandbox');
    expect(config.http.port).toBe(8080);
    expect(config.database.url).toBeUndefined();
    expect(config.paytrace.timeoutMs).toBe(60_000);
  });

  it('reads every documented environment variable', () => {
    const config = loadConfig({
      PORT: '9090',
      DATABASE_URL: 'postgres://u:p@db:5432/x',
      IONAPI_FILE: '/etc/m3/app.ionapi',
      PAYTRACE_BASE_URL: 'https://api.sandbox.paytrace.com',
      PAYTRACE_USERNAME: 'apiuser',
      PAYTRACE_PASSWORD: 'apipass1',
      PAYTRACE_INTEGRATOR_ID: '9ABCDEF01234',
      PUBLIC_BASE_URL: 'https://pay.example.com',
    });
    expect(config.http.port).toBe(9090);
    expect(config.database.url?.reveal()).toBe('postgres://u:p@db:5432/x');
    expect(config.infor.ionapiFile).toBe('/etc/m3/app.ionapi');
    expect(config.paytrace.baseUrl).toBe('https://api.sandbox.paytrace.com');
    expect(config.paytrace.username?.reveal()).toBe('apiuser');
    expect(config.paytrace.password?.reveal()).toBe('apipass1');
    expect(config.paytrace.integratorId).toBe('9ABCDEF01234');
    expect(config.http.publicBaseUrl).toBe('https://pay.example.com');
  });

  it('names the key and the environment variable of a bad value', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([expect.stringMatching(/^http\.port \(env PORT\): /)]);
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/http\.port \(env PORT\)/);
    expect(problemsOf({ PAYTRACE_BASE_URL: 'ftp://x' })[0]).toMatch(/paytrace\.baseUrl \(env PAYTRACE_BASE_URL\): must be an http\(s\) URL/);
    expect(problemsOf({ PAYTRACE_INTEGRATOR_ID: 'THIRTEEN_CHRS' })[0]).toMatch(/paytrace\.integratorId .*at most 12/);
    expect(problemsOf({ LOG_LEVEL: 'loud' })[0]).toMatch(/log\.level \(env LOG_LEVEL\)/);
    expect(problemsOf({ MODE: 'production' })[0]).toMatch(/mode \(env MODE\)/);
  });

  it('lists every key connected mode is missing', () => {
    const problems = problemsOf({ MODE: 'connected', PAYTRACE_USERNAME: 'apiuser' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'database.url: is required in connected mode',
        'infor.ionapiFile: is required in connected mode',
        'paytrace.baseUrl: is required in connected mode',
        'paytrace.password: is required in connected mode',
        'paytrace.integratorId: is required in connected mode',
        'http.publicBaseUrl: is required in connected mode',
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/paytrace\.username/);
  });

  it('reads a YAML or JSON config file, with the environment on top', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-config-'));
    const yamlFile = path.join(dir, 'gateway.yaml');
    writeFileSync(yamlFile, 'http:\n  port: 7000\nqueue:\n  retryLimit: 3\n');
    const fromYaml = loadConfig({ CONFIG_FILE: yamlFile, PORT: '7001' });
    expect(fromYaml.http.port).toBe(7001);
    expect(fromYaml.queue.retryLimit).toBe(3);

    const jsonFile = path.join(dir, 'gateway.json');
    writeFileSync(jsonFile, JSON.stringify({ paytrace: { timeoutMs: 90000 } }));
    expect(loadConfig({ CONFIG_FILE: jsonFile }).paytrace.timeoutMs).toBe(90000);
  });

  it('explains an unreadable or malformed config file and a bad key inside it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-config-'));
    expect(problemsOf({ CONFIG_FILE: path.join(dir, 'missing.yaml') })[0]).toMatch(/CONFIG_FILE: cannot read .*ENOENT/);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{ "http": ');
    expect(problemsOf({ CONFIG_FILE: broken })[0]).toMatch(/CONFIG_FILE: broken\.json is not valid JSON/);
    const badKey = path.join(dir, 'bad.yaml');
    writeFileSync(badKey, 'queue:\n  retryLimit: -1\n');
    expect(problemsOf({ CONFIG_FILE: badKey })[0]).toMatch(/^queue\.retryLimit: /);
  });

  it('keeps secrets out of JSON, strings and inspection', () => {
    const config = loadConfig({ PAYTRACE_PASSWORD: 'hunter22', DATABASE_URL: 'postgres://u:topsecret@h/db' });
    const serialized = JSON.stringify(config);
    expect(serialized).not.toContain('hunter22');
    expect(serialized).not.toContain('topsecret');
    expect(String(config.paytrace.password)).toBe('[REDACTED]');
    expect(inspect(config, { depth: 5 })).not.toContain('hunter22');
    expect(`${new Secret('x')}`).toBe('[REDACTED]');
  });
});
