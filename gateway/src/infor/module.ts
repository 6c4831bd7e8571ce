import type { Config } from '../config';
import type { ConnectorStatus } from '../observability/connector-status';
import type { Logger } from '../observability/logger';
import type { GatewayModule } from '../kernel/module';
import { ingest } from '../pipeline/inbox';
import { imsRouter, type DocumentRouter } from './ion/ims-routes';
import { ionSystemWorker, ION_INBOUND_QUEUE } from './ion/inbound-worker';
import { IonClient } from './ion/ion-client';
import { loadIonApiFile, type IonApiCredentials } from './ionapi';
import { M3CallLimiter } from './m3/call-limiter';
import { M3Client } from './m3/m3-client';
import { connectionStringOf, PgSharedPermits } from './m3/shared-permits';
import { InforTokenClient } from './os/token-client';
import { createInforTokenVerifier, type InforTokenVerifier } from './os/verify-token';

declare module '../kernel/services' {
  interface GatewayServices {
    /** set by the Infor module when infor.ionapiFile is configured: token client, M3, ION, BOD handlers */
    infor?: InforConnectors;
  }
}

/** Everything the gateway uses to talk to Infor, built from `infor.*` and the .ionapi file. */
export interface InforConnectors {
  credentials: IonApiCredentials;
  tokens: InforTokenClient;
  m3: M3Client;
  ion: IonClient;
  /** verifies Infor OS-issued bearer tokens (ION pushes, H5 calls through ION API) */
  verifyToken: InforTokenVerifier;
  /**
   * Where a document from ION is stored, once: the flows module points this at the flow that owns
   * the document's noun; without one it goes to the gateway's own queue (ConfirmBODs, rejections).
   */
  routeDocument?: (doc: Parameters<DocumentRouter>[0]) => Promise<Awaited<ReturnType<DocumentRouter>> | undefined>;
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
    clients: infor.tokenClients,
  });
  return { credentials, tokens, m3, ion, verifyToken };
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
        handler: ionSystemWorker({
          db: services.db,
          logger: services.logger,
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
          route: async (doc) => {
            const owned = await connectors?.routeDocument?.(doc);
            if (owned) return owned;
            return ingest(services.db, services.queue, { source: 'ion', dedupeKey: doc.bodId, kind: doc.documentName, payload: doc.payload, correlationId: doc.correlationId, queue: ION_INBOUND_QUEUE });
          },
          refuse: (doc) => ingest(services.db, services.queue, { source: 'ion', dedupeKey: doc.dedupeKey, kind: doc.documentName, payload: doc.payload, correlationId: doc.correlationId, queue: ION_INBOUND_QUEUE }),
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
