// @ts-check
/**
 * StrykerJS for the money and accounting rules. Run it through `npm run test:mutation` (the CLI
 * in scripts/mutation/ picks the file to mutate and the unit tests that run against it, one target
 * at a time, and prints a score per file); `npx stryker run` alone is not meant to be used.
 * Static mutants are included (ignoreStatic stays false): a constant table such as a rounding
 * map is exactly the kind of money rule a test must pin.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  plugins: ['@stryker-mutator/jest-runner'],
  jest: {
    projectType: 'custom',
    configFile: 'scripts/mutation/jest.config.js',
    // the CLI names each target's tests; jest's own guess from imports would pull in more
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  ignoreStatic: false,
  // the machine is shared: one jest at a time
  concurrency: 1,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // the sandbox needs the sources, the unit tests and the rules files they load, nothing else
  ignorePatterns: ['/*', '!/gateway', '/gateway/*', '!/gateway/src', '!/test', '/test/*', '!/test/unit', '!/test/helpers', '!/mappings', '!/scripts', '!/package.json', '!/tsconfig.json', '!/jest.config.js'],
  // the CLI judges each file against its own threshold (scripts/mutation/targets.ts)
  thresholds: { high: 90, low: 80 },
};
