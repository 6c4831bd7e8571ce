import { Router, type Request, type Response } from 'express';
import { AppError } from '../errors';
import { requireInforCaller } from '../http/middleware/infor-auth';
import type { GatewayServices } from '../kernel/services';
import type { ReconConfig } from './config';
import { groupCsv, groupTotals, itemsCsv } from './report';
import { createRun, requestApply } from './run';
import type { ReconRun } from './store';
import { listItems, runOr404 as findRun, runView } from './views';

/**
 * The reconciliation API (Infor OS bearer token, like every /api route; reading needs the API role
 * viewer, starting a run or applying fixes operator):
 *   POST /api/recon/runs                 {from, to, mode?: dry_run|apply, runKey?} → 202 the run
 *   GET  /api/recon/runs/:id             the run, its summary and totals per batch
 *   GET  /api/recon/runs/:id/items       items (?status=review|exception|matched, ?class=, ?limit=)
 *   GET  /api/recon/runs/:id/items.csv   every item as CSV
 *   GET  /api/recon/runs/:id/report.csv  totals ?by=batch (default) or ?by=day as CSV
 *   POST /api/recon/runs/:id/apply       make the automatic fixes a dry run proposed → 202
 */
export function reconRoutes(services: GatewayServices, config: ReconConfig): Router {
  const router = Router();
  const read = requireInforCaller(services, 'viewer');
  const act = requireInforCaller(services, 'operator');

  const runOr404 = (id: string) => findRun(services.db, id);
  const view = (run: ReconRun) => runView(run, '/api/recon/runs');

  router.post('/api/recon/runs', act, async (req: Request, res: Response) => {
    const { run, created } = await createRun(services.db, services.queue, config, (req.body ?? {}) as never, { trigger: 'api', requestedBy: String(res.locals.caller) });
    res.status(created ? 202 : 200).location(`/api/recon/runs/${run.id}`).json({ ...view(run), created });
  });

  router.get('/api/recon/runs/:id', read, async (req: Request, res: Response) => {
    const run = await runOr404(String(req.params.id));
    res.json({ ...view(run), batches: await groupTotals(services.db, run.id, 'batch') });
  });

  router.get('/api/recon/runs/:id/items', read, async (req: Request, res: Response) => {
    const run = await runOr404(String(req.params.id));
    const items = await listItems(services.db, run.id, {
      limit: Number(req.query.limit ?? 500) || 500,
      status: typeof req.query.status === 'string' ? req.query.status : undefined,
      exceptionClass: typeof req.query.class === 'string' ? req.query.class : undefined,
    });
    res.json({ runId: run.id, items });
  });

  router.get('/api/recon/runs/:id/items.csv', read, async (req: Request, res: Response) => {
    const run = await runOr404(String(req.params.id));
    res.type('text/csv').attachment(`recon-${run.period_from}-${run.period_to}-items.csv`).send(await itemsCsv(services.db, run.id));
  });

  router.get('/api/recon/runs/:id/report.csv', read, async (req: Request, res: Response) => {
    const run = await runOr404(String(req.params.id));
    const by = req.query.by === 'day' ? 'day' : req.query.by === undefined || req.query.by === 'batch' ? 'batch' : undefined;
    if (!by) throw new AppError('by must be batch or day', { code: 'RECON_REQUEST_INVALID', errorClass: 'business', httpStatus: 422, details: { fieldErrors: [{ field: 'by', message: 'batch or day' }] } });
    res.type('text/csv').attachment(`recon-${run.period_from}-${run.period_to}-by-${by}.csv`).send(await groupCsv(services.db, run.id, by));
  });

  router.post('/api/recon/runs/:id/apply', act, async (req: Request, res: Response) => {
    await runOr404(String(req.params.id));
    const run = await requestApply(services.db, services.queue, String(req.params.id));
    res.status(202).json(view(run));
  });
  return router;
}
