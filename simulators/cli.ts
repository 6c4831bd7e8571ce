/**
 * npm run sim                           every simulator on a free port
 * npm run sim -- --only paytrace --port 9001
 * npm run sim -- --latency 300          add latency to every simulated call
 */
import { parseArgs } from 'node:util';
import { isSimulatorName, SIMULATORS, type RunningSimulator } from './index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      latency: { type: 'string', default: '0' },
    },
  });
  const names = values.only ? [values.only] : Object.keys(SIMULATORS);
  for (const name of names) {
    if (!isSimulatorName(name)) {
      console.error(`unknown simulator "${name}"; choose one of: ${Object.keys(SIMULATORS).join(', ')}`);
      process.exit(2);
    }
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error(`--port must be a port number, got "${values.port}"`);
    process.exit(2);
  }
  if (port && names.length > 1) {
    console.error('--port needs --only NAME (one simulator per port)');
    process.exit(2);
  }
  const running: RunningSimulator[] = [];
  for (const name of names) {
    if (!isSimulatorName(name)) continue;
    running.push(await SIMULATORS[name]({ port, host: values.host, latencyMs: Number(values.latency) }));
  }
  for (const sim of running) console.log(`${sim.name.padEnd(10)} ${sim.url}   (inspect: ${sim.url}/_sim/state)`);
  const stop = async () => {
    await Promise.all(running.map((s) => s.close()));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
