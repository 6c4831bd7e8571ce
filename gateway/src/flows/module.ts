import { AppError } from '../errors';
import { inboxWorker } from '../queue/inbox-worker';
import type { GatewayModule } from '../runtime/gateway';
import type { GatewayServices } from '../runtime/services';
import type { InboxJob } from '../store/inbox';
import { registerBodHandler } from '../infor/module';
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
  return {
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
