import { Secret } from '../../../gateway/src/config/secret';
import { PayTraceClient } from '../../../gateway/src/paytrace/client';
import { UnknownOutcomeError } from '../../../gateway/src/paytrace/errors';
import { PayTraceTransport } from '../../../gateway/src/paytrace/transport';
import { card, startClientAndSimulator, type ClientUnderTest } from './setup';

/** PayTrace's quirks (reference §2, §9) and the unknown-outcome rule, against the simulator. */
describe('PayTrace client against the simulator: auth quirks', () => {
  let t: ClientUnderTest;

  beforeEach(async () => {
    t = await startClientAndSimulator({ sim: { tokenLifetimeSeconds: 60, integratorIdRequired: true } });
  });
  afterEach(async () => {
    await t.close();
  });

  it('the simulator rejects a lowercase "bearer"; our client always sends "Bearer"', async () => {
    await t.client.exportCustomers();
    const login = await fetch(`${t.sim.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password&username=demo123&password=demo123' });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const lower = await fetch(`${t.sim.url}/v1/customer/export`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `bearer ${token}` }, body: JSON.stringify({ integrator_id: 'M3PTSANDBOX1' }) });
    expect(lower.status).toBe(401);
    expect(((await lower.json()) as { error: string }).error).toBe('invalid_token');
    const calls = (await (await fetch(`${t.sim.url}/_sim/calls?path=customer`)).json()) as { calls: Array<{ status: number }> };
    expect(calls.calls[0]?.status).toBe(200); // the client's own call
  });

  it('token expiry mid-run: the next call gets invalid_token, renews once and goes through', async () => {
    expect((await t.client.saleKeyed({ amount: '1.00', card: card() })).approved).toBe(true);
    expect(t.transport.tokensIssued).toBe(1);
    t.sim.advanceClock(61); // the simulator's token is now expired; our cache does not know yet
    const sale = await t.client.saleKeyed({ amount: '2.00', card: card(), invoiceId: 'INV-AFTER-EXPIRY' });
    expect(sale.approved).toBe(true);
    expect(t.transport.tokensIssued).toBe(2);
    const sales = (await t.simState()).transactions.filter((x) => x.invoiceId === 'INV-AFTER-EXPIRY');
    expect(sales).toHaveLength(1); // the rejected attempt did nothing, the resend did it once
  });

  it('integrator_id goes in every body; without one the simulator (when strict) rejects the call', async () => {
    expect((await t.client.exportCustomers()).approved).toBe(true);
    const calls = (await (await fetch(`${t.sim.url}/_sim/calls?path=%5E/v1`)).json()) as { calls: Array<{ body?: Record<string, unknown> }> };
    for (const call of calls.calls) expect(call.body?.integrator_id).toBe('M3PTSANDBOX1');

    const bare = new PayTraceClient(new PayTraceTransport({ baseUrl: t.sim.url, username: new Secret('demo123'), password: new Secret('demo123'), timeoutMs: 5_000 }));
    const result = await bare.exportCustomers();
    expect(result).toMatchObject({ approved: false, outcome: 'validation_error', responseCode: 1 });
    expect(result.fieldErrors[0]?.code).toBe('2002');
  });

  it('a wrong password is a configuration error, with the connector shown degraded', async () => {
    const wrong = new PayTraceClient(new PayTraceTransport({ baseUrl: t.sim.url, username: new Secret('demo123'), password: new Secret('not-the-password'), integratorId: 'M3PTSANDBOX1', timeoutMs: 5_000, connectors: t.connectors }));
    const error = await wrong.saleByCustomer({ amount: '1.00', customerId: 'c' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAYTRACE_INVALID_CREDENTIALS', errorClass: 'configuration' });
    expect(String((error as Error).message)).not.toContain('not-the-password');
    expect(t.connectors.snapshot().paytrace?.status).toBe('degraded');
  });
});

describe('PayTrace client against the simulator: unknown outcome and lookup', () => {
  let t: ClientUnderTest;

  beforeAll(async () => {
    t = await startClientAndSimulator();
  });
  afterEach(async () => {
    await fetch(`${t.sim.url}/_sim/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ latencyMs: 0, dropAfterCommit: 0, outage: false, errorRate: 0, pathPattern: '' }) });
  });
  afterAll(async () => {
    await t.close();
  });

  const unknown = async (p: Promise<unknown>): Promise<UnknownOutcomeError> => {
    const error = await p.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    return error as UnknownOutcomeError;
  };

  it('sale committed but the connection dropped: unknown outcome, and the lookup by invoice id finds it', async () => {
    await t.client.exportCustomers(); // token first, so the drop hits the sale
    await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'sale' });
    const error = await unknown(t.client.saleKeyed({ amount: '55.10', card: card(), invoiceId: 'INV-DROP-1' }));
    expect(error.sent).toMatchObject({ operation: 'sale/keyed', amount: '55.10', invoiceId: 'INV-DROP-1' });
    const lookup = await t.client.lookupTransaction({ invoiceId: error.sent.invoiceId!, around: error.sent.sentAt });
    expect(lookup.found).toBe(true);
    if (!lookup.found) return;
    expect(lookup.transaction).toMatchObject({ amount: '55.10', state: 'pending_settlement', invoiceId: 'INV-DROP-1' });
    expect(lookup.transactions).toHaveLength(1);
    // …so the flow records it as paid and does NOT send it again
    expect((await t.simState()).transactions.filter((x) => x.invoiceId === 'INV-DROP-1')).toHaveLength(1);
  });

  it('a 5xx before the sale took effect: unknown outcome, the lookup finds nothing, so a resend is safe', async () => {
    await t.simPut('faults', { errorRate: 1, errorStatus: 503, pathPattern: 'sale' });
    const error = await unknown(t.client.saleKeyed({ amount: '12.00', card: card(), invoiceId: 'INV-5XX-1' }));
    expect(error.cause).toMatchObject({ code: 'PAYTRACE_SERVER_ERROR' });
    expect(await t.client.lookupTransaction({ invoiceId: 'INV-5XX-1', around: error.sent.sentAt })).toEqual({ found: false });
    await t.simPut('faults', { errorRate: 0 });
    expect((await t.client.saleKeyed({ amount: '12.00', card: card(), invoiceId: 'INV-5XX-1' })).approved).toBe(true);
  });

  it('a timeout (PayTrace slower than our limit): unknown outcome; the lookup tells what PayTrace has', async () => {
    const impatient = new PayTraceClient(new PayTraceTransport({ baseUrl: t.sim.url, username: new Secret('demo123'), password: new Secret('demo123'), integratorId: 'M3PTSANDBOX1', timeoutMs: 500 }), { allowKeyedCard: true });
    await impatient.exportCustomers(); // token first: the timeout must hit the sale itself
    await t.simPut('faults', { latencyMs: 1_500, pathPattern: 'sale' });
    const error = await unknown(impatient.saleKeyed({ amount: '9.99', card: card(), invoiceId: 'INV-SLOW-1' }));
    expect(error.cause).toMatchObject({ code: 'PAYTRACE_TIMEOUT' });
    expect(error.sent).toMatchObject({ operation: 'sale/keyed', amount: '9.99', invoiceId: 'INV-SLOW-1' });
    // There is no event to wait for: let the simulator's latency pass. Whether it then carries out
    // a request whose client went away depends on the socket, as with the real API: the lookup
    // must report exactly what PayTrace has.
    await new Promise((r) => setTimeout(r, 1_600));
    const truth = (await t.simState()).transactions.some((x) => x.invoiceId === 'INV-SLOW-1');
    const lookup = await t.client.lookupTransaction({ invoiceId: 'INV-SLOW-1', around: error.sent.sentAt });
    expect(lookup.found).toBe(truth);
    if (lookup.found) expect(lookup.transaction).toMatchObject({ amount: '9.99', state: 'pending_settlement', invoiceId: 'INV-SLOW-1' });
  });

  it('a declined sale whose answer was lost is found as declined: not paid', async () => {
    await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'sale' });
    const error = await unknown(t.client.saleKeyed({ amount: '0.29', card: card(), invoiceId: 'INV-DROP-DECLINE' }));
    const lookup = await t.client.lookupTransaction({ invoiceId: 'INV-DROP-DECLINE', around: error.sent.sentAt });
    expect(lookup.found && lookup.transaction.state).toBe('declined');
  });

  it('void and capture answers lost: the lookup by transaction id shows their effect', async () => {
    const sale = await t.client.saleKeyed({ amount: '5.00', card: card() });
    await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'void' });
    const voidError = await unknown(t.client.voidTransaction({ transactionId: sale.transactionId! }));
    expect(voidError.sent).toMatchObject({ operation: 'void', transactionId: sale.transactionId });
    const afterVoid = await t.client.lookupTransaction({ transactionId: voidError.sent.transactionId! });
    expect(afterVoid.found && afterVoid.transaction.state).toBe('voided');

    const auth = await t.client.authorizeKeyed({ amount: '20.00', card: card() });
    await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'capture' });
    const captureError = await unknown(t.client.capture({ transactionId: auth.transactionId!, amount: '15.00' }));
    const afterCapture = await t.client.lookupTransaction({ transactionId: captureError.sent.transactionId! });
    expect(afterCapture.found && afterCapture.transaction).toMatchObject({ state: 'pending_settlement', amount: '15.00' });
  });

  it('refund answer lost: the lookup of refunds of that sale finds it, so it is not refunded twice', async () => {
    const sale = await t.client.saleKeyed({ amount: '40.00', card: card() });
    await t.client.settle();
    await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'refund' });
    const error = await unknown(t.client.refundTransaction({ transactionId: sale.transactionId!, amount: '40.00' }));
    const lookup = await t.client.lookupTransaction({ refundOf: error.sent.transactionId!, around: error.sent.sentAt });
    expect(lookup.found && lookup.transaction).toMatchObject({ amount: '40.00', transactionType: 'REFUND' });
  });

  it('a refused connection is not unknown: PayTrace never saw the request', async () => {
    const closed = new PayTraceClient(new PayTraceTransport({ baseUrl: 'http://127.0.0.1:9', username: new Secret('demo123'), password: new Secret('demo123'), timeoutMs: 1_000 }));
    const error = await closed.saleByCustomer({ amount: '1.00', customerId: 'c' }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ errorClass: 'transient', code: 'PAYTRACE_CONNECTION' });
  });
});
