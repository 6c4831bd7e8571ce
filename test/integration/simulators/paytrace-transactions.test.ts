import { AMEX, card, DISCOVER, expectNoStateChange, MASTERCARD, PayTraceHarness, VISA } from './paytrace-harness';

const ERRORS = { success: false, response_code: 1, status_message: 'One or more errors has occurred.' };

describe('PayTrace simulator: sales, authorizations, captures, voids, refunds', () => {
  let h: PayTraceHarness;
  beforeEach(async () => {
    h = await PayTraceHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  describe('decline cards (simulator extension)', () => {
    it.each([
      ['4000000000000002', 'DECLINE - Do not honor'],
      ['4000000000009995', 'NSF - Insufficient funds'],
    ])('declines card %s at any amount (%s), and a good card right after is approved', async (number, message) => {
      const declined = await h.sale('64.20', { credit_card: card(number) });
      expect(declined.body).toMatchObject({ success: false, response_code: 102, approval_code: '' });
      expect(String(declined.body.approval_message).trim()).toBe(message);
      const approved = await h.sale('64.20');
      expect(approved.body).toMatchObject({ success: true, response_code: 101 });
    });
  });

  describe('keyed sale', () => {
    it('approves with the recorded response shape and an incrementing integer id', async () => {
      const first = await h.sale('1.00');
      expect(first.status).toBe(200);
      expect(Object.keys(first.body)).toEqual([
        'success',
        'response_code',
        'status_message',
        'transaction_id',
        'approval_code',
        'approval_message',
        'avs_response',
        'csc_response',
        'external_transaction_id',
        'masked_card_number',
      ]);
      expect(first.body).toMatchObject({
        success: true,
        response_code: 101,
        status_message: 'Your transaction was successfully approved.',
        approval_code: expect.stringMatching(/^TAS\d{3}$/),
        approval_message: '  NO  MATCH - Approved and completed',
        avs_response: 'No Match',
        csc_response: '',
        external_transaction_id: '',
        masked_card_number: 'xxxxxxxxxxxx5439',
      });
      expect(Number.isInteger(first.body.transaction_id)).toBe(true);
      const second = await h.sale(51.88); // recorded calls also sent JSON numbers
      expect(second.body.transaction_id).toBe((first.body.transaction_id as number) + 1);
    });

    it('approves every documented test card; CSC answers Match, and nothing for Amex', async () => {
      for (const [number, last4] of [[VISA, '5439'], [MASTERCARD, '0057'], [DISCOVER, '6909'], [AMEX, '2376'], ['4111111111111111', '1111']]) {
        const res = await h.call('/v1/transactions/sale/keyed', { amount: '2.00', credit_card: card(number, 9, 2031), csc: '999' });
        expect(res.body).toMatchObject({ response_code: 101, masked_card_number: `xxxxxxxxxxxx${last4}`, csc_response: number === AMEX ? '' : 'Match' });
      }
    });

    it('keeps the amount exact in integer cents', async () => {
      const res = await h.sale('19.95', { invoice_id: 'INV-1' });
      const state = await h.simState();
      expect(state.transactions[0]).toMatchObject({ id: res.body.transaction_id, amountCents: 1995, invoiceId: 'INV-1', status: 'pending' });
    });
  });

  describe('amount triggers (README table)', () => {
    it.each([
      ['0.29', 102, false, '    DECLINE - Do not honor'],
      ['1.12', 102, false, '    DECLINE - Do not honor'],
      ['0.51', 102, false, '  NSF - Insufficient funds'],
      ['0.54', 102, false, '  EXPIRED CARD - Expired card'],
      ['0.57', 102, false, '  PICK UP - Pick up card'],
    ])('%s declines with %i and still gets a transaction id', async (amount, code, success, message) => {
      const res = await h.sale(amount);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success, response_code: code, status_message: 'Your transaction was not approved.', approval_code: '', approval_message: message });
      expect(Number.isInteger(res.body.transaction_id)).toBe(true);
      const exported = await h.call('/v1/transactions/export/by_id', { transaction_id: res.body.transaction_id });
      expect((exported.body.transactions as Array<Record<string, unknown>>)[0]).toMatchObject({ status_code: 'N', status_message: 'Declined' });
    });

    it('0.29 as an authorization answers the recorded "EXPIRED CARD - Expired card" (a sale: "DECLINE - Do not honor")', async () => {
      const auth = await h.call('/v1/transactions/authorization/keyed', { amount: '0.29', credit_card: card('5499740000000057') });
      expect(auth.body).toMatchObject({ success: false, response_code: 102, status_message: 'Your transaction was not approved.', approval_code: '', approval_message: '  EXPIRED CARD - Expired card' });
      expect((await h.sale('0.29')).body.approval_message).toBe('    DECLINE - Do not honor');
    });

    it('0.63 approves then auto-voids on CSC mismatch (103), 0.62 on AVS mismatch; neither can be captured or voided', async () => {
      const csc = await h.call('/v1/transactions/sale/keyed', { amount: '0.63', credit_card: card(), csc: '123' });
      expect(csc.body).toMatchObject({ success: true, response_code: 103, csc_response: 'No Match', approval_code: expect.stringMatching(/^TAS/) });
      const avs = await h.sale('0.62');
      expect(avs.body).toMatchObject({ response_code: 103, avs_response: 'No Match' });
      expect((await h.call('/v1/transactions/void', { transaction_id: csc.body.transaction_id })).body.response_code).toBe(110);
      await h.simPost('/_sim/config', { autoVoidSuccess: false });
      expect((await h.sale('0.63')).body).toMatchObject({ success: false, response_code: 103 });
    });

    it('declines with HTTP 400 when declineHttpStatus is 400', async () => {
      await h.simPost('/_sim/config', { declineHttpStatus: 400 });
      const res = await h.sale('0.29');
      expect(res.status).toBe(400);
      expect(res.body.response_code).toBe(102);
    });
  });

  describe('bad input: the documented error, and no state change', () => {
    it('invalid card number and month 14 together give 35 and 43 (recorded)', async () => {
      await expectNoStateChange(h, async () => {
        const res = await h.call('/v1/transactions/sale/keyed', { amount: '250.00', credit_card: card('4012000098765438', '14', '2030') });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          ...ERRORS,
          errors: { '35': ['Please provide a valid Credit Card Number.'], '43': ['Please provide a valid Expiration Month.'] },
          external_transaction_id: '',
          masked_card_number: 'xxxxxxxxxxxx5438',
        });
      });
    });

    it.each([
      ['a past year', card(VISA, '12', '2025'), '44'],
      ['an expired month this year', card(VISA, '02', '2026'), '44'],
      ['a two-digit year', card(VISA, '12', '30'), '44'],
      ['month 0', card(VISA, '0', '2030'), '43'],
      ['letters in the number', card('4012abcd98765439'), '35'],
      ['a short number', card('4242'), '35'],
    ])('%s → error %s', async (_label, creditCard, key) => {
      await expectNoStateChange(h, async () => {
        const res = await h.call('/v1/transactions/sale/keyed', { amount: '1.00', credit_card: creditCard });
        expect(res.body).toMatchObject({ ...ERRORS, errors: { [key]: [expect.any(String)] } });
        expect(Object.keys(res.body.errors as object)).toEqual([key]);
      });
    });

    it.each([['-1.00'], ['0.00'], [0], ['1.005'], [0.1 + 0.2], ['abc'], [''], [null], [{}]])('amount %p → error 40', async (amount) => {
      await expectNoStateChange(h, async () => {
        const res = await h.sale(amount as string);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ ...ERRORS, errors: { '40': ['Please provide a valid Transaction Amount.'] } });
      });
    });

    it('a bad CSC → 148 (ours)', async () => {
      await expectNoStateChange(h, async () => {
        const res = await h.call('/v1/transactions/sale/keyed', { amount: '1.00', credit_card: card(), csc: '12a' });
        expect(res.body).toMatchObject({ errors: { '148': ['Please provide a valid CSC.'] } });
      });
    });

    it('unknown transaction ids → 58 on capture, void, refund, by_transaction, export, email receipt', async () => {
      await expectNoStateChange(h, async () => {
        for (const path of ['/v1/transactions/authorization/capture', '/v1/transactions/void', '/v1/transactions/refund/for_transaction', '/v1/transactions/export/by_id']) {
          const res = await h.call(path, { transaction_id: 999 });
          expect(res.body).toMatchObject({ ...ERRORS, errors: { '58': ['Please provide a valid Transaction ID.'] } });
          const missing = await h.call(path, {});
          expect(missing.body).toMatchObject({ errors: { '58': [expect.any(String)] } });
        }
        expect((await h.call('/v1/transactions/sale/by_transaction', { transaction_id: 999, amount: '1.00' })).body).toMatchObject({ errors: { '58': [expect.any(String)] } });
        expect((await h.call('/v1/transactions/email_receipt', { transaction_id: 999, email: 'a@b.example' })).body).toMatchObject({ errors: { '58': [expect.any(String)] } });
      });
    });

    it('an unknown customer → 30 with the id in the message', async () => {
      await expectNoStateChange(h, async () => {
        const res = await h.call('/v1/transactions/sale/by_customer', { customer_id: 'nobody', amount: '1.00' });
        expect(res.body).toEqual({ ...ERRORS, errors: { '30': ['Customer ID, nobody, was not found or is incomplete.'] } });
        const refund = await h.call('/v1/transactions/refund/to_customer', { customer_id: 'nobody', amount: '1.00' });
        expect(refund.body).toMatchObject({ errors: { '30': [expect.any(String)] } });
      });
    });
  });

  describe('authorization and capture', () => {
    it('captures in full, then refuses a second capture with 113', async () => {
      const auth = await h.call('/v1/transactions/authorization/keyed', { amount: '10.00', credit_card: card() });
      expect(auth.body).toMatchObject({ success: true, response_code: 101 });
      const capture = await h.call('/v1/transactions/authorization/capture', { transaction_id: auth.body.transaction_id });
      expect(capture.body).toEqual({ success: true, response_code: 112, status_message: 'Your transaction was successfully captured.', transaction_id: auth.body.transaction_id, external_transaction_id: '' });
      const again = await h.call('/v1/transactions/authorization/capture', { transaction_id: auth.body.transaction_id });
      expect(again.body).toMatchObject({ success: false, response_code: 113, status_message: 'Your transaction was not successfully captured.' });
    });

    it('captures part of an authorization; more than authorized is refused (113) without state change', async () => {
      const auth = await h.call('/v1/transactions/authorization/keyed', { amount: '10.00', credit_card: card() });
      await expectNoStateChange(h, async () => {
        const over = await h.call('/v1/transactions/authorization/capture', { transaction_id: auth.body.transaction_id, amount: '10.01' });
        expect(over.body.response_code).toBe(113);
      });
      const part = await h.call('/v1/transactions/authorization/capture', { transaction_id: String(auth.body.transaction_id), amount: '6.50' });
      expect(part.body.response_code).toBe(112);
      const record = await h.call('/v1/transactions/export/by_id', { transaction_id: auth.body.transaction_id });
      expect((record.body.transactions as Array<Record<string, unknown>>)[0]).toMatchObject({ amount: 6.5, status_code: 'Y', transaction_type: 'AUTHORIZATION' });
    });

    it('refuses to capture a sale (113) and verifies a card with a $0.00 authorization', async () => {
      const sale = await h.sale('3.00');
      expect((await h.call('/v1/transactions/authorization/capture', { transaction_id: sale.body.transaction_id })).body.response_code).toBe(113);
      expect((await h.call('/v1/transactions/authorization/keyed', { amount: '0.00', credit_card: card() })).body.response_code).toBe(101);
    });

    it('authorizes by customer and by earlier transaction, without masked_card_number (recorded)', async () => {
      await h.call('/v1/customer/create', { customer_id: 'c1', credit_card: card(MASTERCARD), billing_address: { name: 'Ann Buyer' } });
      const byCustomer = await h.call('/v1/transactions/authorization/by_customer', { customer_id: 'c1', amount: '4.00' });
      expect(byCustomer.body).toMatchObject({ success: true, response_code: 101 });
      expect(byCustomer.body).not.toHaveProperty('masked_card_number');
      const byTx = await h.call('/v1/transactions/sale/by_transaction', { transaction_id: byCustomer.body.transaction_id, amount: '2.00' });
      expect(byTx.body).toMatchObject({ success: true, response_code: 101 });
      expect(byTx.body).not.toHaveProperty('masked_card_number');
      const state = await h.simState();
      expect(state.transactions[1]).toMatchObject({ method: 'by_transaction', card: { masked_number: 'xxxxxxxxxxxx0057' }, customerId: 'c1' });
    });

    it('sells by customer (recorded shape) and declines by customer on a trigger amount', async () => {
      await h.call('/v1/customer/create', { customer_id: 'c2', credit_card: card() });
      const sale = await h.call('/v1/transactions/sale/by_customer', { customer_id: 'c2', amount: '12.34', invoice_id: 'INV-9' });
      expect(Object.keys(sale.body)).toEqual(['success', 'response_code', 'status_message', 'transaction_id', 'approval_code', 'approval_message', 'avs_response', 'csc_response', 'external_transaction_id']);
      expect((await h.call('/v1/transactions/sale/by_customer', { customer_id: 'c2', amount: '0.29' })).body.response_code).toBe(102);
    });

    it('sells from swiped track data', async () => {
      const res = await h.call('/v1/transactions/sale/swiped', { amount: '8.00', swipe: '%B4012000098765439^Demo/Customer^3012101001020001000000701000000?;4012000098765439=30121010010270100001?' });
      expect(res.body).toMatchObject({ response_code: 101, masked_card_number: 'xxxxxxxxxxxx5439' });
      expect((await h.call('/v1/transactions/sale/swiped', { amount: '8.00', swipe: 'garbage' })).body).toMatchObject({ errors: { '35': [expect.any(String)] } });
    });
  });

  describe('void, settlement, refunds', () => {
    it('voids before settlement (109) and refuses after it (110)', async () => {
      const sale = await h.sale('5.00');
      const voided = await h.call('/v1/transactions/void', { transaction_id: sale.body.transaction_id });
      expect(voided.body).toEqual({ success: true, response_code: 109, status_message: 'Your transaction was successfully voided.', transaction_id: sale.body.transaction_id });
      expect((await h.call('/v1/transactions/void', { transaction_id: sale.body.transaction_id })).body).toMatchObject({ success: false, response_code: 110 });
      const settledSale = await h.sale('6.00');
      await h.call('/v1/transactions/settle');
      await expectNoStateChange(h, async () => {
        expect((await h.call('/v1/transactions/void', { transaction_id: settledSale.body.transaction_id })).body.response_code).toBe(110);
      });
    });

    it('refuses to refund an unsettled sale with 817 (recorded message) and changes nothing', async () => {
      const sale = await h.sale('5.00');
      await expectNoStateChange(h, async () => {
        const res = await h.call('/v1/transactions/refund/for_transaction', { transaction_id: sale.body.transaction_id });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          ...ERRORS,
          errors: { '817': ['The Transaction ID that you provided could not be refunded. Only settled transactions can be refunded.  Please try to void the transaction instead.'] },
        });
      });
    });

    it('refunds a settled sale partially, then the rest; never above the sale (107)', async () => {
      const sale = await h.sale('10.00');
      const settle = await h.call('/v1/transactions/settle');
      expect(settle.body).toMatchObject({ success: true, batch_number: 1001, transaction_count: 1 });
      const part = await h.call('/v1/transactions/refund/for_transaction', { transaction_id: sale.body.transaction_id, amount: '4.00' });
      expect(part.body).toEqual({ success: true, response_code: 106, status_message: 'Your transaction was successfully refunded.', transaction_id: (sale.body.transaction_id as number) + 1, external_transaction_id: '' });
      await expectNoStateChange(h, async () => {
        const over = await h.call('/v1/transactions/refund/for_transaction', { transaction_id: sale.body.transaction_id, amount: '6.01' });
        expect(over.body).toMatchObject({ success: false, response_code: 107, status_message: 'Your transaction was not successfully refunded.' });
      });
      const rest = await h.call('/v1/transactions/refund/for_transaction', { transaction_id: sale.body.transaction_id });
      expect(rest.body.response_code).toBe(106);
      const state = await h.simState();
      expect(state.transactions.find((t) => t.id === rest.body.transaction_id)).toMatchObject({ type: 'REFUND', amountCents: 600, originalTransactionId: sale.body.transaction_id });
      expect((await h.call('/v1/transactions/refund/for_transaction', { transaction_id: sale.body.transaction_id, amount: '0.01' })).body.response_code).toBe(107);
    });

    it('a voided refund gives its amount back to the sale', async () => {
      const sale = await h.sale('10.00');
      h.sim.settle();
      const refund = await h.call('/v1/transactions/refund/for_transaction', { transaction_id: sale.body.transaction_id });
      expect((await h.call('/v1/transactions/void', { transaction_id: refund.body.transaction_id })).body.response_code).toBe(109);
      expect((await h.call('/v1/transactions/refund/for_transaction', { transaction_id: sale.body.transaction_id, amount: '10.00' })).body.response_code).toBe(106);
    });

    it('refunds a settled partial capture up to the captured amount', async () => {
      const auth = await h.call('/v1/transactions/authorization/keyed', { amount: '10.00', credit_card: card() });
      await h.call('/v1/transactions/authorization/capture', { transaction_id: auth.body.transaction_id, amount: '7.00' });
      await h.simPost('/_sim/settle');
      expect((await h.call('/v1/transactions/refund/for_transaction', { transaction_id: auth.body.transaction_id, amount: '7.01' })).body.response_code).toBe(107);
      expect((await h.call('/v1/transactions/refund/for_transaction', { transaction_id: auth.body.transaction_id, amount: '7.00' })).body.response_code).toBe(106);
    });

    it('refunds to a vault customer and to a keyed card', async () => {
      await h.call('/v1/customer/create', { customer_id: 'r1', credit_card: card(DISCOVER) });
      const toCustomer = await h.call('/v1/transactions/refund/to_customer', { customer_id: 'r1', amount: '3.25' });
      expect(toCustomer.body).toMatchObject({ success: true, response_code: 106, transaction_id: expect.any(Number) });
      const keyed = await h.call('/v1/transactions/refund/keyed', { amount: '1.50', credit_card: card(AMEX) });
      expect(keyed.body).toMatchObject({ success: true, response_code: 106, masked_card_number: 'xxxxxxxxxxxx2376' });
      await expectNoStateChange(h, async () => {
        expect((await h.call('/v1/transactions/refund/to_customer', { customer_id: 'r1', amount: '-3.00' })).body).toMatchObject({ errors: { '40': [expect.any(String)] } });
      });
    });
  });

  describe('receipts and Level 3', () => {
    it('e-mails a receipt (149) and rejects a bad address', async () => {
      const sale = await h.sale('1.00');
      const res = await h.call('/v1/transactions/email_receipt', { transaction_id: sale.body.transaction_id, email: 'buyer@example.com' });
      expect(res.body).toEqual({ success: true, response_code: 149, status_message: 'Your receipt was successfully sent.' });
      expect((await h.call('/v1/transactions/email_receipt', { transaction_id: sale.body.transaction_id, email: 'nope' })).body).toMatchObject({ errors: { '2004': [expect.any(String)] } });
      const receipts = (await (await fetch(`${h.url}/_sim/receipts`)).json()) as { receipts: unknown[] };
      expect(receipts.receipts).toEqual([expect.objectContaining({ transactionId: sale.body.transaction_id, email: 'buyer@example.com' })]);
    });

    it('adds Level 3 data to an unsettled Visa sale (170), not to a MasterCard one via /visa', async () => {
      const sale = await h.sale('20.00');
      const res = await h.call('/v1/level_three/visa', { transaction_id: sale.body.transaction_id, line_items: [{ amount: '20.00', description: 'Widget' }] });
      expect(res.body).toEqual({
        success: true,
        response_code: 170,
        status_message: `Visa/MasterCard enhanced data was successfully added to Transaction ID ${sale.body.transaction_id}. 1 line item records were created.`,
      });
      const mc = await h.call('/v1/transactions/sale/keyed', { amount: '20.00', credit_card: card(MASTERCARD) });
      expect((await h.call('/v1/level_three/visa', { transaction_id: mc.body.transaction_id })).body.response_code).toBe(1);
      expect((await h.call('/v1/level_three/mastercard', { transaction_id: mc.body.transaction_id, line_items: [] })).body.response_code).toBe(170);
    });
  });
});
