/**
 * What `npm run test:mutation` mutates: each money or accounting rule file with the unit tests
 * that are meant to pin it (and only those, so a mutant killed elsewhere by accident does not
 * count), and the score it must keep. docs/testing.md records the scores of the last full run.
 */
export interface MutationTarget {
  /** short name for the command line and the report files */
  name: string;
  /** the file whose mutants are made */
  file: string;
  /** the jest files that run against each mutant */
  tests: string[];
  /** lowest mutation score (percent of mutants killed) this file may have */
  threshold: number;
  /**
   * Survivors that are truly equivalent (no behaviour can tell them from the original), each with
   * the reason. A survivor matches when its mutator is `mutator`, the mutated source line contains
   * `line`, and (when given) its replacement contains `replacement`. They are counted apart and
   * left out of the score; one that no longer survives is reported as stale.
   */
  equivalent?: Array<{ mutator: string; line: string; replacement?: string; reason: string }>;
}

export const TARGETS: MutationTarget[] = [
  {
    name: 'money',
    file: 'gateway/src/domain/money.ts',
    tests: ['test/unit/domain/money.test.ts', 'test/unit/domain/money.property.test.ts'],
    threshold: 90,
    equivalent: [
      { mutator: 'EqualityOperator', line: 'return this.minor < 0n ? this.negate() : this;', replacement: '<= 0n', reason: 'abs() of zero: negating 0n gives 0n, the same amount' },
      { mutator: 'EqualityOperator', line: 'const negative = this.minor < 0n;', replacement: '<= 0n', reason: 'allocating zero as "negative": every part is -0n, which is 0n' },
    ],
  },
  {
    name: 'currency',
    file: 'gateway/src/domain/currency.ts',
    tests: ['test/unit/domain/currency.test.ts'],
    threshold: 90,
  },
  {
    name: 'gl',
    file: 'gateway/src/domain/gl.ts',
    tests: ['test/unit/domain/gl.test.ts'],
    threshold: 90,
    equivalent: [
      { mutator: 'ConditionalExpression', line: 'if (!sorted) sortedRules.set(rules', replacement: 'true', reason: 'the sorted rules are a cache per rules object: sorting again on every call gives the same order' },
    ],
  },
  {
    name: 'status-map',
    file: 'gateway/src/domain/status-map.ts',
    tests: ['test/unit/domain/status-map.test.ts'],
    threshold: 90,
  },
  {
    name: 'link-token',
    file: 'gateway/src/links/link-token.ts',
    tests: ['test/unit/links/link-token.test.ts'],
    threshold: 90,
  },
  {
    name: 'paytrace-money',
    file: 'gateway/src/paytrace/money.ts',
    tests: ['test/unit/paytrace/money.test.ts'],
    threshold: 90,
    equivalent: [
      { mutator: 'ConditionalExpression', line: "if (typeof value === 'number' && Number.isFinite(value))", replacement: 'true', reason: "typeof value === 'number' made true: Number.isFinite does not coerce, so it is false for every non-number anyway" },
    ],
  },
  {
    name: 'address',
    file: 'gateway/src/domain/address.ts',
    tests: ['test/unit/domain/address.test.ts'],
    threshold: 80,
  },
  {
    name: 'matching',
    file: 'gateway/src/domain/matching.ts',
    tests: ['test/unit/domain/matching.test.ts', 'test/unit/domain/matching.rules.test.ts'],
    threshold: 80,
    equivalent: [
      { mutator: 'MethodExpression', line: 'Object.fromEntries(Object.entries(m.groups).filter(', reason: 'every placeholder of a template is a required group, so no named group of a match is ever undefined: there is nothing to filter out' },
      { mutator: 'ConditionalExpression', line: 'Object.fromEntries(Object.entries(m.groups).filter(', replacement: 'true', reason: 'every placeholder of a template is a required group, so no named group of a match is ever undefined: there is nothing to filter out' },
      { mutator: 'ConditionalExpression', line: 's.startsWith(prefix) && s.length > prefix.length &&', replacement: 'true', reason: 'a text that is only the prefix has no character after it; the letter test then reads "undefined", a letter, so the prefix is kept either way' },
      { mutator: 'EqualityOperator', line: 's.startsWith(prefix) && s.length > prefix.length &&', replacement: 's.length >= prefix.length', reason: 'a text that is only the prefix has no character after it; the letter test then reads "undefined", a letter, so the prefix is kept either way' },
      { mutator: 'Regex', line: "s = s.replace(/[^\\p{L}\\p{N}]+/gu, '');", reason: 'a global replace by the empty string removes a run of characters one at a time or all at once: the same text' },
      { mutator: 'StringLiteral', line: "out.delete('');", reason: 'an empty token is dropped anyway: tokens shorter than minTextLength (at least 1) are never compared' },
      { mutator: 'ConditionalExpression', line: 'if (!a || !b) return 0;', reason: 'both texts are at least minTextLength (≥ 1) long when compared, never empty' },
      { mutator: 'LogicalOperator', line: 'if (!a || !b) return 0;', reason: 'both texts are at least minTextLength (≥ 1) long when compared, never empty' },
      { mutator: 'ConditionalExpression', line: 'if (!byCurrency) absoluteTolerances.set', replacement: 'true', reason: 'a cache: building the per-currency map again on every call gives the same tolerances' },
      { mutator: 'ConditionalExpression', line: 'if (absolute === undefined) {', replacement: 'true', reason: 'a cache: converting the absolute tolerance again on every call gives the same amount' },
      { mutator: 'ConditionalExpression', line: 'if (/^0*(\\.0*)?$/.test(rules.tolerant.amountTolerance.percent)) return absolute;', replacement: 'false', reason: 'a shortcut: a zero percentage gives a tolerance of 0, and the larger of the absolute tolerance (never negative) and 0 is the absolute tolerance' },
      { mutator: 'Regex', line: 'if (/^0*(\\.0*)?$/.test(rules.tolerant.amountTolerance.percent)) return absolute;', reason: 'a shortcut: every mutated pattern matches fewer zero percentages, and those are computed as 0, which gives the absolute tolerance too' },
      { mutator: 'EqualityOperator', line: 'return absolute > percent ? absolute : percent;', replacement: '>=', reason: 'the larger of two equal tolerances is either' },
      { mutator: 'EqualityOperator', line: 'const diff = paid.minor > open.minor ?', replacement: '>=', reason: 'equal amounts differ by 0 whichever way it is subtracted' },
      { mutator: 'EqualityOperator', line: 'const diff = sum > target ? sum - target : target - sum;', replacement: 'sum >= target', reason: 'equal sums differ by 0 whichever way it is subtracted' },
      { mutator: 'ConditionalExpression', line: 'const diff = sum > target ? sum - target : target - sum;', replacement: 'false', reason: 'a sum is never more than the tolerance above the target (a positive amount past it is skipped), so a sum above the target is within the tolerance either way' },
      { mutator: 'EqualityOperator', line: 'if (amount > 0n && sum + amount - target > tolerance) continue;', replacement: 'amount >= 0n', reason: 'a zero amount is skipped only when the sum is already more than the tolerance past the target, which never happens (positive amounts past it are skipped)' },
      { mutator: 'StringLiteral', line: "return withReferenceNote(decide(rules, all, ''), tagged);", reason: 'the reason for "no candidates" is never used here: at least one combination was found' },
    ],
  },
  {
    name: 'recon-engine',
    file: 'gateway/src/recon/engine.ts',
    tests: ['test/unit/recon/engine.test.ts', 'test/unit/recon/engine.items.test.ts'],
    threshold: 80,
  },
];
