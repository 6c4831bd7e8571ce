import { Router, type Request, type Response } from 'express';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { AppError } from '../../errors';
import { invalidRequest } from '../../http/validation';
import { currentContext } from '../../observability/context';
import type { GatewayServices } from '../../kernel/services';
import { ecommerceNotificationSchema } from './notification';

/** The trigger a flow names to be started by this endpoint. */
export const ECOMMERCE_WEBHOOK = 'http:ecommerce-webhook';

/**
 * POST /events/ecommerce — the storefront's signed "order paid" notification.
 * Verified on the exact raw bytes (Standard Webhooks: webhook-id, webhook-timestamp within 5 minutes,
 * webhook-signature), validated, persisted to the inbox with its job for the flow that owns the
 * trigger `http: ecommerce-webhook` (dedupe: webhook-id), then 202.
 */
export function ecommerceRoutes(services: GatewayServices): Router {
  const router = Router();
  router.post('/events/ecommerce', async (req: Request, res: Response) => {
    const secret = services.config.ecommerce.webhookSecret;
    if (!secret) {
      throw new AppError('the e-commerce endpoint is not configured (ECOMMERCE_WEBHOOK_SECRET)', { code: 'ECOMMERCE_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
    }
    const headers = {
      'webhook-id': req.get('webhook-id') ?? '',
      'webhook-timestamp': req.get('webhook-timestamp') ?? '',
      'webhook-signature': req.get('webhook-signature') ?? '',
    };
    if (!headers['webhook-id'] || !headers['webhook-timestamp'] || !headers['webhook-signature']) {
      throw new AppError('webhook-id, webhook-timestamp and webhook-signature headers are required', { code: 'WEBHOOK_HEADERS_MISSING', errorClass: 'business', httpStatus: 401 });
    }
    if (!req.rawBody) {
      throw new AppError('the body must be JSON (Content-Type: application/json)', { code: 'WEBHOOK_BODY_NOT_JSON', errorClass: 'business', httpStatus: 415 });
    }
    try {
      new Webhook(secret.reveal()).verify(req.rawBody, headers);
    } catch (err) {
      const message = err instanceof WebhookVerificationError ? err.message : 'verification failed';
      const stale = /timestamp/i.test(message);
      throw new AppError(stale ? 'the webhook timestamp is outside the 5-minute tolerance' : 'the webhook signature does not match', {
        code: stale ? 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE' : 'WEBHOOK_SIGNATURE_INVALID',
        errorClass: 'business',
        httpStatus: 401,
      });
    }
    const parsed = ecommerceNotificationSchema.safeParse(req.body);
    if (!parsed.success) {
      throw invalidRequest('ECOMMERCE_NOTIFICATION_INVALID', 'the notification does not match the order.paid contract', parsed.error);
    }
    const notification = parsed.data;
    const stored = await services.pipeline?.ingestClaim(ECOMMERCE_WEBHOOK, {
      source: 'ecommerce',
      dedupeKey: headers['webhook-id'],
      kind: 'ecommerce.order.paid',
      payload: notification,
      correlationId: currentContext()?.correlationId ?? headers['webhook-id'],
    });
    if (!stored) throw new AppError('no published flow takes storefront notifications (trigger http: ecommerce-webhook)', { code: 'FLOW_NOT_PUBLISHED', errorClass: 'configuration', httpStatus: 503 });
    const { inboxId, duplicate } = stored;
    res.status(202).json({ accepted: true, duplicate, inboxId, orderId: notification.data.orderId });
  });
  return router;
}
