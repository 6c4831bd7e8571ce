import { plannedReminders } from '../../../gateway/src/steps/ledger/invoice-links';
import { qualifyInvoice, qualifyRulesSchema, type QualifyInput } from '../../../gateway/src/steps/logic/qualify-invoice';

/** Issue 22: which new invoices get an automatic payment link — the rules of the step's config. */
describe('invoice link rules', () => {
  const rules = qualifyRulesSchema.parse({
    customers: { extensionField: 'A230', groups: ['PL'] },
    paymentTerms: ['N30', 'N15'],
    currencies: ['USD'],
    amounts: { USD: { min: '10.00', max: '5000.00' } },
    divisions: ['AAA'],
  });
  const base: QualifyInput = {
    invoice: { currency: 'USD', totalAmount: '412.50', openAmount: '412.50', paymentTerms: 'N30', division: 'AAA' },
    customer: { found: true, group: null, extension: { A230: 'Y' } },
    alreadyLinked: false,
  };
  const decide = (change: { invoice?: Partial<QualifyInput['invoice']>; customer?: QualifyInput['customer']; alreadyLinked?: boolean }) =>
    qualifyInvoice(rules, { invoice: { ...base.invoice, ...change.invoice }, customer: 'customer' in change ? change.customer : base.customer, alreadyLinked: change.alreadyLinked ?? false }).reason;

  it('an open USD invoice of an opted-in customer qualifies', () => {
    expect(qualifyInvoice(rules, base)).toEqual({ qualifies: true, reason: 'qualifies', message: 'open 412.50 USD: a link is sent' });
  });

  it('fixed exclusions come first: credit notes, zero or negative, paid, already linked', () => {
    expect(decide({ invoice: { creditNote: true, totalAmount: '-50.00', openAmount: '-50.00' } })).toBe('credit-note');
    expect(decide({ invoice: { totalAmount: '0.00', openAmount: '0.00' } })).toBe('not-positive');
    expect(decide({ invoice: { totalAmount: '-0.01' } })).toBe('not-positive');
    expect(decide({ invoice: { openAmount: '0.00' } })).toBe('paid');
    expect(decide({ invoice: { found: false } })).toBe('unknown-invoice');
    expect(decide({ alreadyLinked: true })).toBe('already-linked');
  });

  it('opt-in: the CUSEXT flag (any case of the listed values) or a listed customer group', () => {
    expect(decide({ customer: { found: true, group: null, extension: { A230: 'yes' } } })).toBe('qualifies');
    expect(decide({ customer: { found: true, group: null, extension: { A230: '1' } } })).toBe('qualifies');
    expect(decide({ customer: { found: true, group: 'PL', extension: {} } })).toBe('qualifies');
    expect(decide({ customer: { found: true, group: 'XX', extension: { A230: 'N' } } })).toBe('not-opted-in');
    expect(decide({ customer: { found: true, group: null, extension: {} } })).toBe('not-opted-in');
    expect(decide({ customer: { found: false, group: null, extension: {} } })).toBe('unknown-customer');
    expect(decide({ customer: undefined })).toBe('unknown-customer');
    const everyone = qualifyRulesSchema.parse({ customers: { all: true } });
    expect(qualifyInvoice(everyone, { ...base, customer: undefined }).qualifies).toBe(true);
  });

  it('terms, currency, division and the amount range (inclusive, exact decimals)', () => {
    expect(decide({ invoice: { paymentTerms: 'N60' } })).toBe('terms');
    expect(decide({ invoice: { paymentTerms: null } })).toBe('terms');
    expect(decide({ invoice: { currency: 'EUR' } })).toBe('currency');
    expect(decide({ invoice: { division: 'BBB' } })).toBe('division');
    expect(decide({ invoice: { openAmount: '10.00' } })).toBe('qualifies');
    expect(decide({ invoice: { openAmount: '9.99' } })).toBe('below-minimum');
    expect(decide({ invoice: { openAmount: '5000.00' } })).toBe('qualifies');
    expect(decide({ invoice: { openAmount: '5000.01' } })).toBe('above-maximum');
    // M3 pads decimals: equal amounts stay equal
    expect(decide({ invoice: { openAmount: '5000.000000' } })).toBe('qualifies');
    // the range is on the open amount: a partly paid invoice is judged by what is left
    expect(decide({ invoice: { totalAmount: '9000.00', openAmount: '400.00' } })).toBe('qualifies');
  });

  it('empty lists mean any; rules that select nobody, or a reversed range, are refused', () => {
    const open = qualifyRulesSchema.parse({ customers: { groups: ['PL'] } });
    expect(open).toMatchObject({ paymentTerms: [], divisions: [], currencies: ['USD'] });
    expect(qualifyRulesSchema.safeParse({}).success).toBe(false);
    expect(qualifyRulesSchema.safeParse({ customers: { all: true }, amounts: { USD: { min: '100.00', max: '10.00' } } }).success).toBe(false);
    expect(qualifyRulesSchema.safeParse({ customers: { all: true }, amounts: { USD: { min: 10 } } }).success).toBe(false);
    expect(qualifyRulesSchema.safeParse({ customers: { extensionField: 'B999' } }).success).toBe(false);
    // links charge in USD only: another currency in the rules is refused when the flow is validated
    expect(qualifyRulesSchema.safeParse({ customers: { all: true }, currencies: ['USD', 'EUR'] }).error?.issues[0]?.message).toBe('payment links are for USD invoices only; remove EUR');
  });
});

describe('reminder cadence', () => {
  const now = Date.UTC(2026, 0, 10);
  it('plans each reminder at its moment, and only those still ahead', () => {
    const expires = new Date(Date.UTC(2026, 0, 24));
    const plan = plannedReminders({ beforeExpiryDays: [3, 20], afterDueDays: [0, 7] }, expires, '20260209', now);
    expect(plan.map((r) => `${r.kind}:${r.days}:${r.dueAt.toISOString()}`)).toEqual([
      'before_expiry:3:2026-01-21T00:00:00.000Z',
      // 20 days before expiry is already past: not planned
      'after_due:0:2026-02-10T00:00:00.000Z',
      'after_due:7:2026-02-17T00:00:00.000Z',
    ]);
  });
  it('no due date: only the before-expiry reminders', () => {
    expect(plannedReminders({ beforeExpiryDays: [3], afterDueDays: [1] }, new Date(Date.UTC(2026, 0, 24)), null, now)).toHaveLength(1);
  });
});
