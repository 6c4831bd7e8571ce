/**
 * The second ceiling of the pipeline bench: flow 1's HTTP calls to the same simulators, made by a
 * bare script — no inbox, no queue, no intents, no ledger, no expressions, nothing written to
 * PostgreSQL — at the same concurrency as the gateway's workers. It uses the same M3 and PayTrace
 * clients and M3 programs as the steps, so the calls (reads-back included) are the same ones; what
 * it leaves out is exactly what the gateway adds to make them exactly-once.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../gateway/src/config';
import { buildGlBatch } from '../../gateway/src/domain/gl';
import { harmonizeAddress, requireValidAddress } from '../../gateway/src/domain/address';
import { Money } from '../../gateway/src/domain/money';
import { loadRules } from '../../gateway/src/domain/rules-loader';
import { buildBod, newEnvelope } from '../../gateway/src/infor/bod';
import { inforConnectorsFromConfig } from '../../gateway/src/infor/module';
import { ensureCustomer } from '../../gateway/src/infor/m3-programs/customers';
import { DEFAULT_GL_LAYOUT, postGlBatch } from '../../gateway/src/infor/m3-programs/gl';
import { addCardReference, createOrder } from '../../gateway/src/infor/m3-programs/orders';
import { payTraceClientFromConfig } from '../../gateway/src/paytrace/module';
import { pool, type SharedWorld } from '../../test/chaos/harness';
import type { EcommerceOrder } from '../../test/chaos/load';

export interface BareRun {
  events: number;
  seconds: number;
  perSecond: number;
  /** CPU of this process per event (the script runs in the bench's process) */
  cpuMsPerEvent: number;
}

export async function bareFlow1(world: SharedWorld, orders: EcommerceOrder[], concurrency: number): Promise<BareRun> {
  const config = loadConfig({
    MODE: 'connected',
    CONFIG_FILE: world.configFile,
    PUBLIC_BASE_URL: 'http://127.0.0.1:1', // no page is served: the bare script has no HTTP side
    DATABASE_URL: world.database.url,
    IONAPI_FILE: world.ionapiFile,
    PAYTRACE_BASE_URL: world.paytrace.url,
    PAYTRACE_USERNAME: 'demo123',
    PAYTRACE_PASSWORD: 'demo123',
    PAYTRACE_INTEGRATOR_ID: '9TEST0000001',
    ECOMMERCE_WEBHOOK_SECRET: world.ecommerceSecret,
  });
  const infor = inforConnectorsFromConfig(config);
  const paytrace = payTraceClientFromConfig(config);
  if (!infor || !paytrace) throw new Error('the bare script needs the Infor and PayTrace simulators configured');
  const rules = await loadRules(config.rules.dir);
  const scope = { cono: config.flows.company, divi: config.flows.division };
  const m3 = infor.m3;

  const one = async (order: EcommerceOrder): Promise<void> => {
    const exported = await paytrace.exportTransactionById(order.transactionId);
    const t = exported.transactions.find((x) => x.transactionId === order.transactionId);
    if (!t?.amount) throw new Error(`PayTrace has no transaction ${order.transactionId}`);
    const amount = Money.parse(t.amount.toString(), 'USD');
    const name = `Shopper ${order.storefrontId}`;
    const address = requireValidAddress(harmonizeAddress(rules.address, { name, lines: ['1200 North Lake Shore Drive', 'Suite 4500'], city: 'Chicago', region: 'IL', postalCode: '60611', country: 'US' }));
    const cuno = `B${order.storefrontId.replace(/[^A-Z0-9]/gi, '').toUpperCase()}`.slice(0, 10);
    await ensureCustomer(m3, scope, { cuno, name, template: config.flows.customerTemplate, address, email: `${order.storefrontId}@example.com`, currency: 'USD' });
    const cents = amount.minor;
    const first = cents / 2n;
    const money = (c: bigint) => Money.fromMinor(c, 'USD').toFixedString();
    const { orno } = await createOrder(m3, scope, {
      cuno, cuor: order.orderId, currency: 'USD', paymentMethod: config.flows.paymentMethod, provider: config.flows.provider, reference: String(t.transactionId),
      lines: [{ itno: 'ITM1000', quantity: '1', unitPrice: money(first) }, { itno: 'ITM2000', quantity: '1', unitPrice: money(cents - first) }],
    });
    await addCardReference(m3, scope, { orno, provider: config.flows.provider, transactionId: String(t.transactionId), amount: amount.toFixedString(), currency: 'USD', maskedCard: t.maskedCardNumber ?? '', cardType: 'VI', transactionType: config.flows.cardSaleTransactionType });
    const reference = `ECOM-${scope.cono}-${order.orderId}`;
    const batch = buildGlBatch(rules.gl, {
      transactionType: 'sale', cardBrand: 'visa', paymentMethod: 'card', company: String(scope.cono), division: scope.divi, reference,
      gross: { transaction: amount, local: amount, effectiveRate: '1', rounding: rules.currency.rounding, unrounded: amount.toFixedString() },
    });
    await postGlBatch(m3, scope, { ...DEFAULT_GL_LAYOUT, interfaceName: config.flows.glInterfaceName }, {
      key1: `B${order.orderId}`.slice(0, 20), description: `PayTrace sale ${reference}`, accountingDate: new Date().toISOString().slice(0, 10).replaceAll('-', ''),
      lines: batch.lines.map((line) => ({ account: line.accounting.AIT1, amount: line.side === 'debit' ? line.local.toFixedString() : `-${line.local.toFixedString()}`, currency: line.local.currency, text: line.text })),
    });
    const bodId = randomUUID();
    const envelope = { ...newEnvelope({ verb: 'Sync', noun: 'MyPTPayment', logicalId: infor.ion.fromLogicalId, componentId: config.infor.ionComponentId, actionCode: 'Replace' }), bodId };
    const xml = buildBod(envelope, { id: { value: bodId }, transactionId: String(t.transactionId), status: 'Captured', amount: { value: amount.toFixedString(), currency: 'USD' }, transactionDateTime: new Date().toISOString(), customer: { id: { value: cuno } } });
    await infor.ion.sendBod({ documentName: 'Sync.MyPTPayment', xml, messageId: bodId, documentId: bodId });
  };

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await pool(orders, concurrency, one);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { events: orders.length, seconds, perSecond: orders.length / seconds, cpuMsPerEvent: (cpu.user + cpu.system) / 1000 / orders.length };
}
