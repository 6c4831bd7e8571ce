// A jest environment that hands tests jsdom's JSDOM class. jsdom 29 depends on ESM-only
// packages that jest's CommonJS module registry cannot load; this file is loaded by Node
// itself (which requires ESM natively since 20.19), so jsdom comes through Node, not jest.
const { TestEnvironment } = require('jest-environment-node');
const { JSDOM } = require('jsdom');

class JsdomClassEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    this.global.JSDOM = JSDOM;
  }
}

module.exports = JsdomClassEnvironment;
