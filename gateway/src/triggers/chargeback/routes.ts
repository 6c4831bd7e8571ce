import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../../errors';
import { requireInforCaller } from '../../http/middleware/infor-auth';
import { invalidRequest } from '../../http/validation';
import type { GatewayServices } from '../../kernel/services';
import { currentContext } from '../../observability/context';
import { caseOr404 } from './cases';
import { importReport, submitNotice } from './intake';
import { chargebackNoticeSchema } from './notice';

/**
 * POST /api/chargebacks — a dispute from another system (idempotent by case number and stage).
 * POST /api/chargebacks/reports — a chargeback report file (text/csv) as the PayTrace portal exports it.
 * GET /api/chargebacks/:caseNumber — the case.
 *
 * Callers carry an Infor OS bearer token whose roles claim (admin.oidc.rolesClaim, mapped by
 * admin.oidc.roleMap) grants the operator role — or, for service accounts of other systems, which
 * carry no roles, whose `sub`/`client_id` is listed in flows.chargebackApiCallers.
 */
export function chargebackRoutes(services: GatewayServices): Router {
  const router = Router();
  // the operator API role (api.roleMap / api.clientRoles), or a caller of another system listed by name
  const verifyOperator = requireInforCaller(services, 'operator');
  const token = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await verifyOperator(req, res, next);
    } catch (err) {
      const claims = (res.locals.claims ?? {}) as Record<string, unknown>;
      const callers = services.config.flows.chargebackApiCallers;
      const named = [claims.sub, claims.client_id, claims.azp].some((c) => typeof c === 'string' && callers.includes(c));
      if ((err as { code?: string }).code === 'API_FORBIDDEN' && named) next();
      else throw err;
    }
  };
  const correlation = (fallback: string) => currentContext()?.correlationId ?? fallback;

  router.post('/api/chargebacks', token, async (req: Request, res: Response) => {
    const parsed = chargebackNoticeSchema.safeParse({ ...(req.body as object), source: 'api', requestedBy: res.locals.caller as string });
    if (!parsed.success) throw invalidRequest('CHARGEBACK_INVALID', 'the chargeback is not valid', parsed.error);
    const result = await submitNotice(services, parsed.data, correlation(parsed.data.caseNumber));
    res.status(202).location(`/api/chargebacks/${encodeURIComponent(result.caseNumber)}`).json({ ...result, accepted: true });
  });

  router.post('/api/chargebacks/reports', token, express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: services.config.http.bodyLimitBytes }), async (req: Request, res: Response) => {
    if (typeof req.body !== 'string') throw new AppError('send the report as text/csv', { code: 'CHARGEBACK_REPORT_INVALID', errorClass: 'business', httpStatus: 415 });
    res.json(await importReport(services, req.body, { correlationId: correlation('chargeback-report') }));
  });

  router.get('/api/chargebacks/:caseNumber', token, async (req: Request, res: Response) => {
    res.json(await caseOr404(services.db, String(req.params.caseNumber)));
  });
  return router;
}
