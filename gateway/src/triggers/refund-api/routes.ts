import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors';
import { requireInforCaller } from '../../http/middleware/infor-auth';
import { invalidRequest } from '../../http/validation';
import { currentContext } from '../../observability/context';
import type { GatewayServices } from '../../kernel/services';
import { findPaymentByReference } from '../../pipeline/ledger';
import { Money } from '../../domain/money';
import { REFUND_API, refundRequestSchema } from './request';

/**
 * POST /api/refunds — ask for a refund (or a void, when PayTrace has not settled the sale).
 * 202 with where to follow it; the same refundId again answers with the same refund.
 * GET /api/refunds/:refundId — its state.
 */
export function refundRoutes(services: GatewayServices): Router {
  const router = Router();
  // moving money back needs the API role operator; reading a refund's state, viewer
  router.post('/api/refunds', requireInforCaller(services, 'operator'), async (req: Request, res: Response) => {
    const parsed = refundRequestSchema.safeParse({ ...req.body, requestedBy: res.locals.caller as string });
    if (!parsed.success) {
      throw invalidRequest('REFUND_REQUEST_INVALID', 'the refund request is not valid', parsed.error);
    }
    const result = await services.pipeline?.ingestClaim(REFUND_API, {
      source: 'refund-request',
      dedupeKey: parsed.data.refundId,
      kind: 'refund.requested.api',
      payload: parsed.data,
      correlationId: currentContext()?.correlationId ?? parsed.data.refundId,
    });
    if (!result) throw new AppError('no published flow takes refund requests (trigger http: refund-api)', { code: 'FLOW_NOT_PUBLISHED', errorClass: 'configuration', httpStatus: 503 });
    res.status(202).location(`/api/refunds/${encodeURIComponent(parsed.data.refundId)}`).json({ refundId: parsed.data.refundId, accepted: true, duplicate: result.duplicate });
  });
  router.get('/api/refunds/:refundId', requireInforCaller(services, 'viewer'), async (req: Request, res: Response) => {
    const refundId = String(req.params.refundId);
    const payment = await findPaymentByReference(services.db, `REFUND-${refundId}`);
    if (!payment) {
      const waiting = await services.db('inbox').where({ source: 'refund-request', dedupe_key: refundId }).first('status', 'error_code', 'error');
      if (!waiting) throw new AppError(`no refund ${refundId}`, { code: 'REFUND_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
      res.json({ refundId, status: waiting.status === 'dead' ? 'failed' : 'requested', errorCode: waiting.error_code, error: waiting.error });
      return;
    }
    res.json({
      refundId,
      status: payment.status,
      // money in the currency's decimals ("23.45"), not the column's scale ("23.4500")
      amount: payment.amount == null || !payment.currency ? payment.amount : Money.fromM3(String(payment.amount), payment.currency).toFixedString(),
      currency: payment.currency,
      paytraceTransactionId: payment.paytrace_transaction_id,
      glBatch: payment.gl_batch_key,
      errorCode: payment.last_error_code,
      error: payment.status === 'failed' ? payment.last_error : undefined,
    });
  });
  return router;
}
