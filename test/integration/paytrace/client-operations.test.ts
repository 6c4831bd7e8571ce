import { card, MASTERCARD, startClientAndSimulator, VISA, type ClientUnderTest } from './setup';

/**
 * Every PayTrace operation of the client against the simulator over real HTTP, and every
 * response code the simulator can give, read to the outcome the code table says.
 */
describe('PayTrace client against the simulator: operations and codes', () => {
  let t: ClientUnderTest;
  const countTransactions = async () => (await t.simState()).transactions.length;

  beforeAll(async () => {
    t = await startClientAndSimulator();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('sales', () => {
    it('keyed sale: 101 approved, masked card, and the export shows it pending with our invoice id', async () => {
      const sale = await t.client.saleKeyed({ amount: '12.34', card: card(VISA, '12', '2030', '999'), invoiceId: 'INV-OPS-1', billingAddress: { name: 'Ada Buyer', zip: '99019' } });
      expect(sale).toMatchObject({ outcome: 'approved', approved: true, responseCode: 101, statusMessage: 'Your transaction was successfully approved.', maskedCardNumber: 'xxxxxxxxxxxx5439', approvalCode: expect.stringMatching(/^TAS\d+$/), cscResponse: 'Match' });
      const exported = await t.client.exportTransactionById(sale.transactionId!);
      expect(exported.approved).toBe(true);
      expect(exported.transactions[0]).toMatchObject({ transactionId: sale.transactionId, amount: '12.34', state: 'pending_settlement', statusCode: 'Y', invoiceId: 'INV-OPS-1', transactionType: 'SALE' });
      expect(t.connectors.snapshot().paytrace?.status).toBe('ok');
    });

    it.each([
      ['0.29', 'DECLINE - Do not honor'],
      ['0.51', 'NSF - Insufficient funds'],
      ['0.54', 'EXPIRED CARD - Expired card'],
    ])('a %s sale is declined (102) as a result, with a transaction id and the reason', async (amount, reason) => {
      const sale = await t.client.saleKeyed({ amount, card: card() });
      expect(sale).toMatchObject({ outcome: 'declined', approved: false, responseCode: 102, approvalMessage: reason, approvalCode: '' });
      expect(sale.transactionId).toEqual(expect.any(Number));
      const [record] = (await t.client.exportTransactionById(sale.transactionId!)).transactions;
      expect(record?.state).toBe('declined');
    });

    it.each([
      ['0.63', 'CSC'],
      ['0.62', 'AVS'],
    ])('a %s sale (%s mismatch) is approved then auto-voided (103): not paid', async (amount) => {
      const sale = await t.client.saleKeyed({ amount, card: card(VISA, '12', '2030', '999') });
      expect(sale).toMatchObject({ outcome: 'auto_voided', approved: false, responseCode: 103 });
      const [record] = (await t.client.exportTransactionById(sale.transactionId!)).transactions;
      expect(record?.state).toBe('voided');
    });

    it('103 stays "not paid" when PayTrace sends it with success:false', async () => {
      await t.simPut('config', { autoVoidSuccess: false });
      try {
        expect(await t.client.saleKeyed({ amount: '0.63', card: card(VISA, '12', '2030', '999') })).toMatchObject({ outcome: 'auto_voided', approved: false });
      } finally {
        await t.simPut('config', { autoVoidSuccess: true });
      }
    });

    it('a decline answered with HTTP 400 reads the same', async () => {
      await t.simPut('config', { declineHttpStatus: 400 });
      try {
        expect(await t.client.saleKeyed({ amount: '0.29', card: card() })).toMatchObject({ outcome: 'declined', responseCode: 102, httpStatus: 400 });
      } finally {
        await t.simPut('config', { declineHttpStatus: 200 });
      }
    });

    it('invalid card number and month 14: errors 35 + 43 as field messages, nothing recorded', async () => {
      const before = await countTransactions();
      const sale = await t.client.saleKeyed({ amount: '250.00', card: card('4012000098765438', '14') });
      expect(sale).toMatchObject({ outcome: 'validation_error', approved: false, responseCode: 1, httpStatus: 400 });
      expect(sale.fieldErrors.map((e) => [e.code, e.field])).toEqual([
        ['35', 'credit_card.number'],
        ['43', 'credit_card.expiration_month'],
      ]);
      expect(sale.fieldErrors[0]?.message).toBe('Please provide a valid Credit Card Number.');
      expect(await countTransactions()).toBe(before);
    });

    it('an expired card (past year): error 44', async () => {
      const sale = await t.client.saleKeyed({ amount: '5.00', card: card(VISA, '01', '2020') });
      expect(sale.outcome).toBe('validation_error');
      expect(sale.fieldErrors.map((e) => e.field)).toContain('credit_card.expiration_year');
    });

    it.each(['0.00', '-5.00', '1.005'])('amount %s is refused before the call; PayTrace sees nothing', async (amount) => {
      const before = (await (await fetch(`${t.sim.url}/_sim/calls`)).json()) as { calls: unknown[] };
      await expect(t.client.saleKeyed({ amount, card: card() })).rejects.toMatchObject({ code: 'PAYTRACE_INVALID_AMOUNT', errorClass: 'business' });
      const after = (await (await fetch(`${t.sim.url}/_sim/calls`)).json()) as { calls: unknown[] };
      expect(after.calls.length).toBe(before.calls.length);
    });
  });

  describe('authorization, capture, void', () => {
    it('keyed authorization, partial capture (112), capture above the rest refused (113)', async () => {
      const auth = await t.client.authorizeKeyed({ amount: '100.00', card: card(MASTERCARD) });
      expect(auth).toMatchObject({ outcome: 'approved', responseCode: 101 });
      expect((await t.client.exportTransactionById(auth.transactionId!)).transactions[0]?.state).toBe('authorized');
      const over = await t.client.capture({ transactionId: auth.transactionId!, amount: '100.01' });
      expect(over).toMatchObject({ outcome: 'declined', approved: false, responseCode: 113 });
      const captured = await t.client.capture({ transactionId: auth.transactionId!, amount: '60.00' });
      expect(captured).toMatchObject({ outcome: 'approved', responseCode: 112, transactionId: auth.transactionId });
      const [record] = (await t.client.exportTransactionById(auth.transactionId!)).transactions;
      expect(record).toMatchObject({ amount: '60.00', state: 'pending_settlement' });
    });

    it('capture of an unknown transaction: 58, not_found', async () => {
      const result = await t.client.capture({ transactionId: 987654321 });
      expect(result).toMatchObject({ outcome: 'not_found', responseCode: 1 });
      expect(result.fieldErrors[0]).toMatchObject({ code: '58', field: 'transaction_id' });
    });

    it('void before settlement (109); after settlement it fails (110) and nothing changes', async () => {
      const sale = await t.client.saleKeyed({ amount: '8.00', card: card() });
      expect(await t.client.voidTransaction({ transactionId: sale.transactionId! })).toMatchObject({ outcome: 'approved', responseCode: 109 });
      expect((await t.client.exportTransactionById(sale.transactionId!)).transactions[0]?.state).toBe('voided');

      const settledSale = await t.client.saleKeyed({ amount: '9.00', card: card() });
      expect((await t.client.settle()).approved).toBe(true);
      const late = await t.client.voidTransaction({ transactionId: settledSale.transactionId! });
      expect(late).toMatchObject({ outcome: 'declined', approved: false, responseCode: 110 });
      expect((await t.client.exportTransactionById(settledSale.transactionId!)).transactions[0]?.state).toBe('settled');
    });

    it('void of an unknown transaction: 58, not_found', async () => {
      expect(await t.client.voidTransaction({ transactionId: 987654321 })).toMatchObject({ outcome: 'not_found' });
    });
  });

  describe('refunds', () => {
    it('refund of an unsettled sale: 817 state_error; settled: partial refunds (106) up to the sale, above it 107', async () => {
      const sale = await t.client.saleKeyed({ amount: '30.00', card: card() });
      const early = await t.client.refundTransaction({ transactionId: sale.transactionId!, amount: '5.00' });
      expect(early).toMatchObject({ outcome: 'state_error', responseCode: 1 });
      expect(early.fieldErrors[0]).toMatchObject({ code: '817', field: 'transaction_id' });

      await t.client.settle();
      const first = await t.client.refundTransaction({ transactionId: sale.transactionId!, amount: '20.00' });
      expect(first).toMatchObject({ outcome: 'approved', responseCode: 106 });
      expect(first.transactionId).not.toBe(sale.transactionId);
      const tooMuch = await t.client.refundTransaction({ transactionId: sale.transactionId!, amount: '10.01' });
      expect(tooMuch).toMatchObject({ outcome: 'declined', approved: false, responseCode: 107 });
      expect(await t.client.refundTransaction({ transactionId: sale.transactionId!, amount: '10.00' })).toMatchObject({ outcome: 'approved', responseCode: 106 });
    });

    it('refund of an unknown transaction: 58, not_found', async () => {
      expect(await t.client.refundTransaction({ transactionId: 987654321 })).toMatchObject({ outcome: 'not_found' });
    });
  });

  describe('customer vault', () => {
    const id = `cust-${Date.now()}`;

    it('create (160), duplicate (171), update (161), export, sale and refund by customer, delete (162)', async () => {
      const created = await t.client.createCustomer({ customerId: id, card: card(), billingAddress: { name: 'Nathan Williams', zip: '99019' }, email: 'n@example.com' });
      expect(created).toMatchObject({ outcome: 'approved', responseCode: 160, customerId: id, maskedCardNumber: 'xxxxxxxxxxxx5439', statusMessage: `The customer profile for ${id}/Nathan Williams was successfully created.` });

      const duplicate = await t.client.createCustomer({ customerId: id, card: card() });
      expect(duplicate).toMatchObject({ outcome: 'duplicate', responseCode: 1 });
      expect(duplicate.fieldErrors[0]).toMatchObject({ code: '171', field: 'customer_id', message: 'Please provide a unique customer ID.' });

      expect(await t.client.updateCustomer({ customerId: id, email: 'new@example.com', card: card(MASTERCARD) })).toMatchObject({ outcome: 'approved', responseCode: 161 });
      const exported = await t.client.exportCustomers(id);
      expect(exported.approved).toBe(true);
      expect(exported.customers).toEqual([expect.objectContaining({ customerId: id, maskedCardNumber: 'xxxxxxxxxxxx0057', email: 'new@example.com' })]);

      const sale = await t.client.saleByCustomer({ amount: '19.95', customerId: id, invoiceId: 'INV-CUST-1' });
      expect(sale).toMatchObject({ outcome: 'approved', responseCode: 101 });
      expect(sale.maskedCardNumber).toBeUndefined();
      expect(await t.client.authorizeByCustomer({ amount: '1.00', customerId: id })).toMatchObject({ outcome: 'approved' });
      expect(await t.client.refundToCustomer({ amount: '2.00', customerId: id })).toMatchObject({ outcome: 'approved', responseCode: 106 });

      expect(await t.client.deleteCustomer(id)).toMatchObject({ outcome: 'approved', responseCode: 162 });
      expect((await t.client.exportCustomers(id)).customers).toEqual([]);
    });

    it('unknown customer: 30, not_found, for sale, update and delete', async () => {
      const sale = await t.client.saleByCustomer({ amount: '1.00', customerId: 'nobody-here' });
      expect(sale).toMatchObject({ outcome: 'not_found' });
      expect(sale.fieldErrors[0]).toMatchObject({ code: '30', field: 'customer_id', message: expect.stringContaining('nobody-here') });
      expect(await t.client.updateCustomer({ customerId: 'nobody-here', email: 'x@example.com' })).toMatchObject({ outcome: 'not_found' });
      expect(await t.client.deleteCustomer('nobody-here')).toMatchObject({ outcome: 'not_found' });
    });
  });

  describe('Protect', () => {
    it('client key, then a pt_protect sale with the tokens (once only)', async () => {
      const tokens = await t.protectTokens();
      const sale = await t.client.saleProtect({ amount: '42.00', tokens, invoiceId: 'INV-PROTECT-1' });
      expect(sale).toMatchObject({ outcome: 'approved', responseCode: 101, maskedCardNumber: 'xxxxxxxxxxxx5439' });
      const again = await t.client.saleProtect({ amount: '42.00', tokens, invoiceId: 'INV-PROTECT-1' });
      expect(again).toMatchObject({ outcome: 'validation_error', approved: false });
    });

    it('pt_protect authorization then capture, and a vault profile from Protect tokens', async () => {
      const auth = await t.client.authorizeProtect({ amount: '10.00', tokens: await t.protectTokens(MASTERCARD) });
      expect(auth.outcome).toBe('approved');
      expect(await t.client.capture({ transactionId: auth.transactionId! })).toMatchObject({ outcome: 'approved', responseCode: 112 });
      const created = await t.client.createCustomerProtect({ customerId: `protect-${Date.now()}`, tokens: await t.protectTokens(), billingAddress: { name: 'P Tect' } });
      expect(created).toMatchObject({ outcome: 'approved', responseCode: 160, maskedCardNumber: 'xxxxxxxxxxxx5439' });
      const updated = await t.client.updateCustomerProtect({ customerId: created.customerId!, tokens: await t.protectTokens(MASTERCARD) });
      expect(updated).toMatchObject({ outcome: 'approved', responseCode: 161 });
      expect((await t.client.exportCustomers(created.customerId!)).customers[0]?.maskedCardNumber).toBe('xxxxxxxxxxxx0057');
    });
  });

  describe('exports, batches, receipts', () => {
    it('by date range, filtered by our invoice id', async () => {
      const sale = await t.client.saleKeyed({ amount: '3.21', card: card(), invoiceId: 'INV-RANGE-7' });
      const now = new Date();
      const result = await t.client.exportTransactionsByDateRange({ startDate: now, endDate: now, includingText: 'INV-RANGE-7' });
      expect(result.approved).toBe(true);
      expect(result.transactions.map((x) => x.transactionId)).toEqual([sale.transactionId]);
    });

    it('settle, then the batch: export_one, export by range, transaction_list', async () => {
      const sale = await t.client.saleKeyed({ amount: '7.77', card: card() });
      const open = await t.client.exportBatch();
      expect(open.approved).toBe(true);
      const openNumber = open.batch!.number;
      await t.client.settle();
      const batch = await t.client.exportBatch(openNumber);
      expect(batch.batch).toMatchObject({ number: openNumber, transactionCount: expect.any(Number), netAmount: expect.stringMatching(/^\d+\.\d{2}$/) });
      const now = new Date();
      const list = await t.client.exportBatches(new Date(now.getTime() - 86_400_000), new Date(now.getTime() + 86_400_000));
      expect(list.batches.map((b) => b.number)).toContain(openNumber);
      const txs = await t.client.batchTransactions(openNumber);
      expect(txs.transactions.find((x) => x.transactionId === sale.transactionId)).toMatchObject({ state: 'settled', batchNumber: openNumber, amount: '7.77' });
    });

    it('unknown batch number is a rejection, not an exception', async () => {
      expect((await t.client.batchTransactions(999999)).approved).toBe(false);
    });

    it('e-mail receipt (149)', async () => {
      const sale = await t.client.saleKeyed({ amount: '4.00', card: card() });
      expect(await t.client.emailReceipt({ transactionId: sale.transactionId!, email: 'buyer@example.com' })).toMatchObject({ approved: true, responseCode: 149 });
    });

    it('export of an unknown transaction id: nothing found', async () => {
      expect(await t.client.lookupTransaction({ transactionId: 987654321 })).toEqual({ found: false });
    });
  });
});
