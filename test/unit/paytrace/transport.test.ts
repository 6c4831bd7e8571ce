import { Writable } from 'node:stream';
import { Secret } from '../../../gateway/src/config/secret';
import { ConnectorStatus } from '../../../gateway/src/observability/connector-status';
import { createLogger } from '../../../gateway/src/observability/logger';
import { PayTraceClient, expectApproved } from '../../../gateway/src/paytrace/client';
import { UnknownOutcomeError } from '../../../gateway/src/paytrace/errors';
import { PayTraceTransport } from '../../../gateway/src/paytrace/transport';
import { startReplayServer, type ReplayServer } from '../../contract/paytrace/replay-server';

/**
 * Transport and client behaviour against a real HTTP server that replays PayTrace's
 * recorded answers and failure modes (the simulator's own tests are in test/integration).
 */

const approved = { success: true, response_code: 101, status_message: 'Your transaction was successfully approved.', transaction_id: 42, approval_code: 'TAS1', approval_message: '  NO  MATCH - Approved and completed', avs_response: 'No Match', csc_response: '', external_transaction_id: '' };
const PAN = '4012000098765439';

describe('PayTrace transport', () => {
  let replay: ReplayServer;
  let lines: string[];
  let connectors: ConnectorStatus;

  const build = (options: { timeoutMs?: number; username?: string; baseUrl?: string; allowKeyedCard?: boolean } = {}) => {
    lines = [];
    const stream = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    connectors = new ConnectorStatus(['paytrace']);
    const transport = new PayTraceTransport({
      baseUrl: options.baseUrl ?? replay.url,
      username: new Secret(options.username ?? 'demo123'),
      password: new Secret('demo123'),
      integratorId: 'M3PTSANDBOX1',
      timeoutMs: options.timeoutMs ?? 5_000,
      connectors,
      logger: createLogger({ level: 'debug', stream }),
    });
    return new PayTraceClient(transport, { allowKeyedCard: options.allowKeyedCard });
  };

  beforeEach(async () => {
    replay = await startReplayServer();
  });
  afterEach(async () => {
    await replay.close();
  });

  it('puts integrator_id in every body and reuses one token across calls', async () => {
    const client = build();
    replay.fallback('/v1/transactions/sale/by_customer', { status: 200, body: approved });
    await client.saleByCustomer({ amount: '1.00', customerId: 'c1' });
    await client.saleByCustomer({ amount: '2.00', customerId: 'c1' });
    const calls = replay.requests.filter((r) => r.path === '/v1/transactions/sale/by_customer');
    expect(calls.map((c) => (c.body as Record<string, unknown>).integrator_id)).toEqual(['M3PTSANDBOX1', 'M3PTSANDBOX1']);
    expect(replay.tokensIssued).toBe(1);
    expect(connectors.snapshot().paytrace?.status).toBe('ok');
  });

  it('fetches the token once for concurrent first calls (single flight)', async () => {
    const client = build();
    replay.fallback('/v1/transactions/sale/by_customer', { status: 200, body: approved });
    await Promise.all(Array.from({ length: 8 }, (_, i) => client.saleByCustomer({ amount: `${i + 1}.00`, customerId: 'c1' })));
    expect(replay.tokensIssued).toBe(1);
  });

  it('renews before expires_in runs out, less the margin', async () => {
    await replay.close();
    replay = await startReplayServer({ expiresIn: 1 });
    const client = build();
    replay.fallback('/v1/transactions/void', { status: 200, body: { ...approved, response_code: 109 } });
    await client.voidTransaction({ transactionId: 1 });
    expect(replay.tokensIssued).toBe(1);
    await new Promise((r) => setTimeout(r, 950)); // margin is a tenth of a 1 s lifetime: renewal due
    await client.voidTransaction({ transactionId: 1 });
    expect(replay.tokensIssued).toBe(2);
  });

  it('sends Bearer with a capital B even when the token endpoint says "bearer"', async () => {
    await replay.close();
    replay = await startReplayServer({ tokenType: 'bearer' });
    const client = build();
    replay.fallback('/v1/transactions/void', { status: 200, body: { ...approved, response_code: 109 } });
    expect((await client.voidTransaction({ transactionId: 1 })).approved).toBe(true);
    expect(replay.requests.at(-1)?.authorization).toMatch(/^Bearer /);
  });

  it('on invalid_token renews the token and resends once', async () => {
    const client = build();
    replay.fallback('/v1/transactions/void', { status: 200, body: { ...approved, response_code: 109 } });
    await client.voidTransaction({ transactionId: 1 });
    replay.expireTokens(1);
    expect((await client.voidTransaction({ transactionId: 1 })).approved).toBe(true);
    expect(replay.tokensIssued).toBe(2);
    expect(replay.requests.filter((r) => r.path === '/v1/transactions/void')).toHaveLength(3);
  });

  it('gives up after a second invalid_token with a configuration error', async () => {
    const client = build();
    replay.fallback('/v1/transactions/void', { status: 200, body: approved });
    replay.expireTokens(2);
    await expect(client.voidTransaction({ transactionId: 1 })).rejects.toMatchObject({ code: 'PAYTRACE_TOKEN_REJECTED', errorClass: 'configuration' });
    expect(replay.requests.filter((r) => r.path === '/v1/transactions/void')).toHaveLength(2);
  });

  it('bad credentials (invalid_grant) are a configuration error and the password never shows', async () => {
    const client = build({ username: 'wrong-user' });
    const error = await client.saleByCustomer({ amount: '1.00', customerId: 'c1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAYTRACE_INVALID_CREDENTIALS', errorClass: 'configuration' });
    expect(error).not.toBeInstanceOf(UnknownOutcomeError);
    expect(JSON.stringify(error) + String(error)).not.toContain('demo123');
    expect(connectors.snapshot().paytrace?.status).toBe('degraded');
  });

  it('a timeout on a sale is an unknown outcome carrying what was sent', async () => {
    const client = build({ timeoutMs: 500 });
    await client.exportCustomers().catch(() => undefined); // get the token first: only the sale may time out
    replay.reply('/v1/transactions/sale/by_customer', { status: 200, body: approved, delayMs: 2_000 });
    const error = await client.saleByCustomer({ amount: '12.34', customerId: 'c1', invoiceId: 'INV-77' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ code: 'PAYTRACE_UNKNOWN_OUTCOME', errorClass: 'transient', sent: { operation: 'sale/by_customer', amount: '12.34', customerId: 'c1', invoiceId: 'INV-77', sentAt: expect.any(Date) } });
    expect((error as UnknownOutcomeError).cause).toMatchObject({ code: 'PAYTRACE_TIMEOUT' });
  });

  it.each([
    ['a 5xx', { status: 502, text: '<html>Bad Gateway</html>' }, 'PAYTRACE_SERVER_ERROR'],
    ['a dropped connection', { status: 200, drop: true }, 'PAYTRACE_CONNECTION'],
    ['a body that is not JSON', { status: 200, text: 'OK' }, 'PAYTRACE_BAD_RESPONSE'],
  ])('%s on a refund is an unknown outcome', async (_name, reply, cause) => {
    const client = build();
    replay.reply('/v1/transactions/refund/for_transaction', reply);
    const error = await client.refundTransaction({ transactionId: 9, amount: '1.00' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).sent).toMatchObject({ operation: 'refund/for_transaction', transactionId: 9, amount: '1.00' });
    expect((error as UnknownOutcomeError).cause).toMatchObject({ code: cause });
  });

  it('an unknown response code on a money movement is an unknown outcome, never a success', async () => {
    const client = build();
    replay.reply('/v1/transactions/sale/pt_protect', { status: 200, body: { success: true, response_code: 167, status_message: '?' } });
    await expect(client.saleProtect({ amount: '1.00', tokens: { hpfToken: new Secret('h'), encKey: new Secret('k') } })).rejects.toBeInstanceOf(UnknownOutcomeError);
  });

  it('a 429 is transient and not an unknown outcome: nothing was processed', async () => {
    const client = build();
    replay.reply('/v1/transactions/sale/by_customer', { status: 429, body: { error: 'rate limited' } });
    const error = await client.saleByCustomer({ amount: '1.00', customerId: 'c1' }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ code: 'PAYTRACE_RATE_LIMITED', errorClass: 'transient', maybeProcessed: false });
  });

  it('a timeout on a read is an ordinary transient error', async () => {
    const client = build({ timeoutMs: 500 });
    await client.voidTransaction({ transactionId: 1 }).catch(() => undefined); // token first
    replay.reply('/v1/customer/export', { status: 200, body: { success: true, customers: [] }, delayMs: 2_000 });
    const error = await client.exportCustomers().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ code: 'PAYTRACE_TIMEOUT', errorClass: 'transient' });
  });

  it('a refused connection is transient but not unknown: PayTrace never saw it', async () => {
    const url = replay.url;
    await replay.close();
    const client = build({ baseUrl: url });
    const error = await client.saleByCustomer({ amount: '1.00', customerId: 'c1' }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ code: 'PAYTRACE_CONNECTION', errorClass: 'transient', maybeProcessed: false });
    replay = await startReplayServer(); // for afterEach
  });

  it('refuses bad amounts before any call', async () => {
    const client = build();
    for (const amount of ['0.00', '-1.00', '1.005']) {
      await expect(client.saleByCustomer({ amount, customerId: 'c1' })).rejects.toMatchObject({ code: 'PAYTRACE_INVALID_AMOUNT', errorClass: 'business' });
    }
    expect(replay.requests).toHaveLength(0);
  });

  it('refuses keyed card operations unless allowKeyedCard is set', async () => {
    const client = build();
    const card = { number: new Secret(PAN), expirationMonth: '12', expirationYear: '2030' };
    await expect(client.saleKeyed({ amount: '1.00', card })).rejects.toMatchObject({ code: 'PAYTRACE_KEYED_CARD_DISABLED', errorClass: 'configuration' });
    await expect(client.authorizeKeyed({ amount: '1.00', card })).rejects.toMatchObject({ code: 'PAYTRACE_KEYED_CARD_DISABLED' });
    await expect(client.createCustomer({ customerId: 'c', card })).rejects.toMatchObject({ code: 'PAYTRACE_KEYED_CARD_DISABLED' });
    await expect(client.updateCustomer({ customerId: 'c', card })).rejects.toMatchObject({ code: 'PAYTRACE_KEYED_CARD_DISABLED' });
    expect(replay.requests).toHaveLength(0);
  });

  it('logs no card number, CSC, password or token', async () => {
    const client = build({ allowKeyedCard: true });
    replay.fallback('/v1/transactions/sale/keyed', { status: 200, body: { ...approved, masked_card_number: 'xxxxxxxxxxxx5439' } });
    await client.saleKeyed({ amount: '1.00', card: { number: new Secret(PAN), expirationMonth: '12', expirationYear: '2030', csc: new Secret('999') } });
    const logged = lines.join('');
    expect(logged).toContain('PayTrace call');
    for (const secret of [PAN, '"999"', 'demo123', 't1:abc:def']) expect(logged).not.toContain(secret);
    // …but the card did reach PayTrace
    expect(replay.requests.at(-1)?.body).toMatchObject({ credit_card: { number: PAN }, csc: '999' });
  });

  it('expectApproved throws a business error with field messages on a rejection', async () => {
    const client = build();
    replay.reply('/v1/transactions/refund/for_transaction', { status: 400, body: { success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '817': ['Only settled transactions can be refunded.'] } } });
    const result = await client.refundTransaction({ transactionId: 3 });
    expect(() => expectApproved(result, 'refund')).toThrow(expect.objectContaining({ code: 'PAYTRACE_REJECTED', errorClass: 'business', details: expect.objectContaining({ outcome: 'state_error', fieldErrors: [{ code: '817', field: 'transaction_id', message: 'Only settled transactions can be refunded.' }] }) }));
    replay.reply('/v1/transactions/sale/by_customer', { status: 200, body: { ...approved, success: false, response_code: 102 } });
    expect(() => expectApproved(result)).toThrow();
    const declined = await client.saleByCustomer({ amount: '0.29', customerId: 'c' });
    expect(() => expectApproved(declined)).toThrow(expect.objectContaining({ code: 'PAYTRACE_DECLINED' }));
  });
});
