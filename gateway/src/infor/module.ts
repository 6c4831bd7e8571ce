import type { Config } from '../config';
import type { ConnectorStatus } from '../observability/connector-status';
import type { Logger } from '../observability/logger';
import type { GatewayModule } from '../runtime/gateway';
import type { GatewayServices } from '../runtime/services';
import { type KnownDocument } from './bod';
import { BodHandlers, type BodHandler, type NounOf } from './ion/bod-handlers';
import { imsRouter } from './ion/ims-routes';
import { ionInboundWorker, ION_INBOUND_QUEUE } from './ion/inbound-worker';
import { IonClient } from './ion/ion-client';
import { loadIonApiFile, type IonApiCredentials } from './ionapi';
import { M3CallLimiter } from './m3/call-limiter';
import { M3Client } from './m3/m3-client';
import { connectionStringOf, PgSharedPermits } from './m3/shared-permits';
import { InforTokenClient } from './os/token-client';
import { createInforTokenVerifier, type InforTokenVerifier } from './os/verify-token';

/** Everything the gateway uses to talk to Infor, built from `infor.*` and the .ionapi file. */
export interface InforConnectors {
  credentials: IonApiCredentials;
  tokens: InforTokenClient;
  m3: M3Client;
  ion: IonClient;
  /** verifies Infor OS-issued bearer tokens (ION pushes, H5 calls through ION API) */
  verifyToken: InforTokenVerifier;
  bodHandlers: BodHandlers;
  /** flows call this at start-up: what to do with an inbound document */
  registerBodHandler: BodHandlers['register'];
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]';
}

/** Build the connectors from configuration; undefined when no .ionapi file is configured. */
export function inforConnectorsFromConfig(config: Config, deps: { connectors?: ConnectorStatus; logger?: Logger; databaseUrl?: string } = {}): InforConnectors | undefined {
  const { infor } = config;
  if (!infor.ionapiFile) return undefined;
  const credentials = loadIonApiFile(infor.ionapiFile);
  // plain http only to a simulator on this machine
  const insecure = new URL(credentials.tokenUrl).protocol === 'http:' && (config.mode === 'sandbox' || isLoopback(credentials.tokenUrl));
  const tokens = new InforTokenClient({
    credentials,
    grant: infor.grant,
    scope: infor.tokenScope,
    clientAuth: infor.tokenClientAuth,
    allowInsecureHttp: insecure,
    timeoutMs: infor.m3TimeoutMs,
    status: deps.connectors,
    logger: deps.logger,
  });
  // the tenant's MI-call limit: shared through PostgreSQL by every gateway of the tenant, or per process
  const shared = infor.m3ConcurrencyScope === 'tenant' && deps.databaseUrl
    ? new PgSharedPermits({ connectionString: deps.databaseUrl, tenant: credentials.tenant, slots: infor.m3MaxConcurrentCalls, logger: deps.logger })
    : undefined;
  const m3 = new M3Client({
    baseUrl: infor.m3BaseUrl ?? `${credentials.apiBaseUrl}/M3/m3api-rest`,
    tokens,
    timeoutMs: infor.m3TimeoutMs,
    readRetries: infor.m3ReadRetries,
    limiter: new M3CallLimiter({ maxConcurrent: infor.m3MaxConcurrentCalls, shared }),
    throttleRetries: infor.m3ThrottleRetries,
    status: deps.connectors,
    logger: deps.logger,
  });
  const ion = new IonClient({
    messagingUrl: infor.ionMessagingUrl ?? `${credentials.apiBaseUrl}/IONSERVICES/api/ion/messaging/service`,
    tokens,
    fromLogicalId: infor.ionLogicalId,
    toLogicalId: infor.ionToLogicalId,
    timeoutMs: infor.m3TimeoutMs,
    status: deps.connectors,
    logger: deps.logger,
  });
  const verifyToken = createInforTokenVerifier({
    jwksUrl: infor.jwksUrl ?? `${credentials.authServerUrl}jwks.json`,
    issuer: infor.tokenIssuer ?? credentials.authServerUrl.replace(/\/$/, ''),
    audience: infor.tokenAudience,
  });
  const bodHandlers = new BodHandlers();
  return { credentials, tokens, m3, ion, verifyToken, bodHandlers, registerBodHandler: bodHandlers.register.bind(bodHandlers) };
}

/** Register what to do with an inbound `Verb.Noun` (no-op with a warning when Infor is not configured). */
export function registerBodHandler<D extends KnownDocument>(services: GatewayServices, documentName: D, handler: BodHandler<NounOf<D>>): void {
  if (!services.infor) {
    services.logger.warn('Infor is not configured: BOD handler not registered', { documentName });
    return;
  }
  services.infor.registerBodHandler(documentName, handler);
}

/**
 * The Infor concern: connectors on `services.infor`, the `ion-inbound` queue and the IMS
 * endpoints under /ims. Register it before the flows that use `services.infor`.
 */
export function inforModule(): GatewayModule {
  let connectors: InforConnectors | undefined;
  return {
    start: async (services) => {
      connectors = inforConnectorsFromConfig(services.config, { connectors: services.connectors, logger: services.logger, databaseUrl: connectionStringOf(services.db) });
      if (!connectors) {
        services.logger.warn('Infor is not configured (infor.ionapiFile): M3 and ION connectors are off');
        return;
      }
      services.infor = connectors;
      const { infor } = services.config;
      await services.queue.register({
        name: ION_INBOUND_QUEUE,
        concurrency: 2,
        handler: ionInboundWorker({
          db: services.db,
          logger: services.logger,
          handlers: connectors.bodHandlers,
          ion: connectors.ion,
          componentId: infor.ionComponentId,
          maxBytes: infor.imsMaxBodyBytes,
          maxDepth: infor.bodMaxDepth,
        }),
      });
      services.logger.info('Infor connectors ready', { tenant: connectors.credentials.tenant, grant: infor.grant, imsAuth: infor.imsAuth });
    },
    routes: (app, services) => {
      if (!connectors) return;
      const { infor } = services.config;
      app.use(
        '/ims',
        imsRouter({
          db: services.db,
          queue: services.queue,
          logger: services.logger,
          verify: infor.imsAuth ? connectors.verifyToken : undefined,
          maxBodyBytes: infor.imsMaxBodyBytes,
          maxDepth: infor.bodMaxDepth,
          tenant: connectors.credentials.tenant,
        }),
      );
    },
    close: async () => {
      // after the queue has drained (no job needs a token any more): revoke the grant so a stopped
      // gateway leaves no live token behind
      await connectors?.tokens.revoke().catch(() => undefined);
      await connectors?.m3.close();
    },
  };
}
