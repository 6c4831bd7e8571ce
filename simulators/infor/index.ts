import type { NextFunction, Request, Response } from 'express';
import { createSimulatorKit, listen, type RunningSimulator, type SimulatorOptions } from '../common/sim-server';
import { syncCustomerPartyMaster, syncInvoice } from './ion/bods';
import { IonHub, type ImsTarget } from './ion/hub';
import { defaultM3Settings, m3RestApi, type M3Settings } from './m3/rest-api';
import type { M3Events } from './m3/engine';
import { createPrograms } from './m3/programs';
import { Authority, DEMO_USERS, defaultOsSettings, SERVICE_ACCOUNT_USER, type OsSettings } from './os/authority';
import { requireBearer } from './os/bearer';
import { buildIonapi, createClients, writeIonapi, type IonapiFile, type OAuthClient } from './os/ionapi';
import { inforOsRoutes } from './os/routes';
import { simApiRoutes } from './sim-api';
import { seedState, type InforState } from './state';

export interface InforSimulatorOptions extends SimulatorOptions {
  /** tenant id (ti); default M3PT_TST */
  tenant?: string;
  /** access-token lifetime, default 7200 s (Infor's default); 0 issues already-expired tokens */
  tokenLifetimeSeconds?: number;
  /** logical id of the gateway's "IMS via ION API" connection point */
  imsLogicalId?: string;
  /** where ION pushes BODs from the start (else set later with setGatewayImsUrl) */
  gatewayImsUrl?: string;
}

export interface InforSimulator extends RunningSimulator {
  tenant: string;
  /** the .ionapi of the gateway's backend-service app */
  ionapi: IonapiFile;
  /** a web-application client for the operator UI's authorization-code login */
  webClient: OAuthClient;
  /** issuer of Infor OS tokens ({url}/{tenant}/as); JWKS at {issuer}/jwks.json */
  issuer: string;
  writeIonapiFile(path: string): Promise<void>;
  /** tell ION where the gateway's IMS endpoints are ({url}/service/...) */
  setGatewayImsUrl(url: string | undefined, tenantId?: string): void;
  /** the live state (tests may read it; change it through MI calls or /_sim) */
  state(): InforState;
  /** resolves when ION has no push in flight */
  ionIdle(): Promise<void>;
}

export const DEFAULT_TENANT = 'M3PT_TST';
export const DEFAULT_IMS_LOGICAL_ID = 'lid://infor.ims.m3paytrace';

/**
 * Infor simulator: Infor OS (token, JWKS, OIDC login), the ION API gateway's bearer check,
 * the M3 MI REST API over a seeded demo company and the ION Messaging Service hub, on one port
 * with the real path layout under the tenant.
 */
export async function startInforSimulator(options: InforSimulatorOptions = {}): Promise<InforSimulator> {
  const tenant = options.tenant ?? DEFAULT_TENANT;
  const imsLogicalId = options.imsLogicalId ?? DEFAULT_IMS_LOGICAL_ID;
  const initialOsSettings = (): OsSettings => defaultOsSettings(options.tokenLifetimeSeconds ?? 7200);
  const seed = () => seedState(DEMO_USERS, SERVICE_ACCOUNT_USER);
  let state = seed();
  let m3Settings: M3Settings = defaultM3Settings();
  const clients = createClients(tenant);
  // the issuer needs the port, known only after listen: the late-bound pieces are filled in below
  const late: { authority?: Authority } = {};
  const os = (): Authority => {
    if (!late.authority) throw new Error('Infor OS is not started yet');
    return late.authority;
  };
  const ionClient: OAuthClient = { clientId: `${tenant}~IONSERVICES`, clientSecret: '', name: 'ION', redirectUris: [] };
  const hub = new IonHub({
    tenant,
    acceptedLogicalIds: [imsLogicalId],
    acceptedDocuments: ['Sync.PaymentTransaction', 'Sync.ReceivableTransaction', 'Process.CustomerPartyMaster', 'Acknowledge.Invoice'],
    mintToken: async () => (await os().issue(ionClient, 'ION', '', { refresh: false })).access_token,
    state: () => state,
  });
  const events: M3Events = {
    customerChanged(customer) {
      const bod = syncCustomerPartyMaster(tenant, state.m3.cono, customer);
      hub.publish(bod.documentName, bod.xml, bod.accountingEntity, bod.documentId);
    },
    invoiceCreated(invoice) {
      const bod = syncInvoice(tenant, state.m3.cono, invoice, state.m3.customers.get(invoice.cuno));
      hub.publish(bod.documentName, bod.xml, bod.accountingEntity, bod.documentId);
    },
  };
  const programs = createPrograms();

  const kit = createSimulatorKit('infor', {
    state: () => describeState(state, hub, os),
    reset: () => {
      state = seed();
      m3Settings = defaultM3Settings();
      os().reset(initialOsSettings());
      // the start-up latency is part of the simulator's character, not a fault to clear
      if (options.latencyMs) kit.faults.update({ latencyMs: options.latencyMs });
    },
    routes: (app) => {
      app.use(
        '/_sim',
        simApiRoutes({
          state: () => state,
          hub,
          events,
          os,
          m3Settings: () => m3Settings,
          setM3Settings: (s) => (m3Settings = s),
          tenant,
        }),
      );
      app.use(`/${tenant}/as`, inforOsRoutes(os));
      const bearer = requireBearer(os);
      app.use(`/${tenant}/M3/m3api-rest`, bearer, m3RestApi({ programs, m3: () => state.m3, events, settings: () => m3Settings, serviceAccount: SERVICE_ACCOUNT_USER }));
      app.use(`/${tenant}/IONSERVICES/api/ion/messaging/service`, bearer, hub.inboundRoutes());
      app.get('/ping', (_req, res) => {
        res.json({ ok: true });
      });
      // like the ION API gateway, a path nobody serves answers JSON, not an HTML page
      app.use((req: Request, res: Response) => {
        res.status(404).json({ error: 'not_found', error_description: `No resource at ${req.method} ${req.path}` });
      });
      app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
        if (res.headersSent) return next(error);
        const status = (error as { status?: number }).status ?? 500;
        res.status(status).json({ error: status >= 500 ? 'Internal simulator error' : (error as Error).message });
      });
    },
  });
  if (options.latencyMs) kit.faults.update({ latencyMs: options.latencyMs });

  const running = await listen('infor', kit.app, options);
  const issuer = `${running.url}/${tenant}/as`;
  late.authority = await Authority.create(issuer, tenant, [clients.backend, clients.web], initialOsSettings());
  const ionapi = buildIonapi(running.url, tenant, clients.backend);
  if (options.gatewayImsUrl) hub.setTarget({ url: options.gatewayImsUrl.replace(/\/$/, ''), tenantId: tenant });

  return {
    ...running,
    tenant,
    ionapi,
    webClient: clients.web,
    issuer,
    writeIonapiFile: (path) => writeIonapi(path, ionapi),
    setGatewayImsUrl(url, tenantId = tenant) {
      hub.setTarget(url ? ({ url: url.replace(/\/$/, ''), tenantId } satisfies ImsTarget) : undefined);
    },
    state: () => state,
    ionIdle: () => hub.idle(),
    close: async () => {
      await running.close();
      await hub.idle();
    },
  };
}

function describeState(state: InforState, hub: IonHub, os: () => Authority): unknown {
  const m3 = state.m3;
  return {
    simulator: 'infor',
    m3: {
      cono: m3.cono,
      divisions: m3.divisions,
      users: [...m3.users.values()],
      customers: [...m3.customers.values()],
      items: [...m3.items.values()],
      batchOrders: [...m3.batchOrders.values()],
      orders: [...m3.orders.values()],
      invoices: m3.invoices.map((i) => ({ ...i, openCents: i.amountCents - i.paidCents })),
      paymentBatches: [...m3.paymentBatches.values()],
      receipts: m3.receipts,
      glBatches: [...m3.glBatches.values()],
      cardTransactions: m3.cardTransactions,
      returns: [...m3.returns.values()],
      rates: m3.rates,
      cusext: [...m3.cusext.values()],
    },
    os: os().stats,
    ion: { target: hub.target ?? null, inbox: state.inbox, outbox: state.outbox },
  };
}
