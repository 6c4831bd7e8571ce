import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigInput } from '../../gateway/src/config';
import { rulesModule } from '../../gateway/src/runtime/rules-module';
import { eventsModule } from '../../gateway/src/events/module';
import { flowsModule } from '../../gateway/src/triggers/module';
import { inforModule } from '../../gateway/src/infor/module';
import { payTraceModule } from '../../gateway/src/paytrace/module';
import type { GatewayModule } from '../../gateway/src/runtime/gateway';
import { openPayment, type Payment } from '../../gateway/src/pipeline/ledger';
import { invoiceCharged } from '../../gateway/src/triggers/pay-page/events';
import { startInforSimulator } from '../../simulators/infor';
import { startPayTraceSimulator, type PayTraceSimulator } from '../../simulators/paytrace';
import { createTestDatabase, type TestDatabase } from './db';
import { storefrontPayTraceClient, TEST_VISA } from './paytrace';
import { startTestGateway, type TestGateway } from './gateway';

export type InforSimulator = Awaited<ReturnType<typeof startInforSimulator>>;

export interface Stack {
  gateway: TestGateway;
  infor: InforSimulator;
  paytrace: PayTraceSimulator;
  ecommerceSecret: string;
  /** start another gateway process-alike on the same database (scale-out, restarts) */
  startAnotherGateway(): Promise<TestGateway>;
  stop(): Promise<void>;
}

/**
 * The whole product on real HTTP: the Infor and PayTrace simulators, and a gateway with every
 * module wired to them, on a fresh real PostgreSQL database.
 */
export async function startStack(options: { config?: ConfigInput; modules?: GatewayModule[]; ownAppRole?: 'm3-user' | 'viewer' | 'operator' | 'admin' | null } = {}): Promise<Stack> {
  const infor = await startInforSimulator();
  const paytrace = await startPayTraceSimulator();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-stack-'));
  const ionapiFile = path.join(dir, 'sandbox.ionapi');
  await infor.writeIonapiFile(ionapiFile);
  const ecommerceSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const database: TestDatabase = await createTestDatabase();
  const config: ConfigInput = {
    ...options.config,
    infor: { ionapiFile, ...options.config?.infor },
    paytrace: { baseUrl: paytrace.url, username: 'demo123', password: 'demo123', integratorId: '9TEST0000001', timeoutMs: 10_000, ...options.config?.paytrace },
    ecommerce: { webhookSecret: ecommerceSecret, ...options.config?.ecommerce },
    poller: { enabled: false, ...options.config?.poller },
    // the gateway's own backend app (the token tests call /api with) may request refunds and recon
    // runs (api.clientRoles); `ownAppRole: null` leaves it without an API role
    api: { ...options.config?.api, clientRoles: { ...(options.ownAppRole === null ? {} : { [infor.ionapi.ci]: options.ownAppRole ?? 'operator' }), ...options.config?.api?.clientRoles } },
    // operator sign-in through the simulator's Infor OS login (used when the admin module is added)
    admin: { oidc: { issuer: infor.issuer, clientId: infor.webClient.clientId, clientSecret: infor.webClient.clientSecret }, ...options.config?.admin },
  };
  const modules = () => [rulesModule(), payTraceModule(), inforModule(), eventsModule(), flowsModule(), ...(options.modules ?? [])];
  const gateways: TestGateway[] = [];
  const start = async () => {
    const gw = await startTestGateway({ config, modules: modules(), database });
    gateways.push(gw);
    return gw;
  };
  const gateway = await start();
  infor.setGatewayImsUrl(`${gateway.url}/ims`);
  return {
    gateway,
    infor,
    paytrace,
    ecommerceSecret,
    startAnotherGateway: start,
    async stop() {
      for (const gw of gateways) await gw.stop().catch(() => undefined);
      await database.drop();
      await infor.close();
      await paytrace.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function simJson<T = unknown>(baseUrl: string, pathAndQuery: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(`${baseUrl}${pathAndQuery}`, {
    method: init?.method ?? (init?.body ? 'POST' : 'GET'),
    headers: init?.body ? { 'content-type': 'application/json' } : {},
    body: init?.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${pathAndQuery} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * A pay-page charge as the links module records it before flow 2: a real (keyed, test-only) sale at
 * the PayTrace simulator with our reference as invoice_id, and its ledger row in status `charged`.
 * Hand it to flow 2 with `invoiceCharged()`.
 */
export async function chargedInvoicePayment(stack: Stack, invoice: { ivno: string; amount: string; cuno?: string; currency?: string }): Promise<Payment> {
  const reference = `LINK-${randomUUID().slice(0, 8)}`;
  const sale = await storefrontPayTraceClient(stack.paytrace.url).saleKeyed({ amount: invoice.amount, card: TEST_VISA, invoiceId: reference });
  if (!sale.approved || !sale.transactionId) throw new Error(`test sale failed: ${sale.statusMessage}`);
  const { payment } = await openPayment(stack.gateway.services.db, {
    flow: 'invoice_payment',
    reference,
    status: 'charged',
    correlationId: `c-${reference}`,
    fields: { cono: 100, divi: 'AAA', ivno: invoice.ivno, yea4: 2026, cuno: invoice.cuno, amount: invoice.amount, currency: invoice.currency ?? 'USD', paytrace_transaction_id: String(sale.transactionId) },
  });
  return payment;
}

/** An invoice charged on the pay page and handed to the invoice-payment flow, as the pay page does. */
export async function handOverChargedInvoice(stack: Stack, invoice: Parameters<typeof chargedInvoicePayment>[1]): Promise<Payment> {
  const payment = await chargedInvoicePayment(stack, invoice);
  await invoiceCharged(stack.gateway.services.pipeline, payment);
  return payment;
}
