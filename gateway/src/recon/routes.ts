import { Router, type Request, type Response } from 'express';
import { AppError } from '../errors';
import { requireInforCaller } from '../http/middleware/infor-auth';
import type { GatewayServices } from '../runtime/services';
import type { ReconConfig } from './config';
import { groupCsv, groupTotals, itemsCsv } from './report';
import { formatCents } from './model';
import { createRun, requestApply } from './run';
import { getRun } from './store';

/**
 * The reconciliation API (Infor OS bearer token, like every /api route):
 *   POST /api/recon/runs                 {from, to, mode?: dry_run|apply, runKey?} → 202 the run
 *   GET  /api/recon/runs/:id             the run, its summary and totals per batch
 *   GET  /api/recon/runs/:id/items       items (?status=review|exception|matched, ?class=, ?limit=)
 *   GET  /api/recon/runs/:id/items.csv   every item as CSV
 *   GET  /api/recon/runs/:id/report.csv  totals ?by=batch (default) or ?by=day as CSV
 *   POST /api/recon/runs/:id/apply       make the automatic fixes a dry run proposed → 202
 */
const amount = (cents: unknown) => (cents === null || cents === undefined ? null : formatCents(Number(cents)));

/** an item as the API shows it: amounts as decimal text beside their currency, never floats */
function itemView(r: Record<string, unknown>) {
  return {
    key: r.item_key,
    leg: r.leg,
    status: r.status,
    exceptionClass: r.exception_class,
    rule: r.rule,
    confidence: r.confidence,
    owner: r.owner,
    batch: r.batch_number,
    settled: r.settled_date instanceof Date ? r.settled_date.toISOString().slice(0, 10) : r.settled_date,
    transactions: r.transaction_ids,
    m3: r.m3_refs,
    glBatch: r.gl_key,
    paymentId: r.payment_id,
    currency: r.currency,
    paytraceAmount: amount(r.paytrace_cents),
    m3Amount: amount(r.m3_cents),
    glAmount: amount(r.gl_cents),
    difference: amount(r.difference_cents),
    reason: r.reason,
    suggestedFix: r.suggested_fix,
    fix: r.fix_kind ? { kind: r.fix_kind, action: r.fix_action, status: r.fix_status, detail: r.fix_detail } : null,
  };
}

export function reconRoutes(services: GatewayServices, config: ReconConfig): Router {
  const router = Router();
  const auth = requireInforCaller(services);

  const runOr404 = async (id: string) => {
    const run = /^[0-9a-f-]{36}$/i.test(id) ? await getRun(services.db, id) : undefined;
    if (!run) throw new AppError(`no reconciliation run ${id}`, { code: 'RECON_RUN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
    return run;
  };
  const view = (run: NonNullable<Awaited<ReturnType<typeof getRun>>>) => ({
    id: run.id,
    runKey: run.run_key,
    period: { from: run.period_from, to: run.period_to },
    mode: run.mode,
    status: run.status,
    stage: run.stage,
    trigger: run.trigger,
    requestedBy: run.requested_by,
    attempts: run.attempts,
    summary: run.summary,
    errorCode: run.error_code,
    error: run.error,
    createdAt: run.created_at,
    finishedAt: run.finished_at,
    links: { self: `/api/recon/runs/${run.id}`, items: `/api/recon/runs/${run.id}/items`, itemsCsv: `/api/recon/runs/${run.id}/items.csv`, reportCsv: `/api/recon/runs/${run.id}/report.csv` },
  });

  router.post('/api/recon/runs', auth, async (req: Request, res: Response) => {
    const { run, created } = await createRun(services.db, services.queue, config, (req.body ?? {}) as never, { trigger: 'api', requestedBy: String(res.locals.caller) });
    res.status(created ? 202 : 200).location(`/api/recon/runs/${run.id}`).json({ ...view(run), created });
  });

  router.get('/api/recon/runs/:id', auth, async (req: Request, res: Response) => {
    const run = await runOr404(String(req.params.id));
    res.json({ ...view(run), batches: await groupTotals(services.db, run.id, 'batch') });
  });

  router.get('/api/recon/runs/:id/items', auth, async (req: Request, res: Response) => {
    const run = await runOr404(String(req.params.id));
    const limit = Math.min(Math.max(Number(req.query.limit ?? 500) || 500, 1), 5000);
    const query = services.db('recon_items').where({ run_id: run.id }).orderBy('item_key').limit(limit);
    if (typeof req.query.status === 'string') query.andWhere({ status: req.query.status });
    if (typeof req.query.class === 'string') query.andWhere({ exception_class: req.query.class });
    res.json({ runId: run.id, items: ((await query) as Array<Record<string, unknown>>).map(itemView) });
  });

  router.get('/api/recon/runs/:id/items.csv', auth, async (req: Request, res: Response) => {
    const run = await runOr404(String(req.params.id));
    res.type('text/csv').attachment(`recon-${run.period_from}-${run.period_to}-items.csv`).send(await itemsCsv(services.db, run.id));
  });

  router.get('/api/recon/runs/:id/report.csv', auth, async (req: Request, res: Response) => {
    const run = await runOr404(String(req.params.id));
    const by = req.query.by === 'day' ? 'day' : req.query.by === undefined || req.query.by === 'batch' ? 'batch' : undefined;
    if (!by) throw new AppError('by must be batch or day', { code: 'RECON_REQUEST_INVALID', errorClass: 'business', httpStatus: 422, details: { fieldErrors: [{ field: 'by', message: 'batch or day' }] } });
    res.type('text/csv').attachment(`recon-${run.period_from}-${run.period_to}-by-${by}.csv`).send(await groupCsv(services.db, run.id, by));
  });

  router.post('/api/recon/runs/:id/apply', auth, async (req: Request, res: Response) => {
    await runOr404(String(req.params.id));
    const run = await requestApply(services.db, services.queue, String(req.params.id));
    res.status(202).json(view(run));
  });
  return router;
}
