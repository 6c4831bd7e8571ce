import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError, errorClassOf } from '../errors';
import { requireInforCaller } from '../http/middleware/infor-auth';
import { addToContext } from '../observability/context';
import type { GatewayServices } from '../kernel/services';
import { audit } from '../store/audit';
import { addressFormRules } from './billing-address';
import { queueLinkEmail, queueOutboxEmail, renderReceiptEmail } from './email';
import { requestNewLink } from './link-requests';
import { linkEvents } from './link-metrics';
import { linkRequestSchema, linkServiceOf, type LinkService } from './link-service';
import type { LinkRow } from './link-store';
import { closedPage, messagePage, payPage, receiptPage, receiptSection, type Merchant } from './pay-page';
import { PayService } from './pay-service';
import { receiptOf } from './receipt';

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

/** The logo's origin when it is on another host (an https URL); a path on the gateway is 'self'. */
function logoOrigin(logoUrl: string | undefined): string {
  return logoUrl && /^https:\/\//.test(logoUrl) ? new URL(logoUrl).origin : '';
}

function payPageCsp(paytraceOrigin: string, imageOrigin = ''): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${paytraceOrigin}`,
    `frame-src ${paytraceOrigin}`,
    `connect-src 'self' ${paytraceOrigin}`,
    "style-src 'self'",
    `img-src 'self' data: ${imageOrigin}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** An M3 user id as the H5 script sends it (USID: up to 10 characters) */
const M3_USER = /^[A-Za-z0-9_.@$#-]{1,10}$/;

/**
 * Who may call the link API:
 *  - through the ION API suite (ion-bods/SETUP.md §2): ION authenticates the M3 user's Infor OS
 *    token and forwards the call with the suite's target-endpoint API key (header
 *    `links.apiSuiteKeyHeader`, value `links.apiSuiteKey`), compared here in constant time. The
 *    M3 user's identity rides along: the H5 script sends its USID (`links.apiSuiteUserHeader`) and
 *    ION adds the person's Identity2 (`X-Infor-Identity2`) [inferred]; both are trusted only with
 *    a valid key, and the audit log records `m3:<USID>` instead of the suite;
 *  - directly with an Infor OS access token, verified against the JWKS, whose API role is m3-user
 *    or higher (`api.*`: the user's Infor OS roles, or `api.clientRoles` for a backend app).
 */
export function linkCaller(services: GatewayServices) {
  const bearer = requireInforCaller(services, 'm3-user');
  const key = services.config.links.apiSuiteKey;
  const header = services.config.links.apiSuiteKeyHeader;
  const userHeader = services.config.links.apiSuiteUserHeader;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const given = req.get(header);
    if (key && given !== undefined) {
      const a = createHash('sha256').update(given).digest();
      const b = createHash('sha256').update(key.reveal()).digest();
      if (!timingSafeEqual(a, b)) throw new AppError('the API suite credential is not valid', { code: 'LINK_API_KEY_INVALID', errorClass: 'business', httpStatus: 401 });
      const user = req.get(userHeader)?.trim();
      const identity2 = req.get('x-infor-identity2')?.trim().slice(0, 100);
      res.locals.caller = user && M3_USER.test(user) ? `m3:${user.toUpperCase()}` : identity2 ? `infor:${identity2}` : 'ion-api-suite';
      res.locals.callerVia = 'ion-api-suite';
      // ION authenticated an M3 user before it added the suite's key: the M3 users' role
      res.locals.apiRoles = ['m3-user'];
      addToContext({ caller: res.locals.caller });
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

const ASSET_TYPES: Record<string, string> = { js: 'application/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };
const ASSETS: Record<string, { type: string; body: string }> = Object.fromEntries(
  ['pay.js', 'pay.css', 'sandbox-logo.svg'].map((name) => [name, { type: ASSET_TYPES[name.split('.').pop()!]!, body: readFileSync(path.join(__dirname, 'assets', name), 'utf8') }]),
);

/** The page's posts are JSON only: a form on another site cannot send one without a CORS preflight. */
function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new AppError('send JSON (Content-Type: application/json)', { code: 'PAY_BODY_NOT_JSON', errorClass: 'business', httpStatus: 415 });
}

/**
 * Protect client keys cost a PayTrace call each: a page may renew its key a few times, not in a
 * loop. Per link, per gateway instance (a limit, not an accounting).
 */
function keyRenewals(limit: number, windowMs: number) {
  const seen = new Map<string, number[]>();
  return (linkId: string): boolean => {
    const now = Date.now();
    const recent = (seen.get(linkId) ?? []).filter((t) => now - t < windowMs);
    if (recent.length >= limit) return false;
    recent.push(now);
    seen.set(linkId, recent);
    if (seen.size > 10_000) seen.delete(seen.keys().next().value!);
    return true;
  };
}

/**
 * The customer's side (no login: the signed link is the credential):
 *   GET  /pay/:token                     → the page at once (pay form, receipt, or why it cannot be paid)
 *   GET  /pay/:token/session             → what the form waits for: M3 re-check, then a Protect key (JSON)
 *   GET  /pay/:token/client-key          → a new Protect key when the page's one is old (JSON)
 *   POST /pay/:token/charge              → pay with Protect tokens (JSON)
 *   GET  /pay/:token/status              → where a payment stands (the page polls it after a lost answer)
 *   GET  /pay/:token/receipt             → the receipt section of a paid link (HTML fragment)
 *   POST /pay/:token/receipt-email       → e-mail the receipt {email}
 *   POST /pay/:token/new-link-request    → "send me a new link" {email?, note?}
 */
export function payRoutes(services: GatewayServices): Router {
  const router = Router();
  const config = services.config.links;
  const merchant: Merchant = config;
  const renewals = keyRenewals(6, 10 * 60_000);
  const pay = async () => {
    const links = await linkServiceOf(services);
    return { links, payments: new PayService(services, links) };
  };
  const html = (res: Response, status: number, body: string, paytraceOrigin = '') => {
    res.status(status).set({ 'Content-Security-Policy': payPageCsp(paytraceOrigin, logoOrigin(config.merchantLogoUrl)).replace(/ +;/g, ';'), 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).type('html').send(body);
  };
  const json = (res: Response, outcome: { httpStatus: number; status: string; [key: string]: unknown }) => {
    res.status(outcome.httpStatus).set('Cache-Control', 'no-store').json(outcome);
  };
  const counted = <T extends { status: string; code?: string }>(outcome: T): T => {
    linkEvents(services).inc({ event: outcome.status === 'refused' ? outcome.code! : outcome.status });
    return outcome;
  };
  /** the Protect fields' error codes in the payer's words, from the status map's error keys */
  const cardMessages = (): Record<string, string> => {
    const keys = services.rules?.statusMap.errorKeys ?? {};
    return Object.fromEntries(Object.entries(keys).filter(([, k]) => k.payerMessage && k.payerFields?.includes('card')).map(([code, k]) => [code, k.payerMessage!]));
  };
  const invalidPage = (res: Response) =>
    html(res, 404, messagePage({ merchant, kind: 'invalid', title: 'This link is not valid', message: 'This payment link is not valid. Check that you opened the whole link from your e-mail (long links are sometimes split over two lines). Nothing was charged.' }));

  router.get('/pay/assets/:name', (req: Request, res: Response) => {
    const name = String(req.params.name);
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined; // not __proto__ or constructor
    if (!asset) throw new AppError('no such asset', { code: 'ROUTE_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
    res.type(asset.type).set('Cache-Control', 'public, max-age=300').send(asset.body);
  });

  // First paint from the link row alone: no M3 read and no PayTrace call before the page is sent.
  router.get('/pay/:token', async (req: Request, res: Response) => {
    const { links, payments } = await pay();
    const token = String(req.params.token);
    const link = await links.byToken(token);
    if (!link) return invalidPage(res);
    if (link.status === 'paid') {
      const receipt = await receiptOf(services.db, services.rules?.gl, link);
      if (receipt) return html(res, 200, receiptPage({ merchant, link, token, receipt, emailPrefill: link.customer_email }));
    }
    const closed = payments.closedOutcome(link);
    if (closed && link.status !== 'open' && link.status !== 'paid') {
      return html(res, closed.httpStatus, closedPage({ merchant, link, token, kind: link.status, message: closed.message, emailPrefill: link.customer_email }));
    }
    const script = protectScriptUrl(services);
    const address = services.rules ? addressFormRules(services.rules.address) : undefined;
    if (!address) throw new AppError('the pay page needs the address rules (mappings/address-rules.yaml)', { code: 'LINKS_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
    html(res, 200, payPage({ link, token, merchant, protectScriptUrl: script, address, cardMessages: cardMessages(), protectKeyMaxAgeSeconds: config.protectKeyMaxAgeSeconds }), new URL(script).origin);
  });

  router.get('/pay/:token/session', async (req: Request, res: Response) => {
    const { links, payments } = await pay();
    const link = await links.byToken(String(req.params.token));
    if (!link) return json(res, { status: 'refused', httpStatus: 404, code: 'LINK_INVALID', message: 'This payment link is not valid.' });
    json(res, await payments.session(link));
  });

  router.get('/pay/:token/client-key', async (req: Request, res: Response) => {
    const { links, payments } = await pay();
    const link = await links.byToken(String(req.params.token));
    if (!link) return json(res, { status: 'refused', httpStatus: 404, code: 'LINK_INVALID', message: 'This payment link is not valid.' });
    const closed = payments.closedOutcome(link);
    if (closed) return json(res, closed);
    if (!renewals(link.id)) return json(res, { status: 'refused', httpStatus: 429, code: 'PAY_KEY_RENEWALS', message: 'The card fields were renewed too often. Please reload the page.' });
    try {
      json(res, { status: 'open', httpStatus: 200, clientKey: (await payments.paytrace.paymentFieldsToken()).clientKey.reveal() });
    } catch (err) {
      if (errorClassOf(err).errorClass === 'bug') throw err;
      json(res, { status: 'refused', httpStatus: 503, code: 'PAY_UNAVAILABLE', message: 'Card payments are not available right now. Nothing was charged; please reload the page in a few minutes.' });
    }
  });

  router.post('/pay/:token/charge', async (req: Request, res: Response) => {
    const { payments } = await pay();
    json(res, counted(await payments.charge(String(req.params.token), req.body)));
  });

  router.get('/pay/:token/status', async (req: Request, res: Response) => {
    const { links, payments } = await pay();
    const link = await links.byToken(String(req.params.token));
    if (!link) return json(res, { status: 'refused', httpStatus: 404, code: 'LINK_INVALID', message: 'This payment link is not valid.' });
    if (link.status === 'open' && link.charging_attempt !== null) {
      const outcome = await payments.resolve(link);
      if (outcome) return json(res, outcome);
    }
    const current = (await links.current(link.id))!;
    if (current.status === 'paid') {
      const receipt = await receiptOf(services.db, services.rules?.gl, current);
      return json(res, { status: 'paid', httpStatus: 200, message: 'Thank you: your payment was received.', transactionId: Number(receipt?.transactionId), amount: current.amount, reference: receipt?.reference ?? '' });
    }
    const closed = payments.closedOutcome(current);
    if (closed) return json(res, { ...closed, httpStatus: 200 });
    json(res, { status: 'open', httpStatus: 200, message: '' });
  });

  router.get('/pay/:token/receipt', async (req: Request, res: Response) => {
    const { links } = await pay();
    const link = await links.byToken(String(req.params.token));
    const receipt = link ? await receiptOf(services.db, services.rules?.gl, link) : undefined;
    if (!link || !receipt) throw new AppError('there is no receipt for this link', { code: 'PAY_NO_RECEIPT', errorClass: 'business', httpStatus: 404 });
    res.status(200).set({ 'Cache-Control': 'no-store' }).type('html').send(receiptSection(receipt, merchant, link.customer_email));
  });

  router.post('/pay/:token/receipt-email', async (req: Request, res: Response) => {
    requireJson(req);
    const { links } = await pay();
    const link = await links.byToken(String(req.params.token));
    const receipt = link ? await receiptOf(services.db, services.rules?.gl, link) : undefined;
    if (!link || !receipt) throw new AppError('there is no receipt for this link', { code: 'PAY_NO_RECEIPT', errorClass: 'business', httpStatus: 404 });
    const parsed = z.object({ email: z.email('Enter an e-mail address such as name@example.com.').max(254) }).strict().safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('PAY_RECEIPT_EMAIL_INVALID', 'Enter the e-mail address to send the receipt to.', parsed.error.issues);
    const id = await services.db.transaction(async (trx) => {
      // a receipt may be sent a few times (to yourself, to accounts payable), not without end
      const sent = await trx('email_outbox').where({ link_id: link.id, kind: 'receipt' }).count<Array<{ count: string }>>({ count: '*' });
      if (Number(sent[0]?.count ?? 0) >= 5) throw new AppError('This receipt was already e-mailed five times.', { code: 'PAY_RECEIPT_EMAIL_LIMIT', errorClass: 'business', httpStatus: 429 });
      const emailId = await queueOutboxEmail(trx, services.queue, { linkId: link.id, kind: 'receipt', to: parsed.data.email, message: renderReceiptEmail(services.config, receipt, parsed.data.email), requestedBy: 'payer' });
      await audit(trx, { actor: 'payer', action: 'payment-link.receipt-email', subjectType: 'payment_link', subjectId: link.id, details: { emailId } });
      return emailId;
    });
    res.status(202).set('Cache-Control', 'no-store').json({ status: 'queued', emailId: id, message: `The receipt is on its way to ${parsed.data.email}.` });
  });

  router.post('/pay/:token/new-link-request', async (req: Request, res: Response) => {
    requireJson(req);
    const { links } = await pay();
    const link = await links.byToken(String(req.params.token));
    if (!link) throw new AppError('This payment link is not valid.', { code: 'LINK_INVALID', errorClass: 'business', httpStatus: 404 });
    const { id, repeated } = await requestNewLink(services, link, req.body);
    linkEvents(services).inc({ event: 'new_link_requested' });
    res.status(202).set('Cache-Control', 'no-store').json({
      status: 'requested',
      requestId: id,
      repeated,
      message: repeated ? `We had your request already and reminded ${config.merchantName}. They will send you a new link.` : `Thank you. ${config.merchantName} has your request and will send you a new link.`,
    });
  });
  return router;
}
