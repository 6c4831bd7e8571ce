import { inspect } from 'node:util';
import { lookupQueryFor } from '../../../gateway/src/paytrace/client';
import { Secret } from '../../../gateway/src/config/secret';
import * as customers from '../../../gateway/src/paytrace/transformers/customers';
import * as batches from '../../../gateway/src/paytrace/transformers/batches';
import * as checks from '../../../gateway/src/paytrace/transformers/checks';
import * as txExports from '../../../gateway/src/paytrace/transformers/exports';
import * as tx from '../../../gateway/src/paytrace/transformers/transactions';
import { revealForWire } from '../../../gateway/src/paytrace/transport';

const PAN = '4012000098765439';
const card = { number: new Secret(PAN), expirationMonth: '12', expirationYear: '2030', csc: new Secret('999') };

describe('PayTrace request transformers', () => {
  it('keyed sale: card inside credit_card, csc at the top level, both Secrets until the wire', () => {
    const request = tx.keyedCharge('sale', { amount: '10.00', card, invoiceId: 'INV-1', billingAddress: { name: 'A B', zip: '99019' } });
    expect(request.path).toBe('/v1/transactions/sale/keyed');
    expect(request.body.csc).toBeInstanceOf(Secret);
    // logging or serialising the request never shows the card
    expect(JSON.stringify(request.body)).not.toContain(PAN);
    expect(inspect(request.body, { depth: 5 })).not.toContain(PAN);
    expect(revealForWire(request.body)).toEqual({
      amount: '10.00',
      credit_card: { number: PAN, expiration_month: '12', expiration_year: '2030' },
      csc: '999',
      invoice_id: 'INV-1',
      billing_address: { name: 'A B', zip: '99019' },
    });
  });

  it('authorization, by_customer and pt_protect paths and bodies', () => {
    expect(tx.customerCharge('authorization', { amount: '5.00', customerId: 'c1' })).toMatchObject({ path: '/v1/transactions/authorization/by_customer', body: { amount: '5.00', customer_id: 'c1' }, customerId: 'c1' });
    const protect = tx.protectCharge('sale', { amount: '5.00', tokens: { hpfToken: new Secret('h'), encKey: new Secret('k') }, invoiceId: 'INV-9' });
    expect(protect.path).toBe('/v1/transactions/sale/pt_protect');
    expect(revealForWire(protect.body)).toEqual({ amount: '5.00', hpf_token: 'h', enc_key: 'k', invoice_id: 'INV-9' });
  });

  it('capture, void and refunds carry the transaction id; amounts optional where PayTrace allows', () => {
    expect(tx.capture({ transactionId: 7 }).body).toEqual({ transaction_id: 7 });
    expect(tx.capture({ transactionId: 7, amount: '2.50' }).body).toEqual({ transaction_id: 7, amount: '2.50' });
    expect(tx.voidTransaction({ transactionId: 7 })).toMatchObject({ path: '/v1/transactions/void', body: { transaction_id: 7 } });
    expect(tx.refundTransaction({ transactionId: 7, amount: '1.00' })).toMatchObject({ path: '/v1/transactions/refund/for_transaction', body: { transaction_id: 7, amount: '1.00' } });
    expect(tx.refundToCustomer({ customerId: 'c1', amount: '1.00' })).toMatchObject({ path: '/v1/transactions/refund/to_customer', body: { customer_id: 'c1', amount: '1.00' } });
  });

  it.each([
    [() => tx.voidTransaction({ transactionId: 0 }), 'transactionId'],
    [() => tx.voidTransaction({ transactionId: 1.5 }), 'transactionId'],
    [() => tx.customerCharge('sale', { amount: '1.00', customerId: '' }), 'customerId'],
    [() => tx.keyedCharge('sale', { amount: '1.00', card, invoiceId: 'x'.repeat(51) }), 'invoiceId'],
    [() => tx.refundTransaction({ transactionId: 3, amount: '-5.00' }), 'amount'],
    [() => tx.capture({ transactionId: 3, amount: '1.001' }), 'amount'],
  ])('refuses bad input before any call (%#)', (build, field) => {
    expect(build).toThrow(expect.objectContaining({ errorClass: 'business', details: { fieldErrors: [expect.objectContaining({ field })] } }));
  });

  it('customer vault bodies', () => {
    expect(revealForWire(customers.createCustomer({ customerId: 'c1', card, billingAddress: { name: 'N W' }, email: 'a@b.c' }).body)).toEqual({
      customer_id: 'c1', billing_address: { name: 'N W' }, email: 'a@b.c', credit_card: { number: PAN, expiration_month: '12', expiration_year: '2030' }, csc: '999',
    });
    expect(customers.deleteCustomer('c1')).toEqual({ path: '/v1/customer/delete', body: { customer_id: 'c1' } });
    expect(customers.exportCustomers()).toEqual({ path: '/v1/customer/export', body: {} });
    expect(customers.updateCustomer({ customerId: 'c1', email: 'x@y.z' }).body).toEqual({ customer_id: 'c1', email: 'x@y.z' });
  });

  it('export dates are MM/DD/YYYY in the merchant time zone', () => {
    const at = new Date('2026-03-01T06:30:00Z');
    expect(txExports.formatPayTraceDate(at)).toBe('03/01/2026');
    expect(txExports.formatPayTraceDate(at, 'America/Los_Angeles')).toBe('02/28/2026');
    expect(txExports.exportByDateRange({ startDate: at, endDate: at, includingText: 'INV-1' }).body).toEqual({ start_date: '03/01/2026', end_date: '03/01/2026', including_text: 'INV-1' });
  });
});

describe('PayTrace response transformers', () => {
  it('reads an export record with its settlement state', () => {
    const record = { transaction_id: 1001, amount: 51.88, status_code: 'Y', status_message: 'Pending Settlement', approval_code: 'TAS123', invoice_id: 'INV-1', created: { at: '7/3/2018 5:06:57 PM' }, credit_card: { masked_number: 'xxxxxxxxxxxx5439' } };
    expect(txExports.parseExportedTransaction(record)).toMatchObject({ transactionId: 1001, amount: '51.88', state: 'pending_settlement', invoiceId: 'INV-1', createdAt: '7/3/2018 5:06:57 PM', maskedCardNumber: 'xxxxxxxxxxxx5439' });
    expect(txExports.parseExportedTransaction({ amount: 1 })).toBeUndefined();
  });

  it.each([
    ['Y', 'Pending Settlement', 'pending_settlement'],
    ['N', 'Authorization Only', 'authorized'],
    ['N', 'Voided', 'voided'],
    ['N', 'Declined', 'declined'],
    ['GB 1234', 'Settled', 'settled'],
    ['Settled 77', '', 'settled'],
    ['?', '', 'unknown'],
  ])('status_code %s / %s → %s', (code, message, state) => {
    expect(txExports.settlementState(code, message)).toBe(state);
  });

  it('reads an export envelope whose response_code is not documented as a good answer', () => {
    const result = txExports.parseExport({ status: 200, body: { success: true, response_code: 100, status_message: 'Your request has been successfully completed.', transactions: [{ transaction_id: 5, amount: '1.00', status_code: 'Y' }] } });
    expect(result).toMatchObject({ approved: true, outcome: 'approved', transactions: [{ transactionId: 5, amount: '1.00' }] });
  });

  it('keeps a record whose amount has a third decimal, without an amount and with the reason; the others are read', () => {
    const ok = { status: 200, body: { success: true, response_code: 100, status_message: 'ok' } };
    const exported = txExports.parseExport({ ...ok, body: { ...ok.body, transactions: [{ transaction_id: 5, amount: '10.005', status_code: 'Y' }, { transaction_id: 6, amount: 10.01, status_code: 'Y' }] } });
    expect(exported.transactions).toHaveLength(2);
    expect(exported.transactions[0]).toMatchObject({ transactionId: 5, amount: undefined, state: 'pending_settlement', amountRefused: { code: 'PAYTRACE_AMOUNT_TOO_PRECISE', field: 'amount', wire: '10.005' }, raw: { amount: '10.005' } });
    expect(exported.transactions[1]).toMatchObject({ transactionId: 6, amount: '10.01' });
    expect(exported.transactions[1]).not.toHaveProperty('amountRefused');

    const list = batches.parseBatchList({ ...ok, body: { ...ok.body, batches: [{ number: 7, net_amount: 100.5, chargeback_amount: '0.125' }, { number: 8, net_amount: '5.001' }, { number: 9, net_amount: '5.00' }] } });
    expect(list.batches.map((b) => [b.number, b.netAmount, b.chargebackAmount, b.amountRefused?.field])).toEqual([
      [7, '100.50', undefined, 'chargeback_amount'],
      [8, undefined, undefined, 'net_amount'],
      [9, '5.00', undefined, undefined],
    ]);

    const checked = checks.parseCheckExport({ ...ok, body: { ...ok.body, checks: [{ check_transaction_id: 3, amount: 1.999, status: 'Pending' }] } });
    expect(checked.checks[0]).toMatchObject({ checkTransactionId: 3, amount: undefined, amountRefused: { wire: '1.999' } });
  });

  it('a decline still carries its transaction id', () => {
    const result = tx.parseTransaction({ status: 200, body: { success: false, response_code: 102, status_message: 'Your transaction was not approved.', transaction_id: 9, approval_message: '  EXPIRED CARD - Expired card' } });
    expect(result).toMatchObject({ outcome: 'declined', approved: false, transactionId: 9, approvalMessage: 'EXPIRED CARD - Expired card' });
  });
});

describe('lookupQueryFor', () => {
  const sentAt = new Date('2026-03-01T12:00:00Z');
  it('picks the lookup that can find each kind of money movement', () => {
    expect(lookupQueryFor({ operation: 'sale/pt_protect', path: '', amount: '1.00', invoiceId: 'INV-1', sentAt })).toEqual({ invoiceId: 'INV-1', around: sentAt });
    expect(lookupQueryFor({ operation: 'void', path: '', transactionId: 7, sentAt })).toEqual({ transactionId: 7 });
    expect(lookupQueryFor({ operation: 'authorization/capture', path: '', transactionId: 7, sentAt })).toEqual({ transactionId: 7 });
    expect(lookupQueryFor({ operation: 'refund/for_transaction', path: '', transactionId: 7, sentAt })).toEqual({ refundOf: 7, around: sentAt });
    expect(lookupQueryFor({ operation: 'sale/by_customer', path: '', customerId: 'c', sentAt })).toBeUndefined();
  });
});
