/**
 * `npm start`: with no configuration, sandbox mode (embedded PostgreSQL under .data/, every
 * simulator on localhost, the gateway wired to them). With configuration (env or CONFIG_FILE),
 * the same code against the real systems.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describeNode, exitUnlessSupportedNode } from './platform/node-runtime';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, setLogger } from './observability/logger';
import { startGateway } from './runtime/gateway';
import { sandboxPaymentLink } from './links/sandbox-link';
import { gatewayModules } from './runtime/modules';
import { startInfrastructure } from './runtime/sandbox';
import { writeSandboxInfo } from './runtime/sandbox-info';

function banner(lines: Array<[string, string]>): string {
  const width = Math.max(...lines.map(([label]) => label.length));
  return ['', 'm3-paytrace is running', ...lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`), '', 'Press Ctrl-C to stop.', ''].join('\n');
}

async function main(): Promise<void> {
  const node = describeNode();
  exitUnlessSupportedNode(node);
  // KEY=value settings from .env (or ENV_FILE) under the real environment, which wins
  const envFile = process.env.ENV_FILE || '.env';
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  else if (process.env.ENV_FILE) {
    process.stderr.write(`ENV_FILE=${process.env.ENV_FILE}: no such file\n`);
    process.exit(2);
  }
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
  const logger = createLogger({ level: config.log.level });
  setLogger(logger);
  process.on('unhandledRejection', (reason) => logger.error('unhandled promise rejection', { err: reason }));

  const started = Date.now();
  const infra = await startInfrastructure(config, logger, { simulatorLatencyMs: config.mode === 'sandbox' ? 250 : 0 });
  let gateway;
  try {
    gateway = await startGateway(infra.config, { databaseUrl: infra.databaseUrl, logger, modules: gatewayModules() });
    infra.connectGateway(gateway.url);
  } catch (err) {
    await infra.stop();
    throw err;
  }

  const dataDir = path.dirname(path.resolve(config.database.embedded.dataDir));
  if (config.mode === 'sandbox') {
    // for local tools: npm run example -- ecommerce finds the gateway, PayTrace simulator and secret here
    await writeSandboxInfo(dataDir, {
      gateway: gateway.url,
      paytrace: infra.simulators.find((s) => s.name === 'paytrace')?.url,
      infor: infra.simulators.find((s) => s.name === 'infor')?.url,
      ecommerceSecretFile: config.ecommerce.webhookSecret ? undefined : path.join(dataDir, 'ecommerce-webhook-secret.txt'),
      startedAt: new Date().toISOString(),
    });
  }
  const lines: Array<[string, string]> = [
    ['mode', config.mode],
    ['node', `${node.version}${node.lts ? ` (${node.lts} LTS)` : ''}  ${node.execPath}`],
    ['gateway', gateway.url],
    ['health', `${gateway.url}/health`],
    ['operator app', `${gateway.url}/ui/${config.mode === 'sandbox' ? '   (Infor OS sign-in: admin/admin, operator/operator or viewer/viewer)' : ''}`],
    ['readiness', `${gateway.url}/ready`],
    ['metrics', `${gateway.url}/metrics`],
    ['storefront events', `POST ${gateway.url}/events/ecommerce${config.mode === 'sandbox' ? '   (a ready signed event: npm run example -- ecommerce)' : ''}`],
    ['refunds API', `POST ${gateway.url}/api/refunds   (Infor OS bearer token)`],
    ...(config.mode === 'sandbox' ? [['payment link', await sandboxPaymentLink(gateway.services, gateway.url)] as [string, string]] : []),
    ['ION IMS endpoint', `${gateway.url}/ims/service/…`],
    ['database', infra.embedded ? `embedded PostgreSQL on 127.0.0.1:${infra.embedded.port} (data ${infra.embedded.dataDir})` : 'DATABASE_URL'],
    ...infra.simulators.map((s): [string, string] => [`${s.name} simulator`, `${s.url}   (inspect ${s.url}/_sim/state)`]),
    ['started in', `${((Date.now() - started) / 1000).toFixed(1)} s`],
  ];

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('signal received, stopping', { signal });
    try {
      await gateway.stop();
      await infra.stop();
      process.exit(0);
    } catch (err) {
      logger.error('shutdown failed', { err });
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // only now: a Ctrl-C as soon as the banner shows must reach the handlers above
  process.stdout.write(banner(lines));
}

main().catch((err: unknown) => {
  process.stderr.write(`m3-paytrace failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
