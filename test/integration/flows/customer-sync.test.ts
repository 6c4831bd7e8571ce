import { CUSTOMER_PULL, pullChangedCustomers } from '../../../gateway/src/triggers/customer-pull/pull';
import { eventually } from '../../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../../helpers/paytrace';
import { startStack, type Stack } from '../../helpers/stack';

/**
 * Flow 3: a customer changed in M3 (published by ION as Sync.CustomerPartyMaster, or found by the
 * CRS610MI pull) updates the PayTrace vault profile; M3 keeps only the profile id and masked card.
 */
describe('flow 3: M3 customer → PayTrace vault', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { queue: { retryLimit: 2, retryDelaySeconds: 0 } } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const vaultRow = (cuno: string, status: string) =>
    eventually(async () => {
      const row = await stack.gateway.services.db('vault_customers').where({ cono: 100, cuno }).first();
      return row?.status === status ? row : undefined;
    }, 20_000, `${cuno} ${status}`);

  it('waits for a card when the customer has no vault profile yet, then keeps the profile in line with M3', async () => {
    const m3 = stack.gateway.services.infor!.m3;
    // a change in CRS610 → the simulator's M3 publishes Sync.CustomerPartyMaster through ION to our IMS endpoint
    await m3.execute('CRS610MI', 'ChgBasicData', { CUNO: 'C10002', CUNM: 'Globex Retail Inc' }, { cono: 100, divi: 'AAA' });
    await vaultRow('C10002', 'awaiting_card');
    expect(await stack.gateway.services.db('inbox').where({ source: 'ion', kind: 'Sync.CustomerPartyMaster' })).not.toHaveLength(0);

    // the customer saves a card (in production: PayTrace Protect on the pay page; here: the simulator's keyed create)
    const created = await storefrontPayTraceClient(stack.paytrace.url).createCustomer({
      customerId: 'M3-100-C10002',
      card: TEST_VISA,
      billingAddress: { name: 'Globex', streetAddress: 'old street', city: 'Austin', state: 'TX', zip: '73301' },
    });
    expect(created.approved).toBe(true);

    await m3.execute('CRS610MI', 'ChgBasicData', { CUNO: 'C10002', CUNM: 'Globex Retail Incorporated', MAIL: 'ap@globex.example' }, { cono: 100, divi: 'AAA' });
    const synced = await vaultRow('C10002', 'synced');
    expect(synced.masked_card).toMatch(/5439$/);

    const profile = (await stack.gateway.services.paytrace!.exportCustomers('M3-100-C10002')).customers[0]!;
    expect(profile.billingAddress?.name).toBe('Globex Retail Incorporated');
    expect(profile.email).toBe('ap@globex.example');
    const { records } = await m3.execute('CUSEXTMI', 'GetFieldValue', { FILE: 'OCUSMA', PK01: 'C10002' }, { cono: 100, divi: 'AAA' });
    expect(records[0]).toMatchObject({ A030: 'M3-100-C10002', A130: synced.masked_card });
    // nothing of the card beyond the masked number anywhere in M3's extension record
    expect(JSON.stringify(records[0])).not.toContain('4012000098765439');
  });

  it('the scheduled CRS610MI pull queues every changed customer once', async () => {
    const services = stack.gateway.services;
    const deps = { db: services.db, m3: services.infor!.m3, store: (input: Parameters<NonNullable<typeof services.pipeline>['ingest']>[1]) => services.pipeline!.ingestClaim(CUSTOMER_PULL, input) };
    const first = await pullChangedCustomers(deps, { cono: 100, divi: 'AAA' });
    expect(first.seen).toBeGreaterThanOrEqual(4);
    const second = await pullChangedCustomers(deps, { cono: 100, divi: 'AAA' });
    expect(second.queued).toBe(0); // nothing changed since
    await eventually(async () => {
      const rows = await stack.gateway.services.db('vault_customers').where({ cono: 100 });
      return rows.length >= 4 ? rows : undefined;
    }, 20_000, 'every customer synced');
  });
});
