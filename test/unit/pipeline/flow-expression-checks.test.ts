import { compileFlow, DEFINITION_EXPRESSION_MAX_CHARS, type M3TransactionMetadata } from '../../../gateway/src/pipeline/definitions/compile';
import { stepCatalogue } from '../../../gateway/src/steps';
import { triggerCatalogue } from '../../../gateway/src/triggers/catalogue';

/**
 * The validator's checks of expressions (not only literals), as `npm run flows -- validate`, the
 * start-up and POST /admin/api/flows/:id/validate run them: a money input fed by something that is
 * not money, an expression longer than the bound, an M3 field fed by text that can be longer than
 * the field or by true/false — each at the input it is about.
 */
const m3Metadata = new Map<string, M3TransactionMetadata>([
  ['CUSEXTMI/AddFieldValue', { program: 'CUSEXTMI', transaction: 'AddFieldValue', inputs: [
    { name: 'FILE', description: 'Table', type: 'A', length: 10, mandatory: true },
    { name: 'PK01', description: 'Primary key 1', type: 'A', length: 10, mandatory: true },
    { name: 'A030', description: 'Alpha field 30', type: 'A', length: 30, mandatory: false },
    { name: 'N096', description: 'Numeric field', type: 'N', length: 15, mandatory: false },
  ] }],
]);
const deps = { catalogue: stepCatalogue(), triggers: triggerCatalogue(), m3Metadata };

function flow(steps: string): string {
  return `version: 1\nid: checks\nname: Checks\ntriggers: [{ type: pay-page, on: declined }]\nsteps:\n  - id: payment\n    type: ledger.use-payment\n    input: { paymentId: event.paymentId }\n${steps}`;
}
const refund = (amount: string) => flow(`  - id: back\n    type: paytrace.refund\n    input:\n      transactionId: payment.paytrace_transaction_id\n      amount: ${amount}\n`);
const mi = (fields: Record<string, string>) =>
  flow(`  - id: note\n    type: m3.call\n    config: { program: CUSEXTMI, transaction: AddFieldValue }\n    input:\n      fields:\n${Object.entries(fields).map(([k, v]) => `        ${k}: ${v}\n`).join('')}`);
const problems = (text: string) => compileFlow('checks.yaml', text, deps).problems.filter((p) => p.severity !== 'warning');
const at = (text: string, path: string) => problems(text).filter((p) => p.path === path).map((p) => p.message);

describe('money inputs', () => {
  it('accept money: the ledger amount, $amount, a decimal string', () => {
    for (const ok of ['payment.amount', "'$amount(payment.amount, payment.currency)'", `'"12.34"'`]) expect(at(refund(ok), 'steps.1.input.amount')).toEqual([]);
  });
  it('refuse a ledger column that is not an amount, a condition, a word, a number computed', () => {
    expect(at(refund('payment.cuno'), 'steps.1.input.amount')).toEqual(['money input "amount" is fed by a non-money expression: payment.cuno is not an amount']);
    expect(at(refund("'$exists(payment.amount)'"), 'steps.1.input.amount')).toEqual(['money input "amount" is fed by a non-money expression: it gives true or false']);
    expect(at(refund(`'"twelve"'`), 'steps.1.input.amount')).toEqual(['money input "amount" is fed by a non-money expression: "twelve" is not a decimal amount']);
    expect(at(refund("'payment.cono'"), 'steps.1.input.amount')).toEqual(['money input "amount" is fed by a non-money expression: it gives a number (payment.cono): numbers are floats and lose cents']);
    expect(at(refund('true'), 'steps.1.input.amount')).toEqual(['money input "amount" is fed by a non-money value: write money as a decimal string ("12.34")']);
  });
});

describe('expression length', () => {
  it(`flags an expression over ${DEFINITION_EXPRESSION_MAX_CHARS} characters at its place, and accepts one at the bound`, () => {
    const long = `'"${'x'.repeat(DEFINITION_EXPRESSION_MAX_CHARS - 1)}"'`; // the expression is the quoted text: bound + 1
    expect(at(mi({ FILE: '"NOTES"', PK01: '"K"', A030: long }), 'steps.1.input.fields.A030')).toEqual([`the expression has ${DEFINITION_EXPRESSION_MAX_CHARS + 1} characters; an expression in a definition may have at most ${DEFINITION_EXPRESSION_MAX_CHARS} (move the logic into map steps)`]);
    const atBound = `$substring("${'x'.repeat(DEFINITION_EXPRESSION_MAX_CHARS - 21)}", 0, 30)`;
    expect(atBound.length).toBe(DEFINITION_EXPRESSION_MAX_CHARS);
    expect(at(mi({ FILE: '"NOTES"', PK01: '"K"', A030: `'${atBound}'` }), 'steps.1.input.fields.A030')).toEqual([]);
  });
});

describe('M3 fields fed by expressions (type and length from M3 metadata)', () => {
  it('flags text that can be longer than the field, with how long it can be', () => {
    expect(at(mi({ FILE: '"NOTES"', PK01: 'payment.id' }), 'steps.1.input.fields.PK01')).toEqual(['PK01 (Primary key 1) holds 10 characters; payment.id can give 36']);
    expect(at(mi({ FILE: '"NOTES"', PK01: `'"DECL-" & payment.currency & "-" & payment.currency'` }), 'steps.1.input.fields.PK01')).toEqual(['PK01 (Primary key 1) holds 10 characters; the expression can give 12']);
  });
  it('accepts text that fits, or whose length is not known', () => {
    expect(at(mi({ FILE: '"NOTES"', PK01: `'$substring(payment.reference, 0, 10)'`, A030: `'"DECLINED " & payment.reference'` }), 'steps.1.input.fields.PK01')).toEqual([]);
    expect(problems(mi({ FILE: '"NOTES"', PK01: `'"D-" & payment.currency'`, A030: `'"DECLINED " & payment.reference'` }))).toEqual([]);
  });
  it('flags true/false into a text or numeric field', () => {
    expect(at(mi({ FILE: '"NOTES"', PK01: '"K"', N096: `'payment.amount > 100'` }), 'steps.1.input.fields.N096')).toEqual(['N096 (Numeric field) is numeric; the expression gives true or false']);
    expect(at(mi({ FILE: '"NOTES"', PK01: '"K"', A030: `'$exists(payment.cuno)'` }), 'steps.1.input.fields.A030')).toEqual(['A030 (Alpha field 30) is text; the expression gives true or false']);
  });
  it('still checks literals: a word into a numeric field', () => {
    expect(at(mi({ FILE: '"NOTES"', PK01: '"K"', N096: `'"abc"'` }), 'steps.1.input.fields.N096')).toEqual(['N096 (Numeric field) is numeric; "abc" is not a number']);
  });
});
