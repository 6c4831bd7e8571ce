import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Secret, type Config } from '../config';
import type { Logger } from '../observability/logger';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from '../store/embedded-postgres';
import { SIMULATORS, type RunningSimulator } from '../../../simulators';

export interface Infrastructure {
  databaseUrl: string;
  /** the configuration with the simulators' addresses filled in (sandbox mode) */
  config: Config;
  simulators: RunningSimulator[];
  embedded?: EmbeddedPostgres;
  /** sandbox: tell the ION hub simulator where the gateway's IMS endpoints are */
  connectGateway(gatewayUrl: string): void;
  stop(): Promise<void>;
}

/** The parts of the Infor simulator the sandbox wires (see simulators/infor). */
interface InforSandboxSimulator extends RunningSimulator {
  writeIonapiFile?(file: string): Promise<void>;
  /** the operator app's web client and the OIDC issuer (operator sign-in) */
  webClient?: { clientId: string; clientSecret: string };
  issuer?: string;
  /** the gateway's backend-service app */
  ionapi?: { ci: string };
  setGatewayImsUrl?(url: string | undefined): void;
}

/**
 * What the gateway runs on: the configured database or an embedded PostgreSQL, and in
 * sandbox mode every simulator on localhost, wired into the configuration.
 */
export async function startInfrastructure(config: Config, logger: Logger, options: { simulatorLatencyMs?: number } = {}): Promise<Infrastructure> {
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl: string;
  if (config.database.url) {
    databaseUrl = config.database.url.reveal();
  } else {
    const dataDir = path.resolve(config.database.embedded.dataDir);
    logger.info('starting embedded PostgreSQL', { dataDir });
    embedded = await startEmbeddedPostgres({ dataDir, port: config.database.embedded.port, log: (line) => logger.info(line) });
    databaseUrl = await ensureDatabase(embedded.url, 'm3paytrace');
  }

  const simulators: RunningSimulator[] = [];
  let wired = config;
  if (config.mode === 'sandbox') {
    try {
      for (const start of Object.values(SIMULATORS)) simulators.push(await start({ latencyMs: options.simulatorLatencyMs ?? 0 }));
    } catch (err) {
      await Promise.all(simulators.map((s) => s.close()));
      await embedded?.stop();
      throw err;
    }
    const paytrace = simulators.find((s) => s.name === 'paytrace');
    // the Infor simulator's authorized app, as an admin would download it, under .data/
    const infor = simulators.find((s): s is InforSandboxSimulator => s.name === 'infor');
    let ionapiFile = config.infor.ionapiFile;
    if (!ionapiFile && infor?.writeIonapiFile) {
      ionapiFile = path.join(sandboxDir(config), 'infor-sandbox.ionapi');
      await mkdir(path.dirname(ionapiFile), { recursive: true });
      await infor.writeIonapiFile(ionapiFile);
    }
    wired = {
      ...config,
      paytrace: {
        ...config.paytrace,
        baseUrl: config.paytrace.baseUrl ?? paytrace?.url,
        // the simulator's default API user (PayTrace's old public demo login) and a 12-character integrator id
        username: config.paytrace.username ?? new Secret('demo123'),
        password: config.paytrace.password ?? new Secret('demo123'),
        integratorId: config.paytrace.integratorId ?? 'M3PTSANDBOX1',
      },
      infor: { ...config.infor, ionapiFile },
      // the sandbox's own backend app may call every /api route (curl lines in the docs use its token)
      api: { ...config.api, clientRoles: { ...(infor?.ionapi && !config.infor.ionapiFile ? { [infor.ionapi.ci]: 'operator' as const } : {}), ...config.api.clientRoles } },
      // operator sign-in through the simulator's Infor OS login page (demo users viewer/operator/admin)
      admin: {
        ...config.admin,
        oidc: config.admin.oidc ?? (infor?.webClient && infor.issuer
          ? { issuer: infor.issuer, clientId: infor.webClient.clientId, clientSecret: new Secret(infor.webClient.clientSecret), scope: 'openid profile email', rolesClaim: 'roles', roleMap: { viewer: 'viewer', operator: 'operator', admin: 'admin' } }
          : undefined),
      },
      // the storefront demo's signing secret, kept under .data/ so it survives restarts
      ecommerce: { ...config.ecommerce, webhookSecret: config.ecommerce.webhookSecret ?? (await sandboxSecret(config, 'ecommerce-webhook-secret')) },
    };
  }

  return {
    databaseUrl,
    config: wired,
    simulators,
    embedded,
    connectGateway(gatewayUrl) {
      const infor = simulators.find((s): s is InforSandboxSimulator => s.name === 'infor');
      infor?.setGatewayImsUrl?.(`${gatewayUrl}/ims`);
    },
    async stop() {
      await Promise.all(simulators.map((s) => s.close()));
      await embedded?.stop();
    },
  };
}

/** Sandbox files live beside the embedded database's data folder (.data/ by default). */
function sandboxDir(config: Config): string {
  return path.dirname(path.resolve(config.database.embedded.dataDir));
}

/** A Standard Webhooks secret for sandbox mode, made once and kept beside the data (mode 0600). */
async function sandboxSecret(config: Config, name: string): Promise<Secret> {
  const file = path.join(sandboxDir(config), `${name}.txt`);
  try {
    return new Secret((await readFile(file, 'utf8')).trim());
  } catch {
    const value = `whsec_${randomBytes(24).toString('base64')}`;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, value, { mode: 0o600 });
    return new Secret(value);
  }
}
