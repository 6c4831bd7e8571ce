import YAML from 'yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { convertToLocal, rateFromCrs055, type ConvertedAmount, type CurrencyPolicy } from '../../../gateway/src/domain/currency';
import { assertBalanced, buildGlBatch, cardBrandOf, determineGlRule, glRulesSchema, uncoveredCombinations, type GlRules } from '../../../gateway/src/domain/gl';
import { Money } from '../../../gateway/src/domain/money';
import { MAPPINGS_DIR, appErrorOf, shippedRules } from './helpers';

let gl: GlRules;
let policy: CurrencyPolicy;
beforeAll(async () => {
  const rules = await shippedRules();
  gl = rules.gl;
  policy = rules.currency;
});

const usd = (amount: string): ConvertedAmount => convertToLocal(Money.parse(amount, 'USD'), 'USD', undefined, policy);
const base = { transactionType: 'sale', cardBrand: 'visa', paymentMethod: 'card', company: '100', division: 'AAA', reference: 'M3I-AAA-2026-200001' };

describe('card brand', () => {
  it.each([
    [{ cardType: 'VISA' }, 'visa'],
    [{ cardType: 'MasterCard' }, 'mastercard'],
    [{ cardType: 'American Express' }, 'amex'],
    [{ cardType: 'diners club' }, 'diners'],
    [{ maskedNumber: '401200xxxxxx5439' }, 'visa'],
    [{ maskedNumber: '549974xxxxxx0057' }, 'mastercard'],
    [{ maskedNumber: '222100xxxxxx0001' }, 'mastercard'],
    [{ maskedNumber: '371449xxxxx2376' }, 'amex'],
    [{ maskedNumber: '601100xxxxxx3026' }, 'discover'],
    [{ maskedNumber: '622126xxxxxx0000' }, 'discover'],
    [{ maskedNumber: '352800xxxxxx0000' }, 'jcb'],
    [{ maskedNumber: '305693xxxx5904' }, 'diners'],
    [{ maskedNumber: 'xxxxxxxxxxxx5439' }, 'unknown'],
    [{ cardType: 'Sparkle Pay' }, 'unknown'],
    [{}, 'unknown'],
  ])('%j → %s', (card, brand) => {
    expect(cardBrandOf(gl, card)).toBe(brand);
  });
});

describe('rule determination', () => {
  it('takes the highest-priority rule whose conditions hold', () => {
    expect(determineGlRule(gl, base).name).toBe('sale-card');
    expect(determineGlRule(gl, { ...base, cardBrand: 'amex' }).name).toBe('sale-amex');
    expect(determineGlRule(gl, { ...base, division: 'BBB' }).name).toBe('sale-card-division-bbb');
    expect(determineGlRule(gl, { ...base, division: 'BBB', cardBrand: 'amex' }).name).toBe('sale-amex');
    expect(determineGlRule(gl, { ...base, paymentMethod: 'ach' }).name).toBe('sale-ach');
    expect(determineGlRule(gl, { ...base, transactionType: 'refund', cardBrand: 'amex' }).name).toBe('refund-amex');
    expect(determineGlRule(gl, { ...base, transactionType: 'chargeback' }).name).toBe('chargeback');
  });

  it('covers every combination of the declared dimensions', () => {
    expect(uncoveredCombinations(gl)).toEqual([]);
  });

  it('parks a payment outside the rules as a configuration error', () => {
    const err = appErrorOf(() => determineGlRule(gl, { ...base, transactionType: 'interest' }));
    expect(err.code).toBe('GL_NO_RULE');
    expect(err.errorClass).toBe('configuration');
  });
});

describe('balanced GL lines', () => {
  it('posts a card sale with its fee: clearing net + fee expense = receivable gross', () => {
    const batch = buildGlBatch(gl, { ...base, gross: usd('1250.00'), fee: usd('36.55') });
    expect(batch.rule).toBe('sale-card');
    expect(batch.lines.map((l) => [l.side, l.accounting.AIT1, l.accounting.AIT2, l.local.toM3(), l.text])).toEqual([
      ['debit', '1931', 'PAYTRACE', '1213.45', 'Card sale M3I-AAA-2026-200001'],
      ['debit', '6570', 'PAYTRACE', '36.55', 'Card fee M3I-AAA-2026-200001'],
      ['credit', '1510', '', '1250.00', 'Card sale M3I-AAA-2026-200001'],
    ]);
    expect(batch.totals.debit.equals(batch.totals.credit)).toBe(true);
    expect(batch.lines.every((l) => Object.values(l.accounting).every((v) => v.length <= 10))).toBe(true);
  });

  it('leaves out the fee line when there is no fee', () => {
    const batch = buildGlBatch(gl, { ...base, gross: usd('19.99') });
    expect(batch.lines).toHaveLength(2);
    expect(batch.totals.debit.toM3()).toBe('19.99');
  });

  it('balances in local currency with the foreign amount beside each line, whatever the rounding', () => {
    const rate = rateFromCrs055({ CUCD: 'EUR', CRTP: '1', CUTD: '20261124', ARAT: '1.086100', DMCU: '1', RAFA: '1', LOCD: 'USD' });
    const gross = convertToLocal(Money.parse('1250.00', 'EUR'), 'USD', rate, policy); // 1357.625 → 1357.62
    const fee = convertToLocal(Money.parse('33.33', 'EUR'), 'USD', rate, policy); // 36.199713 → 36.20
    const batch = buildGlBatch(gl, { ...base, gross, fee });
    expect(batch.lines.map((l) => [l.side, l.local.toM3(), l.local.currency, l.foreign.toM3(), l.foreign.currency])).toEqual([
      ['debit', '1321.42', 'USD', '1216.67', 'EUR'],
      ['debit', '36.20', 'USD', '33.33', 'EUR'],
      ['credit', '1357.62', 'USD', '1250.00', 'EUR'],
    ]);
    expect(batch.totals.debit.equals(batch.totals.credit)).toBe(true);
    expect(batch.totals.debitForeign.equals(batch.totals.creditForeign)).toBe(true);
  });

  it('reverses a refund with swapped sides', () => {
    const batch = buildGlBatch(gl, { ...base, transactionType: 'refund', gross: usd('49.95') });
    expect(batch.lines.map((l) => [l.side, l.accounting.AIT1])).toEqual([
      ['debit', '1510'],
      ['credit', '1931'],
    ]);
  });

  it('posts a settlement net of fees to the bank', () => {
    const batch = buildGlBatch(gl, { ...base, transactionType: 'settlement', gross: usd('10000.00'), fee: usd('290.00'), reference: 'BATCH 4711' });
    expect(batch.lines.map((l) => [l.side, l.accounting.AIT1, l.local.toM3()])).toEqual([
      ['debit', '1940', '9710.00'],
      ['debit', '6570', '290.00'],
      ['credit', '1931', '10000.00'],
    ]);
  });

  it('refuses negative amounts, a fee above the gross, and empty batches', () => {
    expect(appErrorOf(() => buildGlBatch(gl, { ...base, gross: usd('-1.00') })).code).toBe('GL_NEGATIVE_AMOUNT');
    const err = appErrorOf(() => buildGlBatch(gl, { ...base, gross: usd('1.00'), fee: usd('1.01') }));
    expect(err.code).toBe('GL_FEE_EXCEEDS_GROSS');
    expect(err.errorClass).toBe('business');
    expect(appErrorOf(() => buildGlBatch(gl, { ...base, gross: usd('0.00') })).code).toBe('GL_EMPTY_BATCH');
  });

  it('refuses to hand out an unbalanced batch', () => {
    const batch = buildGlBatch(gl, { ...base, gross: usd('10.00') });
    const tampered = { ...batch, totals: { ...batch.totals, credit: Money.parse('9.99', 'USD') } };
    const err = appErrorOf(() => assertBalanced(tampered));
    expect(err.code).toBe('GL_UNBALANCED');
    expect(err.errorClass).toBe('bug');
  });
});

describe('gl-rules.yaml validation', () => {
  const shipped = (): Record<string, unknown> => YAML.parse(readFileSync(path.join(MAPPINGS_DIR, 'gl-rules.yaml'), 'utf8')) as Record<string, unknown>;
  const messages = (data: unknown) => {
    const result = glRulesSchema.safeParse(data);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts the shipped file', () => {
    expect(messages(shipped())).toEqual([]);
  });

  it('refuses a rule whose debits and credits differ', () => {
    const data = shipped() as { rules: Array<{ lines: Array<{ amount: string }> }> };
    data.rules[0]!.lines[1]!.amount = 'gross';
    expect(messages(data).join('\n')).toMatch(/rules\.0\.lines: rule "sale-amex" does not balance/);
  });

  it('refuses a combination no rule covers', () => {
    const data = shipped() as { rules: Array<{ name: string }> };
    data.rules = data.rules.filter((r) => r.name !== 'chargeback');
    expect(messages(data).join('\n')).toMatch(/rules: \d+ combination\(s\) match no rule and there is no catch-all rule, e\.g\. chargeback\/visa\/card\/100\/AAA/);
  });

  it('accepts an explicit catch-all rule instead of full coverage', () => {
    const data = shipped() as { rules: Array<Record<string, unknown>> };
    data.rules = data.rules.filter((r) => r.name !== 'chargeback');
    data.rules.push({ name: 'suspense', priority: 0, when: {}, lines: [{ side: 'debit', account: 'chargeback_loss', amount: 'gross' }, { side: 'credit', account: 'card_clearing', amount: 'gross' }] });
    expect(messages(data)).toEqual([]);
  });

  it('refuses AIT values over 10 characters, unknown accounts, duplicate priorities and unknown dimension values', () => {
    const data = shipped() as { accounts: Record<string, Record<string, string>>; rules: Array<Record<string, unknown> & { lines: Array<{ account: string }>; when: Record<string, unknown> }> };
    data.accounts.bank!.AIT2 = 'ELEVENCHARS';
    data.rules[1]!.lines[0]!.account = 'no_such_account';
    data.rules[2]!.priority = 200;
    data.rules[3]!.when.cardBrand = 'maestro';
    const text = messages(data).join('\n');
    expect(text).toMatch(/accounts\.bank\.AIT2: accounting dimensions \(AIT1…AIT7\) are at most 10 characters/);
    expect(text).toMatch(/rules\.1\.lines\.0\.account: unknown account "no_such_account"/);
    expect(text).toMatch(/rules\.2\.priority: priority 200 is also used by rule "sale-amex"/);
    expect(text).toMatch(/rules\.3\.when\.cardBrand: "maestro" is not one of dimensions/);
  });
});

describe('GL rules each test above leaves open', () => {
  it('finds the highest priority whatever order the file lists the rules in', () => {
    const reversed: GlRules = { ...gl, rules: [...gl.rules].reverse() };
    const shuffled: GlRules = { ...gl, rules: [...gl.rules.slice(3), ...gl.rules.slice(0, 3)] };
    for (const rules of [reversed, shuffled]) {
      expect(determineGlRule(rules, { ...base, cardBrand: 'amex' }).name).toBe('sale-amex');
      expect(determineGlRule(rules, { ...base, division: 'BBB' }).name).toBe('sale-card-division-bbb');
      expect(determineGlRule(rules, base).name).toBe('sale-card');
    }
  });

  it('the longest matching card prefix wins, whichever brand is listed first', () => {
    const brands = { short: { aliases: [], prefixes: ['4'] }, long: { aliases: [], prefixes: ['4111'] }, range: { aliases: [], prefixes: ['41-42'] } };
    const inOrder: GlRules = { ...gl, cardBrands: brands };
    const reversed: GlRules = { ...gl, cardBrands: Object.fromEntries(Object.entries(brands).reverse()) };
    for (const rules of [inOrder, reversed]) {
      expect(cardBrandOf(rules, { maskedNumber: '411111xxxxxx1111' })).toBe('long');
      expect(cardBrandOf(rules, { maskedNumber: '412345xxxxxx1111' })).toBe('range');
      expect(cardBrandOf(rules, { maskedNumber: '401200xxxxxx1111' })).toBe('short');
    }
    // the shipped file: Discover's 6011 and its 622126–622925 range
    expect(cardBrandOf(gl, { maskedNumber: '622925xxxxxx0000' })).toBe('discover');
    expect(cardBrandOf(gl, { maskedNumber: '622927xxxxxx0000' })).toBe('unknown');
    expect(cardBrandOf(gl, { maskedNumber: '62212' })).toBe('unknown');
  });

  it('numbers the lines it keeps 1, 2, 3 without gaps', () => {
    expect(buildGlBatch(gl, { ...base, gross: usd('1250.00'), fee: usd('36.55') }).lines.map((l) => l.lineNumber)).toEqual([1, 2, 3]);
    // no fee: the fee line is left out and the receivable line is number 2, not 3
    const noFee = buildGlBatch(gl, { ...base, gross: usd('19.99') });
    expect(noFee.lines.map((l) => [l.lineNumber, l.basis, l.side])).toEqual([
      [1, 'net', 'debit'],
      [2, 'gross', 'credit'],
    ]);
  });

  it('keeps a line whose local amount rounds to zero while its foreign amount does not', () => {
    const rate = rateFromCrs055({ CUCD: 'EUR', CRTP: '1', CUTD: '20261124', ARAT: '0.1', DMCU: '1', RAFA: '1', LOCD: 'USD' });
    const eur = (amount: string) => convertToLocal(Money.parse(amount, 'EUR'), 'USD', rate, policy);
    const batch = buildGlBatch(gl, { ...base, gross: eur('100.00'), fee: eur('0.01') });
    expect(batch.lines.map((l) => [l.lineNumber, l.basis, l.local.toM3(), l.foreign.toM3()])).toEqual([
      [1, 'net', '10.00', '99.99'],
      [2, 'fee', '0.00', '0.01'],
      [3, 'gross', '10.00', '100.00'],
    ]);
    expect(batch.totals.debitForeign.toM3()).toBe('100.00');
    expect(batch.totals.creditForeign.toM3()).toBe('100.00');
  });

  it('cuts the voucher text to M3\'s 40 characters', () => {
    const reference = 'M3I-AAA-2026-200001-WITH-A-VERY-LONG-TAIL';
    const batch = buildGlBatch(gl, { ...base, reference, gross: usd('10.00') });
    expect(batch.lines[0]!.text).toBe(`Card sale ${reference}`.slice(0, 40));
    expect(batch.lines[0]!.text).toHaveLength(40);
  });
});

describe('GL rules: messages and edges', () => {
  const shipped = (): Record<string, unknown> => YAML.parse(readFileSync(path.join(MAPPINGS_DIR, 'gl-rules.yaml'), 'utf8')) as Record<string, unknown>;
  const messages = (data: unknown) => {
    const result = glRulesSchema.safeParse(data);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  type File = {
    dimensions: Record<string, string[]>;
    cardBrands: Record<string, Record<string, unknown>>;
    accounts: Record<string, Record<string, string>>;
    rules: Array<Record<string, unknown> & { lines: Array<Record<string, string>>; when: Record<string, unknown> }>;
  };

  it('names every problem of a rules file in words an administrator can act on', () => {
    const data = shipped() as File;
    data.dimensions.cardBrands!.push('maestro');
    data.dimensions.companyDivisions!.push('100-AAA', 'x100/AAA', '100/AAAx');
    data.cardBrands.visa!.prefixes = ['4x', 'x4'];
    data.accounts.bank!.AIT1 = '';
    data.rules[0]!.lines[0]!.text = 'x'.repeat(81);
    data.rules[1]!.lines[0]!.account = 'no_such_account';
    data.rules.push({ name: 'payout', priority: 999, when: { transactionType: 'sale', cardBrand: ['maestro2', 'visa'], division: 'ZZZ' }, lines: [{ side: 'debit', account: 'bank', amount: 'gross' }, { side: 'credit', account: 'card_clearing', amount: 'gross' }] });
    expect(messages(data)).toEqual([
      'dimensions.companyDivisions.2: use CONO/DIVI, e.g. 100/AAA',
      'dimensions.companyDivisions.3: use CONO/DIVI, e.g. 100/AAA',
      'dimensions.companyDivisions.4: use CONO/DIVI, e.g. 100/AAA',
      'cardBrands.visa.prefixes.0: a prefix is digits or a range of digits like 51-55',
      'cardBrands.visa.prefixes.1: a prefix is digits or a range of digits like 51-55',
      'accounts.bank.AIT1: AIT1 (the account) is required',
      'rules.0.lines.0.text: Too big: expected string to have <=80 characters',
      'rules.1.lines.0.account: unknown account "no_such_account" (not in accounts)',
      `rules.${data.rules.length - 1}.when.cardBrand: "maestro2" is not one of dimensions (visa, mastercard, amex, discover, diners, jcb, unknown, maestro)`,
      'cardBrands: card brand "maestro" is in dimensions but has no cardBrands entry',
    ]);
    data.dimensions.companyDivisions!.splice(2);
    data.cardBrands.visa!.prefixes = ['4'];
    data.accounts.bank!.AIT1 = '1910';
    data.rules[0]!.lines[0]!.text = 'x'.repeat(80);
    expect(messages(data)).toEqual([
      'rules.1.lines.0.account: unknown account "no_such_account" (not in accounts)',
      `rules.${data.rules.length - 1}.when.cardBrand: "maestro2" is not one of dimensions (visa, mastercard, amex, discover, diners, jcb, unknown, maestro)`,
      'cardBrands: card brand "maestro" is in dimensions but has no cardBrands entry',
    ]);
  });

  it('accepts a condition with several values, and brands without aliases or prefixes', () => {
    const data = shipped() as File;
    data.rules.push({ name: 'sale-vm-bbb', priority: 300, when: { transactionType: 'sale', cardBrand: ['visa', 'mastercard'], division: 'BBB' }, lines: [{ side: 'debit', account: 'bank', amount: 'gross' }, { side: 'credit', account: 'ar_receivable', amount: 'gross' }] });
    data.cardBrands.jcb = {};
    const parsed = glRulesSchema.parse(data);
    expect(parsed.cardBrands.jcb).toEqual({ aliases: [], prefixes: [] });
    expect(parsed.accounts.bank!.AIT7).toBe('');
    expect(parsed.rules[0]!.lines[0]!.text).toBe('{transactionType} {reference}');
    expect(determineGlRule(parsed, { ...base, cardBrand: 'mastercard', division: 'BBB' }).name).toBe('sale-vm-bbb');
    expect(determineGlRule(parsed, { ...base, cardBrand: 'visa', division: 'BBB' }).name).toBe('sale-vm-bbb');
    expect(determineGlRule(parsed, { ...base, cardBrand: 'discover', division: 'BBB' }).name).toBe('sale-card-division-bbb');
  });

  it('says which rule is missing, and which rule did not balance', () => {
    const ctx = { transactionType: 'payout', cardBrand: 'visa', paymentMethod: 'card', company: '100', division: 'AAA' };
    const none = appErrorOf(() => determineGlRule(gl, ctx));
    expect({ message: none.message, details: none.details }).toEqual({ message: 'No GL rule for payout/visa/card in 100/AAA', details: ctx });
    const batch = buildGlBatch(gl, { ...base, gross: usd('10.00') });
    const unbalanced = appErrorOf(() => assertBalanced({ ...batch, totals: { ...batch.totals, credit: Money.parse('9.99', 'USD') } }));
    expect({ message: unbalanced.message, details: unbalanced.details }).toEqual({
      message: 'GL batch from rule "sale-card" does not balance: debit 10.00 USD vs credit 9.99 USD',
      details: { rule: 'sale-card', debit: { amount: '10.00', currency: 'USD' }, credit: { amount: '9.99', currency: 'USD' } },
    });
    const foreign = appErrorOf(() => assertBalanced({ ...batch, totals: { ...batch.totals, creditForeign: Money.parse('9.99', 'USD') } }));
    expect(foreign.code).toBe('GL_UNBALANCED');
    const empty = appErrorOf(() => buildGlBatch(gl, { ...base, gross: usd('0.00') }));
    expect({ message: empty.message, details: empty.details, errorClass: empty.errorClass }).toEqual({ message: 'GL batch from rule "sale-card" has no lines (zero amount)', details: { rule: 'sale-card' }, errorClass: 'business' });
    const negative = appErrorOf(() => buildGlBatch(gl, { ...base, gross: usd('1.00'), fee: usd('-0.01') }));
    expect({ message: negative.message, details: negative.details, errorClass: negative.errorClass }).toEqual({
      message: 'GL amounts must not be negative; post reversals with a reversal transaction type',
      details: { amount: { amount: '-0.01', currency: 'USD' } },
      errorClass: 'bug',
    });
    const fee = appErrorOf(() => buildGlBatch(gl, { ...base, gross: usd('1.00'), fee: usd('1.01') }));
    expect({ message: fee.message, details: fee.details }).toEqual({ message: 'The fee 1.01 USD exceeds the gross amount 1.00 USD', details: { gross: { amount: '1.00', currency: 'USD' }, fee: { amount: '1.01', currency: 'USD' } } });
  });

  it('totals each side at the scale of the amounts (an M3 decimals override)', () => {
    const kept = { ...policy, decimalsOverride: { USD: 3 } };
    const gross = convertToLocal(Money.parse('10.00', 'USD'), 'USD', undefined, kept);
    const batch = buildGlBatch(gl, { ...base, gross });
    expect(batch.totals.debit.decimals).toBe(3);
    expect(batch.totals.debit.toM3()).toBe('10.000');
    expect(batch.totals.credit.toM3()).toBe('10.000');
    expect(batch.totals.debitForeign.toM3()).toBe('10.00');
    // no fee given: the zero fee has the scale of the gross, so net = gross − fee works at 3 decimals
    expect(batch.lines.map((l) => l.local.toM3())).toEqual(['10.000', '10.000']);
  });

  it('reads card types loosely (case, spaces, dashes, underscores) and needs leading digits for a prefix', () => {
    expect(cardBrandOf(gl, { cardType: 'american_express' })).toBe('amex');
    expect(cardBrandOf(gl, { cardType: 'AMERICAN-EXPRESS' })).toBe('amex');
    expect(cardBrandOf(gl, { cardType: 'Master  Card' })).toBe('mastercard');
    expect(cardBrandOf(gl, { cardType: 'discover' })).toBe('discover');
    expect(cardBrandOf(gl, { cardType: '', maskedNumber: '4' })).toBe('visa');
    expect(cardBrandOf(gl, { cardType: 'Sparkle Pay', maskedNumber: '371449xxxxx2376' })).toBe('amex');
    expect(cardBrandOf(gl, { maskedNumber: 'x371449' })).toBe('unknown');
    expect(cardBrandOf(gl, { maskedNumber: null })).toBe('unknown');
    // a range needs as many digits as its bounds: "2221" of "2221-2720" is not in "222x"
    expect(cardBrandOf(gl, { maskedNumber: '222' })).toBe('unknown');
    expect(cardBrandOf(gl, { maskedNumber: '2720' })).toBe('mastercard');
    expect(cardBrandOf(gl, { maskedNumber: '2721' })).toBe('unknown');
    // equal-length prefixes of two brands: the first listed keeps it
    const tie: GlRules = { ...gl, cardBrands: { first: { aliases: [], prefixes: ['44'] }, second: { aliases: [], prefixes: ['44'] } } };
    expect(cardBrandOf(tie, { maskedNumber: '4400' })).toBe('first');
  });
});
