/**
 * Issue 22: new M3 invoices through the invoice-links flow, end to end — M3 (simulator) creates
 * the invoice → ION pushes Sync.Invoice to the gateway's IMS endpoint → inbox + job → the rules →
 * OIS350MI, CRS610MI, CUSEXTMI reads → payment link → e-mail in the outbox → reminders planned →
 * the e-mail delivered (captured) — with the gateway as its own process and zero-latency simulators.
 *
 * Figures: invoices/s (first invoice created → last e-mail captured), gateway CPU ms per invoice,
 * database commits per invoice (the gateway's idle commits subtracted). Ceiling, in the same run on
 * the same PostgreSQL: that many plain one-row INSERT/UPDATE commits per invoice, 16 clients.
 *
 *   npm run bench -- invoice-links        (BENCH_INVOICES=100)
 */
import pg from 'pg';
import { parseIonApi } from '../../gateway/src/infor/ionapi';
import { M3Client } from '../../gateway/src/infor/m3/m3-client';
import { InforTokenClient } from '../../gateway/src/infor/os/token-client';
import { ConnectorStatus } from '../../gateway/src/observability/connector-status';
import { startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { freePort, GatewayProcess, startWorld, type SharedWorld } from '../../test/chaos/harness';
import { benchDataDir } from '../lib/pg';
import { report } from '../lib/report';

const INVOICES = Number(process.env.BENCH_INVOICES ?? 100);
const CLIENTS = 16;

async function commits(world: SharedWorld): Promise<number> {
  await new Promise((r) => setTimeout(r, 1200)); // the statistics collector reports every ~500 ms
  await world.database.db.raw('select pg_stat_clear_snapshot()');
  const { rows } = await world.database.db.raw('select xact_commit::bigint as n from pg_stat_database where datname = current_database()');
  return Number((rows as Array<{ n: string }>)[0]!.n);
}

async function createInvoices(world: SharedWorld, count: number): Promise<string[]> {
  const ivnos: string[] = [];
  // M3 creates them one after the other, as invoicing does; ION delivers them in order
  for (let i = 0; i < count; i++) {
    const amount = `${20 + (i % 300)}.${String((i * 37) % 100).padStart(2, '0')}`;
    const res = await fetch(`${world.infor.url}/_sim/m3/invoices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cuno: 'C10001', amount }) });
    ivnos.push(String(((await res.json()) as { ivno: number }).ivno));
  }
  return ivnos;
}

async function waitLinked(world: SharedWorld, ivnos: string[]): Promise<number> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const row = await world.database.db.raw(
      `select count(*)::int as n, max(o.sent_at) as last from invoice_links l join email_outbox o on o.id = l.email_id
        where l.ivno = any(?) and l.status = 'linked' and o.status = 'captured'`,
      [ivnos],
    );
    const { n, last } = row.rows[0] as { n: number; last: Date | null };
    if (n === ivnos.length) return last!.getTime();
    const dead = await world.database.db('inbox').where({ flow_id: 'invoice-links', status: 'dead' }).first('error_code');
    if (dead) throw new Error(`a run failed: ${dead.error_code}`);
    if (Date.now() > deadline) throw new Error(`only ${n} of ${ivnos.length} invoices linked and e-mailed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function plainCommits(url: string, transactions: number): Promise<number> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query('create table if not exists bench_ceiling (id bigserial primary key, payload jsonb, status text, updated_at timestamptz default now())');
  await setup.end();
  const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  let next = 0;
  const started = performance.now();
  await Promise.all(clients.map(async (c) => {
    for (;;) {
      const i = next++;
      if (i >= transactions) return;
      if (i % 2 === 0) await c.query(`insert into bench_ceiling (payload, status) values ($1, 'new')`, [JSON.stringify({ i })]);
      else await c.query(`update bench_ceiling set status = 'done', updated_at = now() where id = (select max(id) from bench_ceiling)`);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return transactions / seconds;
}

async function main(): Promise<void> {
  const server = await startEmbeddedPostgres({ dataDir: benchDataDir('invoice-links'), maxConnections: 200 });
  process.env.TEST_PG_SERVER_URL = server.url;
  const world = await startWorld({
    config: {
      queue: { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1 },
      poller: { enabled: false },
      flows: { customerPullIntervalSeconds: 0, invoiceLinkReminderIntervalSeconds: 0 },
      admin: { alerts: { enabled: false } },
    },
  });
  const gateway = new GatewayProcess(world, await freePort());
  try {
    await gateway.start();
    world.infor.setGatewayImsUrl(`${gateway.url}/ims`);
    const credentials = parseIonApi(world.infor.ionapi);
    const status = new ConnectorStatus(['infor-os', 'm3', 'ion']);
    const m3 = new M3Client({ baseUrl: `${credentials.apiBaseUrl}/M3/m3api-rest`, tokens: new InforTokenClient({ credentials, allowInsecureHttp: true, status }), timeoutMs: 5_000, readRetries: 2, retryDelayMs: 10, status });
    await m3.execute('CUSEXTMI', 'AddFieldValue', { FILE: 'OCUSMA', PK01: 'C10001', A230: 'Y' }, { cono: 100, divi: 'AAA' });

    await waitLinked(world, await createInvoices(world, 10)); // warm-up: JIT, tokens

    const idleFrom = await commits(world);
    const idleStarted = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const idleRate = ((await commits(world)) - idleFrom) / ((Date.now() - idleStarted) / 1000);

    const before = await commits(world);
    const cpuBefore = gateway.cpuMs();
    const started = Date.now();
    const ivnos = await createInvoices(world, INVOICES);
    const createdMs = Date.now() - started;
    const finished = await waitLinked(world, ivnos);
    // where the time went: ION's in-order delivery (the BODs arriving at /ims) against the runs
    const spans = (
      await world.database.db.raw(
        `select extract(epoch from (max(i.received_at) - ?::timestamptz)) * 1000 as delivered_ms,
                extract(epoch from (max(l.created_at) - ?::timestamptz)) * 1000 as linked_ms,
                avg(extract(epoch from (l.created_at - i.received_at)) * 1000) as run_ms
           from invoice_links l join inbox i on i.aggregate_key = 'invoice:' || l.cono || ':' || l.divi || ':' || l.yea4 || ':' || l.ivno and i.source = 'ion'
          where l.ivno = any(?)`,
        [new Date(started), new Date(started), ivnos],
      )
    ).rows[0] as { delivered_ms: string; linked_ms: string; run_ms: string };
    const cpuMs = gateway.cpuMs() - cpuBefore;
    const seconds = (finished - started) / 1000;
    const commitsPerInvoice = ((await commits(world)) - before - idleRate * ((Date.now() - started) / 1000)) / INVOICES;
    const emails = await world.database.db('email_outbox').whereIn('link_id', world.database.db('payment_links').whereIn('ivno', ivnos).select('id')).count<{ n: string }[]>('* as n');
    if (Number(emails[0]!.n) !== INVOICES) throw new Error(`${emails[0]!.n} e-mails for ${INVOICES} invoices`);

    const ceilingCommits = await plainCommits(world.database.url, Math.round(commitsPerInvoice * INVOICES));
    const ceiling = ceilingCommits / commitsPerInvoice;
    const perSecond = INVOICES / seconds;
    report({
      name: 'invoice-links flow (Sync.Invoice → link → e-mail, zero-latency simulators)',
      unit: 'invoices/s',
      value: perSecond,
      ceiling,
      ceilingDescription: `PostgreSQL alone: ${ceilingCommits.toFixed(0)} one-row INSERT/UPDATE commits/s ÷ ${commitsPerInvoice.toFixed(1)} commits per invoice`,
      ratio: perSecond / ceiling,
      extra: { invoices: INVOICES, seconds, cpuMsPerInvoice: cpuMs / INVOICES, commitsPerInvoice, emails: INVOICES, createdMs, ionDeliveredMs: Number(spans.delivered_ms), lastLinkedMs: Number(spans.linked_ms), meanRunMs: Number(spans.run_ms) },
    });
    console.log(`  ${INVOICES} invoices created in M3 one after another (${(createdMs / 1000).toFixed(1)} s), each linked and e-mailed once; done in ${seconds.toFixed(1)} s; gateway CPU ${(cpuMs / INVOICES).toFixed(1)} ms/invoice; ${commitsPerInvoice.toFixed(1)} commits/invoice`);
    console.log(`  ION delivered the last Sync.Invoice at ${(Number(spans.delivered_ms) / 1000).toFixed(1)} s, the last invoice was linked at ${(Number(spans.linked_ms) / 1000).toFixed(1)} s; a run took ${Number(spans.run_ms).toFixed(0)} ms on average from the BOD's arrival to its link and e-mail committed`);
  } finally {
    await gateway.stop();
    await world.stop();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
