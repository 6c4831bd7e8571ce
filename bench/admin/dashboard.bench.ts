/**
 * The operator dashboard and trace search over a realistic ledger: 20,000 payments in 30 days
 * (4 flows, 3 status changes and 2 intents each). Dashboard: median time of GET /admin/api/dashboard
 * (30 days) against the ceiling of one bare aggregate over the same payments (knex, no HTTP).
 * Trace: median time of GET /admin/api/trace?q=<IVNO> against GET /admin/api/me (session lookup
 * and the HTTP stack alone).
 */
import { adminModule } from '../../gateway/src/admin/module';
import { createSession, SESSION_COOKIE } from '../../gateway/src/admin/sessions';
import { buildConfig } from '../../gateway/src/config';
import { createLogger } from '../../gateway/src/observability/logger';
import { startGateway } from '../../gateway/src/runtime/gateway';
import { ensureDatabase, startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { benchDataDir } from '../lib/pg';
import { percentile, report } from '../lib/report';

const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 20_000);
const ROUNDS = 25;

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

async function main(): Promise<void> {
  const pgServer = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: benchDataDir('admin'), durable: false });
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(pgServer!.url, 'bench_admin'));
  const gateway = await startGateway(buildConfig({ http: { port: 0 }, log: { level: 'error' }, admin: { alerts: { enabled: false } } }), {
    databaseUrl,
    logger: createLogger({ level: 'error' }),
    modules: [adminModule()],
  });
  const db = gateway.services.db;
  await db.raw('truncate payments cascade');
  await db.raw(
    `insert into payments (id, flow, status, reference, ivno, cuno, amount, currency, local_amount, local_currency, correlation_id, last_error_code, created_at, updated_at)
     select gen_random_uuid(), (array['ecommerce_sale','invoice_payment','refund','customer_sync'])[1 + i % 4],
            case when i % 20 = 0 then 'failed' else 'completed' end, 'BENCH-' || i, (300000 + i)::text, 'C' || (10000 + i % 500),
            ((i % 997) + 1) * 1.25, 'USD', ((i % 997) + 1) * 1.25, 'USD', 'corr-' || i,
            case when i % 40 = 0 then 'PAYMENT_DECLINED' when i % 20 = 0 then 'M3_NOK' end,
            now() - make_interval(secs => (i * 2592000.0 / ?)), now()
       from generate_series(1, ?) i`,
    [PAYMENTS, PAYMENTS],
  );
  await db.raw(
    `insert into payment_events (payment_id, at, from_status, to_status, step)
     select p.id, p.created_at + make_interval(secs => s), case s when 0 then null when 1 then 'received' else 'receipt_posted' end,
            case s when 0 then 'received' when 1 then 'receipt_posted' else p.status end, (array['open','receipt','gl'])[s + 1]
       from payments p cross join generate_series(0, 2) s`,
  );
  await db.raw(
    `insert into intents (key, payment_id, system, operation, status, attempts, created_at, updated_at)
     select p.id || ':' || s, p.id, (array['m3','paytrace'])[s], (array['ARS040MI','sale'])[s], 'succeeded', 1 + (p.reference ~ '7$')::int, p.created_at, p.created_at
       from payments p cross join generate_series(1, 2) s`,
  );
  await db.raw('analyze');
  const { cookie } = await createSession(db, { subject: 'bench', roles: ['viewer'] }, 60);
  const headers = { cookie: `${SESSION_COOKIE}=${cookie}` };
  const to = new Date(Date.now() + 60_000);
  const from = new Date(to.getTime() - 31 * 86_400_000);
  const get = async (path: string) => {
    const res = await fetch(`${gateway.url}${path}`, { headers });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    await res.arrayBuffer();
  };

  const dashboardMs = await median(() => get(`/admin/api/dashboard?from=${from.toISOString()}&to=${to.toISOString()}`));
  const aggregateMs = await median(() => db.raw(`select flow, count(*), sum(amount) from payments where created_at between ? and ? group by flow`, [from, to]));
  report({
    name: 'admin/dashboard-30-days',
    unit: 'ms (median)',
    value: dashboardMs,
    ceiling: aggregateMs,
    ceilingDescription: `one bare aggregate over the same ${PAYMENTS} payments (knex, no HTTP), same run`,
    ratio: aggregateMs / dashboardMs,
    extra: { payments: PAYMENTS, events: PAYMENTS * 3, intents: PAYMENTS * 2, rounds: ROUNDS },
  });

  const traceMs = await median(() => get(`/admin/api/trace?q=${300000 + Math.floor(PAYMENTS / 2)}`));
  const meMs = await median(() => get('/admin/api/me'));
  report({
    name: 'admin/trace-by-ivno',
    unit: 'ms (median)',
    value: traceMs,
    ceiling: meMs,
    ceilingDescription: 'GET /admin/api/me: session lookup + HTTP stack alone, same run',
    ratio: meMs / traceMs,
    extra: { payments: PAYMENTS, rounds: ROUNDS },
  });

  await gateway.stop();
  await pgServer?.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
