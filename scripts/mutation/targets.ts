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
    tests: ['test/unit/domain/matching.test.ts'],
    threshold: 80,
  },
  {
    name: 'recon-engine',
    file: 'gateway/src/recon/engine.ts',
    tests: ['test/unit/recon/engine.test.ts'],
    threshold: 80,
  },
];
