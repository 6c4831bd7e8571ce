import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError, errorClassOf } from '../errors';
import { requireInforCaller } from '../http/middleware/infor-auth';
import type { GatewayServices } from '../kernel/services';
import { queueLinkEmail } from './email';
import { linkEvents } from './link-metrics';
import { linkRequestSchema, linkServiceOf, type LinkService } from './link-service';
import type { LinkRow } from './link-store';
import { messagePage, payPage } from './pay-page';
import { PayService, type ChargeOutcome } from './pay-service';

function invalid(code: string, message: string, issues: z.core.$ZodIssue[]): AppError {
  return new AppError(message, {
    code,
    errorClass: 'business',
    httpStatus: 422,
    details: { fieldErrors: issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })) },
  });
}

/** Where links point: the configured public URL, else the address this request came to (sandbox, tests). */
export function publicBaseUrl(services: GatewayServices, req: Request): string {
  return services.config.http.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
}

/** The Protect script and PayTrace's origin (the only one besides ours the pay page may load from). */
export function protectScriptUrl(services: GatewayServices): string {
  const configured = services.config.links.protectScriptUrl;
  if (configured) return configured;
  const base = services.config.paytrace.baseUrl;
  if (!base) throw new AppError('the pay page needs paytrace.baseUrl or links.protectScriptUrl', { code: 'LINKS_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
  return `${base.replace(/\/$/, '')}/js/protect.min.js`;
}

function payPageCsp(paytraceOrigin: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${paytraceOrigin}`,
    `frame-src ${paytraceOrigin}`,
    `connect-src 'self' ${paytraceOrigin}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Who may call the link API: an Infor OS bearer token verified against the JWKS (the ION API
 * gateway forwards the M3 user's token), or — when configured — the fixed credential the ION API
 * gateway adds for the suite, compared in constant time.
 */
export function linkCaller(services: GatewayServices) {
  const bearer = requireInforCaller(services);
  const key = services.config.links.apiSuiteKey;
  const header = services.config.links.apiSuiteKeyHeader;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const given = req.get(header);
    if (key && given !== undefined) {
      const a = createHash('sha256').update(given).digest();
      const b = createHash('sha256').update(key.reveal()).digest();
      if (!timingSafeEqual(a, b)) throw new AppError('the API suite credential is not valid', { code: 'LINK_API_KEY_INVALID', errorClass: 'business', httpStatus: 401 });
      res.locals.caller = 'ion-api-suite';
      next();
      return;
    }
    await bearer(req, res, next);
  };
}

const emailRequestSchema = z.object({ to: z.email('must be an e-mail address').max(254) }).strict();
const cancelRequestSchema = z.object({ reason: z.string().trim().min(1).max(200).optional() }).strict();

/**
 * The API the H5 script calls through the ION API gateway (Infor OS bearer token):
 *   POST /api/payment-links                 → links for an invoice or an order's open invoices
 *   GET  /api/payment-links/:id             → one link
 *   POST /api/payment-links/:id/cancel      → cancel an open link
 *   POST /api/payment-links/:id/email       → send the link by e-mail (outbox)
 */
export function linkApiRoutes(services: GatewayServices): Router {
  const router = Router();
  const auth = linkCaller(services);
  const caller = (res: Response) => String(res.locals.caller ?? 'unknown');
  const service = () => linkServiceOf(services);
  const found = async (links: LinkService, id: string): Promise<LinkRow> => {
    const link = await links.current(id);
    if (!link) throw new AppError(`There is no payment link ${id}.`, { code: 'LINK_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
    return link;
  };

  router.post('/api/payment-links', auth, async (req: Request, res: Response) => {
    const parsed = linkRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('LINK_REQUEST_INVALID', 'The payment link request is not valid: give the invoice number and year, or the order number.', parsed.error.issues);
    const links = await service();
    const created = await links.create(parsed.data, caller(res));
    for (const c of created) linkEvents(services).inc({ event: c.reused ? 'reused' : 'created' });
    const base = publicBaseUrl(services, req);
    const views = await Promise.all(created.map(({ link, reused }) => links.withQr(links.view(link, base, { reused }))));
    res.status(created.some((c) => !c.reused) ? 201 : 200).json({ links: views });
  });

  router.get('/api/payment-links/:id', auth, async (req: Request, res: Response) => {
    const links = await service();
    res.json(links.view(await found(links, String(req.params.id)), publicBaseUrl(services, req)));
  });

  router.post('/api/payment-links/:id/cancel', auth, async (req: Request, res: Response) => {
    const parsed = cancelRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('LINK_REQUEST_INVALID', 'The cancel request is not valid.', parsed.error.issues);
    const links = await service();
    const cancelled = await links.cancel(String(req.params.id), caller(res), parsed.data.reason ?? 'cancelled by M3 user');
    res.json(links.view(cancelled, publicBaseUrl(services, req)));
  });

  router.post('/api/payment-links/:id/email', auth, async (req: Request, res: Response) => {
    const parsed = emailRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('LINK_EMAIL_INVALID', 'Give the customer e-mail address to send the link to.', parsed.error.issues);
    const links = await service();
    const link = await found(links, String(req.params.id));
    if (link.status !== 'open') throw new AppError(`The link is ${link.status}; only an open link can be sent.`, { code: 'LINK_NOT_OPEN', errorClass: 'business', httpStatus: 409 });
    const queued = await queueLinkEmail(services, links, link, parsed.data.to, publicBaseUrl(services, req), caller(res));
    res.status(202).json({ emailId: queued.id, status: 'queued', to: parsed.data.to });
  });
  return router;
}

const ASSETS: Record<string, { type: string; body: string }> = {
  'pay.js': { type: 'application/javascript; charset=utf-8', body: readFileSync(path.join(__dirname, 'assets', 'pay.js'), 'utf8') },
  'pay.css': { type: 'text/css; charset=utf-8', body: readFileSync(path.join(__dirname, 'assets', 'pay.css'), 'utf8') },
};

/**
 * The customer's side (no login: the signed link is the credential):
 *   GET  /pay/:token          → the pay page, or a page saying why it cannot be paid
 *   POST /pay/:token/charge   → pay with Protect tokens (JSON)
 *   GET  /pay/:token/status   → where a payment stands (the page polls it after a lost answer)
 */
export function payRoutes(services: GatewayServices): Router {
  const router = Router();
  const merchant = services.config.links.merchantName;
  const pay = async () => {
    const links = await linkServiceOf(services);
    return { links, payments: new PayService(services, links) };
  };
  const html = (res: Response, status: number, body: string, paytraceOrigin = '') => {
    res.status(status).set({ 'Content-Security-Policy': payPageCsp(paytraceOrigin).replace(/ +;/g, ';'), 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).type('html').send(body);
  };
  const json = (res: Response, outcome: ChargeOutcome) => {
    res.status(outcome.httpStatus).set('Cache-Control', 'no-store').json(outcome);
  };
  const counted = (outcome: ChargeOutcome) => {
    linkEvents(services).inc({ event: outcome.status === 'refused' ? outcome.code : outcome.status });
    return outcome;
  };

  router.get('/pay/assets/:name', (req: Request, res: Response) => {
    const asset = ASSETS[String(req.params.name)];
    if (!asset) throw new AppError('no such asset', { code: 'ROUTE_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
    res.type(asset.type).set('Cache-Control', 'public, max-age=300').send(asset.body);
  });

  router.get('/pay/:token', async (req: Request, res: Response) => {
    const { links, payments } = await pay();
    const token = String(req.params.token);
    let link = await links.byToken(token);
    if (!link) {
      html(res, 404, messagePage({ merchant, kind: 'invalid', title: 'This link is not valid', message: `This payment link is not valid. Check that you opened the whole link from your e-mail, or ask ${services.config.links.supportContact} for a new one.` }));
      return;
    }
    let notice: string | undefined;
    if (link.status === 'open' && link.charging_attempt !== null) {
      const earlier = await payments.resolve(link);
      link = (await links.current(link.id))!;
      if (earlier?.status === 'confirming') {
        html(res, 202, messagePage({ merchant, kind: 'confirming', title: 'Confirming your payment', message: `${earlier.message} Reload this page in a minute.`, link }));
        return;
      }
      if (earlier && earlier.status !== 'paid') notice = earlier.message;
    }
    if (link.status === 'open' && link.charging_attempt === null) {
      // paid elsewhere or changed in M3 since the link was made: say so before the card is typed (M3 down: the charge checks again)
      const stale = await payments.recheckInvoice(link);
      if (stale && stale.status === 'refused' && stale.linkStatus) link = (await links.current(link.id))!;
    }
    const closed = payments.closedOutcome(link);
    if (closed) {
      const paid = link.status === 'paid';
      html(res, paid ? 200 : closed.httpStatus, messagePage({ merchant, kind: paid ? 'paid' : 'closed', title: paid ? 'Invoice paid' : 'This link cannot be used', message: closed.message, link }));
      return;
    }
    const script = protectScriptUrl(services);
    const origin = new URL(script).origin;
    let clientKey: string;
    try {
      clientKey = (await payments.paytrace.paymentFieldsToken()).clientKey.reveal();
    } catch (err) {
      if (errorClassOf(err).errorClass === 'bug') throw err;
      html(res, 503, messagePage({ merchant, kind: 'unavailable', title: 'Payments are unavailable', message: 'Card payments are not available right now. Nothing was charged; please try again in a few minutes.', link }));
      return;
    }
    html(res, 200, payPage({ link, token, merchant, protectScriptUrl: script, clientKey, notice }), origin);
  });

  router.post('/pay/:token/charge', async (req: Request, res: Response) => {
    const { payments } = await pay();
    json(res, counted(await payments.charge(String(req.params.token), req.body)));
  });

  router.get('/pay/:token/status', async (req: Request, res: Response) => {
    const { links, payments } = await pay();
    const link = await links.byToken(String(req.params.token));
    if (!link) {
      json(res, { status: 'refused', httpStatus: 404, code: 'LINK_INVALID', message: 'This payment link is not valid.' });
      return;
    }
    if (link.status === 'open' && link.charging_attempt !== null) {
      const outcome = await payments.resolve(link);
      if (outcome) {
        json(res, outcome);
        return;
      }
    }
    const current = (await links.current(link.id))!;
    if (current.status === 'paid') {
      const payment = current.paid_payment_id ? await services.db('payments').where({ id: current.paid_payment_id }).first<{ reference: string; paytrace_transaction_id: string }>() : undefined;
      json(res, { status: 'paid', httpStatus: 200, message: 'Thank you: your payment was received.', transactionId: Number(payment?.paytrace_transaction_id), amount: current.amount, reference: payment?.reference ?? '' });
      return;
    }
    const closed = payments.closedOutcome(current);
    if (closed) {
      res.set('Cache-Control', 'no-store').json({ ...closed, httpStatus: 200 });
      return;
    }
    res.set('Cache-Control', 'no-store').json({ status: 'open', message: '' });
  });
  return router;
}
