import path from 'node:path';
import { AppError } from '../errors';
import { ERROR_CODES } from '../errors/registry';
import type { GatewayModule } from '../kernel/module';
import type { GatewayServices } from '../kernel/services';
import { asSingleton, lockConnection } from '../pipeline/advisory-lock';
import { FlowRunner } from '../pipeline/runner';
import { Pipeline, type TriggerEvents } from '../pipeline/pipeline';
import type { FlowSettings } from '../pipeline/step-contract';
import { FlowRegistry } from '../pipeline/versions/flow-registry';
import { flowFunctions, stepCatalogue, type StepConnectors } from '../steps';
import { missing } from '../steps/define';
import { linkServiceOf } from '../links/link-service';
import { acceptBod, bodEventAtDoor, bodEvents, refuseBod, type BodTriggerDeps } from './bod/bod-trigger';
import { triggerCatalogue } from './catalogue';
import { CUSTOMER_PULL, pullChangedCustomers } from './customer-pull/pull';
import { INVOICE_PULL, pullNewInvoices } from './invoice-links/pull';
import { INVOICE_LINK_REMINDER, queueDueReminders } from './invoice-links/reminders';
import { ecommerceRoutes } from './ecommerce/webhook-route';
import { PAYTRACE_POLLER, PayTracePoller } from './paytrace-poller/poller';
import { refundRoutes } from './refund-api/routes';
import { chargebackRoutes } from './chargeback/routes';
import { watchChargebackReports, type ReportWatcher } from './chargeback/watch';

export function flowSettings(services: GatewayServices): FlowSettings {
  const f = services.config.flows;
  return {
    company: f.company,
    division: f.division,
    localCurrency: f.localCurrency,
    customerTemplate: f.customerTemplate,
    paymentMethod: f.paymentMethod,
    provider: f.provider,
    receiptPaymentType: f.receiptPaymentType,
    glInterfaceName: f.glInterfaceName,
    cardSaleTransactionType: f.cardSaleTransactionType,
    cardTypeCodes: f.cardTypeCodes,
  };
}

/** The connectors as the step types get them: each only what it needs, and a clear error for what is not configured. */
export function stepConnectorsOf(services: GatewayServices): StepConnectors {
  return {
    paytrace: () => services.paytrace ?? missing('PayTrace'),
    m3: () => services.infor?.m3 ?? missing('Infor (.ionapi)'),
    ion: () => (services.infor ? { client: services.infor.ion, componentId: services.config.infor.ionComponentId } : missing('Infor ION')),
    queue: () => services.queue,
    webhooks: () => services.config.webhooks,
    mail: () => ({ from: services.config.links.mailFrom }),
    links: async () => ({
      service: await linkServiceOf(services),
      baseUrl: services.config.http.publicBaseUrl ?? services.url ?? `http://${services.config.http.host}:${services.config.http.port}`,
      config: services.config,
    }),
  };
}

/**
 * Flows as data: the step catalogue, the published flow versions (seeded from mappings/flows/),
 * the runner and one worker per flow queue, and the doors triggers come through — the storefront
 * webhook, the refund API, BODs from ION, the pay page, the PayTrace poller, the CRS610MI pull.
 */
export function flowsModule(options: { dir?: string } = {}): GatewayModule {
  let poller: PayTracePoller | undefined;
  let customerPull: NodeJS.Timeout | undefined;
  let reminders: NodeJS.Timeout | undefined;
  let invoicePull: NodeJS.Timeout | undefined;
  let reportWatcher: ReportWatcher | undefined;
  return {
    routes: (app, services) => {
      app.use(ecommerceRoutes(services));
      app.use(refundRoutes(services));
      app.use(chargebackRoutes(services));
    },
    async start(services) {
      const rulesVersions = services.rulesVersions;
      if (!rulesVersions) throw new AppError('the flows need the rules module first', { code: 'FLOWS_NOT_CONFIGURED', errorClass: 'configuration' });
      const settings = flowSettings(services);
      const catalogue = stepCatalogue(stepConnectorsOf(services));
      const triggers = triggerCatalogue();
      const knownErrorCodes = new Set(Object.keys(ERROR_CODES));
      const flows = new FlowRegistry(services.db, () => ({ catalogue, triggers, m3Fields: rulesVersions.current.rules.m3Fields, knownErrorCodes }), services.logger);
      await flows.seed(path.resolve(options.dir ?? path.join(services.config.rules.dir, 'flows')));
      await flows.refresh();
      flows.listen(services.notifier);

      const functions = (rules: Parameters<typeof flowFunctions>[0]) => flowFunctions(rules, settings);
      const { infor } = services.config;
      const bod: BodTriggerDeps = { logger: services.logger, ion: () => services.infor?.ion, componentId: infor.ionComponentId, maxBytes: infor.imsMaxBodyBytes, maxDepth: infor.bodMaxDepth };
      const events: TriggerEvents = {
        eventsOf: async (row, flow, rules) => (row.source === 'ion' ? bodEvents(bod, row, flow, functions(rules), settings) : [row.payload]),
        refused: async (row, error) => {
          if (row.source === 'ion') await refuseBod(bod, row, error);
        },
        accepted: async (row) => {
          if (row.source === 'ion') await acceptBod(bod, row);
        },
      };
      const runner = new FlowRunner({ db: services.db, connect: () => lockConnection(services.db), logger: services.logger, settings, functions });
      const pipeline = new Pipeline({ db: services.db, queue: services.queue, flows, rules: rulesVersions, runner, logger: services.logger, settings, functions, triggers: events, concurrency: services.config.flows.concurrency });
      await pipeline.start();
      services.pipeline = pipeline;

      // a BOD from ION is stored once, for the flow that owns its noun
      if (services.infor) {
        services.infor.routeDocument = async (doc) => {
          const owner = flows.claimant(`bod:${doc.documentName}`);
          if (!owner) return undefined;
          const event = await bodEventAtDoor(bod, doc.payload.xml, owner.flow, functions(rulesVersions.current.rules), settings);
          const stored = await pipeline.ingest(owner.flow.id, { source: 'ion', dedupeKey: doc.bodId, kind: doc.documentName, payload: doc.payload, event, correlationId: doc.correlationId });
          return { ...stored, flowId: owner.flow.id };
        };
      }

      // PayTrace v1 has no webhooks: the poller turns its exports into events (one gateway at a time)
      const { intervalSeconds, enabled, initialLookbackDays, overlapDays } = services.config.poller;
      if (services.paytrace && enabled) {
        poller = new PayTracePoller(services.db, (input) => pipeline.ingestClaim(PAYTRACE_POLLER, input), services.paytrace, services.logger, { initialLookbackDays, overlapDays });
        poller.start(intervalSeconds * 1000);
      }

      // the scheduled CRS610MI pull catches what ION did not deliver (one gateway at a time)
      const pullSeconds = services.config.flows.customerPullIntervalSeconds;
      const m3 = services.infor?.m3;
      if (pullSeconds > 0 && m3) {
        const scope = { cono: settings.company, divi: settings.division };
        customerPull = setInterval(() => {
          void asSingleton(services.db, 'crs610-pull', () => pullChangedCustomers({ db: services.db, m3, store: (input) => pipeline.ingestClaim(CUSTOMER_PULL, input) }, scope)).catch((err: unknown) =>
            services.logger.warn('CRS610MI customer pull failed; the next run retries', { err }),
          );
        }, pullSeconds * 1000);
        customerPull.unref();
      }

      // invoice-link reminders that are due go to their flow (one gateway at a time; the inbox dedupes anyway)
      const reminderSeconds = services.config.flows.invoiceLinkReminderIntervalSeconds;
      if (reminderSeconds > 0) {
        reminders = setInterval(() => {
          void asSingleton(services.db, 'invoice-link-reminders', () => queueDueReminders({ db: services.db, store: (input) => pipeline.ingestClaim(INVOICE_LINK_REMINDER, input) })).catch((err: unknown) =>
            services.logger.warn('queueing invoice-link reminders failed; the next run retries', { err }),
          );
        }, reminderSeconds * 1000);
        reminders.unref();
      }

      // tenants without the Sync.Invoice document flow: a scheduled pull of new open invoices (off by default)
      const invoicePullSeconds = services.config.flows.invoicePullIntervalSeconds;
      if (invoicePullSeconds > 0 && m3) {
        const scope = { cono: settings.company, divi: settings.division };
        invoicePull = setInterval(() => {
          void asSingleton(services.db, 'ars200-invoice-pull', () => pullNewInvoices({ db: services.db, m3, store: (input) => pipeline.ingestClaim(INVOICE_PULL, input) }, scope)).catch((err: unknown) =>
            services.logger.warn('ARS200MI invoice pull failed; the next run retries', { err }),
          );
        }, invoicePullSeconds * 1000);
        invoicePull.unref();
      }
      // chargeback reports dropped into a folder (one gateway at a time)
      const reportDir = services.config.flows.chargebackReportDir;
      if (reportDir) reportWatcher = watchChargebackReports(services, path.resolve(reportDir), services.config.flows.chargebackReportPollSeconds * 1000);
    },
    async stop() {
      await reportWatcher?.stop();
      if (customerPull) clearInterval(customerPull);
      if (reminders) clearInterval(reminders);
      if (invoicePull) clearInterval(invoicePull);
      await poller?.stop();
    },
  };
}
