/**
 * The cheapest process that does what a sandbox start cannot skip: start the embedded PostgreSQL
 * on EMBEDDED_PG_DATA_DIR (initdb when it is new) and listen on HTTP; prints "listening", stops
 * on SIGINT. The ceiling of bench/startup/cold-start.bench.ts.
 */
import http from 'node:http';
import { startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';

async function main(): Promise<void> {
  const db = await startEmbeddedPostgres({ dataDir: process.env.EMBEDDED_PG_DATA_DIR!, port: 0 });
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.once('SIGINT', () => {
    server.close();
    void db.stop().then(() => process.exit(0));
  });
  console.log('listening');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
