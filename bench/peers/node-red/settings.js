// Node-RED settings for the peer benchmark (bench/peers): headless, no editor, the flow's
// libraries handed to function nodes through functionGlobalContext (Node-RED's usual way).
// The bench starts it as: node-red --userDir <throw-away folder> --settings <this file> <flows.json>
const { Pool } = require(process.env.PEER_PG_MODULE);

module.exports = {
  uiPort: Number(process.env.PEER_PORT),
  uiHost: '127.0.0.1',
  // headless: no editor or admin API, only the flow's HTTP endpoints
  httpAdminRoot: false,
  disableEditor: true,
  flowFilePretty: true,
  credentialSecret: false,
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  functionExternalModules: false,
  functionGlobalContext: {
    crypto: require('node:crypto'),
    // the peer's own table (peer_payments), same database server as the gateway's
    db: new Pool({ connectionString: process.env.PEER_DATABASE_URL, max: 10 }),
  },
  contextStorage: { default: { module: 'memory' } },
};
