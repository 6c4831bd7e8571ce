const path = require('node:path');
const base = require('../../jest.config.js');

/**
 * Jest for mutation runs (scripts/mutation/cli.ts): the project's transform, without the
 * embedded PostgreSQL of globalSetup (the targets' unit tests need no database) and in one
 * worker, because Stryker runs one jest per mutant. The CLI sets testMatch to the target's tests.
 * @type {import('jest').Config}
 */
module.exports = {
  ...base,
  rootDir: path.join(__dirname, '..', '..'),
  globalSetup: undefined,
  globalTeardown: undefined,
  maxWorkers: 1,
  testTimeout: 10000,
};
