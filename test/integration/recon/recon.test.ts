import { randomUUID } from 'node:crypto';
import { reconServices } from '../../../gateway/src/recon/context';
import { invoiceCharged } from '../../../gateway/src/triggers/pay-page/events';
import { loadReconConfig } from '../../../gateway/src/recon/config';
import { reconModule } from '../../../gateway/src/recon/module';
import { runRecon, type ReconContext } from '../../../gateway/src/recon/run';
import { installNightlySchedule, previousDayIn, RECON_NIGHTLY_QUEUE } from '../../../gateway/src/recon/schedule';
import { getRun, type ReconRun } from '../../../gateway/src/recon/store';
import { getPayment, type Payment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../../helpers/paytrace';
import { simJson, startStack, type Stack, chargedInvoicePayment } from '../../helpers/stack';

/**
 * Reconciliation end to end on real HTTP: PayTrace and M3 simulators, a real gateway and
 * database. Settled sales of the gateway and from outside it, a dry run that finds what is
 * missing, an apply that posts it through the flow steps (audited), then a clean result; an
 * export that fails halfway and an M3 outage mid-run, each resumed to the same result.
 */

interface ItemRow {
  item_key: string;
  leg: string;
  status: string;
  exception_class: string | null;
  rule: string | null;
  fix_kind: string | null;
  fix_action: string | null;
  fix_status: string | null;
  payment_id: string | null;
  reason: string;
}

describe('reconciliation: PayTrace batches ⇄ M3 receipts ⇄ GL', () => {
  let stack: Stack;
  let token: string;
  let today: string;
  beforeAll(async () => {
    stack = await startStack({ config: { queue: { retryLimit: 0, retryDelaySeconds: 0 } }, modules: [reconModule({ scheduleEnabled: false })] });
    token = await stack.gateway.services.infor!.tokens.getAccessToken();
    const clock = await simJson<{ now: string }>(stack.paytrace.url, '/_sim/clock');
    today = (clock.now ?? new Date().toISOString()).slice(0, 10);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const db = () => stack.gateway.services.db;
  const api = async (path: string, init: { method?: string; body?: unknown; auth?: string } = {}) => {
    const res = await fetch(`${stack.gateway.url}${path}`, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: { authorization: init.auth ?? `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  async function sale(amount: string, invoiceId: string): Promise<number> {
    const result = await storefrontPayTraceClient(stack.paytrace.url).saleKeyed({ amount, card: TEST_VISA, invoiceId });
    if (!result.approved || !result.transactionId) throw new Error(`test sale failed: ${result.statusMessage}`);
    return result.transactionId;
  }

  /** a pay-page charge recorded in the ledger, as the links module does before it hands over to flow 2 */
  const charged = (ivno: string, amount: string) => chargedInvoicePayment(stack, { ivno, amount });

  async function finished(id: string, stage?: string): Promise<ReconRun> {
    return eventually(async () => {
      const run = await getRun(db(), id);
      if (run?.status === 'failed') throw new Error(`run failed: ${run.error_code} ${run.error}`);
      return run?.status === 'completed' && (!stage || run.stage === stage) ? run : undefined;
    }, 30_000, `run ${id} completed`);
  }

  const items = (runId: string): Promise<ItemRow[]> => db()('recon_run_items').where({ run_id: runId }).orderBy('item_key');
  const comparable = (rows: ItemRow[]) => rows.map(({ item_key, status, exception_class, rule, reason }) => ({ item_key, status, exception_class, rule, reason }));

  let completedPayment: Payment;
  let unfinished: Payment;
  let outsideTx: number;
  let firstRunId: string;

  it('finds what M3 and the GL miss in a dry run, without changing anything', async () => {
    completedPayment = await charged('200001', '1250.00');
    await invoiceCharged(stack.gateway.services.pipeline, completedPayment);
    await eventually(async () => ((await getPayment(db(), completedPayment.id))?.status === 'completed' ? true : undefined), 20_000, 'flow 2 completed');
    unfinished = await charged('200005', '75.50'); // charged, but flow 2 never ran: no receipt, no GL
    outsideTx = await sale('19.99', 'WALKIN-1'); // the virtual terminal: PayTrace only
    await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST' });

    const created = await api('/api/recon/runs', { body: { from: today, to: today, runKey: `it-${today}-1` } });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ created: true, mode: 'dry_run', period: { from: today, to: today } });
    firstRunId = String(created.body!.id);
    const run = await finished(firstRunId);
    expect(run.stage).toBe('matched');
    expect(run.summary).toMatchObject({ batches: 1, transactions: 3, balanced: false, byClass: { missing_in_m3: 2, settled_but_not_posted: 3 }, autoFixes: 2 });

    const rows = await items(firstRunId);
    const byTx = (tx: number | string | null | undefined, leg = 'A') => rows.find((r) => r.item_key === `${leg}:tx:${tx}`);
    expect(byTx(completedPayment.paytrace_transaction_id)).toMatchObject({ status: 'matched', rule: 'reference' });
    expect(byTx(unfinished.paytrace_transaction_id)).toMatchObject({ exception_class: 'missing_in_m3', fix_kind: 'auto', fix_action: 'post_receipt', fix_status: 'pending', payment_id: unfinished.id });
    expect(byTx(unfinished.paytrace_transaction_id, 'B')).toMatchObject({ exception_class: 'settled_but_not_posted', fix_kind: 'auto', fix_action: 'post_gl' });
    expect(byTx(outsideTx)).toMatchObject({ exception_class: 'missing_in_m3', fix_kind: 'review' });
    // a dry run changes nothing in M3
    expect(await simJson<{ receiptsWithIrno: number }>(stack.infor.url, `/_sim/m3/counts?irno=${unfinished.reference}`)).toMatchObject({ receiptsWithIrno: 0 });

    const again = await api('/api/recon/runs', { body: { from: today, to: today, runKey: `it-${today}-1` } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: firstRunId, created: false });
  });

  it('serves the run, its review list and CSV reports per batch and per day', async () => {
    const view = await api(`/api/recon/runs/${firstRunId}`);
    expect(view.body).toMatchObject({ id: firstRunId, status: 'completed', batches: [expect.objectContaining({ transactions: 3, paytraceNet: '1345.49', glPosted: '1250.00' })] });
    const review = await api(`/api/recon/runs/${firstRunId}/items?status=exception&class=missing_in_m3`);
    expect((review.body!.items as unknown[]).length).toBe(2);
    expect(review.body!.items).toContainEqual(
      expect.objectContaining({ key: `A:tx:${outsideTx}`, exceptionClass: 'missing_in_m3', paytraceAmount: '19.99', currency: 'USD', fix: expect.objectContaining({ kind: 'review' }) }),
    );
    expect(view.body!.summary).toMatchObject({ paytraceNet: '1345.49', glPosted: '1250.00', currency: 'USD' });

    const csv = await api(`/api/recon/runs/${firstRunId}/items.csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('leg,item,status,exception_class,rule,confidence,owner,batch,settled,paytrace_transactions,m3,gl_batch,currency,paytrace_amount,m3_amount,gl_amount,difference,reason,suggested_fix,fix,fix_status');
    expect(lines).toHaveLength(1 + (await items(firstRunId)).length);
    expect(csv.text).toContain(`A:tx:${outsideTx},exception,missing_in_m3`);
    expect(csv.text).toContain('1250.00,1250.00');

    const byBatch = await api(`/api/recon/runs/${firstRunId}/report.csv?by=batch`);
    expect(byBatch.text.split('\r\n')[0]).toBe('batch,transactions,paytrace_net,gl_posted,matched,review,exceptions,exception_classes');
    expect(byBatch.text).toMatch(/\r\n\d+,3,1345\.49,1250\.00,1,0,4,missing_in_m3 settled_but_not_posted\r\n$/);
    const byDay = await api(`/api/recon/runs/${firstRunId}/report.csv?by=day`);
    expect(byDay.text).toContain(`${today},3,1345.49,1250.00`);
  });

  it('refuses bad requests with a clear, classified error, and callers without a token', async () => {
    expect((await api('/api/recon/runs', { body: { from: today, to: today }, auth: 'Bearer forged.token.value' })).status).toBe(401);
    const backwards = await api('/api/recon/runs', { body: { from: '2026-11-25', to: '2026-11-01' } });
    expect(backwards.status).toBe(422);
    expect(backwards.body).toMatchObject({ code: 'RECON_REQUEST_INVALID' });
    expect(JSON.stringify(backwards.body)).toContain('from must not be after to');
    expect((await api('/api/recon/runs', { body: { from: '2026-02-30', to: '2026-03-01' } })).body).toMatchObject({ code: 'RECON_REQUEST_INVALID' });
    expect((await api('/api/recon/runs', { body: { from: '2026-01-01', to: '2026-06-01' } })).body).toMatchObject({ code: 'RECON_PERIOD_TOO_LONG', status: 422 });
    expect((await api('/api/recon/runs', { body: { from: today, to: today, mode: 'yolo' } })).status).toBe(422);
    expect((await api(`/api/recon/runs/${randomUUID()}`)).body).toMatchObject({ code: 'RECON_RUN_NOT_FOUND', status: 404 });
    expect((await api(`/api/recon/runs/${firstRunId}/report.csv?by=week`)).status).toBe(422);
    expect(await db()('recon_runs').count({ n: '*' }).first()).toMatchObject({ n: '1' });
  });

  it('applies the automatic fixes through the flow steps, audited and once; a new run then balances them', async () => {
    const applied = await api(`/api/recon/runs/${firstRunId}/apply`, { method: 'POST' });
    expect(applied.status).toBe(202);
    await finished(firstRunId, 'applied');
    await api(`/api/recon/runs/${firstRunId}/apply`, { method: 'POST' }); // applying twice is applying once
    const payment = (await getPayment(db(), unfinished.id))!;
    const counts = await simJson<{ receiptsWithIrno: number; glBatchesWithKey1: number }>(stack.infor.url, `/_sim/m3/counts?irno=${unfinished.reference}&key1=${payment.gl_batch_key}`);
    expect(counts).toMatchObject({ receiptsWithIrno: 1, glBatchesWithKey1: 1 });
    const audit = await db()('audit_log').where({ subject_id: unfinished.id }).orderBy('id');
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['recon.fix.post_receipt', 'recon.fix.post_gl']);
    expect(audit[0]).toMatchObject({ actor: expect.stringMatching(/^recon:/), subject_type: 'payment' });
    const fixed = await db()('recon_items').where({ run_id: firstRunId, fix_kind: 'auto' }).pluck('fix_status');
    expect(fixed).toEqual(['done', 'done']);

    const next = await api('/api/recon/runs', { body: { from: today, to: today, runKey: `it-${today}-2` } });
    const rerun = await finished(String(next.body!.id));
    const rows = await items(rerun.id);
    expect(rows.find((r) => r.item_key === `A:tx:${unfinished.paytrace_transaction_id}`)).toMatchObject({ status: 'matched', rule: 'reference' });
    expect(rows.find((r) => r.item_key === `B:tx:${unfinished.paytrace_transaction_id}`)).toBeUndefined();
    expect(rerun.summary).toMatchObject({ byClass: { missing_in_m3: 1, settled_but_not_posted: 2 }, autoFixes: 0 });
    // ION and subscribers hear about every finished run
    const events = await db()('outbound_events').where({ type: 'reconciliation.completed' });
    expect(events.length).toBeGreaterThanOrEqual(3);
  });

  it('reconciles a refund made through the refund flow: reversing receipt, reversal GL, batch net of the refund', async () => {
    const refund = await api('/api/refunds', { body: { refundId: 'RMA-RECON-1', originalTransactionId: Number(completedPayment.paytrace_transaction_id), amount: '250.00' } });
    expect(refund.status).toBe(202);
    await eventually(async () => ((await api('/api/refunds/RMA-RECON-1')).body?.status === 'completed' ? true : undefined), 20_000, 'refund completed');
    await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST' });
    const refundPayment = (await db()('payments').where({ reference: 'REFUND-RMA-RECON-1' }).first()) as Payment;

    const next = await api('/api/recon/runs', { body: { from: today, to: today, runKey: `it-${today}-refund` } });
    const run = await finished(String(next.body!.id));
    const rows = await items(run.id);
    expect(rows.find((r) => r.item_key === `A:tx:${refundPayment.paytrace_transaction_id}`)).toMatchObject({ status: 'matched', rule: 'reference' });
    expect(rows.find((r) => r.item_key === `B:tx:${refundPayment.paytrace_transaction_id}`)).toBeUndefined();
    const batches = rows.filter((r) => r.item_key.startsWith('B:batch:'));
    expect(batches).toHaveLength(2);
    const refundBatch = await db()('recon_run_items').where({ run_id: run.id }).andWhere('item_key', batches[1]!.item_key).first();
    expect(refundBatch).toMatchObject({ status: 'matched', paytrace_cents: '-25000', gl_cents: '-25000' });
  });

  it('schedules the nightly run in its time zone; two firings for one night make one run', async () => {
    const services = stack.gateway.services;
    const config = loadReconConfig({}, { schedule: '15 2 * * *', timeZone: 'America/Chicago' });
    installNightlySchedule(services, config);
    const schedule = await eventually(async () => {
      const rows = await services.queue.boss.getSchedules();
      return rows.find((r) => r.name === RECON_NIGHTLY_QUEUE);
    }, 10_000, 'schedule row');
    expect(schedule).toMatchObject({ cron: '15 2 * * *', timezone: 'America/Chicago' });

    const night = previousDayIn('UTC');
    const before = await db()('recon_runs').count({ n: '*' }).first();
    const jobs = await Promise.all([1, 2].map(() => services.queue.send(RECON_NIGHTLY_QUEUE, {})));
    expect(jobs).toHaveLength(2);
    const run = await eventually(async () => (await db()('recon_runs').where({ run_key: `nightly:${night}` }).first()) as { id: string; trigger: string } | undefined, 10_000, 'nightly run');
    expect(run).toMatchObject({ trigger: 'schedule' });
    await finished(run.id);
    const after = await db()('recon_runs').count({ n: '*' }).first();
    expect(Number(after!.n) - Number(before!.n)).toBe(1);
  });

  it('a run whose job failed is resumed by asking for its key again', async () => {
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { outage: true, pathPattern: 'batches' } });
    const key = `it-${today}-outage`;
    const created = await api('/api/recon/runs', { body: { from: today, to: today, runKey: key } });
    const id = String(created.body!.id);
    const failed = await eventually(async () => {
      const run = await getRun(db(), id);
      return run?.status === 'failed' ? run : undefined;
    }, 20_000, 'the run failed');
    expect(failed).toMatchObject({ stage: 'created', error_code: expect.stringMatching(/PAYTRACE/) });
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { outage: false, pathPattern: '' } });
    const again = await api('/api/recon/runs', { body: { from: today, to: today, runKey: key } });
    expect(again.body).toMatchObject({ id, created: false });
    expect(await finished(id)).toMatchObject({ status: 'completed', attempts: 2 });
  });

  describe('resumable and idempotent', () => {
    let ctx: ReconContext;
    let day: string;
    beforeAll(async () => {
      // one list at a time, so the outage lands between two batches exactly
      ctx = { flow: reconServices(stack.gateway.services), recon: loadReconConfig({}, { scheduleEnabled: false, exportConcurrency: 1 }) };
      // two more batches on a later simulated day, so the three batches of these runs are apart from the first tests
      await simJson(stack.paytrace.url, '/_sim/clock/advance', { body: { seconds: 2 * 86_400 } });
      const clock = await simJson<{ now: string }>(stack.paytrace.url, '/_sim/clock');
      day = clock.now.slice(0, 10);
      for (const amount of ['10.00', '20.00', '30.00']) {
        await sale(amount, `DAY2-${amount}`);
        await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST' });
      }
    });

    /** a run row as the API records it; these tests drive it directly instead of through the job */
    async function newRun(): Promise<string> {
      const id = randomUUID();
      await db()('recon_runs').insert({ id, period_from: day, period_to: day, mode: 'dry_run', status: 'queued', trigger: 'api', requested_by: 'test' });
      return id;
    }

    it('a batch export that fails halfway resumes with the batches it did not finish, to the same result', async () => {
      const clean = await newRun();
      await runRecon(ctx, clean);
      const expected = comparable(await items(clean));
      expect(expected.filter((i) => i.item_key.startsWith('B:batch:'))).toHaveLength(3);

      const broken = await newRun();
      await expect(
        runRecon(ctx, broken, {
          afterBatch: async () => {
            await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { outage: true, pathPattern: 'transaction_list' } });
          },
        }),
      ).rejects.toMatchObject({ errorClass: 'transient' });
      expect(await getRun(db(), broken)).toMatchObject({ status: 'failed', stage: 'created' });
      expect(await db()('recon_pt_batches').where({ run_id: broken }).orderBy('batch_number').pluck('fetched')).toEqual([true, false, false]);

      await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { outage: false, pathPattern: '' } });
      await simJson(stack.paytrace.url, '/_sim/calls', { method: 'DELETE' });
      const resumed = await runRecon(ctx, broken);
      expect(resumed).toMatchObject({ status: 'completed', attempts: 2 });
      const calls = await simJson<{ calls: unknown[] } | unknown[]>(stack.paytrace.url, '/_sim/calls?path=transaction_list');
      expect(Array.isArray(calls) ? calls : calls.calls).toHaveLength(2);
      expect(comparable(await items(broken))).toEqual(expected);
      // once completed, running it again changes nothing
      await runRecon(ctx, broken);
      expect(comparable(await items(broken))).toEqual(expected);
    });

    it('an M3 outage mid-run keeps what PayTrace gave and resumes at M3, to the same result', async () => {
      const clean = await newRun();
      await runRecon(ctx, clean);
      const expected = comparable(await items(clean));

      const broken = await newRun();
      await expect(
        runRecon(ctx, broken, {
          afterPayTrace: async () => {
            await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { outage: true, pathPattern: '/M3/' } });
          },
        }),
      ).rejects.toMatchObject({ errorClass: 'transient' });
      expect(await getRun(db(), broken)).toMatchObject({ status: 'failed', stage: 'paytrace', error_code: expect.stringMatching(/M3|HTTP|UNAVAILABLE/) });

      await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { outage: false, pathPattern: '' } });
      await simJson(stack.paytrace.url, '/_sim/calls', { method: 'DELETE' });
      await runRecon(ctx, broken);
      const calls = await simJson<{ calls: unknown[] } | unknown[]>(stack.paytrace.url, '/_sim/calls?path=batches');
      expect(Array.isArray(calls) ? calls : calls.calls).toHaveLength(0);
      expect(comparable(await items(broken))).toEqual(expected);
    });

    it('a batch listed twice is staged once; a transaction in two batches settled in the later one, whatever order the lists came in', async () => {
      const tx = await sale('42.00', 'MOVER-1');
      await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST' });
      const state = stack.paytrace.context.state;
      const first = state.batches[state.batches.length - 1]!;
      expect(first.transactionIds).toEqual([tx]);
      // PayTrace lists the batch twice, and lists the transaction again in a later batch
      state.batches.push(first, { number: first.number + 100, settledAt: first.settledAt, transactionIds: [tx] });
      const results = [];
      for (const exportConcurrency of [1, 4]) {
        const id = await newRun();
        await runRecon({ ...ctx, recon: { ...ctx.recon, exportConcurrency } }, id);
        expect(await db()('recon_pt_batches').where({ run_id: id }).whereIn('batch_number', [first.number, first.number + 100]).count({ n: '*' }).first()).toMatchObject({ n: '2' });
        expect(await db()('recon_pt_transactions').where({ run_id: id, transaction_id: tx }).first()).toMatchObject({ batch_number: first.number + 100, moved_from_batch: first.number });
        const rows = await items(id);
        expect(rows.find((r) => r.item_key === `A:tx:${tx}`)!.reason).toContain(`moved from batch ${first.number} to batch ${first.number + 100}`);
        // PayTrace still reports the first batch with it: that batch's total is the difference to look at
        expect(rows.find((r) => r.item_key === `B:batch:${first.number}`)).toMatchObject({ exception_class: 'amount_differs' });
        results.push(comparable(rows));
      }
      expect(results[1]).toEqual(results[0]);
      state.batches.splice(state.batches.length - 2, 2);
    });
  });
});
