import type { MatchingRules } from '../../../gateway/src/domain/matching';
import { reconcile } from '../../../gateway/src/recon/engine';
import { centsOf, formatCents } from '../../../gateway/src/recon/model';
import { shippedRules } from '../domain/helpers';
import { Dataset, item } from './dataset';

/**
 * The reconciliation engine on constructed datasets: every matching rule and every exception
 * class, each with the data that provokes it and nothing else.
 */

let rules: MatchingRules;
beforeAll(async () => {
  rules = (await shippedRules()).matching;
  Dataset.rules = rules;
});

describe('money helpers', () => {
  it('reads and writes cents exactly and refuses what is not a two-decimal amount', () => {
    expect(centsOf('1250.00')).toBe(125000);
    expect(centsOf('0.1')).toBe(10);
    expect(centsOf('-3.05')).toBe(-305);
    expect(centsOf('1.005')).toBeNull();
    expect(centsOf('12,00')).toBeNull();
    expect(centsOf('')).toBeNull();
    expect(formatCents(-5)).toBe('-0.05');
    expect(formatCents(125000)).toBe('1250.00');
  });
});

describe('matching rules', () => {
  it('reference: our reference in IRNO matches 1:1, and the batch equals its GL postings', () => {
    const { items, summary } = new Dataset().paid('p1', 1001, '1250.00').paid('p2', 1002, '75.50').batch(1001, 132550).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ status: 'matched', rule: 'reference', confidence: 1, paytraceCents: 125000, m3Cents: 125000 });
    expect(item(items, 'B:batch:1001')).toMatchObject({ status: 'matched', rule: 'batch-total', paytraceCents: 132550, glCents: 132550 });
    expect(summary).toMatchObject({ matched: 3, review: 0, exceptions: 0, balanced: true, paytraceNet: '1325.50', glPosted: '1325.50', currency: 'USD' });
  });

  it('reference-split: one payment applied to two invoices under one reference (1:N)', () => {
    const { items } = new Dataset().payment('p1', 1001, '300.00', { glKey: 'GLp1' }).gl('GLp1', '300.00').tx(1001, '300.00', { invoiceId: 'LINK-p1' }).receipt('200001', '100.00', { irno: 'LINK-p1' }).receipt('200002', '200.00', { irno: 'LINK-p1' }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ status: 'matched', rule: 'reference-split', m3Cents: 30000 });
    expect(item(items, 'A:tx:1001').m3Refs).toContain('200002');
  });

  it('tolerant: no reference, but amount, customer, date and the quoted invoice number agree', () => {
    const data = new Dataset().tx(2001, '432.10', { invoiceId: 'Inv. 200003', customerId: 'C10002' }).receipt('200003', '432.10', { cuno: 'C10002' });
    const { items } = data.run();
    expect(item(items, 'A:tx:2001')).toMatchObject({ status: 'matched', rule: 'tolerant', confidence: 1 });
  });

  it('tolerant below the auto-apply threshold goes to review with the candidate named', () => {
    // the vault id is not an M3 customer: the customer part scores as unknown (0.875 < 0.9)
    const { items } = new Dataset().tx(2001, '432.10', { invoiceId: 'Inv. 200003', customerId: 'vault-77' }).receipt('200003', '432.10', { cuno: 'C10002' }).run();
    expect(item(items, 'A:tx:2001')).toMatchObject({ status: 'review', rule: 'tolerant', confidence: 0.875, fixKind: 'review' });
    expect(item(items, 'A:tx:2001').reason).toContain('200003');
  });

  it('one-to-many: one card payment whose amount is the sum of one customer’s receipts', () => {
    const { items } = new Dataset().tx(3001, '300.00', { customerId: 'C10004' }).receipt('300001', '100.00', { cuno: 'C10004' }).receipt('300002', '200.00', { cuno: 'C10004' }).run();
    // grouping confidence (0.8) is below auto-apply: a person confirms
    expect(item(items, 'A:tx:3001')).toMatchObject({ status: 'review', rule: 'one-to-many', confidence: 0.8 });
    const lenient = { ...rules, thresholds: { ...rules.thresholds, autoApply: 0.8 } };
    expect(item(new Dataset().tx(3001, '300.00', { customerId: 'C10004' }).receipt('300001', '100.00', { cuno: 'C10004' }).receipt('300002', '200.00', { cuno: 'C10004' }).run(lenient).items, 'A:tx:3001')).toMatchObject({
      status: 'matched',
      rule: 'one-to-many',
      m3Cents: 30000,
    });
  });

  it('many-to-one: two instalments that add up to one receipt', () => {
    const { items } = new Dataset().tx(4001, '100.00', { customerId: 'C10001' }).tx(4002, '150.00', { customerId: 'C10001' }).receipt('400001', '250.00', { cuno: 'C10001' }).run();
    for (const key of ['A:tx:4001', 'A:tx:4002']) expect(item(items, key)).toMatchObject({ status: 'review', rule: 'many-to-one', transactionIds: '4001,4002', m3Cents: 25000 });
  });

  it('refunds: the reversing receipt under the refund’s reference, the reversal GL batch, the batch net of refunds', () => {
    const { items, summary } = new Dataset()
      .paid('p1', 1001, '100.00')
      .payment('r1', 1002, '40.00', { flow: 'refund', reference: 'REFUND-RMA-1', glKey: 'GLr1', parentPaymentId: 'p1' })
      .tx(1002, '40.00', { type: 'REFUND', originalTransactionId: 1001 })
      .receipt('200001', '-40.00', { irno: 'REFUND-RMA-1' })
      .gl('GLr1', '40.00')
      .batch(1001, 6000)
      .run();
    expect(item(items, 'A:tx:1002')).toMatchObject({ status: 'matched', rule: 'reference', paytraceCents: -4000, m3Cents: -4000 });
    expect(item(items, 'B:batch:1001')).toMatchObject({ status: 'matched', paytraceCents: 6000, glCents: 6000 });
    expect(summary).toMatchObject({ balanced: true, exceptions: 0 });
  });

  it('ledger-order: a web order payment is carried by its M3 order', () => {
    const { items } = new Dataset().payment('w1', 5001, '199.99', { flow: 'ecommerce_sale', orno: '1000000003', glKey: 'GLw1', ivno: undefined }).gl('GLw1', '199.99').tx(5001, '199.99', { invoiceId: 'WEB-7001' }).run();
    expect(item(items, 'A:tx:5001')).toMatchObject({ status: 'matched', rule: 'ledger-order' });
  });
});

describe('exception classes', () => {
  it('missing_in_m3: a gateway payment without its receipt gets the automatic receipt fix; a foreign one goes to review', () => {
    const { items } = new Dataset().payment('p1', 1001, '1250.00', { glKey: 'GLp1' }).gl('GLp1', '1250.00').tx(1001, '1250.00', { invoiceId: 'LINK-p1' }).tx(1002, '19.99').run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ status: 'exception', exceptionClass: 'missing_in_m3', owner: 'gateway', fixKind: 'auto', fixAction: 'post_receipt', paymentId: 'p1' });
    expect(item(items, 'A:tx:1002')).toMatchObject({ status: 'exception', exceptionClass: 'missing_in_m3', owner: 'm3', fixKind: 'review' });
  });

  it('missing_in_paytrace: M3 holds a receipt with our reference that PayTrace never settled', () => {
    const { items } = new Dataset().payment('p9', 9009, '80.00', { settlementState: 'voided' }).receipt('200005', '75.50', { irno: 'LINK-p9' }).receipt('200005', '5.00', { irno: 'M3I-AAA-2026-200005' }).run();
    const missing = items.filter((i) => i.exceptionClass === 'missing_in_paytrace');
    expect(missing).toHaveLength(2);
    expect(missing[0]).toMatchObject({ owner: 'paytrace', paymentId: 'p9', fixKind: 'review' });
    expect(missing[0]!.reason).toContain('voided');
  });

  it('amount_differs: the receipt under our reference is for another amount', () => {
    const { items } = new Dataset().payment('p1', 1001, '100.00', { glKey: 'GLp1' }).gl('GLp1', '100.00').tx(1001, '100.00', { invoiceId: 'LINK-p1' }).receipt('200001', '99.00', { irno: 'LINK-p1' }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ exceptionClass: 'amount_differs', differenceCents: -100, owner: 'm3' });
    expect(item(items, 'A:tx:1001').suggestedFix).toContain('1.00');
  });

  it('amount_differs: a batch whose reported net is not the sum of its transactions', () => {
    const { items } = new Dataset().paid('p1', 1001, '10.00').batch(1001, 2000).run();
    expect(item(items, 'B:batch:1001')).toMatchObject({ status: 'exception', exceptionClass: 'amount_differs', owner: 'paytrace', differenceCents: -1000 });
  });

  it('chargebacks: a batch whose deposit is net of the chargebacks taken in it is explained, not an exception', () => {
    // 1325.50 settled; PayTrace took 99.95 + a 15.00 fee for a chargeback in the same batch
    const { items, summary } = new Dataset().paid('p1', 1001, '1250.00').paid('p2', 1002, '75.50').batch(1001, 132550 - 11495, 11495).run();
    expect(item(items, 'B:batch:1001')).toMatchObject({ status: 'matched', rule: 'batch-net-of-chargebacks', paytraceCents: 132550, glCents: 132550, differenceCents: 0 });
    expect(item(items, 'B:batch:1001').reason).toMatch(/after 114\.95 of chargebacks/);
    expect(summary).toMatchObject({ exceptions: 0 });
    // a reported chargeback amount that does not explain the difference is still an exception
    const off = new Dataset().paid('p1', 1001, '10.00').batch(1001, 500, 400).run();
    expect(item(off.items, 'B:batch:1001')).toMatchObject({ status: 'exception', exceptionClass: 'amount_differs' });
  });

  it('duplicate: M3 booked the same receipt twice, and a customer was charged twice for one reference', () => {
    const twice = new Dataset().payment('p1', 1001, '50.00', { glKey: 'GLp1' }).gl('GLp1', '50.00').tx(1001, '50.00', { invoiceId: 'LINK-p1' }).receipt('200001', '50.00', { irno: 'LINK-p1' }).receipt('200001', '50.00', { irno: 'LINK-p1' }).run();
    expect(item(twice.items, 'A:tx:1001')).toMatchObject({ exceptionClass: 'duplicate', owner: 'm3', differenceCents: 5000 });
    const charged = new Dataset().paid('p2', 2001, '75.00').tx(2002, '75.00', { invoiceId: 'LINK-p2' }).run();
    expect(item(charged.items, 'A:tx:2001')).toMatchObject({ status: 'matched' });
    expect(item(charged.items, 'A:tx:2002')).toMatchObject({ exceptionClass: 'duplicate', owner: 'finance' });
    expect(item(charged.items, 'A:tx:2002').suggestedFix).toContain('Refund PayTrace transaction 2002');
  });

  it('currency_rounding: a EUR receipt converted at the invoice rate is a cent off', () => {
    const data = new Dataset().payment('p1', 1001, '100.01', { glKey: 'GLp1' }).gl('GLp1', '100.01').tx(1001, '100.01', { invoiceId: 'LINK-p1' }).receipt('200004', '92.17', { irno: 'LINK-p1', currency: 'EUR', cuno: 'C10003' });
    data.input.invoices.push({ cino: '200004', yea4: 2026, cuno: 'C10003', currency: 'EUR', cents: 99000, openCents: 0, rate: '1.085000' });
    const { items } = data.run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ exceptionClass: 'currency_rounding', differenceCents: -1, owner: 'finance', m3Cents: 10000 });
  });

  it('settled_but_not_posted: no GL batch, or one left unposted; automatic for gateway payments', () => {
    const { items } = new Dataset()
      .payment('p1', 1001, '20.00', { glKey: 'GLp1' })
      .tx(1001, '20.00', { invoiceId: 'LINK-p1' })
      .receipt('200001', '20.00', { irno: 'LINK-p1' })
      .payment('p2', 1002, '30.00', { glKey: 'GLp2' })
      .gl('GLp2', '30.00', '20')
      .tx(1002, '30.00', { invoiceId: 'LINK-p2' })
      .receipt('200002', '30.00', { irno: 'LINK-p2' })
      .run();
    expect(item(items, 'B:tx:1001')).toMatchObject({ exceptionClass: 'settled_but_not_posted', fixKind: 'auto', fixAction: 'post_gl', paymentId: 'p1' });
    expect(item(items, 'B:tx:1002').reason).toContain('status 20');
    expect(item(items, 'B:batch:1001')).toMatchObject({ status: 'exception', exceptionClass: 'settled_but_not_posted', paytraceCents: 5000, glCents: 0 });
  });

  it('posted_but_not_settled: the GL shows a payment PayTrace did not settle', () => {
    const { items } = new Dataset().payment('p1', 7001, '60.00', { glKey: 'GLp1', settlementState: 'voided' }).gl('GLp1', '60.00').run();
    expect(item(items, 'C:payment:p1')).toMatchObject({ exceptionClass: 'posted_but_not_settled', owner: 'paytrace', glCents: 6000 });
    expect(item(items, 'C:payment:p1').suggestedFix).toContain('Reverse GL batch GLp1');
    // settled in another period: not a difference of this one
    expect(new Dataset().payment('p1', 7001, '60.00', { glKey: 'GLp1', settlementState: 'settled' }).gl('GLp1', '60.00').run().items.filter((i) => i.leg === 'C')).toEqual([]);
  });

  it('invalid_source: a refund of a refund and a transaction without an amount', () => {
    const { items } = new Dataset().paid('p1', 1001, '40.00').tx(1002, '10.00', { type: 'REFUND', originalTransactionId: 1001 }).tx(1003, '5.00', { type: 'REFUND', originalTransactionId: 1002 }).tx(1004, '0.00', { cents: null }).run();
    expect(item(items, 'A:tx:1003')).toMatchObject({ exceptionClass: 'invalid_source', paytraceCents: -500 });
    expect(item(items, 'A:tx:1003').reason).toContain('refund of a refund');
    expect(item(items, 'A:tx:1004')).toMatchObject({ exceptionClass: 'invalid_source', owner: 'paytrace' });
    // the refunded refund settled in an earlier period: the ledger knows it as one of our refunds
    const earlier = new Dataset().payment('r0', 900, '10.00', { flow: 'refund', settlementState: 'settled' }).tx(1005, '5.00', { type: 'REFUND', originalTransactionId: 900 }).run();
    expect(item(earlier.items, 'A:tx:1005')).toMatchObject({ exceptionClass: 'invalid_source' });
  });

  it('amount_differs (leg C): the ledger recorded another amount than PayTrace settled', () => {
    const { items } = new Dataset().payment('p1', 1001, '12.00', { glKey: 'GLp1' }).gl('GLp1', '12.50').tx(1001, '12.50', { invoiceId: 'LINK-p1' }).receipt('200001', '12.50', { irno: 'LINK-p1' }).run();
    expect(item(items, 'C:payment:p1')).toMatchObject({ exceptionClass: 'amount_differs', owner: 'gateway', differenceCents: -50 });
  });
});

describe('edges of the reference rules', () => {
  it('a refund under the sale’s reference is not a second charge; two sales whose reference the ledger gives to another transaction are not duplicates', () => {
    const refund = new Dataset().paid('p1', 1001, '40.00').payment('r1', 1002, '10.00', { flow: 'refund', reference: 'LINK-p1' }).tx(1002, '10.00', { type: 'REFUND', invoiceId: 'LINK-p1', originalTransactionId: 1001 }).run();
    expect(refund.items.filter((i) => i.exceptionClass === 'duplicate')).toEqual([]);
    // the ledger's charge for LINK-p2 (2001) settled in another period: of 2002 and 2003, neither is "again"
    const elsewhere = new Dataset().payment('p2', 2001, '75.00').tx(2002, '75.00', { invoiceId: 'LINK-p2' }).tx(2003, '75.00', { invoiceId: 'LINK-p2' }).receipt('200001', '75.00', { irno: 'LINK-p2' }).run();
    expect(elsewhere.items.filter((i) => i.exceptionClass === 'duplicate')).toEqual([]);
    expect(item(elsewhere.items, 'A:tx:2002')).toMatchObject({ status: 'matched', rule: 'reference' });
    expect(item(elsewhere.items, 'A:tx:2003')).toMatchObject({ status: 'exception', exceptionClass: 'missing_in_m3' }); // the one receipt is taken
  });

  it('converts only the receipts in another currency when one reference has both', () => {
    const data = new Dataset().payment('p1', 1001, '100.00', { glKey: 'GLp1' }).gl('GLp1', '100.00').tx(1001, '100.00', { invoiceId: 'LINK-p1' }).receipt('200001', '50.00', { irno: 'LINK-p1' }).receipt('200004', '46.08', { irno: 'LINK-p1', currency: 'EUR' });
    data.input.invoices.push({ cino: '200004', yea4: 2026, currency: 'EUR', cents: 4608, openCents: 0, rate: '1.085' });
    expect(item(data.run().items, 'A:tx:1001')).toMatchObject({ status: 'matched', rule: 'reference-split', m3Cents: 10000 });
  });

  it('two receipts on one invoice that together are the settled amount are a split, not a double booking', () => {
    const { items } = new Dataset().payment('p1', 1001, '50.00', { glKey: 'GLp1' }).gl('GLp1', '50.00').tx(1001, '50.00', { invoiceId: 'LINK-p1' }).receipt('200001', '25.00', { irno: 'LINK-p1' }).receipt('200001', '25.00', { irno: 'LINK-p1' }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ status: 'matched', rule: 'reference-split', m3Cents: 5000 });
  });

  it('names the three best candidates of a review, not more', () => {
    const data = new Dataset().tx(2001, '50.00', { customerId: 'C10001' });
    for (const cino of ['300001', '300002', '300003', '300004']) data.receipt(cino, '50.00');
    const review = item(data.run().items, 'A:tx:2001');
    expect(review).toMatchObject({ status: 'review', owner: 'finance', m3Refs: 'invoice 300001' });
    expect(review.reason).toMatch(/\[tolerant 0\.75: 300001 \| tolerant 0\.75: 300002 \| tolerant 0\.75: 300003\]$/);
  });
});

describe('a receipt explains one payment only', () => {
  it('a receipt matched by reference is not offered to the tolerant rules again', () => {
    const { items } = new Dataset().paid('p1', 1001, '50.00').tx(1002, '50.00', { customerId: 'C10001' }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ status: 'matched', rule: 'reference' });
    expect(item(items, 'A:tx:1002')).toMatchObject({ status: 'exception', exceptionClass: 'missing_in_m3' });
  });

  it('instalments matched to one receipt are not matched to the next receipt of the same amount', () => {
    const lenient = { ...rules, thresholds: { ...rules.thresholds, autoApply: 0.8 } };
    const { items } = new Dataset().tx(4001, '100.00', { customerId: 'C10001' }).tx(4002, '150.00', { customerId: 'C10001' }).receipt('400001', '250.00').receipt('400002', '250.00').run(lenient);
    for (const key of ['A:tx:4001', 'A:tx:4002']) expect(item(items, key)).toMatchObject({ status: 'matched', rule: 'many-to-one', m3Refs: 'receipt 5000/1 invoice 400001' });
  });
});

describe('more edges, each with the data that provokes it', () => {
  it('two receipts of different invoices under one reference that do not add up differ in amount; nothing is doubled', () => {
    const { items } = new Dataset().payment('p1', 1001, '50.00', { glKey: 'GLp1' }).gl('GLp1', '50.00').tx(1001, '50.00', { invoiceId: 'LINK-p1' }).receipt('200001', '30.00', { irno: 'LINK-p1' }).receipt('200002', '30.00', { irno: 'LINK-p1' }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ exceptionClass: 'amount_differs', rule: 'reference-split', differenceCents: 1000 });
  });

  it('our reference on a transaction the ledger does not know still matches its receipt', () => {
    const { items } = new Dataset().tx(1001, '80.00', { invoiceId: 'M3I-AAA-2026-200001' }).receipt('200001', '80.00', { irno: 'M3I-AAA-2026-200001' }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ status: 'matched', rule: 'reference', paymentId: undefined });
  });

  it('our reference quoted by PayTrace finds a receipt without the reference or a year', () => {
    const { items } = new Dataset().tx(1001, '80.00', { invoiceId: 'M3I-AAA-2026-200001' }).receipt('200001', '80.00', { inyr: undefined }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ status: 'matched', rule: 'reference', confidence: 1 });
  });

  it('a text M3 holds on the receipt counts when the payment quotes it, on the period’s first day when PayTrace gives no date', () => {
    const { items } = new Dataset().tx(1001, '75.00', { invoiceId: 'PO-4711', customerId: 'C10001', settledDate: undefined }).receipt('300009', '75.00', { irno: 'PO 4711' }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ status: 'matched', rule: 'tolerant', confidence: 1 });
  });

  it('a zero receipt explains nothing, and a refund without an amount is not a source', () => {
    const { items } = new Dataset().tx(1001, '0.00', { customerId: 'C10001' }).receipt('300001', '0.00').tx(1002, '0.00', { type: 'REFUND', cents: null }).run();
    expect(item(items, 'A:tx:1001')).toMatchObject({ exceptionClass: 'missing_in_m3' });
    expect(item(items, 'A:tx:1002')).toMatchObject({ exceptionClass: 'invalid_source', owner: 'paytrace' });
  });

  it('instalments are not matched to a receipt that our reference already explained', () => {
    const { items } = new Dataset().paid('p1', 1001, '250.00').tx(4001, '100.00', { customerId: 'C10001' }).tx(4002, '150.00', { customerId: 'C10001' }).run({ ...rules, thresholds: { ...rules.thresholds, autoApply: 0.8 } });
    for (const key of ['A:tx:4001', 'A:tx:4002']) expect(item(items, key)).toMatchObject({ exceptionClass: 'missing_in_m3' });
  });

  it('a proposed instalment match leaves the receipt open: it is still reported until a person confirms', () => {
    const { items } = new Dataset().tx(4001, '100.00').tx(4002, '150.00').receipt('400001', '250.00', { irno: 'M3I-AAA-2026-400001' }).run();
    expect(item(items, 'A:tx:4001')).toMatchObject({ status: 'review', rule: 'many-to-one' });
    expect(item(items, 'A:receipt:5000/1')).toMatchObject({ exceptionClass: 'missing_in_paytrace' });
  });

  it('the GL posting that equals the ledger but not what PayTrace settled differs; within a cent it does not', () => {
    const off = new Dataset().payment('p1', 1001, '10.00', { glKey: 'GLp1' }).gl('GLp1', '10.00').tx(1001, '10.50', { invoiceId: 'LINK-p1' }).receipt('200001', '10.50', { irno: 'LINK-p1' }).run();
    expect(item(off.items, 'B:tx:1001')).toMatchObject({ exceptionClass: 'amount_differs', owner: 'gateway', glCents: 1000, differenceCents: -50 });
    const cent = new Dataset().payment('p1', 1001, '10.00', { glKey: 'GLp1' }).gl('GLp1', '10.00').tx(1001, '10.01', { invoiceId: 'LINK-p1' }).receipt('200001', '10.01', { irno: 'LINK-p1' }).run();
    expect(cent.items.filter((i) => i.key === 'B:tx:1001')).toEqual([]);
  });

  it('a ledger payment never sent to PayTrace is no leg-C difference; one in another currency says its currency', () => {
    const { items } = new Dataset().payment('p1', undefined, '10.00', { glKey: 'GLp1' }).gl('GLp1', '10.00').payment('p2', 7002, '20.00', { glKey: 'GLp2', currency: 'EUR' }).gl('GLp2', '21.70').run();
    expect(items.filter((i) => i.leg === 'C').map((i) => [i.key, i.currency])).toEqual([['C:payment:p2', 'EUR']]);
  });
});

describe('bad input and determinism', () => {
  it('says where a transaction that moved between batches settled', () => {
    const { items } = new Dataset().paid('p1', 1001, '10.00').batch(1001).batch(1002).run();
    expect(item(items, 'A:tx:1001').reason).not.toContain('moved');
    const moved = new Dataset().payment('p1', 1001, '10.00', { glKey: 'GLp1' }).gl('GLp1', '10.00').tx(1001, '10.00', { invoiceId: 'LINK-p1', batchNumber: 1002, movedFromBatch: 1001 }).receipt('200001', '10.00', { irno: 'LINK-p1' }).batch(1001, 0).batch(1002, 1000).run();
    expect(item(moved.items, 'A:tx:1001')).toMatchObject({ status: 'matched', batchNumber: 1002 });
    expect(item(moved.items, 'A:tx:1001').reason).toContain('moved from batch 1001 to batch 1002');
    expect(item(moved.items, 'B:batch:1001')).toMatchObject({ status: 'matched', paytraceCents: 0 });
  });

  it('gives the same items in the same order whatever order the sources come in', () => {
    const data = new Dataset().paid('p1', 1001, '10.00').paid('p2', 1002, '20.00').tx(1003, '30.00').receipt('300003', '30.00', { cuno: 'C10002' }).tx(1004, '5.00').payment('p9', 9009, '1.00', { glKey: 'GLp9' }).gl('GLp9', '1.00');
    const first = data.run();
    const shuffled = { ...data.input, transactions: [...data.input.transactions].reverse(), receipts: [...data.input.receipts].reverse(), payments: [...data.input.payments].reverse(), glBatches: [...data.input.glBatches].reverse() };
    expect(reconcile(shuffled, rules)).toEqual(first);
  });
});
