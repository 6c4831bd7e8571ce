/**
 * Reconciliation at scale: 100,000 settled PayTrace transactions (100 batches) against 100,000
 * M3 invoices, 100,000 cash receipts and 100,000 GL interface batches, plus 100,000 ledger rows.
 *
 * Data generation: 100,000 sales and 300,000 MI writes through the simulators' HTTP APIs would
 * take far longer than the run being measured, so the simulators run in a process of their own
 * (bench/recon/sim-host.ts, as PayTrace and M3 are elsewhere in production) with the records
 * written straight into their in-memory state (the state their export and MI list endpoints
 * serve), and the ledger rows go in with one COPY. The run itself reads everything the way it
 * does in production: PayTrace batch exports over HTTP, ARS200MI/ARS040MI/GLS840MI lists over
 * HTTP, staged in PostgreSQL, matched, items written. Peak memory is the gateway process alone.
 *
 * Figures: the whole run's wall time and peak memory (target < 10 s), and the match stage
 * (match.ts: the SQL pass over the plain matches with their items, then read what is left, the
 * engine over it, its items) against the ceiling:
 * the same join as ONE SQL statement over the same staged tables, writing its result rows
 * (target: within 3×). 0.3 % of the data carries differences so every path is exercised.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { buildConfig } from '../../gateway/src/config';
import { rulesModule } from '../../gateway/src/runtime/rules-module';
import { reconServices } from '../../gateway/src/recon/context';
import { inforModule } from '../../gateway/src/infor/module';
import { createLogger } from '../../gateway/src/observability/logger';
import { payTraceModule } from '../../gateway/src/paytrace/module';
import { bulkInsert, type BulkColumn } from '../../gateway/src/recon/bulk';
import { loadReconConfig } from '../../gateway/src/recon/config';
import { runRecon } from '../../gateway/src/recon/run';
import { matchRun, useMatchSettings } from '../../gateway/src/recon/match';
import { getRun } from '../../gateway/src/recon/store';
import { startGateway } from '../../gateway/src/runtime/gateway';
import { ensureDatabase, startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { benchDataDir } from '../lib/pg';
import { report } from '../lib/report';
import { dataset as d, decimal, PER_BATCH } from './data';

const N = Number(process.env.RECON_BENCH_N ?? 100_000);
/** ledger rows of earlier days (settled in earlier runs) that this run must leave alone; 0 by default */
const HISTORY = Number(process.env.RECON_BENCH_LEDGER_HISTORY ?? 0);

function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

async function main(): Promise<void> {
  const logger = createLogger({ level: 'error' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-bench-recon-'));
  const ionapiFile = path.join(dir, 'bench.ionapi');
  const seedStart = performance.now();
  const host = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'sim-host.ts'), String(N), ionapiFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const sims = await new Promise<{ paytraceUrl: string; inforUrl: string; day: string }>((resolve, reject) => {
    host.once('exit', (code) => reject(new Error(`simulator host exited with ${code}`)));
    createInterface({ input: host.stdout! }).once('line', (line) => resolve(JSON.parse(line) as { paytraceUrl: string; inforUrl: string; day: string }));
  });
  const pgServer = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: benchDataDir('recon'), durable: false });
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(pgServer!.url, `bench_recon_${Date.now()}`));
  const gateway = await startGateway(
    buildConfig({
      http: { port: 0 },
      log: { level: 'error' },
      infor: { ionapiFile, m3TimeoutMs: 120_000 },
      paytrace: { baseUrl: sims.paytraceUrl, username: 'demo123', password: 'demo123', integratorId: '9TEST0000001', timeoutMs: 120_000 },
      poller: { enabled: false },
    }),
    { databaseUrl, logger, modules: [rulesModule(), payTraceModule(), inforModule()] },
  );
  const db = gateway.services.db;
  const day = sims.day;

  // ---------------------------------------------------------------- the ledger
  const ledgerColumns: BulkColumn[] = [['id', 'uuid'], ['flow', 'text'], ['status', 'text'], ['reference', 'text'], ['cono', 'integer'], ['divi', 'text'], ['cuno', 'text'], ['ivno', 'text'], ['yea4', 'integer'], ['gl_batch_key', 'text'], ['paytrace_transaction_id', 'bigint'], ['amount', 'numeric'], ['currency', 'text'], ['local_amount', 'numeric'], ['local_currency', 'text'], ['correlation_id', 'text']];
  const ledger: unknown[][] = [];
  for (let i = 0; i < N; i++) {
    const amount = decimal(d.cents(i));
    ledger.push([randomUUID(), 'invoice_payment', 'completed', d.reference(i), 100, 'AAA', d.customer(i), String(d.invoice(i)), 2026, d.glKey(i), d.transactionId(i), amount, 'USD', amount, 'USD', `bench-${i}`]);
  }
  await bulkInsert(
    db,
    'payments',
    ledgerColumns,
    ledger,
  );
  ledger.length = 0;
  // earlier days' ledger (a gateway keeps years of it): other references, other transactions, older created_at
  for (let from = 0; from < HISTORY; from += 100_000) {
    const rows: unknown[][] = [];
    for (let i = from; i < Math.min(HISTORY, from + 100_000); i++) {
      const amount = decimal(d.cents(i));
      const created = new Date(Date.parse(`${day}T12:00:00Z`) - (1 + (i % 365)) * 86_400_000).toISOString();
      rows.push([randomUUID(), 'invoice_payment', 'completed', `HIST-${i}`, 100, 'AAA', d.customer(i), String(9_000_000 + i), 2026, `PTSB-HIST-${i}`, 500_000_000 + i, amount, 'USD', amount, 'USD', `bench-history-${i}`, created]);
    }
    await bulkInsert(
      db,
      'payments',
      [...ledgerColumns, ['created_at', 'timestamptz']],
      rows,
    );
  }
  await db.raw('analyze payments');
  const seedMs = performance.now() - seedStart;

  // ---------------------------------------------------------------- the run
  const ctx = { flow: reconServices(gateway.services), recon: loadReconConfig({}, {}) };
  const runId = randomUUID();
  await db('recon_runs').insert({ id: runId, period_from: day, period_to: day, mode: 'dry_run', status: 'queued', trigger: 'api', requested_by: 'bench' });
  global.gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const stages: Record<string, number> = {};
  const runStart = performance.now();
  await runRecon(ctx, runId, {
    afterPayTrace: () => void (stages.paytrace = performance.now() - runStart),
    afterM3Read: () => void (stages.m3Read = performance.now() - runStart),
  });
  const runMs = performance.now() - runStart;
  clearInterval(sampler);
  const run = (await getRun(db, runId))!;
  if (run.status !== 'completed') throw new Error(`run did not complete: ${run.error_code} ${run.error}`);
  const itemCount = Number((await db('recon_run_items').where({ run_id: runId }).count({ n: '*' }).first())!.n);

  // ---------------------------------------------------------------- match stage vs ONE SQL statement
  const matchBreakdown: Array<Record<string, number>> = [];
  const matchStage = async () => {
    // a run's match stage writes into an empty item list: clear the previous round's items first, untimed
    await db('recon_items').where({ run_id: runId }).delete();
    await db('recon_reference_matches').where({ run_id: runId }).delete();
    await db.raw('vacuum recon_items, recon_reference_matches');
    const t = performance.now();
    const { timings } = await matchRun(db, run, { localCurrency: 'USD', roundingToleranceCents: ctx.recon.roundingToleranceCents }, ctx.flow.rules.matching);
    const end = performance.now();
    matchBreakdown.push(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])));
    return end - t;
  };
  const ceilingJoin = async () => {
    await db.raw('drop table if exists recon_ceiling');
    const t = performance.now();
    // one transaction under the match stage's planner and memory settings: the same conditions for both
    await db.transaction(async (trx) => {
      await useMatchSettings(trx);
      await trx.raw(
        `create table recon_ceiling as
         select t.transaction_id, t.batch_number, p.id as payment_id, r.m3_refs, g.key1,
                case when t.amount_cents is null then 'invalid_source'
                     when r.cents is null then 'missing_in_m3'
                     when r.cents <> t.amount_cents then 'amount_differs'
                     else 'matched' end as leg_a,
                case when g.key1 is null or g.status <> '90' then 'settled_but_not_posted'
                     when g.debit_cents <> t.amount_cents then 'amount_differs'
                     else 'matched' end as leg_b,
                t.amount_cents as paytrace_cents, r.cents as m3_cents, g.debit_cents as gl_cents
           from recon_pt_transactions t
           left join payments p on p.paytrace_transaction_id = t.transaction_id
           left join (select irno, sum(amount_cents) as cents, string_agg(pbid || '/' || trno, ';') as m3_refs
                        from recon_m3_receipts where run_id = :run group by irno) r on r.irno = coalesce(t.invoice_id, p.reference)
           left join recon_gl_batches g on g.run_id = :run and g.key1 = p.gl_batch_key
          where t.run_id = :run`,
        { run: runId },
      );
    });
    return performance.now() - t;
  };
  const matchTimes: number[] = [];
  const ceilingTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    matchTimes.push(await matchStage());
    ceilingTimes.push(await ceilingJoin());
  }
  const ceilingRows = Number((await db('recon_ceiling').count({ n: '*' }).first())!.n);
  const ceilingExceptions = await db('recon_ceiling').select('leg_a', 'leg_b').count({ n: '*' }).groupBy('leg_a', 'leg_b').orderBy(['leg_a', 'leg_b']);
  await db.raw('drop table if exists recon_ceiling');
  const match = Math.min(...matchTimes);
  const ceiling = Math.min(...ceilingTimes);

  report({
    name: 'recon: 100k settled transactions ⇄ 100k M3 receipts ⇄ 100k GL batches, match stage',
    unit: 'ms',
    value: Math.round(match),
    ceiling: Math.round(ceiling),
    ceilingDescription: 'the same three-way join as ONE SQL statement (create table as select, a logged table) on the same staged data, under the same planner and memory settings',
    ratio: ceiling / match,
    target: 'within 3× of the ceiling (ratio ≥ 0.33)',
    extra: { matchBreakdown, matchTimesMs: matchTimes.map(Math.round), ceilingTimesMs: ceilingTimes.map(Math.round), ceilingRows, ceilingClasses: ceilingExceptions },
  });
  report({
    name: 'recon: 100k settled transactions, whole run (PayTrace exports + M3 lists over HTTP, staging, matching, items)',
    unit: 'ms',
    value: Math.round(runMs),
    ceiling: 10_000,
    ceilingDescription: 'the target wall time (10 s); the match stage alone is measured against one SQL join above',
    ratio: 10_000 / runMs,
    target: 'under 10 s',
    extra: {
      transactions: N,
      ledgerHistoryRows: HISTORY,
      batches: N / PER_BATCH,
      items: itemCount,
      summary: run.summary,
      stagesMs: { paytraceExportAndStaging: Math.round(stages.paytrace ?? 0), m3ListsRead: Math.round((stages.m3Read ?? 0) - (stages.paytrace ?? 0)), m3StagingMatchAndItems: Math.round(runMs - (stages.m3Read ?? 0)) },
      peakRssMb: mb(peakRss),
      rssBeforeRunMb: mb(baseline.rss),
      peakHeapMb: mb(peakHeap),
      heapBeforeRunMb: mb(baseline.heapUsed),
      note: 'memory of the gateway process; the simulators and PostgreSQL run in processes of their own',
      dataGenerationMs: Math.round(seedMs),
    },
  });

  await gateway.stop();
  host.stdin!.end();
  await new Promise((resolve) => host.once('exit', resolve));
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
