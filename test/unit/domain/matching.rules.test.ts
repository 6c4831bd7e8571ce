import {
  formatReference,
  matchingRulesSchema,
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

/**
 * Each matching rule at its edges: the exact scores, the window and threshold boundaries, the
 * reasons a person reads, and the limits of the combination search. (matching.test.ts shows the
 * rules at work; this file pins each one, so that a changed comparison or weight shows.)
 */

let rules: MatchingRules;
beforeAll(async () => {
  rules = (await shippedRules()).matching;
});

type Patch = { [K in 'tolerant' | 'thresholds' | 'grouping' | 'normalize']?: Partial<MatchingRules[K]> };
const tweak = (patch: Patch): MatchingRules => ({
  ...rules,
  tolerant: { ...rules.tolerant, ...patch.tolerant },
  thresholds: { ...rules.thresholds, ...patch.thresholds },
  grouping: { ...rules.grouping, ...patch.grouping },
  normalize: { ...rules.normalize, ...patch.normalize },
});

const usd = (s: string) => Money.parse(s, 'USD');
const invoice = (id: string, amount: string, extra: Partial<M3Document> = {}): M3Document => ({ kind: 'invoice', id, year: '2026', division: 'AAA', customer: 'C10001', amount: usd(amount), date: '2026-11-10', ...extra });
const payment = (extra: Partial<PaymentRecord> & { amount: Money }): PaymentRecord => ({ id: '1184212', date: '2026-11-12', ...extra });
const known = (extra: Partial<PaymentRecord> & { amount: Money }) => payment({ customer: 'C10001', ...extra });
// the shipped weights: amount 0.4, customer 0.25, date 0.1, text 0.25; a payment two days after its invoice scores 1 - 0.5·2/60 on date
const TWO_DAYS_AFTER = 0.1 * (1 - 0.5 * (2 / 60));

describe('the rules file is checked before it is used', () => {
  const input = () => structuredClone(rules) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const problems = (data: unknown) => {
    const result = matchingRulesSchema.safeParse(data);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts the shipped rules, and any one positive weight', () => {
    expect(problems(input())).toEqual([]);
    for (const only of ['amount', 'customer', 'date', 'text']) {
      const data = input();
      data.tolerant.weights = { amount: 0, customer: 0, date: 0, text: 0, [only]: 1 };
      expect(problems(data)).toEqual([]);
    }
  });

  it('refuses weights that are all zero', () => {
    const data = input();
    data.tolerant.weights = { amount: 0, customer: 0, date: 0, text: 0 };
    expect(problems(data)).toEqual(['tolerant.weights: at least one weight must be positive']);
  });

  it('refuses templates without their document number', () => {
    const data = input();
    data.reference.templates = { invoice: 'M3I-{year}', order: 'M3O-{invoice}' };
    expect(problems(data)).toEqual(['reference.templates.invoice: the invoice template needs {invoice}', 'reference.templates.order: the order template needs {order}']);
  });

  it('fills the defaults: no prefixes, leading zeros stripped, amount required, texts of 3 characters', () => {
    const data = input();
    data.normalize = {};
    delete data.tolerant.requireAmount;
    delete data.tolerant.minTextLength;
    const parsed = matchingRulesSchema.parse(data);
    expect(parsed.normalize).toEqual({ stripPrefixes: [], stripLeadingZeros: true });
    expect(parsed.tolerant).toMatchObject({ requireAmount: true, minTextLength: 3 });
  });

  it('takes tolerances only as plain decimal strings', () => {
    for (const good of ['0', '5', '10', '10.5', '0.05', '12.25']) {
      const data = input();
      data.tolerant.amountTolerance = { absolute: good, percent: good };
      expect(problems(data)).toEqual([]);
    }
    for (const bad of ['x1', '1x', '1.', '.5', '1.x', '-1', '']) {
      const data = input();
      data.tolerant.amountTolerance = { absolute: bad, percent: bad };
      expect(problems(data)).toEqual(['tolerant.amountTolerance.absolute: a decimal string like "0.05"', 'tolerant.amountTolerance.percent: a decimal string like "0.5"']);
    }
  });

  it('refuses a review threshold above auto-apply, and accepts both equal', () => {
    const data = input();
    data.thresholds = { autoApply: 0.6, review: 0.7, ambiguityMargin: 0.05 };
    expect(problems(data)).toEqual(['thresholds.review: review must not exceed autoApply']);
    data.thresholds = { autoApply: 0.7, review: 0.7, ambiguityMargin: 0.05 };
    expect(problems(data)).toEqual([]);
  });
});

describe('our reference, exactly', () => {
  it('says which field is missing, and how long a reference that does not fit is', () => {
    const missing = appErrorOf(() => formatReference(rules, 'invoice', { division: 'AAA', year: '2026', invoice: '' }));
    expect(missing).toMatchObject({ code: 'REFERENCE_FIELD_INVALID', errorClass: 'business', message: 'Reference field invoice is missing or not alphanumeric', details: { field: 'invoice' } });
    expect(appErrorOf(() => formatReference(rules, 'order', { order: '12-3' })).details).toEqual({ field: 'order' });
    // 50 characters fit PayTrace's invoice_id, 51 do not
    expect(formatReference(rules, 'order', { order: '1'.repeat(46) })).toHaveLength(50);
    const long = appErrorOf(() => formatReference(rules, 'order', { order: '1'.repeat(47) }));
    expect(long).toMatchObject({ code: 'REFERENCE_TOO_LONG', errorClass: 'configuration', message: `Reference "M3O-${'1'.repeat(47)}" is longer than PayTrace's 50-character invoice_id`, details: { length: 51 } });
  });

  it('reads a reference whatever its case and surrounding spaces, and only the whole text', () => {
    expect(parseReference(rules, '  m3i-aaa-2026-200001 ')).toStrictEqual({ kind: 'invoice', division: 'aaa', year: '2026', invoice: '200001' });
    expect(parseReference(rules, 'XM3O-1000123')).toBeUndefined();
    expect(parseReference(rules, 'M3O-1000123 paid')).toBeUndefined();
    expect(parseReference(rules, undefined)).toBeUndefined();
    expect(parseReference(rules, '')).toBeUndefined();
  });

  it('takes the template text literally, regular-expression characters included', () => {
    const dotted: MatchingRules = { ...rules, reference: { ...rules.reference, templates: { invoice: 'INV.{invoice}', order: 'ORD+{order}' } } };
    expect(parseReference(dotted, 'INV.123')).toStrictEqual({ kind: 'invoice', invoice: '123' });
    expect(parseReference(dotted, 'INVX123')).toBeUndefined();
    expect(parseReference(dotted, 'ORD+55')).toStrictEqual({ kind: 'order', order: '55' });
    expect(parseReference(dotted, 'ORDD55')).toBeUndefined();
  });

  it('matches an order reference to the order, never to an invoice of the same number', () => {
    const order: M3Document = { kind: 'order', id: '1000123', customer: 'C10001', amount: usd('50.00'), date: '2026-11-10' };
    const byOrder = matchPayment(rules, payment({ amount: usd('50.00'), invoiceId: 'M3O-1000123' }), [order]);
    expect(byOrder).toMatchObject({ status: 'matched', best: { rule: 'reference', documents: [order] } });
    const notInvoice = matchPayment(rules, payment({ amount: usd('50.00'), invoiceId: 'M3O-1000123' }), [invoice('1000123', '50.00')]);
    expect(notInvoice.best?.rule).not.toBe('reference');
  });

  it('takes a document without year or division, compares divisions in any case, refuses another division', () => {
    const ref = 'M3I-AAA-2026-200001';
    expect(matchPayment(rules, payment({ amount: usd('80.00'), invoiceId: ref }), [invoice('200001', '80.00', { year: undefined })]).best?.rule).toBe('reference');
    expect(matchPayment(rules, payment({ amount: usd('80.00'), invoiceId: ref }), [invoice('200001', '80.00', { division: undefined })]).best?.rule).toBe('reference');
    expect(matchPayment(rules, payment({ amount: usd('80.00'), invoiceId: ref }), [invoice('200001', '80.00', { division: 'aaa' })]).best?.rule).toBe('reference');
    expect(matchPayment(rules, payment({ amount: usd('80.00'), invoiceId: ref }), [invoice('200001', '80.00', { division: 'BBB' })]).best?.rule).not.toBe('reference');
  });

  it('finds our reference in the description too, and notes an amount that differs', () => {
    const doc = invoice('200001', '100.00');
    const p = payment({ amount: usd('80.00'), description: 'M3I-AAA-2026-200001' });
    const result = matchPayment(rules, p, [doc]);
    expect(result).toEqual({
      status: 'matched',
      autoApply: true,
      best: { documents: [doc], payments: [p], rule: 'reference', confidence: 1, reason: 'description "M3I-AAA-2026-200001" is our reference for invoice 200001; note: amount 80.00 USD differs from the open 100.00 USD' },
      candidates: [result.best],
      reason: 'reference: description "M3I-AAA-2026-200001" is our reference for invoice 200001; note: amount 80.00 USD differs from the open 100.00 USD',
    });
    const exact = matchPayment(rules, payment({ amount: usd('100.00'), invoiceId: 'M3I-AAA-2026-200001' }), [doc]);
    expect(exact.reason).toBe('reference: invoice_id "M3I-AAA-2026-200001" is our reference for invoice 200001');
  });
});

describe('normalized texts, exactly', () => {
  it.each([
    [' inv 0042', '42'],
    ['INV.: NO 0012', '12'], // the separators after a prefix go with it, so the next prefix is seen
    ['No INV 12', '12'], // prefixes are stripped until none is left, whatever their order
  ])('%j → %j', (text, normalized) => {
    expect(normalizeReference(rules, text)).toBe(normalized);
  });

  it('compares configured prefixes upper-case, the longest first', () => {
    const custom = tweak({ normalize: { stripPrefixes: ['ref', 'A', 'A1'], stripLeadingZeros: true } });
    expect(normalizeReference(custom, 'Ref 12')).toBe('12');
    expect(normalizeReference(custom, 'A1 5')).toBe('5');
  });

  it('keeps leading zeros when told to', () => {
    expect(normalizeReference(tweak({ normalize: { stripLeadingZeros: false } }), 'INV 000123')).toBe('000123');
  });
});

describe('tolerant scores, exactly', () => {
  it('weighs the parts by the configured weights, whatever they add up to', () => {
    const weighted = tweak({ tolerant: { weights: { amount: 2, customer: 1, date: 1, text: 0 } } });
    const result = matchPayment(weighted, payment({ amount: usd('100.00') }), [invoice('200001', '100.00')]);
    // (2·1 + 1·0.5 (customer unknown) + 1·(1 - 0.5·2/60)) / 4
    expect(result.best).toMatchObject({ confidence: 0.871, documents: [{ id: '200001' }], payments: [{ id: '1184212' }] });
    expect(result.best!.reason).toBe('amount 100.00 USD equals the open amount; customer unknown on the payment; 2 day(s) after the document date; no text on the payment');
  });

  it('scores a customer that differs as 0', () => {
    const result = matchPayment(rules, payment({ amount: usd('100.00'), customer: 'C2' }), [invoice('200001', '100.00')]);
    expect(result).toMatchObject({ status: 'unmatched', autoApply: false, reason: 'best candidate scores 0.498, below the review threshold 0.5' });
    expect(result.best).toBeUndefined();
    expect(result.candidates).toHaveLength(1);
    expect(result.candidates[0]!.reason).toContain('customer C2 ≠ C10001');
  });

  it('says when the payment carries no text at all', () => {
    expect(matchPayment(rules, known({ amount: usd('100.00') }), [invoice('200001', '100.00')]).best!.reason).toContain('no text on the payment');
  });

  it('scores the date window on its own side, up to its edges', () => {
    const doc = [invoice('200001', '100.00')];
    const before = matchPayment(rules, known({ amount: usd('100.00'), date: '2026-11-09' }), doc);
    expect(before.best).toMatchObject({ confidence: 0.733 }); // 1 - 0.5·1/3 on date
    expect(before.best!.reason).toContain('1 day(s) before the document date');
    expect(matchPayment(rules, known({ amount: usd('100.00'), date: '2026-11-07' }), doc).best).toMatchObject({ confidence: 0.7 });
    expect(matchPayment(rules, known({ amount: usd('100.00'), date: '2026-11-06' }), doc).status).toBe('unmatched');
    expect(matchPayment(rules, known({ amount: usd('100.00'), date: '2027-01-09' }), doc).best).toMatchObject({ confidence: 0.7 }); // 60 days after
    expect(matchPayment(rules, known({ amount: usd('100.00'), date: '2027-01-10' }), doc).status).toBe('unmatched');
    const sameDayOnly = tweak({ tolerant: { dateWindowDays: { before: 0, after: 0 } } });
    const sameDay = matchPayment(sameDayOnly, known({ amount: usd('100.00'), date: '2026-11-10' }), doc);
    expect(sameDay.best).toMatchObject({ confidence: 0.75 });
    expect(sameDay.best!.reason).toContain('same day');
  });

  it('scores an amount inside the tolerance from 1 down to 0.5 at the edge, over- or under-paid', () => {
    const lenient = tweak({ tolerant: { amountTolerance: { absolute: '5.00', percent: '0.1' } } });
    const over = matchPayment(lenient, known({ amount: usd('1254.00'), description: 'INV 200001' }), [invoice('200001', '1250.00')]);
    // 4.00 of 5.00 (the larger of 5.00 and 0.1 % of 1250.00): 1 - 0.5·0.8 = 0.6 on amount
    expect(over.best).toMatchObject({ confidence: round3(0.4 * 0.6 + 0.25 + TWO_DAYS_AFTER + 0.25) });
    expect(over.best!.reason).toContain('amount 1254.00 USD is within tolerance of 1250.00 USD');
    expect(matchPayment(lenient, known({ amount: usd('1246.00'), description: 'INV 200001' }), [invoice('200001', '1250.00')]).best!.reason).toContain('within tolerance');
    expect(matchPayment(lenient, known({ amount: usd('1244.99'), description: 'INV 200001' }), [invoice('200001', '1250.00')]).status).toBe('unmatched');
  });

  it('rounds the percentage tolerance down to the cent', () => {
    const percent = tweak({ tolerant: { amountTolerance: { absolute: '0', percent: '0.5' } } });
    // 0.5 % of 1251.99 is 6.25995: the tolerance is 6.25
    expect(matchPayment(percent, known({ amount: usd('1245.74'), description: 'INV 200001' }), [invoice('200001', '1251.99')]).best!.reason).toContain('within tolerance');
    expect(matchPayment(percent, known({ amount: usd('1245.73'), description: 'INV 200001' }), [invoice('200001', '1251.99')]).status).toBe('unmatched');
  });

  it('takes the absolute tolerance in each currency’s own decimals', () => {
    const lenient = tweak({ tolerant: { amountTolerance: { absolute: '0.05', percent: '0' } } });
    const doc = (amount: Money): M3Document => ({ ...invoice('200001', '1.00'), amount });
    expect(matchPayment(lenient, known({ amount: usd('10.00') }), [doc(usd('10.04'))]).best!.reason).toContain('within tolerance');
    const kwd = (s: string) => Money.parse(s, 'KWD');
    expect(matchPayment(lenient, known({ amount: kwd('10.000') }), [doc(kwd('10.040'))]).best!.reason).toContain('within tolerance');
    const fine = (s: string) => Money.parse(s, 'USD', { decimals: 4 });
    expect(matchPayment(lenient, known({ amount: fine('10.0000') }), [doc(fine('10.0400'))]).best!.reason).toContain('within tolerance');
  });

  it('names an amount outside the tolerance when the amount is not required', () => {
    const optional = tweak({ tolerant: { requireAmount: false } });
    const result = matchPayment(optional, known({ amount: usd('1000.00'), description: 'INV 200001' }), [invoice('200001', '1250.00')]);
    expect(result.best).toMatchObject({ confidence: round3(0.25 + TWO_DAYS_AFTER + 0.25) });
    expect(result.best!.reason).toContain('amount 1000.00 USD differs from the open 1250.00 USD');
  });
});

describe('invoice texts, exactly', () => {
  const scored = (description: string, doc: M3Document, withRules = rules) => matchPayment(withRules, known({ amount: doc.amount, description }), [doc]).best!;
  const QUOTED = round3(0.4 + 0.25 + TWO_DAYS_AFTER + 0.25);
  const UNQUOTED = round3(0.4 + 0.25 + TWO_DAYS_AFTER);

  it.each([
    ['inv 123', '123'], // exactly the shortest text compared
    ['inv 123', '000123'], // the document's number is normalized too
    ['paid 200123 thanks', '200123'], // one word of the text
    ['paid 200 123 thanks', '200123'], // two words together
    ['INV 20 01 23', '200123'], // the whole text
  ])('%j quotes invoice %s', (description, id) => {
    expect(scored(description, invoice(id, '10.00'))).toMatchObject({ confidence: QUOTED, reason: expect.stringContaining(`text quotes invoice ${id}`) });
  });

  it('takes a text 80 % alike as a lower score, and less alike as none', () => {
    expect(scored('inv 20012', invoice('20013', '10.00'))).toMatchObject({ confidence: round3(0.4 + 0.25 + TWO_DAYS_AFTER + 0.25 * 0.8), reason: expect.stringContaining('text "20012" resembles "20013"') });
    expect(scored('inv 200123', invoice('2001234', '10.00'))).toMatchObject({ confidence: round3(0.4 + 0.25 + TWO_DAYS_AFTER + 0.25 * (6 / 7)) });
    expect(scored('inv 201', invoice('200', '10.00'))).toMatchObject({ confidence: UNQUOTED, reason: expect.stringContaining('text does not quote the document') });
  });

  it('names the first of two equally close texts', () => {
    expect(scored('200124 200122', invoice('200123', '10.00')).reason).toContain('text "200124" resembles "200123"');
  });

  it('compares neither payment texts nor document texts shorter than the minimum', () => {
    const six = tweak({ tolerant: { minTextLength: 6 } });
    expect(scored('inv 12345', invoice('123456', '10.00'), six)).toMatchObject({ confidence: UNQUOTED });
    expect(scored('inv 123456', invoice('99', '10.00', { texts: ['12345'] }), six)).toMatchObject({ confidence: UNQUOTED });
  });
});

describe('thresholds, exactly', () => {
  it('puts the best candidate first, whatever order the documents come in', () => {
    const result = matchPayment(rules, known({ amount: usd('500.00'), description: 'inv 422223' }), [invoice('311112', '500.00'), invoice('422223', '500.00')]);
    expect(result).toMatchObject({ status: 'matched', autoApply: true, best: { documents: [{ id: '422223' }] } });
    expect(result.reason).toMatch(/^tolerant: amount 500.00 USD equals the open amount/);
  });

  it('applies a score equal to auto-apply, and reviews one equal to review', () => {
    const strict = tweak({ thresholds: { autoApply: 1, review: 1, ambiguityMargin: 0.05 } });
    const exact = matchPayment(strict, known({ amount: usd('100.00'), description: 'inv 200001', date: '2026-11-10' }), [invoice('200001', '100.00')]);
    expect(exact).toMatchObject({ status: 'matched', autoApply: true, best: { confidence: 1 } });
    const review = matchPayment(rules, known({ amount: usd('100.00') }), [invoice('200001', '100.00')]);
    expect(review).toMatchObject({ status: 'review', autoApply: false, reason: `confidence 0.748 is below 0.9: ${review.best!.reason}` });
  });

  it('calls two candidates ambiguous only when the second reaches review and is within the margin', () => {
    const docs = [invoice('200001', '100.00', { date: '2026-11-12' }), invoice('200002', '100.00')]; // scores 0.75 and 0.748
    const p = known({ amount: usd('100.00') });
    expect(matchPayment(tweak({ thresholds: { autoApply: 0.9, review: 0.748, ambiguityMargin: 0.05 } }), p, docs).status).toBe('ambiguous');
    expect(matchPayment(tweak({ thresholds: { autoApply: 0.9, review: 0.749, ambiguityMargin: 0.05 } }), p, docs).status).toBe('review');
  });

  it('is not ambiguous when the second is exactly the margin behind, and counts only the close ones', () => {
    const docs = [invoice('200001', '100.00', { date: '2026-11-12' }), invoice('311112', '100.00', { date: '2026-11-12' }), invoice('422223', '100.00', { date: '2026-11-12', customer: 'C2' })];
    const p = known({ amount: usd('100.00'), description: 'inv 200001' }); // scores 1, 0.75 and 0.5
    expect(matchPayment(tweak({ thresholds: { autoApply: 0.9, review: 0.5, ambiguityMargin: 0.25 } }), p, docs).status).toBe('matched');
    const wide = matchPayment(tweak({ thresholds: { autoApply: 0.9, review: 0.5, ambiguityMargin: 0.3 } }), p, docs);
    expect(wide).toMatchObject({ status: 'ambiguous', reason: '2 candidates score within 0.3 of 1: a person decides' });
    expect(wide.candidates.map((c) => c.confidence)).toEqual([1, 0.75, 0.5]);
  });
});

describe('one payment, several documents (1:N), exactly', () => {
  it('names the combination, the payment and the documents', () => {
    const docs = [invoice('200001', '100.00'), invoice('200002', '250.50'), invoice('200003', '75.25')];
    const p = known({ amount: usd('425.75') });
    const result = matchPayment(rules, p, docs);
    expect(result.best).toEqual({ documents: docs, payments: [p], rule: 'one-to-many', confidence: 0.8, reason: '3 open invoices of customer C10001 (200001, 200002, 200003) add up to 425.75 USD' });
    expect(result.reason).toBe(`confidence 0.8 is below 0.9: ${result.best!.reason}`);
  });

  it('combines within the tolerance, over the payment too', () => {
    const lenient = tweak({ tolerant: { amountTolerance: { absolute: '1.00', percent: '0' } } });
    expect(matchPayment(lenient, known({ amount: usd('300.00') }), [invoice('200001', '100.00'), invoice('200002', '200.50')]).best?.rule).toBe('one-to-many');
  });

  it('combines the documents of the one customer there is when the payment names none', () => {
    expect(matchPayment(rules, payment({ amount: usd('300.00') }), [invoice('200001', '100.00'), invoice('200002', '200.00')]).best?.rule).toBe('one-to-many');
  });

  it.each<[string, M3Document[], PaymentRecord, Partial<MatchingRules['grouping']>]>([
    ['more documents than the largest group', [invoice('1', '100.00'), invoice('2', '100.00'), invoice('3', '100.00')], known({ amount: usd('300.00') }), { maxGroupSize: 2 }],
    ['documents in another currency', [invoice('1', '100.00', { amount: Money.parse('100.00', 'EUR') }), invoice('2', '200.00', { amount: Money.parse('200.00', 'EUR') })], known({ amount: usd('300.00') }), {}],
    ['a document of another customer', [invoice('1', '100.00'), invoice('2', '200.00', { customer: 'C2' })], known({ amount: usd('300.00') }), {}],
    ['a document outside the date window', [invoice('1', '100.00'), invoice('2', '200.00', { date: '2025-01-01' })], known({ amount: usd('300.00') }), {}],
    ['documents of two customers when the payment names none', [invoice('1', '100.00'), invoice('2', '200.00', { customer: 'C2' })], payment({ amount: usd('300.00') }), {}],
    ['a document past the candidate limit', [invoice('1', '100.00'), invoice('2', '50.00'), invoice('3', '200.00')], known({ amount: usd('300.00') }), { maxCandidates: 2 }],
  ])('combines no %s', (_what, docs, p, grouping) => {
    const result = matchPayment(tweak({ grouping }), p, docs);
    expect(result).toMatchObject({ status: 'unmatched', reason: 'no open document within the amount and date windows' });
  });

  it('says why when a known customer has nothing open', () => {
    expect(matchPayment(rules, known({ amount: usd('1.00') }), []).reason).toBe('no open document within the amount and date windows');
  });

  it('leaves two equally good single documents ambiguous, without looking for combinations', () => {
    const docs = [invoice('1', '500.00'), invoice('2', '500.00'), invoice('3', '250.00'), invoice('4', '250.00')];
    expect(matchPayment(rules, known({ amount: usd('500.00') }), docs)).toMatchObject({ status: 'ambiguous', reason: '2 candidates score within 0.05 of 0.748: a person decides' });
  });

  it('lists every combination and the single documents, best first', () => {
    const docs = [invoice('1', '150.00'), invoice('2', '100.00'), invoice('3', '50.00'), invoice('4', '50.00')];
    const result = matchPayment(rules, known({ amount: usd('150.00') }), docs);
    expect(result).toMatchObject({ status: 'ambiguous', autoApply: false, reason: '2 combination(s) of documents add up to the payment: a person decides' });
    expect(result.candidates.map((c) => c.rule)).toEqual(['one-to-many', 'one-to-many', 'tolerant']);
  });

  it('does not trust a single combination when the search stopped early', () => {
    const wide = tweak({ grouping: { maxCandidates: 40, maxGroupSize: 8 } });
    const docs = [invoice('a', '500.00'), invoice('b', '500.00'), ...Array.from({ length: 38 }, (_, i) => invoice(`c${i}`, '1.00'))];
    expect(matchPayment(wide, known({ amount: usd('1000.00') }), docs)).toMatchObject({ status: 'ambiguous', reason: '1 combination(s) of documents add up to the payment (search incomplete): a person decides', best: { documents: [{ id: 'a' }, { id: 'b' }] } });
    const none = matchPayment(wide, known({ amount: usd('1000.00') }), docs.slice(2).concat(invoice('d', '1.00'), invoice('e', '1.00')));
    expect(none).toMatchObject({ status: 'unmatched', reason: 'no open document within the amount and date windows; the search for combinations stopped after 200000 steps: a person decides' });
  });
});

describe('several payments, one document (N:1), exactly', () => {
  const doc = invoice('200001', '1000.00');
  const ref = 'M3I-AAA-2026-200001';

  it('matches tagged payments within the tolerance, and reviews a sum that differs, over or under', () => {
    const lenient = tweak({ tolerant: { amountTolerance: { absolute: '1.00', percent: '0' } } });
    const tagged = [payment({ id: '1', amount: usd('500.00'), invoiceId: ref }), payment({ id: '2', amount: usd('499.00'), invoiceId: ref })];
    const result = matchPaymentsToDocument(lenient, tagged, doc);
    const reason = '2 payment(s) carry our reference for invoice 200001, together 999.00 USD against 1000.00 USD open';
    expect(result).toEqual({ status: 'matched', autoApply: true, best: { documents: [doc], payments: tagged, rule: 'reference', confidence: 1, reason }, candidates: [result.best], reason });
    const over = matchPaymentsToDocument(rules, [payment({ id: '1', amount: usd('600.00'), invoiceId: ref }), payment({ id: '2', amount: usd('500.00'), invoiceId: ref })], doc);
    expect(over).toMatchObject({ status: 'review', autoApply: false, best: { confidence: 0.5 }, reason: '2 payment(s) carry our reference for invoice 200001, together 1100.00 USD against 1000.00 USD open: the sum differs' });
    expect(over.candidates).toEqual([over.best]);
  });

  it('combines untagged payments of the customer, less sure when some name no customer', () => {
    const three = invoice('200001', '300.00');
    const mine = matchPaymentsToDocument(rules, [known({ id: 'a', amount: usd('200.00') }), known({ id: 'b', amount: usd('100.00') })], three);
    expect(mine.best).toMatchObject({ documents: [three], confidence: 0.8, reason: '2 payments (a, b) add up to the open 300.00 USD of invoice 200001' });
    expect(mine.best!.payments.map((p) => p.id)).toEqual(['a', 'b']);
    expect(matchPaymentsToDocument(rules, [payment({ id: 'a', amount: usd('200.00') }), known({ id: 'b', amount: usd('100.00') })], three).best).toMatchObject({ confidence: 0.6 });
  });

  it.each<[string, PaymentRecord[], Partial<MatchingRules['grouping']>]>([
    ['a single payment of the whole amount', [known({ id: 'a', amount: usd('300.00') }), known({ id: 'b', amount: usd('7.00') })], {}],
    ['a payment in another currency', [known({ id: 'a', amount: usd('200.00') }), known({ id: 'b', amount: Money.parse('100.00', 'EUR') })], {}],
    ['a payment of another customer', [known({ id: 'a', amount: usd('200.00') }), payment({ id: 'b', amount: usd('100.00'), customer: 'C2' })], {}],
    ['a payment outside the date window', [known({ id: 'a', amount: usd('200.00') }), known({ id: 'b', amount: usd('100.00'), date: '2027-06-01' })], {}],
    ['a payment past the candidate limit', [known({ id: 'a', amount: usd('200.00') }), known({ id: 'b', amount: usd('50.00') }), known({ id: 'c', amount: usd('100.00') })], { maxCandidates: 2 }],
  ])('combines no %s', (_what, payments, grouping) => {
    expect(matchPaymentsToDocument(tweak({ grouping }), payments, invoice('200001', '300.00'))).toMatchObject({ status: 'unmatched', candidates: [], reason: 'no combination of payments adds up to 300.00 USD' });
  });

  it('stops at ten combinations', () => {
    const payments = Array.from({ length: 12 }, (_, i) => known({ id: String(i), amount: usd('100.00') }));
    const result = matchPaymentsToDocument(rules, payments, invoice('200001', '200.00'));
    expect(result).toMatchObject({ status: 'ambiguous', autoApply: false, reason: '10 combination(s) of payments add up to invoice 200001: a person decides' });
    expect(result.candidates).toHaveLength(10);
  });

  it('skips payments larger than what is left without searching behind them', () => {
    const wide = tweak({ grouping: { maxCandidates: 40, maxGroupSize: 8 } });
    const payments = Array.from({ length: 40 }, (_, i) => known({ id: String(i), amount: usd('500.00') }));
    expect(matchPaymentsToDocument(wide, payments, invoice('200001', '100.00'))).toMatchObject({ status: 'unmatched', reason: 'no combination of payments adds up to 100.00 USD' });
  });

  it('does not trust a single combination when the search stopped early', () => {
    const wide = tweak({ grouping: { maxCandidates: 40, maxGroupSize: 8 } });
    const payments = [known({ id: 'a', amount: usd('500.00') }), known({ id: 'b', amount: usd('500.00') }), ...Array.from({ length: 38 }, (_, i) => known({ id: `c${i}`, amount: usd('1.00') }))];
    const result = matchPaymentsToDocument(wide, payments, doc);
    expect(result).toMatchObject({ status: 'ambiguous', autoApply: false, reason: '1 combination(s) of payments add up to invoice 200001 (search incomplete): a person decides' });
    expect(result.best!.payments.map((p) => p.id)).toEqual(['a', 'b']);
  });
});

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
