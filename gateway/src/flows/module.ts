import { AppError } from '../errors';
import { inboxWorker } from '../pipeline/inbox-worker';
import type { GatewayModule } from '../kernel/module';
import type { GatewayServices } from '../kernel/services';
import type { InboxJob } from '../pipeline/inbox';
import { registerBodHandler } from '../infor/module';
import { asSingleton } from '../pipeline/advisory-lock';
import { CUSTOMER_SYNC_QUEUE, customerChanged, pullChangedCustomers, runCustomerSync } from './customer-sync/flow';
import { runEcommerceSale } from './ecommerce/flow';
import { runRefund } from './refund/flow';
import { REFUND_QUEUE, refundRequestSchema, requestRefund } from './refund/request';
import { refundRoutes } from './refund/routes';
import { INVOICE_PAYMENT_QUEUE, runInvoicePayment } from './invoice-payment/flow';
import { ECOMMERCE_QUEUE, ecommerceRoutes } from './ecommerce/routes';
import type { FlowContext } from './shared/context';

/** The flow context, once the connectors and rules it needs are in place. */
export function flowContext(services: GatewayServices): FlowContext {
  const m3 = services.infor?.m3;
  const paytrace = services.paytrace;
  const rules = services.rules;
  if (!m3 || !paytrace || !rules) {
    const missing = [!m3 && 'Infor (.ionapi)', !paytrace && 'PayTrace', !rules && 'rules'].filter(Boolean).join(', ');
    throw new AppError(`the payment flows need ${missing}`, { code: 'FLOWS_NOT_CONFIGURED', errorClass: 'configuration' });
  }
  return { db: services.db, queue: services.queue, m3, paytrace, ion: services.infor?.ion, rules, config: services.config, logger: services.logger };
}

/** The four payment flows: their queues (inbox-driven, per-aggregate order) and their HTTP triggers. */
export function flowsModule(): GatewayModule {
  let customerPull: NodeJS.Timeout | undefined;
  return {
    async stop() {
      if (customerPull) clearInterval(customerPull);
    },
    routes: (app, services) => {
      app.use(ecommerceRoutes(services));
      app.use(refundRoutes(services));
    },
    async start(services) {
      const concurrency = services.config.flows.concurrency;
      await services.queue.register<InboxJob>({
        name: ECOMMERCE_QUEUE,
        concurrency,
        handler: inboxWorker(services, async (row) => {
          await runEcommerceSale(flowContext(services), row);
        }),
      });
      await services.queue.register<InboxJob>({
        name: INVOICE_PAYMENT_QUEUE,
        concurrency,
        handler: inboxWorker(services, async (row) => {
          await runInvoicePayment(flowContext(services), row);
        }),
      });
      await services.queue.register<InboxJob>({
        name: REFUND_QUEUE,
        concurrency,
        handler: inboxWorker(services, async (row) => {
          await runRefund(flowContext(services), row);
        }),
      });
      await services.queue.register<InboxJob>({
        name: CUSTOMER_SYNC_QUEUE,
        concurrency,
        handler: inboxWorker(services, async (row) => {
          await runCustomerSync(flowContext(services), row);
        }),
      });
      // M3 publishes customer changes as Sync.CustomerPartyMaster
      registerBodHandler(services, 'Sync.CustomerPartyMaster', async (bod, context) => {
        for (const customer of [bod.model, ...bod.more]) {
          const cono = Number((customer.id.accountingEntity ?? bod.envelope.accountingEntityId ?? `${services.config.flows.company}_`).split('_')[0]) || services.config.flows.company;
          await customerChanged(
            services.db,
            services.queue,
            {
              cono,
              cuno: customer.id.value,
              name: customer.name,
              address: { lines: customer.address?.lines ?? [], city: customer.address?.city, region: customer.address?.region, postalCode: customer.address?.postalCode, country: customer.address?.countryCode },
              email: customer.email,
              phone: customer.phone,
              source: 'ion',
            },
            context.correlationId,
          );
        }
      });
      // and the scheduled CRS610MI pull catches what ION did not deliver (one gateway at a time)
      const pullSeconds = services.config.flows.customerPullIntervalSeconds;
      if (pullSeconds > 0 && services.infor && services.paytrace && services.rules) {
        customerPull = setInterval(() => {
          void asSingleton(services.db, 'crs610-pull', () => pullChangedCustomers(flowContext(services), services.config.flows.company)).catch((err: unknown) =>
            services.logger.warn('CRS610MI customer pull failed; the next run retries', { err }),
          );
        }, pullSeconds * 1000);
        customerPull.unref();
      }
      // M3 asks for refunds with Process.MyPTRefundRequest: persisted like an API request
      registerBodHandler(services, 'Process.MyPTRefundRequest', async (bod, context) => {
        for (const request of [bod.model, ...bod.more]) {
          await requestRefund(
            services.db,
            services.queue,
            refundRequestSchema.parse({
              refundId: request.id.value,
              originalTransactionId: request.originalTransactionId,
              amount: request.amount.value,
              currency: request.amount.currency,
              reason: request.reason,
              requestedBy: bod.envelope.sender.logicalId,
            }),
            'ion',
            context.correlationId,
          );
        }
      });
    },
  };
}
