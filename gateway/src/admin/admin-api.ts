import { Router, type Request, type Response } from 'express';
import { isBigintId, isUuid } from '../http/ids';
import { z } from 'zod';
import { AppError } from '../errors';
import { redact } from '../observability/redact';
import { abandonDeadLetters, replayDeadLetters } from '../pipeline/dead-letter-actions';
import { listDeadLetters } from '../pipeline/dead-letters';
import { MAPPING_ASSISTANT_ENDPOINTS } from '../mapping-assistant/routes';
import { loadReconConfig } from '../recon/config';
import { EXCEPTION_CLASSES } from '../recon/model';
import { groupCsv, groupTotals, itemsCsv } from '../recon/report';
import { createRun, requestApply } from '../recon/run';
import { listItems, listRuns, pendingFixes, runOr404, runView } from '../recon/views';
import type { GatewayServices } from '../kernel/services';
import { audit } from '../store/audit';
import { currentRuleTexts, listVersions, saveIonapi, savePayTraceCredentials, saveRules } from './config-versions';
import { dashboard } from './dashboard-queries';
import { FLOW_ADMIN_ENDPOINTS, publishRules } from './flow-admin';
import { FLOW_TEST_RUN_ENDPOINTS } from './flow-test-run';
import { FLOW_OVERLAY_ENDPOINTS } from './flow-overlay';
import { actorOf, requireRole } from './guard';
import { parseAdminInput as parse, type AdminEndpoint } from './endpoint';
import { CHARGEBACK_ADMIN_ENDPOINTS } from './chargeback-admin';
import { Download } from './download';
import { caseSummary } from '../triggers/chargeback/cases';
import { testConnection, SYSTEMS } from './test-connection';
import { paymentTimeline, searchTrace } from './trace-queries';
import { listLinkRequests, resolveLinkRequest } from '../links/link-requests';
import { dismissReview, invoiceLinkSummary, invoiceTracesByNumber, listReviews, retryReview } from '../links/invoice-links';
import { PAYMENT_STATES } from './payment-states';
import { listPayments, replayPreview, withPayments } from './payment-views';

export type { AdminEndpoint } from './endpoint';


const isoDate = z.iso.datetime({ offset: true }).transform((v) => new Date(v));
const timeZone = z.string().max(64).refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as America/Chicago');
const rangeQuery = z.object({ from: isoDate.optional(), to: isoDate.optional(), timeZone: timeZone.optional() });
const traceQuery = z.object({
  q: z.string().trim().max(200).optional(),
  flow: z.enum(['ecommerce_sale', 'invoice_payment', 'customer_sync', 'refund', 'chargeback']).optional(),
  state: z.enum(PAYMENT_STATES).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
const deadLetterId = z.string().refine(isBigintId, 'not a dead-letter id');
const operatorAction = z.object({
  ids: z.array(z.union([z.string(), z.number().int().positive()]).transform(String).refine(isBigintId, 'not a dead-letter id')).min(1, 'select at least one').max(500),
  reason: z.string().trim().min(3, 'a reason of at least 3 characters is required').max(1000),
});
const dlqQuery = z.object({
  status: z.enum(['open', 'replayed', 'abandoned']).optional(),
  queue: z.string().max(100).optional(),
  errorClass: z.enum(['transient', 'business', 'configuration', 'bug']).optional(),
  errorCode: z.string().max(100).optional(),
  olderThanMinutes: z.coerce.number().int().min(0).max(525_600).optional(),
});
const withReason = { reason: z.string().trim().max(1000).optional() };
const requiredReason = z.string().trim().min(3, 'a reason of at least 3 characters is required').max(1000);
const reconRunId = z.string().refine(isUuid, 'not a run id');
const reconNewRun = z.object({ from: z.string().max(10), to: z.string().max(10), mode: z.enum(['dry_run', 'apply']).default('dry_run'), reason: requiredReason });
const reconItemsQuery = z.object({
  status: z.enum(['matched', 'review', 'exception']).optional(),
  class: z.enum(EXCEPTION_CLASSES).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});
const RECON_BASE = '/admin/api/recon/runs';

const ok = (res: Response, body: unknown) => {
  res.setHeader('Cache-Control', 'no-store');
  if (body instanceof Download) res.type(body.type).attachment(body.filename).send(body.body);
  else res.json(body);
};

/**
 * Every admin endpoint with the role it needs: the router is built from this table and the
 * 401/403 tests walk it, so an endpoint cannot be added without its guard and its test.
 */
export const ADMIN_ENDPOINTS: AdminEndpoint[] = [
  {
    method: 'get', path: '/admin/api/me', role: 'viewer',
    handler: async (_req, res) => {
      const s = res.locals.adminSession!;
      return { subject: s.subject, name: s.name, email: s.email, roles: s.roles, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() };
    },
  },
  {
    method: 'get', path: '/admin/api/dashboard', role: 'viewer',
    handler: async (req, _res, s) => {
      const q = parse(rangeQuery, req.query);
      const to = q.to ?? new Date();
      const from = q.from ?? new Date(to.getTime() - 24 * 3_600_000);
      if (from >= to) throw new AppError('from must be before to', { code: 'ADMIN_BAD_REQUEST', errorClass: 'business', httpStatus: 400 });
      return { ...(await dashboard(s.db, { from, to, timeZone: q.timeZone })), chargebacks: await caseSummary(s.db, s.config.admin.alerts.chargebackDeadlineHours) };
    },
  },
  {
    method: 'get', path: '/admin/api/trace', role: 'viewer',
    handler: async (req, _res, s) => {
      const q = parse(traceQuery, req.query);
      // nothing typed: the recent payments (what the dashboard's tiles and bars link to, filtered)
      if (!q.q) return { recent: true, hits: (await listPayments(s.db, { flow: q.flow, state: q.state, from: q.from, to: q.to, limit: 100 })).map((p) => ({ ...p, matchedOn: 'recent' })) };
      return { recent: false, hits: await searchTrace(s.db, q.q) };
    },
  },
  {
    method: 'get', path: '/admin/api/trace/payments/:id', role: 'viewer',
    handler: async (req, _res, s) => {
      const id = parse(z.uuid(), req.params.id);
      const trace = await paymentTimeline(s.db, id, s.pipeline?.flows);
      if (!trace) throw new AppError('no such payment', { code: 'ADMIN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
      return trace;
    },
  },
  {
    method: 'get', path: '/admin/api/dead-letters', role: 'viewer',
    handler: async (req, _res, s) => {
      const q = parse(dlqQuery, req.query);
      const rows = await listDeadLetters(s.db, { ...q, olderThanSeconds: q.olderThanMinutes ? q.olderThanMinutes * 60 : undefined, limit: 500 });
      // each with the payment whose work it holds: invoice, customer, amount, whether the customer was charged
      return { deadLetters: (await withPayments(s.db, rows.map(({ payload: _payload, ...row }) => row))).map((row) => redact(row)) };
    },
  },
  {
    method: 'get', path: '/admin/api/dead-letters/:id', role: 'viewer',
    handler: async (req, _res, s) => {
      const id = parse(deadLetterId, req.params.id);
      const row = await s.db('dead_letters').where({ id }).first<(Record<string, unknown> & { correlation_id: string | null }) | undefined>();
      if (!row) throw new AppError('no such dead letter', { code: 'ADMIN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
      const history = await s.db('audit_log').where({ subject_type: 'dead_letter', subject_id: id }).orderBy('id');
      const [withPayment] = await withPayments(s.db, [row]);
      return { deadLetter: redact(row), payment: withPayment!.payment, preview: await replayPreview(s.db, id, s.pipeline?.flows), audit: redact(history) };
    },
  },
  {
    method: 'get', path: '/admin/api/dead-letters/:id/preview', role: 'viewer',
    handler: async (req, _res, s) => {
      const preview = await replayPreview(s.db, parse(deadLetterId, req.params.id), s.pipeline?.flows);
      if (!preview) throw new AppError('no such dead letter', { code: 'ADMIN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
      return preview;
    },
  },
  {
    method: 'post', path: '/admin/api/dead-letters/replay', role: 'operator',
    handler: async (req, res, s) => {
      const body = parse(operatorAction, req.body);
      return replayDeadLetters(s.db, s.queue, { ids: body.ids, reason: body.reason, actor: actorOf(res) });
    },
  },
  {
    method: 'post', path: '/admin/api/dead-letters/abandon', role: 'operator',
    handler: async (req, res, s) => {
      const body = parse(operatorAction, req.body);
      return abandonDeadLetters(s.db, { ids: body.ids, reason: body.reason, actor: actorOf(res) });
    },
  },
  {
    method: 'get', path: '/admin/api/invoice-links/reviews', role: 'viewer',
    handler: async (req, _res, s) => ({ items: await listReviews(s.db, parse(z.object({ status: z.enum(['needs_review', 'dismissed']).optional() }), req.query).status) }),
  },
  {
    method: 'post', path: '/admin/api/invoice-links/reviews/:id/retry', role: 'operator',
    handler: async (req, res, s) => {
      const id = parse(z.string().refine(isBigintId, 'must be a review number'), req.params.id);
      const { reason } = parse(z.object(withReason), req.body ?? {});
      return retryReview(s.db, s.pipeline, id, actorOf(res), reason);
    },
  },
  {
    method: 'post', path: '/admin/api/invoice-links/reviews/:id/dismiss', role: 'operator',
    handler: async (req, res, s) => {
      const id = parse(z.string().refine(isBigintId, 'must be a review number'), req.params.id);
      const { reason } = parse(z.object({ reason: requiredReason }), req.body);
      return dismissReview(s.db, id, actorOf(res), reason);
    },
  },
  {
    method: 'get', path: '/admin/api/invoice-links/summary', role: 'viewer',
    handler: async (req, _res, s) => {
      const q = parse(rangeQuery, req.query);
      const to = q.to ?? new Date();
      const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
      if (from >= to) throw new AppError('from must be before to', { code: 'ADMIN_BAD_REQUEST', errorClass: 'business', httpStatus: 400 });
      return invoiceLinkSummary(s.db, { from, to });
    },
  },
  {
    method: 'get', path: '/admin/api/trace/invoices/:ivno', role: 'viewer',
    handler: async (req, _res, s) => {
      const ivno = parse(z.string().regex(/^[0-9A-Za-z-]{1,15}$/, 'must be an M3 invoice number'), req.params.ivno);
      const only = parse(z.object({ company: z.coerce.number().int().positive().optional(), division: z.string().regex(/^[0-9A-Za-z]{1,3}$/).optional(), year: z.coerce.number().int().min(1900).max(2999).optional() }), req.query);
      return { invoices: await invoiceTracesByNumber(s.db, ivno, { cono: only.company, divi: only.division, yea4: only.year }) };
    },
  },
  {
    method: 'get', path: '/admin/api/link-requests', role: 'viewer',
    handler: async (req, _res, s) => ({ requests: await listLinkRequests(s.db, parse(z.object({ status: z.enum(['open', 'done']).optional() }), req.query).status) }),
  },
  {
    method: 'post', path: '/admin/api/link-requests/:id/done', role: 'operator',
    handler: async (req, res, s) => {
      const id = parse(z.string().refine(isBigintId, 'not an id'), req.params.id);
      const { reason } = parse(z.object({ reason: requiredReason }), req.body);
      const done = await resolveLinkRequest(s.db, id, actorOf(res), reason);
      if (!done) throw new AppError('the request is not open (done already, or unknown)', { code: 'ADMIN_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
      return { id, status: 'done' };
    },
  },
  {
    method: 'get', path: '/admin/api/audit', role: 'viewer',
    handler: async (req, _res, s) => {
      const q = parse(z.object({ subjectType: z.string().max(50).optional(), action: z.string().max(100).optional() }), req.query);
      const rows = await s.db('audit_log')
        .modify((b) => {
          if (q.subjectType) b.where('subject_type', q.subjectType);
          if (q.action) b.where('action', q.action);
        })
        .orderBy('id', 'desc')
        .limit(200);
      return { entries: redact(rows) };
    },
  },
  {
    method: 'get', path: '/admin/api/alerts', role: 'viewer',
    handler: async (req, _res, s) => {
      const q = parse(z.object({ status: z.enum(['open', 'resolved']).optional() }), req.query);
      const rows = await s.db('alerts').modify((b) => (q.status ? b.where('status', q.status) : b)).orderBy('id', 'desc').limit(200);
      return { alerts: rows };
    },
  },
  {
    method: 'get', path: '/admin/api/config', role: 'admin',
    handler: async (_req, _res, s) => {
      const c = s.config;
      const infor = s.infor?.credentials;
      return {
        mode: c.mode,
        infor: infor
          ? { tenant: infor.tenant, appName: infor.appName, ionApiUrl: infor.ionApiUrl, authServerUrl: infor.authServerUrl, tokenUrl: infor.tokenUrl, apiBaseUrl: infor.apiBaseUrl, serviceAccount: infor.serviceAccountKey !== undefined }
          : null,
        paytrace: { baseUrl: c.paytrace.baseUrl ?? null, usernameSet: c.paytrace.username !== undefined, passwordSet: c.paytrace.password !== undefined, integratorId: c.paytrace.integratorId ?? null },
        rules: s.rules ? { dir: s.rules.dir, files: s.rules.files } : null,
        versions: await listVersions(s.db),
        systems: SYSTEMS,
      };
    },
  },
  {
    method: 'post', path: '/admin/api/config/ionapi', role: 'admin',
    handler: async (req, res, s) => {
      const body = parse(z.object({ content: z.string().min(1, 'choose a file').max(64 * 1024), ...withReason }), req.body);
      return saveIonapi(s.db, body.content, actorOf(res), body.reason);
    },
  },
  {
    method: 'post', path: '/admin/api/config/paytrace', role: 'admin',
    handler: async (req, res, s) => {
      const { reason, ...credentials } = parse(z.object({ ...withReason }).loose(), req.body) as { reason?: string } & Record<string, unknown>;
      return savePayTraceCredentials(s.db, credentials, actorOf(res), reason);
    },
  },
  {
    method: 'get', path: '/admin/api/config/rules', role: 'admin',
    // the published rules version when the rules module runs (the files are only its default)
    handler: async (_req, _res, s) => ({ dir: s.config.rules.dir, files: s.rulesVersions ? await s.rulesVersions.currentTexts() : await currentRuleTexts(s.config.rules.dir) }),
  },
  {
    method: 'post', path: '/admin/api/config/rules', role: 'admin',
    handler: async (req, res, s) => {
      const body = parse(z.object({ files: z.record(z.string().max(100), z.string().max(256 * 1024)), ...withReason }), req.body);
      // published as a new rules version: audited, and applied live on every gateway
      if (s.rulesVersions) return publishRules(s, body.files, actorOf(res), body.reason);
      return saveRules(s.db, s.config.rules.dir, body.files, actorOf(res), body.reason);
    },
  },
  {
    method: 'post', path: '/admin/api/config/test/:system', role: 'admin',
    handler: async (req, res, s) => {
      const system = parse(z.enum(SYSTEMS), req.params.system);
      const result = await testConnection(s, system);
      s.logger.info('connection test', { system, ok: result.ok, actor: actorOf(res) });
      return result;
    },
  },
  {
    method: 'get', path: '/admin/api/recon/runs', role: 'viewer',
    // periods are days in the reconciliation's zone (RECON_TIMEZONE): the page says which
    handler: async (_req, _res, s) => ({ timeZone: loadReconConfig(process.env).timeZone, runs: (await listRuns(s.db, 50)).map((run) => runView(run, RECON_BASE)) }),
  },
  {
    method: 'get', path: '/admin/api/recon/runs/:id', role: 'viewer',
    handler: async (req, _res, s) => {
      const run = await runOr404(s.db, parse(reconRunId, req.params.id));
      return { ...runView(run, RECON_BASE), batches: await groupTotals(s.db, run.id, 'batch') };
    },
  },
  {
    method: 'get', path: '/admin/api/recon/runs/:id/items', role: 'viewer',
    handler: async (req, _res, s) => {
      const run = await runOr404(s.db, parse(reconRunId, req.params.id));
      const q = parse(reconItemsQuery, req.query);
      return { runId: run.id, items: await listItems(s.db, run.id, { status: q.status, exceptionClass: q.class, limit: q.limit }) };
    },
  },
  {
    method: 'get', path: '/admin/api/recon/runs/:id/fixes', role: 'viewer',
    handler: async (req, _res, s) => {
      const run = await runOr404(s.db, parse(reconRunId, req.params.id));
      return { runId: run.id, timeZone: loadReconConfig(process.env).timeZone, fixes: await pendingFixes(s.db, run.id) };
    },
  },
  {
    method: 'get', path: '/admin/api/recon/runs/:id/items.csv', role: 'viewer',
    handler: async (req, _res, s) => {
      const run = await runOr404(s.db, parse(reconRunId, req.params.id));
      return new Download(`recon-${run.period_from}-${run.period_to}-items.csv`, 'text/csv', await itemsCsv(s.db, run.id));
    },
  },
  {
    method: 'get', path: '/admin/api/recon/runs/:id/report.csv', role: 'viewer',
    handler: async (req, _res, s) => {
      const run = await runOr404(s.db, parse(reconRunId, req.params.id));
      const { by } = parse(z.object({ by: z.enum(['batch', 'day']).default('batch') }), req.query);
      return new Download(`recon-${run.period_from}-${run.period_to}-by-${by}.csv`, 'text/csv', await groupCsv(s.db, run.id, by));
    },
  },
  {
    method: 'post', path: '/admin/api/recon/runs', role: 'operator',
    handler: async (req, res, s) => {
      const { reason, ...request } = parse(reconNewRun, req.body);
      const actor = actorOf(res);
      // the run, its job and its audit row commit together
      const { run, created } = await s.db.transaction(async (trx) => {
        const result = await createRun(trx, s.queue, loadReconConfig(process.env), request, { trigger: 'api', requestedBy: actor });
        await audit(trx, { actor, action: 'recon.run.requested', subjectType: 'recon_run', subjectId: result.run.id, reason, details: { from: request.from, to: request.to, mode: request.mode } });
        return result;
      });
      res.status(created ? 202 : 200);
      return { ...runView(run, RECON_BASE), created };
    },
  },
  {
    method: 'post', path: '/admin/api/recon/runs/:id/apply', role: 'operator',
    handler: async (req, res, s) => {
      const id = parse(reconRunId, req.params.id);
      const { reason } = parse(z.object({ reason: requiredReason }), req.body);
      const actor = actorOf(res);
      const before = await runOr404(s.db, id);
      const run = await s.db.transaction(async (trx) => {
        const applied = await requestApply(trx, s.queue, id);
        // applying twice is applying once: only the request that turns the dry run into an apply is audited
        if (before.mode === 'dry_run') await audit(trx, { actor, action: 'recon.run.apply', subjectType: 'recon_run', subjectId: id, reason });
        return applied;
      });
      res.status(202);
      return runView(run, RECON_BASE);
    },
  },
  // the flow builder's mapping panel: suggest, accept, reject (gateway/src/mapping-assistant)
  ...MAPPING_ASSISTANT_ENDPOINTS,
  ...FLOW_ADMIN_ENDPOINTS,
  // the flow builder's test runs of a draft, and the sample event each flow keeps
  ...FLOW_TEST_RUN_ENDPOINTS,
  // the flow builder's live overlay (per step: in progress, failed, parked, money in flight, p95)
  ...FLOW_OVERLAY_ENDPOINTS,
  // chargebacks: the cases (deadline first), manual entry, report upload, the evidence PDF
  ...CHARGEBACK_ADMIN_ENDPOINTS,
];

export function adminApiRoutes(services: GatewayServices): Router {
  const router = Router();
  for (const endpoint of ADMIN_ENDPOINTS) {
    router[endpoint.method](endpoint.path, requireRole(services.db, endpoint.role), async (req: Request, res: Response) => {
      ok(res, await endpoint.handler(req, res, services));
    });
  }
  return router;
}
