import {
  formatReference,
  matchPayment,
  matchPaymentsToDocument,
  normalizeReference,
  parseReference,
  type M3Document,
  type MatchingRules,
  type PaymentRecord,
} from '../../../gateway/src/domain/matching';
import { Money } from '../../../gateway/src/domain/money';
import { appErrorOf, shippedRules } from './helpers';

let rules: MatchingRules;
beforeAll(async () => {
  rules = (await shippedRules()).matching;
});

const usd = (s: string) => Money.parse(s, 'USD');
const invoice = (id: string, amount: string, extra: Partial<M3Document> = {}): M3Document => ({
  kind: 'invoice',
  id,
  year: '2026',
  division: 'AAA',
  customer: 'C10001',
  amount: usd(amount),
  date: '2026-11-10',
  ...extra,
});
const payment = (extra: Partial<PaymentRecord> & { amount: Money }): PaymentRecord => ({ id: '1184212', date: '2026-11-12', ...extra });

describe('our reference', () => {
  it('formats and parses the reference we write into invoice_id', () => {
    const ref = formatReference(rules, 'invoice', { division: 'AAA', year: '2026', invoice: '200001' });
    expect(ref).toBe('M3I-AAA-2026-200001');
    expect(parseReference(rules, ref)).toEqual({ kind: 'invoice', division: 'AAA', year: '2026', invoice: '200001' });
    expect(parseReference(rules, 'M3O-1000123')).toEqual({ kind: 'order', order: '1000123' });
    expect(parseReference(rules, 'invoice 200001')).toBeUndefined();
  });

  it('refuses references PayTrace cannot hold', () => {
    expect(appErrorOf(() => formatReference(rules, 'invoice', { division: 'AAA', year: '2026' })).code).toBe('REFERENCE_FIELD_INVALID');
    expect(appErrorOf(() => formatReference(rules, 'order', { order: 'A B' })).code).toBe('REFERENCE_FIELD_INVALID');
    const long = { ...rules, reference: { ...rules.reference, templates: { ...rules.reference.templates, order: 'M3-ORDER-REFERENCE-FOR-PAYTRACE-{order}' } } };
    expect(appErrorOf(() => formatReference(long, 'order', { order: '12345678901234567890' })).code).toBe('REFERENCE_TOO_LONG');
  });

  it('matches by reference first with confidence 1, even when another document scores well', () => {
    const docs = [invoice('200001', '1250.00'), invoice('200002', '1250.00')];
    const result = matchPayment(rules, payment({ amount: usd('1250.00'), invoiceId: 'M3I-AAA-2026-200001', customer: 'C10001' }), docs);
    expect(result.status).toBe('matched');
    expect(result.autoApply).toBe(true);
    expect(result.best).toMatchObject({ rule: 'reference', confidence: 1 });
    expect(result.best!.documents[0]!.id).toBe('200001');
    expect(result.best!.reason).toMatch(/invoice_id "M3I-AAA-2026-200001" is our reference for invoice 200001/);
  });

  it('does not take a reference of another year or division', () => {
    const docs = [invoice('200001', '80.00', { year: '2025' })];
    const result = matchPayment(rules, payment({ amount: usd('80.00'), invoiceId: 'M3I-AAA-2026-200001' }), docs);
    expect(result.best?.rule).not.toBe('reference');
    expect(result.reason).toMatch(/looks like our reference but names no single open document/);
  });
});

describe('normalized invoice text', () => {
  it.each([
    ['Inv. No 000123', '123'],
    ['INVOICE #00123', '123'],
    ['inv-123', '123'],
    [' 12 3 ', '123'],
    ['ＩＮＶ１２３', '123'],
    ['PO 4500-77', '450077'],
    ['0', '0'],
    ['INV123', '123'],
    ['Northwind 77', 'NORTHWIND77'],
    ['Invoices', 'INVOICES'],
    ['INV', 'INV'],
  ])('%j → %j', (text, normalized) => {
    expect(normalizeReference(rules, text)).toBe(normalized);
  });
});

describe('tolerant matching', () => {
  it('auto-applies a payment that quotes the invoice number with the right amount and customer', () => {
    const docs = [invoice('200001', '1250.00'), invoice('200007', '300.00')];
    const result = matchPayment(rules, payment({ amount: usd('1250.00'), description: 'Payment inv 0200001', customer: 'C10001' }), docs);
    expect(result.status).toBe('matched');
    expect(result.best).toMatchObject({ rule: 'tolerant' });
    expect(result.best!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(result.best!.reason).toMatch(/amount 1250.00 USD equals the open amount; customer C10001 matches; 2 day\(s\) after the document date; text quotes invoice 200001/);
  });

  it('sends a weaker match (no text) to review, never auto-applied', () => {
    const docs = [invoice('200001', '1250.00')];
    const result = matchPayment(rules, payment({ amount: usd('1250.00'), customer: 'C10001' }), docs);
    expect(result.status).toBe('review');
    expect(result.autoApply).toBe(false);
    expect(result.best!.confidence).toBeLessThan(0.9);
  });

  it('calls two equally good candidates ambiguous', () => {
    const docs = [invoice('200001', '500.00'), invoice('200002', '500.00')];
    const result = matchPayment(rules, payment({ amount: usd('500.00'), customer: 'C10001' }), docs);
    expect(result.status).toBe('ambiguous');
    expect(result.autoApply).toBe(false);
    expect(result.candidates).toHaveLength(2);
    expect(result.reason).toMatch(/2 candidates score within 0.05/);
  });

  it('does not match across amount, date window or currency', () => {
    expect(matchPayment(rules, payment({ amount: usd('1249.99'), customer: 'C10001' }), [invoice('200001', '1250.00')]).status).toBe('unmatched');
    expect(matchPayment(rules, payment({ amount: usd('1250.00'), customer: 'C10001', date: '2027-03-01' }), [invoice('200001', '1250.00')]).status).toBe('unmatched');
    expect(matchPayment(rules, payment({ amount: Money.parse('1250.00', 'EUR'), customer: 'C10001' }), [invoice('200001', '1250.00')]).status).toBe('unmatched');
    expect(matchPayment(rules, payment({ amount: usd('1.00') }), []).reason).toMatch(/no open document/);
  });

  it('accepts amounts within a configured tolerance with a lower score', () => {
    const lenient = { ...rules, tolerant: { ...rules.tolerant, amountTolerance: { absolute: '5.00', percent: '0' } } };
    const result = matchPayment(lenient, payment({ amount: usd('1246.00'), customer: 'C10001', description: 'INV 200001' }), [invoice('200001', '1250.00')]);
    expect(result.best!.reason).toMatch(/within tolerance/);
    expect(result.best!.confidence).toBeLessThan(1);
  });

  it('applies a percentage tolerance of the open amount', () => {
    const percent = { ...rules, tolerant: { ...rules.tolerant, amountTolerance: { absolute: '0.00', percent: '0.5' } } };
    const doc = [invoice('200001', '1250.00')];
    expect(matchPayment(percent, payment({ amount: usd('1243.75'), customer: 'C10001', description: 'INV 200001' }), doc).best?.reason).toMatch(/within tolerance/); // 6.25 off
    expect(matchPayment(percent, payment({ amount: usd('1243.74'), customer: 'C10001', description: 'INV 200001' }), doc).status).toBe('unmatched'); // 6.26 off
  });

  it('tolerates one wrong digit in the quoted number, with a lower confidence', () => {
    const exact = matchPayment(rules, payment({ amount: usd('75.00'), customer: 'C10001', description: 'inv 200123' }), [invoice('200123', '75.00')]);
    const typo = matchPayment(rules, payment({ amount: usd('75.00'), customer: 'C10001', description: 'inv 200124' }), [invoice('200123', '75.00')]);
    expect(typo.best!.confidence).toBeLessThan(exact.best!.confidence);
    expect(typo.best!.reason).toMatch(/resembles/);
  });
});

describe('split and combined payments', () => {
  it('1:N — one payment for several invoices of one customer goes to review with the combination', () => {
    const docs = [invoice('200001', '100.00'), invoice('200002', '250.50'), invoice('200003', '75.25'), invoice('200004', '990.00')];
    const result = matchPayment(rules, payment({ amount: usd('425.75'), customer: 'C10001' }), docs);
    expect(result.status).toBe('review');
    expect(result.best!.rule).toBe('one-to-many');
    expect(result.best!.documents.map((d) => d.id).sort()).toEqual(['200001', '200002', '200003']);
  });

  it('1:N — two different combinations are ambiguous', () => {
    const docs = [invoice('200001', '100.00'), invoice('200002', '50.00'), invoice('200003', '50.00')];
    const result = matchPayment(rules, payment({ amount: usd('150.00'), customer: 'C10001' }), docs);
    expect(result.status).toBe('ambiguous');
    expect(result.autoApply).toBe(false);
  });

  it('N:1 — instalments carrying our reference are matched when they add up', () => {
    const doc = invoice('200001', '1000.00');
    const ref = 'M3I-AAA-2026-200001';
    const payments = [
      payment({ id: '1', amount: usd('333.34'), invoiceId: ref }),
      payment({ id: '2', amount: usd('333.33'), invoiceId: ref }),
      payment({ id: '3', amount: usd('333.33'), invoiceId: ref }),
      payment({ id: '4', amount: usd('333.33'), description: 'someone else' }),
    ];
    const result = matchPaymentsToDocument(rules, payments, doc);
    expect(result.status).toBe('matched');
    expect(result.best!.payments.map((p) => p.id)).toEqual(['1', '2', '3']);
    const partial = matchPaymentsToDocument(rules, payments.slice(0, 2), doc);
    expect(partial.status).toBe('review');
    expect(partial.reason).toMatch(/the sum differs/);
  });

  it('N:1 — untagged payments that add up go to review; several ways are ambiguous', () => {
    const doc = invoice('200001', '300.00');
    const one = matchPaymentsToDocument(rules, [payment({ id: 'a', amount: usd('200.00'), customer: 'C10001' }), payment({ id: 'b', amount: usd('100.00'), customer: 'C10001' }), payment({ id: 'c', amount: usd('7.00'), customer: 'C10001' })], doc);
    expect(one.status).toBe('review');
    expect(one.best!.rule).toBe('many-to-one');
    const many = matchPaymentsToDocument(rules, [payment({ id: 'a', amount: usd('200.00') }), payment({ id: 'b', amount: usd('100.00') }), payment({ id: 'c', amount: usd('100.00') })], doc);
    expect(many.status).toBe('ambiguous');
  });
});

describe('bounded search', () => {
  it('stops a combination search that would explode and says so', () => {
    const wide = { ...rules, grouping: { ...rules.grouping, maxCandidates: 40, maxGroupSize: 8 } };
    // 40 payments of 1.00 cannot reach 1000.00 in 8: the search would visit millions of subsets
    const payments = Array.from({ length: 40 }, (_, i) => payment({ id: String(i), amount: usd('1.00'), customer: 'C10001' }));
    const result = matchPaymentsToDocument(wide, payments, invoice('200001', '1000.00'));
    expect(result.status).toBe('unmatched');
    expect(result.reason).toMatch(/stopped after 200000 steps/);
  });
});
