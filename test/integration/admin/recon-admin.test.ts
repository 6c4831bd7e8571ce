import { recordDeadLetter } from '../../../gateway/src/pipeline/dead-letters';
import { randomUUID } from 'node:crypto';
import { adminModule } from '../../../gateway/src/admin/module';
import { invoiceCharged } from '../../../gateway/src/triggers/pay-page/events';
import { reconModule } from '../../../gateway/src/recon/module';
import { getRun, type ReconRun } from '../../../gateway/src/recon/store';
import { getPayment, type Payment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { storefrontPayTraceClient, TEST_VISA } from '../../helpers/paytrace';
import { simJson, startStack, type Stack, chargedInvoicePayment } from '../../helpers/stack';
import { adminCall, signInThroughInforOs, type SignedIn } from './sign-in';

/**
 * The operator app's reconciliation endpoints on a real gateway, database and simulators: an
 * operator starts a dry run (audited with the reason), a viewer reads it, its batches, its
 * exception items and its CSV, and an operator applies it.
 */
describe('reconciliation in the operator app (admin API)', () => {
  let stack: Stack;
  let url: string;
  let operator: SignedIn;
  let viewer: SignedIn;
  let today: string;
  let runId: string;
  let unfinished: Payment;
  let outsideTx: number;

  beforeAll(async () => {
    stack = await startStack({
      config: { queue: { retryLimit: 0, retryDelaySeconds: 0 }, admin: { alerts: { enabled: false } } },
      modules: [adminModule(), reconModule({ scheduleEnabled: false })],
    });
    url = stack.gateway.url;
    operator = await signInThroughInforOs(url, 'operator');
    viewer = await signInThroughInforOs(url, 'viewer');
    const clock = await simJson<{ now: string }>(stack.paytrace.url, '/_sim/clock');
    today = (clock.now ?? new Date().toISOString()).slice(0, 10);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const db = () => stack.gateway.services.db;

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

  it('an operator starts a dry run with a reason; it is recorded as theirs and audited', async () => {
    const completed = await charged('200001', '1250.00');
    await invoiceCharged(stack.gateway.services.pipeline, completed);
    await eventually(async () => ((await getPayment(db(), completed.id))?.status === 'completed' ? true : undefined), 20_000, 'flow 2 completed');
    unfinished = await charged('200005', '75.50'); // charged, flow 2 never ran: no receipt, no GL
    outsideTx = await sale('19.99', 'WALKIN-1'); // PayTrace only
    await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST' });

    const noReason = await adminCall(url, operator, 'POST', '/admin/api/recon/runs', { from: today, to: today, mode: 'dry_run' });
    expect(noReason).toMatchObject({ status: 400, json: { code: 'ADMIN_BAD_REQUEST' } });
    const backwards = await adminCall(url, operator, 'POST', '/admin/api/recon/runs', { from: today, to: '2020-01-01', reason: 'month end' });
    expect(backwards).toMatchObject({ status: 422, json: { code: 'RECON_REQUEST_INVALID' } });
    expect(await db()('recon_runs').count({ n: '*' }).first()).toMatchObject({ n: '0' });

    const created = await adminCall(url, operator, 'POST', '/admin/api/recon/runs', { from: today, to: today, mode: 'dry_run', reason: 'month end <check>' });
    expect(created.status).toBe(202);
    expect(created.json).toMatchObject({ created: true, mode: 'dry_run', period: { from: today, to: today }, requestedBy: 'operator:operator', trigger: 'api' });
    runId = String(created.json.id);
    expect((created.json.links as Record<string, string>).itemsCsv).toBe(`/admin/api/recon/runs/${runId}/items.csv`);
    const run = await finished(runId);
    expect(run.summary).toMatchObject({ batches: 1, transactions: 3, byClass: { missing_in_m3: 2, settled_but_not_posted: 3 }, autoFixes: 2 });
    const audited = await db()('audit_log').where({ subject_type: 'recon_run', subject_id: runId });
    expect(audited).toEqual([expect.objectContaining({ actor: 'operator:operator', action: 'recon.run.requested', reason: 'month end <check>' })]);
  });

  it('a viewer lists runs and reads a run, its batch totals and its exception items', async () => {
    const list = await adminCall(url, viewer, 'GET', '/admin/api/recon/runs');
    expect(list.status).toBe(200);
    const runs = list.json.runs as Array<Record<string, unknown>>;
    expect(runs[0]).toMatchObject({ id: runId, status: 'completed', mode: 'dry_run', summary: { byClass: { missing_in_m3: 2 } } });

    const detail = await adminCall(url, viewer, 'GET', `/admin/api/recon/runs/${runId}`);
    expect(detail.json).toMatchObject({ id: runId, batches: [expect.objectContaining({ transactions: 3, paytraceNet: '1345.49', glPosted: '1250.00' })] });

    const missing = await adminCall(url, viewer, 'GET', `/admin/api/recon/runs/${runId}/items?status=exception&class=missing_in_m3`);
    const items = missing.json.items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(2);
    expect(items).toContainEqual(expect.objectContaining({ key: `A:tx:${outsideTx}`, exceptionClass: 'missing_in_m3', paytraceAmount: '19.99', fix: expect.objectContaining({ kind: 'review' }) }));
    expect(items).toContainEqual(expect.objectContaining({ key: `A:tx:${unfinished.paytrace_transaction_id}`, fix: expect.objectContaining({ kind: 'auto', action: 'post_receipt' }) }));
    // the same items as the Infor-token API gives (one query behind both)
    const limited = await adminCall(url, viewer, 'GET', `/admin/api/recon/runs/${runId}/items?limit=1`);
    expect(limited.json.items).toHaveLength(1);
    expect((await adminCall(url, viewer, 'GET', `/admin/api/recon/runs/${runId}/items?class=nonsense`)).status).toBe(400);
    expect((await adminCall(url, viewer, 'GET', `/admin/api/recon/runs/${randomUUID()}`)).json).toMatchObject({ code: 'RECON_RUN_NOT_FOUND', status: 404 });
    expect((await adminCall(url, viewer, 'GET', '/admin/api/recon/runs/not-a-run')).status).toBe(400);
  });

  it('a viewer downloads the items and batch report as CSV', async () => {
    const res = await fetch(`${url}/admin/api/recon/runs/${runId}/items.csv`, { headers: { cookie: viewer.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?recon-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-items\.csv"?$/);
    const text = await res.text();
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('leg,item,status,exception_class,rule,confidence,owner,batch,settled,paytrace_transactions,m3,gl_batch,currency,paytrace_amount,m3_amount,gl_amount,difference,reason,suggested_fix,fix,fix_status');
    expect(lines).toHaveLength(1 + Number((await db()('recon_run_items').where({ run_id: runId }).count({ n: '*' }).first())!.n));
    expect(text).toContain(`A:tx:${outsideTx},exception,missing_in_m3`);

    const byBatch = await fetch(`${url}/admin/api/recon/runs/${runId}/report.csv`, { headers: { cookie: viewer.cookie } });
    expect(await byBatch.text()).toMatch(/^batch,transactions,paytrace_net,gl_posted,matched,review,exceptions,exception_classes\r\n\d+,3,1345\.49,1250\.00,/);
    const byDay = await fetch(`${url}/admin/api/recon/runs/${runId}/report.csv?by=day`, { headers: { cookie: viewer.cookie } });
    expect(await byDay.text()).toContain(`${today},3,1345.49,1250.00`);
    expect((await fetch(`${url}/admin/api/recon/runs/${runId}/report.csv?by=week`, { headers: { cookie: viewer.cookie } })).status).toBe(400);
  });

  it('a storefront sale the gateway dead-lettered is not reported as "not made through the gateway"', async () => {
    const correlationId = `corr-${randomUUID()}`;
    await db()('inbox').insert({ source: 'ecommerce', kind: 'ecommerce.order.paid', dedupe_key: `wh-${randomUUID()}`, correlation_id: correlationId, status: 'failed', payload: JSON.stringify({ type: 'order.paid', data: { orderId: 'WEB-9001', paytraceTransactionId: String(outsideTx), amount: '20.00', currency: 'USD' } }) });
    await recordDeadLetter(db(), { queue: 'ecommerce-sale', jobId: randomUUID(), payload: { inboxId: '1' }, correlationId, errorClass: 'business', errorCode: 'ECOMMERCE_AMOUNT_MISMATCH', errorMessage: 'the storefront claims 20.00 USD but PayTrace charged 19.99 USD', attempts: 1 });
    const items = (await adminCall(url, viewer, 'GET', `/admin/api/recon/runs/${runId}/items?status=exception`)).json.items as Array<Record<string, unknown>>;
    const item = items.find((i) => i.key === `A:tx:${outsideTx}`)!;
    expect(item).toMatchObject({ owner: 'gateway' });
    expect(item.reason).toMatch(new RegExp(`^Storefront order WEB-9001 \\(PayTrace transaction ${outsideTx}\\) came through the gateway but was not posted: its notification is dead letter \\d+ \\(open\\): ECOMMERCE_AMOUNT_MISMATCH`));
    expect(item.reason).not.toMatch(/not made through the gateway/);
  });

  it('shows what "Apply fixes" would post before it posts: one line per payment and action', async () => {
    const preview = await adminCall(url, viewer, 'GET', `/admin/api/recon/runs/${runId}/fixes`);
    expect(preview.json).toMatchObject({ runId, timeZone: 'UTC' });
    const fixes = preview.json.fixes as Array<Record<string, unknown>>;
    expect(fixes.map((f) => [f.action, f.reference, f.amount])).toEqual(expect.arrayContaining([['post_receipt', unfinished.reference, '75.50'], ['post_gl', unfinished.reference, '75.50']]));
    expect(fixes.find((f) => f.action === 'post_receipt')!.posts).toBe(`ARS040MI cash receipt of 75.50 USD on invoice 200005/2026, reference (IRNO) ${unfinished.reference}`);
    expect(await db()('audit_log').where({ action: 'recon.fix.post_receipt' })).toHaveLength(0); // a preview posts nothing
  });

  it('an operator applies the proposed fixes, audited once', async () => {
    expect((await adminCall(url, viewer, 'POST', `/admin/api/recon/runs/${runId}/apply`, { reason: 'fix it' })).status).toBe(403);
    expect((await adminCall(url, operator, 'POST', `/admin/api/recon/runs/${runId}/apply`, {})).status).toBe(400);
    const applied = await adminCall(url, operator, 'POST', `/admin/api/recon/runs/${runId}/apply`, { reason: 'checked the list' });
    expect(applied).toMatchObject({ status: 202, json: { id: runId, mode: 'apply' } });
    await finished(runId, 'applied');
    await adminCall(url, operator, 'POST', `/admin/api/recon/runs/${runId}/apply`, { reason: 'double click' });
    const actions = await db()('audit_log').where({ subject_type: 'recon_run', subject_id: runId }).orderBy('id').pluck('action');
    expect(actions).toEqual(['recon.run.requested', 'recon.run.apply']);
    const fixed = await db()('recon_items').where({ run_id: runId, fix_kind: 'auto' }).pluck('fix_status');
    expect(fixed).toEqual(['done', 'done']);
  });
});
