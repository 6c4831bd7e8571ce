import { randomUUID } from 'node:crypto';
import type { StepTrace } from '../../../gateway/src/pipeline/runner';
import { eventually, type TestGateway } from '../../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../../helpers/paytrace';
import { startStack, type Stack } from '../../helpers/stack';

/**
 * Flows and rules are versions in PostgreSQL: one gateway publishes, the other applies it live
 * (LISTEN/NOTIFY), and each rules file that used to change nothing now changes what a run does.
 * Runs are test runs of flow 1 on the second gateway (real PayTrace and M3 simulators, the database
 * rolled back), so each edit's effect is read from the run's trace.
 */
let stack: Stack;
let b: TestGateway;
beforeAll(async () => {
  stack = await startStack();
  b = await stack.startAnotherGateway();
});
afterAll(async () => {
  await stack.stop();
});

const a = () => stack.gateway;

async function saleEvent(overrides: { name?: string } = {}) {
  const orderId = `V-${randomUUID().slice(0, 8)}`;
  const sale = await storefrontPayTraceClient(stack.paytrace.url).saleKeyed({ amount: '74.98', card: TEST_VISA, invoiceId: orderId });
  return {
    type: 'order.paid',
    data: {
      orderId,
      paytraceTransactionId: String(sale.transactionId),
      amount: '74.98',
      currency: 'USD',
      customer: { storefrontId: `shop-${orderId}`, name: overrides.name ?? 'Ada Lovelace', email: 'ada@example.com', address: { lines: ['12 Analytical Way'], city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' } },
      lines: [{ sku: 'ITM1000', quantity: '1', unitPrice: '74.98' }],
    },
  };
}

/** A test run of the flow as gateway B has it published now. */
async function runOnB(event: unknown) {
  const pipeline = b.services.pipeline!;
  const result = await pipeline.testRun(pipeline.flows.published('ecommerce-sale')!.flow, event);
  const step = (id: string) => result.trace.find((s: StepTrace) => s.stepId === id);
  return { ...result, step };
}

/** Publish an edit of one rules file on gateway A and wait until gateway B has applied it. */
async function publishOnA(file: string, edit: (text: string) => string): Promise<() => Promise<void>> {
  const registry = a().services.rulesVersions!;
  const before = (await registry.currentTexts())[file]!;
  const edited = edit(before);
  expect(edited).not.toBe(before); // the edit really changes the file
  const { version } = await registry.publish({ [file]: edited }, 'operator:test', `edit ${file}`);
  await eventually(async () => b.services.rulesVersions!.current.version === version, 10_000, `gateway B on rules v${version}`);
  return async () => {
    const back = await registry.publish({ [file]: before }, 'operator:test', `restore ${file}`);
    await eventually(async () => b.services.rulesVersions!.current.version === back.version, 10_000, 'gateway B on the restored rules');
  };
}

it('status-map.yaml: what an export record means decides whether flow 1 takes the sale', async () => {
  const before = await runOnB(await saleEvent());
  expect(before.outcome).toBe('done');
  expect(before.step('verify')!.output).toMatchObject({ ledgerState: 'captured', rule: 'pending-settlement' });
  const restore = await publishOnA('status-map.yaml', (t) => t.replace('statusCode: "^Y$", ledger: captured }', 'statusCode: "^Y$", ledger: authorized }'));
  const after = await runOnB(await saleEvent());
  expect(after.step('verify')!.output).toMatchObject({ ledgerState: 'authorized' });
  expect(after).toMatchObject({ outcome: 'failed', error: { code: 'ECOMMERCE_TRANSACTION_NOT_PAID' } });
  await restore();
});

it('m3-fields.yaml: a name longer than CUNM is cut as shipped, or refused where the admin says so', async () => {
  const name = 'Northwind Industrial Workshop Supplies and Tools'; // 48 characters, CUNM holds 36
  const cut = await runOnB(await saleEvent({ name }));
  expect(cut.outcome).toBe('done');
  expect(cut.step('customer')!.outcome).toBe('succeeded');
  const restore = await publishOnA('m3-fields.yaml', (t) => t.replace('CUNM: { description: Customer name, type: A, length: 36, overflow: truncate,', 'CUNM: { description: Customer name, type: A, length: 36, overflow: refuse,'));
  const refused = await runOnB(await saleEvent({ name }));
  expect(refused).toMatchObject({ outcome: 'failed', error: { code: 'M3_FIELD_INVALID', message: expect.stringContaining('CUNM: Customer name holds 36 characters, the value has 48') } });
  expect(refused.error!.message).not.toContain('Northwind'); // the field is named, never the (personal) value
  await restore();
});

it('address-rules.yaml: the country as M3 holds it follows countryCodeFormat', async () => {
  const before = await runOnB(await saleEvent());
  expect((before.step('customer')!.input as { address: { CSCD: string } }).address.CSCD).toBe('US');
  const restore = await publishOnA('address-rules.yaml', (t) => t.replace('countryCodeFormat: alpha2', 'countryCodeFormat: alpha3'));
  const after = await runOnB(await saleEvent());
  expect((after.step('customer')!.input as { address: { CSCD: string } }).address.CSCD).toBe('USA');
  await restore();
});

it('gl-rules.yaml: a rule of higher priority decides the posting', async () => {
  const before = await runOnB(await saleEvent());
  expect(before.step('gl')!.output).toMatchObject({ rule: 'sale-card' });
  const restore = await publishOnA('gl-rules.yaml', (t) =>
    t.replace(
      '  - name: sale-card\n',
      '  - name: sale-visa-web\n    priority: 120\n    when: { transactionType: sale, cardBrand: visa, paymentMethod: card }\n    lines:\n      - { side: debit,  account: card_clearing, amount: net }\n      - { side: debit,  account: fee_expense,   amount: fee }\n      - { side: credit, account: ar_receivable, amount: gross }\n\n  - name: sale-card\n',
    ),
  );
  const after = await runOnB(await saleEvent());
  expect(after.step('gl')!.output).toMatchObject({ rule: 'sale-visa-web' });
  await restore();
});

it('a flow version published on one gateway runs on the other at once; a stored trigger keeps the version it arrived with', async () => {
  const flows = a().services.pipeline!.flows;
  const old = flows.published('ecommerce-sale')!;
  // a trigger stored before the publication is pinned to the version then published
  const pinned = await b.services.pipeline!.ingest('ecommerce-sale', { source: 'test', dedupeKey: randomUUID(), kind: 'order.paid', payload: {}, event: { data: { orderId: 'PINNED-1' } }, correlationId: randomUUID() });
  const source = (await flows.version('ecommerce-sale', old.version))!.source.replace('    name: Read the transaction from PayTrace\n', '    name: Read the sale back from PayTrace\n');
  const published = await flows.publish('ecommerce-sale', { source, actor: 'operator:test', reason: 'clearer step name' });
  expect(published.version).toBe(old.version + 1);
  await eventually(async () => b.services.pipeline!.flows.published('ecommerce-sale')!.version === published.version, 10_000, 'gateway B on the new flow version');
  const run = await runOnB(await saleEvent());
  expect(run.step('verify')!.name).toBe('Read the sale back from PayTrace');
  const row = await b.services.db('inbox').where({ id: pinned.inboxId }).first<{ flow_version_id: string }>();
  expect(row.flow_version_id).toBe(old.versionId);
  expect((await b.services.pipeline!.flows.byId(old.versionId)).steps.find((s) => s.id === 'verify')!.name).toBe('Read the transaction from PayTrace');
  const audited = await a().services.db('audit_log').where({ action: 'flow.published', subject_id: `ecommerce-sale@v${published.version}` }).orderBy('id', 'desc').first<{ reason: string }>();
  expect(audited?.reason).toBe('clearer step name');
});
