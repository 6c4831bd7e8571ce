// `npm run test:chaos`: the chaos and scale-out tests (real gateway processes, minutes of load).
// Kept out of `npm test`'s jest run (their files end in .chaos.ts); CI runs them after it.
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/chaos'],
  testMatch: ['**/*.chaos.ts'],
  testTimeout: 600000,
  // one file at a time: each one loads both cores on its own
  maxWorkers: 1,
};
