/**
 * `npm run doctor [-- --no-write-probes] [-- --json]`: checks the installation against the
 * configured tenant (CONFIG_FILE / environment, as `npm start` reads them) and prints every check
 * with the fix of each failure; exit code 1 when a check failed. With no configuration (sandbox
 * mode) it starts the simulators and checks them, so the same checks run on any machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, Secret, type Config } from '../config';
import { startInforSimulator } from '../../../simulators/infor';
import { startPayTraceSimulator } from '../../../simulators/paytrace';
import { formatReport, runDoctor } from './doctor';

/** Sandbox: the simulators on free ports, wired as `npm start` wires them (no database is needed). */
export async function withSandbox<T>(config: Config, run: (config: Config) => Promise<T>): Promise<T> {
  const infor = await startInforSimulator();
  const paytrace = await startPayTraceSimulator();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-doctor-'));
  try {
    const ionapiFile = path.join(dir, 'sandbox.ionapi');
    await infor.writeIonapiFile(ionapiFile);
    return await run({
      ...config,
      infor: { ...config.infor, ionapiFile },
      paytrace: { ...config.paytrace, baseUrl: paytrace.url, username: new Secret('demo123'), password: new Secret('demo123'), integratorId: config.paytrace.integratorId ?? 'M3PTSANDBOX1' },
    });
  } finally {
    await infor.close();
    await paytrace.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const options = { writeProbes: !args.has('--no-write-probes') };
  const checks = config.mode === 'sandbox' && !config.infor.ionapiFile ? await withSandbox(config, (c) => runDoctor(c, options)) : await runDoctor(config, options);
  if (args.has('--json')) process.stdout.write(`${JSON.stringify({ mode: config.mode, checks }, null, 2)}\n`);
  else process.stdout.write(`m3-paytrace doctor (${config.mode === 'sandbox' && !config.infor.ionapiFile ? 'sandbox: the simulators' : `tenant of ${config.infor.ionapiFile}`})\n${formatReport(checks)}\n`);
  process.exit(checks.some((c) => c.status === 'fail') ? 1 : 0);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`doctor failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
