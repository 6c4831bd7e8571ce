import { Secret } from '../../gateway/src/config/secret';
import { PayTraceClient } from '../../gateway/src/paytrace/client';
import { PayTraceTransport } from '../../gateway/src/paytrace/transport';
import { startPayTraceSimulator } from '../../simulators/paytrace';
import type { RunningSimulator } from '../../simulators';
import { recordedPairs, recordedToken, shapeOf, TEST_VISA, type RecordedPair } from './paytrace/recorded';
import { startReplayServer, type ReplayServer } from './paytrace/replay-server';

/**
 * The recorded PayTrace exchanges of the reference are the contract:
 *  1. our client, fed the recorded answers by a real HTTP server, reaches the outcome the
 *     recording shows (and sends the recorded request shape);
 *  2. the simulator, asked the recorded questions, answers in the recorded shape.
 */

const pair = (name: string): RecordedPair => {
  const found = recordedPairs.find((p) => p.name === name);
  if (!found) throw new Error(`no recorded pair ${name}`);
  return found;
};

const card = { number: new Secret(TEST_VISA), expirationMonth: '12', expirationYear: '2030' };

describe('PayTrace contract: the client parses the recorded answers', () => {
  let replay: ReplayServer;
  let client: PayTraceClient;

  beforeAll(async () => {
    replay = await startReplayServer();
    const transport = new PayTraceTransport({ baseUrl: replay.url, username: new Secret('demo123'), password: new Secret('demo123'), integratorId: 'M3PTSANDBOX1', timeoutMs: 5_000 });
    client = new PayTraceClient(transport, { allowKeyedCard: true });
  });
  afterAll(async () => {
    await replay.close();
  });

  const serve = (p: RecordedPair) => replay.reply(p.path, { status: p.status, body: p.response });
  const lastRequest = (path: string) => [...replay.requests].reverse().find((r) => r.path === path)!;

  it('token: form-encoded password grant, then Bearer with a capital B', async () => {
    const p = pair('void');
    serve(p);
    await client.voidTransaction({ transactionId: 1000005 });
    const token = replay.requests.find((r) => r.path === recordedToken.path)!;
    expect(token.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(token.raw))).toEqual(Object.fromEntries(new URLSearchParams(recordedToken.request)));
    expect(lastRequest(p.path).authorization).toMatch(/^Bearer \S+:\S+:\S+$/);
  });

  it('keyed sale approved → approved, transaction id, masked card, trimmed approval message', async () => {
    const p = pair('keyed sale approved');
    serve(p);
    const result = await client.saleKeyed({ amount: '1.00', card, billingAddress: { name: 'Nathan Williams', streetAddress: '8320 E. West St.', city: 'Spokane', state: 'WA', zip: '85284' } });
    expect(result).toMatchObject({ outcome: 'approved', approved: true, responseCode: 101, transactionId: 1000001, approvalCode: 'TAS445', approvalMessage: 'NO  MATCH - Approved and completed', avsResponse: 'No Match', maskedCardNumber: 'xxxxxxxxxxxx5439', fieldErrors: [] });
    expect(shapeOf(lastRequest(p.path).body)).toEqual(shapeOf(p.request));
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('keyed sale declined (102) → a declined result with its transaction id, not an exception', async () => {
    const p = pair('keyed sale declined');
    serve(p);
    const result = await client.saleKeyed({ amount: '0.29', card });
    expect(result).toMatchObject({ outcome: 'declined', approved: false, responseCode: 102, transactionId: 1000002, approvalMessage: 'DECLINE - Do not honor' });
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('customer create (160) → approved with the customer id', async () => {
    const p = pair('customer create');
    serve(p);
    const result = await client.createCustomer({ customerId: 'contract-cust-1', card, billingAddress: { name: 'Nathan Williams' } });
    expect(result).toMatchObject({ outcome: 'approved', responseCode: 160, customerId: 'contract-cust-1', maskedCardNumber: 'xxxxxxxxxxxx5439' });
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('sale by customer → approved, no masked card in the answer', async () => {
    const p = pair('sale by customer');
    serve(p);
    const result = await client.saleByCustomer({ amount: '19.95', customerId: 'contract-cust-1' });
    expect(result).toMatchObject({ outcome: 'approved', responseCode: 101, transactionId: 1000003 });
    expect(result.maskedCardNumber).toBeUndefined();
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('capture (112) → approved', async () => {
    const p = pair('capture');
    serve(p);
    expect(await client.capture({ transactionId: 1000004 })).toMatchObject({ outcome: 'approved', responseCode: 112, transactionId: 1000004 });
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('void (109) → approved', async () => {
    const p = pair('void');
    serve(p);
    expect(await client.voidTransaction({ transactionId: 1000005 })).toMatchObject({ outcome: 'approved', responseCode: 109, transactionId: 1000005 });
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('refund of an unsettled transaction (1 + 817) → state_error with the field message, read from a 400', async () => {
    const p = pair('refund of an unsettled transaction (817)');
    serve(p);
    const result = await client.refundTransaction({ transactionId: 1000006 });
    expect(result).toMatchObject({ outcome: 'state_error', approved: false, responseCode: 1, httpStatus: 400 });
    expect(result.fieldErrors).toEqual([{ code: '817', field: 'transaction_id', message: expect.stringContaining('Only settled transactions can be refunded') }]);
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('validation errors 35 + 43 → validation_error with one field message each', async () => {
    const p = pair('validation errors 35 + 43');
    serve(p);
    const result = await client.saleKeyed({ amount: '250.00', card: { number: new Secret('4012000098765438'), expirationMonth: '14', expirationYear: '2030' } });
    expect(result).toMatchObject({ outcome: 'validation_error', responseCode: 1, statusMessage: 'One or more errors has occurred.' });
    expect(result.fieldErrors).toEqual([
      { code: '35', field: 'credit_card.number', message: 'Please provide a valid Credit Card Number.' },
      { code: '43', field: 'credit_card.expiration_month', message: 'Please provide a valid Expiration Month.' },
    ]);
  });

  it('keyed authorization at $0.29 (102, "EXPIRED CARD - Expired card") → declined with the reason', async () => {
    const p = pair('keyed authorization declined at $0.29 (expired card)');
    serve(p);
    expect(await client.authorizeKeyed({ amount: '0.29', card })).toMatchObject({ outcome: 'declined', responseCode: 102, approvalMessage: 'EXPIRED CARD - Expired card' });
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('check sale by account (120) → approved with the check id; the body is the recorded one', async () => {
    const p = pair('check sale by account');
    serve(p);
    const result = await client.checkSaleByAccount({
      amount: '1.00',
      bankAccount: { accountNumber: new Secret('123456'), routingNumber: '325070760' },
      billingAddress: { name: 'Jim Smith', streetAddress: '456 My Street', city: 'Ottawa', state: 'ON', zip: 'K1C2N6' },
    });
    expect(result).toMatchObject({ outcome: 'approved', approved: true, responseCode: 120, checkTransactionId: 981619 });
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('check declined (125) → declined with the check id and the ACH code', async () => {
    const p = pair('check sale declined (125)');
    serve(p);
    const result = await client.checkSaleByAccount({ amount: '0.29', bankAccount: { accountNumber: new Secret('123456'), routingNumber: '325070760' } });
    expect(result).toMatchObject({ outcome: 'declined', approved: false, responseCode: 125, checkTransactionId: 981610, achCode: '0', achMessage: '' });
  });

  it('check errors 30 + 45 + 46 → not_found wins, every field message kept', async () => {
    const p = pair('check errors 30 + 45 + 46');
    serve(p);
    const result = await client.checkHoldByCustomer({ amount: '1.00', customerId: 'customerid123' });
    expect(result).toMatchObject({ outcome: 'not_found', responseCode: 1, httpStatus: 400 });
    expect(result.fieldErrors.map((e) => [e.code, e.field])).toEqual([['30', 'customer_id'], ['45', 'check.account_number'], ['46', 'check.routing_number']]);
    expect(lastRequest(p.path).body).toEqual(p.request);
  });

  it('check fund (124), refund by transaction (122), unknown check (80) → approved, approved, not_found', async () => {
    serve(pair('check fund'));
    expect(await client.checkFund({ checkTransactionId: 9981615, amount: '1.00' })).toMatchObject({ outcome: 'approved', responseCode: 124 });
    expect(lastRequest('/v1/checks/manage/fund').body).toEqual(pair('check fund').request);
    serve(pair('check refund by transaction'));
    expect(await client.checkRefundByTransaction({ checkTransactionId: 9981615, amount: '1.00' })).toMatchObject({ outcome: 'approved', responseCode: 122, checkTransactionId: 9981632 });
    expect(lastRequest('/v1/checks/refund/by_transaction').body).toEqual(pair('check refund by transaction').request);
    serve(pair('check void of an unknown check (80)'));
    expect(await client.checkVoid({ checkTransactionId: 9981698 })).toMatchObject({ outcome: 'not_found', fieldErrors: [{ code: '80', field: 'check_transaction_id' }] });
  });
});

describe('PayTrace contract: the simulator answers in the recorded shape', () => {
  let sim: RunningSimulator;
  let token: string;

  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  const expectShape = (actual: { status: number; body: Record<string, unknown> }, p: RecordedPair) => {
    expect(shapeOf(actual.body)).toEqual(shapeOf(p.response));
    expect(actual.body.response_code).toBe(p.response.response_code);
    expect(actual.body.success).toBe(p.response.success);
    if (p.response.errors) expect(Object.keys(actual.body.errors as object).sort()).toEqual(Object.keys(p.response.errors).sort());
  };

  beforeAll(async () => {
    sim = await startPayTraceSimulator({});
    const res = await fetch(`${sim.url}${recordedToken.path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body: recordedToken.request });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(recordedToken.status);
    expect(shapeOf(body)).toEqual(shapeOf(recordedToken.response));
    expect(body.access_token).toMatch(/^[^:]+:[^:]+:[^:]+$/);
    token = body.access_token as string;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('keyed sale approved, with the Rails-style headers', async () => {
    const p = pair('keyed sale approved');
    const res = await post(p.path, p.request);
    expect(res.status).toBe(p.status);
    expectShape(res, p);
    expect(res.body.masked_card_number).toBe('xxxxxxxxxxxx5439');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-runtime')).toMatch(/^\d+\.\d+$/);
  });

  it('keyed sale declined at $0.29', async () => {
    const p = pair('keyed sale declined');
    const res = await post(p.path, p.request);
    expectShape(res, p);
  });

  it('customer create, then sale by customer', async () => {
    const create = pair('customer create');
    const id = `contract-${Date.now()}`;
    const created = await post(create.path, { ...create.request, customer_id: id });
    expectShape(created, create);
    expect(created.body.status_message).toBe(`The customer profile for ${id}/Nathan Williams was successfully created.`);
    const sale = pair('sale by customer');
    expectShape(await post(sale.path, { ...sale.request, customer_id: id }), sale);
  });

  it('capture of an authorization', async () => {
    const auth = await post('/v1/transactions/authorization/keyed', { ...pair('keyed sale approved').request, amount: '5.00' });
    const p = pair('capture');
    expectShape(await post(p.path, { ...p.request, transaction_id: auth.body.transaction_id }), p);
  });

  it('void of an unsettled sale', async () => {
    const sale = await post('/v1/transactions/sale/keyed', pair('keyed sale approved').request);
    const p = pair('void');
    expectShape(await post(p.path, { ...p.request, transaction_id: sale.body.transaction_id }), p);
  });

  it('refund of an unsettled sale: error 817', async () => {
    const sale = await post('/v1/transactions/sale/keyed', pair('keyed sale approved').request);
    const p = pair('refund of an unsettled transaction (817)');
    const res = await post(p.path, { ...p.request, transaction_id: sale.body.transaction_id });
    expect(res.status).toBe(p.status);
    expectShape(res, p);
    expect(res.body.errors).toEqual(p.response.errors);
  });

  it('invalid card and month 14: errors 35 and 43 together', async () => {
    const p = pair('validation errors 35 + 43');
    const res = await post(p.path, p.request);
    expect(res.status).toBe(p.status);
    expect(res.body.errors).toEqual(p.response.errors);
    expect(res.body).toMatchObject({ success: false, response_code: 1, status_message: 'One or more errors has occurred.' });
  });
  it('keyed authorization at $0.29: the recorded expired-card decline', async () => {
    const p = pair('keyed authorization declined at $0.29 (expired card)');
    const res = await post(p.path, p.request);
    expect(res.status).toBe(p.status);
    expectShape(res, p);
    expect(res.body.approval_message).toBe(p.response.approval_message);
  });

  it('checks: sale, decline, errors 30/45/46 together, fund, refund, unknown check (80), in the recorded shapes', async () => {
    const sale = await post(pair('check sale by account').path, pair('check sale by account').request);
    expectShape(sale, pair('check sale by account'));
    expectShape(await post(pair('check sale declined (125)').path, pair('check sale declined (125)').request), pair('check sale declined (125)'));
    // the recorded 30 + 45 + 46 answer, piece by piece: the messages are the recorded ones
    const recorded = pair('check errors 30 + 45 + 46').response.errors as Record<string, string[]>;
    const badAccount = await post('/v1/checks/hold/by_account', { amount: '1.00', check: { account_number: 'x', routing_number: '1' }, integrator_id: 'M3PTSANDBOX1' });
    expect(badAccount.body.errors).toEqual({ '45': recorded['45'], '46': recorded['46'] });
    const unknownCustomer = await post(pair('check errors 30 + 45 + 46').path, pair('check errors 30 + 45 + 46').request);
    expect(unknownCustomer.body.errors).toEqual({ '30': recorded['30'] });
    const hold = await post('/v1/checks/hold/by_account', pair('check sale by account').request);
    expectShape(await post(pair('check fund').path, { ...pair('check fund').request, check_transaction_id: hold.body.check_transaction_id }), pair('check fund'));
    await post('/v1/transactions/settle', {});
    expectShape(await post(pair('check refund by transaction').path, { ...pair('check refund by transaction').request, check_transaction_id: sale.body.check_transaction_id }), pair('check refund by transaction'));
    for (const name of ['check refund of an unknown check (80)', 'check void of an unknown check (80)']) {
      const p = pair(name);
      const res = await post(p.path, p.request);
      expect(res.status).toBe(p.status);
      expectShape(res, p);
      expect(res.body.errors).toEqual(p.response.errors);
    }
  });
});
