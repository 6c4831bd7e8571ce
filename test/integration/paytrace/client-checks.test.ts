import { Secret } from '../../../gateway/src/config/secret';
import { AppError } from '../../../gateway/src/errors';
import { redact } from '../../../gateway/src/observability/redact';
import { checkLookupQueryFor, lookupQueryFor } from '../../../gateway/src/paytrace/client';
import { UnknownOutcomeError } from '../../../gateway/src/paytrace/errors';
import type { BankAccount } from '../../../gateway/src/paytrace/transformers/checks';
import { card, startClientAndSimulator, type ClientUnderTest } from './setup';

/**
 * The connector's checks (ACH) operations against the simulator over real HTTP: the same outcome model
 * as cards (approved / declined / validation_error / not_found / state_error), the unknown-outcome
 * lookup for checks, and the bank account number kept out of every error, result and log line.
 */

const ACCOUNT = '73310042';
const bank = (accountNumber = ACCOUNT, routingNumber = '325070760'): BankAccount => ({ accountNumber: new Secret(accountNumber), routingNumber });

describe('PayTrace client: checks (ACH) against the simulator', () => {
  let t: ClientUnderTest;
  const calls = async (pattern: string) => ((await (await fetch(`${t.sim.url}/_sim/calls?path=${encodeURIComponent(pattern)}`)).json()) as { calls: unknown[] }).calls;

  beforeAll(async () => {
    t = await startClientAndSimulator();
  });
  afterAll(async () => {
    await t.close();
  });

  it('sale by account: approved (120) with a check id; the export shows it pending, masked, with our invoice id', async () => {
    const sale = await t.client.checkSaleByAccount({ amount: '42.10', bankAccount: bank(), invoiceId: 'ACH-INV-1', billingAddress: { name: 'Ada Buyer' } });
    expect(sale).toMatchObject({ outcome: 'approved', approved: true, responseCode: 120, statusMessage: 'Your check was successfully processed.', checkTransactionId: expect.any(Number) });
    const exported = await t.client.exportCheckById(sale.checkTransactionId!);
    expect(exported.approved).toBe(true);
    expect(exported.checks[0]).toMatchObject({ checkTransactionId: sale.checkTransactionId, amount: '42.10', state: 'pending_settlement', invoiceId: 'ACH-INV-1', maskedAccountNumber: 'xxxx0042', routingNumber: '325070760', transactionType: 'SALE' });
  });

  it('a $0.29 check is declined (125) as a result, with its check id and the ACH code', async () => {
    const declined = await t.client.checkSaleByAccount({ amount: '0.29', bankAccount: bank() });
    expect(declined).toMatchObject({ outcome: 'declined', approved: false, responseCode: 125, achCode: '0', achMessage: '', checkTransactionId: expect.any(Number) });
    expect((await t.client.exportCheckById(declined.checkTransactionId!)).checks[0]?.state).toBe('declined');
  });

  it('a bad account or routing number is refused before the call, without repeating the account number', async () => {
    const before = (await calls('checks')).length;
    for (const [account, field] of [[bank('12ab5678'), 'bankAccount.accountNumber'], [bank(ACCOUNT, '325070761'), 'bankAccount.routingNumber']] as const) {
      const error = await t.client.checkSaleByAccount({ amount: '1.00', bankAccount: account }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'PAYTRACE_INVALID_REQUEST', errorClass: 'business', details: { fieldErrors: [{ field }] } });
      expect(JSON.stringify(redact(error))).not.toContain('12ab5678');
    }
    expect((await calls('checks')).length).toBe(before);
  });

  it('a customer with a bank account: created, exported masked, charged and held by customer; a card-only profile is not_found (30)', async () => {
    const created = await t.client.createCustomerWithBankAccount({ customerId: 'ach-cust-1', bankAccount: bank('55501234'), billingAddress: { name: 'Ada Buyer' } });
    expect(created).toMatchObject({ outcome: 'approved', responseCode: 160, customerId: 'ach-cust-1' });
    const [profile] = (await t.client.exportCustomers('ach-cust-1')).customers;
    expect(profile).toMatchObject({ customerId: 'ach-cust-1', maskedAccountNumber: 'xxxx1234', routingNumber: '325070760', maskedCardNumber: undefined });
    expect(await t.client.checkSaleByCustomer({ amount: '9.99', customerId: 'ach-cust-1', invoiceId: 'ACH-INV-2' })).toMatchObject({ outcome: 'approved', responseCode: 120 });
    expect(await t.client.checkHoldByCustomer({ amount: '5.00', customerId: 'ach-cust-1' })).toMatchObject({ outcome: 'approved', responseCode: 120 });
    await t.client.createCustomer({ customerId: 'card-cust-1', card: card() });
    const cardOnly = await t.client.checkSaleByCustomer({ amount: '9.99', customerId: 'card-cust-1' });
    expect(cardOnly).toMatchObject({ outcome: 'not_found', approved: false, fieldErrors: [{ code: '30', field: 'customer_id' }] });
  });

  it('hold → fund (124) → settle → partial refund (122); an unsettled refund is state_error (817); void (124) then not_found (80)', async () => {
    const hold = await t.client.checkHoldByAccount({ amount: '80.00', bankAccount: bank() });
    expect((await t.client.exportCheckById(hold.checkTransactionId!)).checks[0]?.state).toBe('held');
    const early = await t.client.checkRefundByTransaction({ checkTransactionId: hold.checkTransactionId!, amount: '10.00' });
    expect(early).toMatchObject({ outcome: 'state_error', fieldErrors: [{ code: '817' }] });
    expect(await t.client.checkFund({ checkTransactionId: hold.checkTransactionId!, amount: '60.00' })).toMatchObject({ outcome: 'approved', responseCode: 124, checkTransactionId: hold.checkTransactionId });
    expect(await t.client.settle()).toMatchObject({ approved: true });
    const refund = await t.client.checkRefundByTransaction({ checkTransactionId: hold.checkTransactionId!, amount: '25.00' });
    expect(refund).toMatchObject({ outcome: 'approved', responseCode: 122, statusMessage: 'Your check was successfully refunded.' });
    expect(refund.checkTransactionId).not.toBe(hold.checkTransactionId);
    expect(await t.client.checkRefundByTransaction({ checkTransactionId: hold.checkTransactionId!, amount: '35.01' })).toMatchObject({ outcome: 'declined', responseCode: 125 });

    const sale = await t.client.checkSaleByAccount({ amount: '15.00', bankAccount: bank() });
    expect(await t.client.checkVoid({ checkTransactionId: sale.checkTransactionId! })).toMatchObject({ outcome: 'approved', responseCode: 124 });
    expect(await t.client.checkVoid({ checkTransactionId: sale.checkTransactionId! })).toMatchObject({ outcome: 'not_found', fieldErrors: [{ code: '80', field: 'check_transaction_id' }] });
    expect(await t.client.checkRefundByAccount({ amount: '1.00', bankAccount: bank() })).toMatchObject({ outcome: 'approved', responseCode: 122 });
  });

  describe('unknown outcome and lookup, as for cards', () => {
    afterEach(async () => {
      await t.simPut('faults', { dropAfterCommit: 0, errorRate: 0, pathPattern: '' });
    });

    const unknown = async (p: Promise<unknown>): Promise<UnknownOutcomeError> => {
      const error = await p.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      return error as UnknownOutcomeError;
    };

    it('check sale committed, connection dropped: unknown outcome; the lookup by invoice id finds it, the card lookup stays out', async () => {
      await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'checks/sale' });
      const error = await unknown(t.client.checkSaleByAccount({ amount: '31.00', bankAccount: bank(), invoiceId: 'ACH-LOST-1' }));
      expect(error.sent).toMatchObject({ operation: 'checks/sale/by_account', invoiceId: 'ACH-LOST-1', amount: '31.00' });
      expect(JSON.stringify(error.sent)).not.toContain(ACCOUNT);
      expect(lookupQueryFor(error.sent)).toBeUndefined();
      const query = checkLookupQueryFor(error.sent)!;
      expect(query).toMatchObject({ invoiceId: 'ACH-LOST-1' });
      const found = await t.client.lookupCheck(query);
      expect(found).toMatchObject({ found: true, check: { invoiceId: 'ACH-LOST-1', amount: '31.00', state: 'pending_settlement' } });
    });

    it('a 5xx before the check took effect: the lookup finds nothing, so sending again is safe', async () => {
      await t.simPut('faults', { errorRate: 1, errorStatus: 502, pathPattern: 'checks/sale' });
      const error = await unknown(t.client.checkSaleByAccount({ amount: '32.00', bankAccount: bank(), invoiceId: 'ACH-LOST-2' }));
      await t.simPut('faults', { errorRate: 0, pathPattern: '' });
      expect(await t.client.lookupCheck(checkLookupQueryFor(error.sent)!)).toEqual({ found: false });
    });

    it('void and fund answers lost: the lookup by check id shows their effect', async () => {
      const sale = await t.client.checkSaleByAccount({ amount: '33.00', bankAccount: bank() });
      await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'manage/void' });
      const lostVoid = await unknown(t.client.checkVoid({ checkTransactionId: sale.checkTransactionId! }));
      expect(checkLookupQueryFor(lostVoid.sent)).toEqual({ checkTransactionId: sale.checkTransactionId });
      expect(await t.client.lookupCheck(checkLookupQueryFor(lostVoid.sent)!)).toMatchObject({ found: true, check: { state: 'voided' } });

      const hold = await t.client.checkHoldByAccount({ amount: '34.00', bankAccount: bank() });
      await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'manage/fund' });
      const lostFund = await unknown(t.client.checkFund({ checkTransactionId: hold.checkTransactionId! }));
      expect(await t.client.lookupCheck(checkLookupQueryFor(lostFund.sent)!)).toMatchObject({ found: true, check: { state: 'pending_settlement', amount: '34.00' } });
    });

    it('refund answer lost: the lookup of refunds of that check finds it, so it is not refunded twice', async () => {
      const sale = await t.client.checkSaleByAccount({ amount: '40.00', bankAccount: bank() });
      await t.client.settle();
      await t.simPut('faults', { dropAfterCommit: 1, pathPattern: 'checks/refund' });
      const lost = await unknown(t.client.checkRefundByTransaction({ checkTransactionId: sale.checkTransactionId!, amount: '15.00' }));
      const query = checkLookupQueryFor(lost.sent)!;
      expect(query).toMatchObject({ refundOf: sale.checkTransactionId });
      expect(await t.client.lookupCheck(query)).toMatchObject({ found: true, check: { originalCheckTransactionId: sale.checkTransactionId, amount: '15.00', transactionType: 'REFUND' } });
    });
  });

  it('a path PayTrace does not have is a configuration error, not an unknown outcome: nothing was done', async () => {
    const error = await t.transport.post('/v1/checks/sale/by_routing', { amount: '1.00' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).not.toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ code: 'PAYTRACE_BAD_RESPONSE', errorClass: 'configuration', details: { status: 404 } });
  });

  it('the account number never shows: a request body logged through redact, a BankAccount serialised', () => {
    const logged = JSON.stringify(redact({ body: { check: { account_number: ACCOUNT, routing_number: '325070760' }, bankAccountNumber: ACCOUNT, dda: ACCOUNT } }));
    expect(logged).not.toContain(ACCOUNT);
    expect(logged).toContain('325070760'); // the routing number names the bank, not the customer
    expect(JSON.stringify(bank())).not.toContain(ACCOUNT);
  });
});
