import type { Knex } from 'knex';
import { z } from 'zod';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { GatewayServices } from '../kernel/services';
import { audit } from '../store/audit';
import { queueOutboxEmail, type MailMessage } from './email';
import type { LinkRow } from './link-store';
import { displayAmount, escapeHtml } from './pay-page';

/**
 * "Send me a new link": a customer holding an expired, cancelled or replaced link asks for a new
 * one. The request is kept (one open request per link; asking again only counts), audited, and
 * e-mailed to the operators through the outbox; the operator app lists it until someone marks it
 * done. The customer's own words are bounded and only ever shown as text.
 */
export const newLinkRequestSchema = z
  .object({
    email: z.union([z.email('Enter an e-mail address such as name@example.com, or leave it empty.').max(254), z.literal('')]).optional(),
    note: z.string().trim().max(500, 'Keep the message under 500 characters.').optional(),
  })
  .strict();

export interface LinkRequestRow {
  id: string;
  link_id: string;
  link_status: string;
  contact_email: string | null;
  note: string | null;
  status: 'open' | 'done';
  asked: number;
  resolved_by: string | null;
  resolution: string | null;
  created_at: Date;
  last_asked_at: Date;
  resolved_at: Date | null;
}

const REQUESTABLE: ReadonlyArray<LinkRow['status']> = ['expired', 'cancelled', 'superseded'];

function operatorEmail(config: Config, link: LinkRow, request: LinkRequestRow): MailMessage {
  const amount = `${displayAmount(link.amount, link.currency)} ${link.currency}`;
  const lines: Array<[string, string]> = [
    ['Invoice', `${link.ivno} (${link.yea4}, company ${link.cono}/${link.divi})`],
    ['Customer', `${link.cuno}${link.customer_name ? ` ${link.customer_name}` : ''}`],
    ['Amount of the old link', amount],
    ['Old link', `${link.status}${link.status_reason ? ` (${link.status_reason})` : ''}`],
    ['Send the new link to', request.contact_email || link.customer_email || '(not given: use the address in M3)'],
    ['Message', request.note || '(none)'],
  ];
  const text = ['A customer asked for a new payment link.', '', ...lines.map(([k, v]) => `${k}: ${v}`), '', `Make the link in M3 (OIS350, Send payment link) and mark request ${request.id} done in the operator app (Alerts).`].join('\n');
  const html = `<!doctype html><html><body style="font-family:Arial,sans-serif;color:#1d2733"><p>A customer asked for a new payment link.</p><table>${lines.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#51606f">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table><p>Make the link in M3 (OIS350, Send payment link) and mark request ${escapeHtml(request.id)} done in the operator app (Alerts).</p></body></html>`;
  return { from: config.links.mailFrom, to: '', subject: `New payment link requested for invoice ${link.ivno} (${link.customer_name ?? link.cuno})`.slice(0, 200), html, text };
}

/** Record the request (or count a repeat) and tell the operators the first time. */
export async function requestNewLink(services: GatewayServices, link: LinkRow, body: unknown): Promise<{ id: string; repeated: boolean }> {
  if (!REQUESTABLE.includes(link.status)) {
    throw new AppError(link.status === 'open' ? 'This link can still be paid.' : 'This invoice is paid; no new link is needed.', { code: 'LINK_REQUEST_NOT_NEEDED', errorClass: 'business', httpStatus: 409 });
  }
  const parsed = newLinkRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new AppError('The request is not valid.', { code: 'LINK_REQUEST_INVALID', errorClass: 'business', httpStatus: 422, details: { fieldErrors: parsed.error.issues.map((i) => ({ field: i.path[0] === 'email' ? 'request-email' : 'request-note', message: i.message })) } });
  }
  const email = parsed.data.email || null;
  const note = parsed.data.note || null;
  const config = services.config;
  return services.db.transaction(async (trx) => {
    const result = await trx.raw<{ rows: Array<LinkRequestRow & { inserted: boolean }> }>(
      `insert into link_requests (link_id, link_status, contact_email, note) values (?, ?, ?, ?)
       on conflict (link_id) where status = 'open'
       do update set asked = link_requests.asked + 1, last_asked_at = now(),
                     contact_email = coalesce(excluded.contact_email, link_requests.contact_email), note = coalesce(excluded.note, link_requests.note)
       returning *, (xmax = 0) as inserted`,
      [link.id, link.status, email, note],
    );
    const row = result.rows[0]!;
    await audit(trx, { actor: 'payer', action: row.inserted ? 'payment-link.new-link-requested' : 'payment-link.new-link-requested-again', subjectType: 'payment_link', subjectId: link.id, details: { requestId: String(row.id), linkStatus: link.status } });
    if (row.inserted) {
      const recipients = config.links.requestRecipients.length ? config.links.requestRecipients : config.admin.alerts.recipients;
      const message = operatorEmail(config, link, row);
      for (const to of recipients) await queueOutboxEmail(trx, services.queue, { linkId: link.id, kind: 'link-request', to, message: { ...message, to }, requestedBy: `link-request:${row.id}` });
    }
    return { id: String(row.id), repeated: !row.inserted };
  });
}

/** The requests operators see, newest first, with the link's invoice and customer. */
export async function listLinkRequests(db: Knex, status?: 'open' | 'done') {
  const rows = await db('link_requests as r')
    .join('payment_links as l', 'l.id', 'r.link_id')
    .select('r.*', 'l.ivno', 'l.yea4', 'l.cuno', 'l.customer_name', 'l.amount', 'l.currency', 'l.customer_email')
    .modify((q) => (status ? q.where('r.status', status) : q))
    .orderBy('r.id', 'desc')
    .limit(200);
  return (rows as Array<LinkRequestRow & { ivno: string; yea4: number; cuno: string; customer_name: string | null; amount: string; currency: string; customer_email: string | null }>).map((r) => ({
    id: String(r.id),
    linkId: r.link_id,
    linkStatus: r.link_status,
    invoice: r.ivno,
    year: r.yea4,
    customer: r.cuno,
    customerName: r.customer_name,
    amount: r.amount,
    currency: r.currency,
    sendTo: r.contact_email ?? r.customer_email,
    note: r.note,
    status: r.status,
    asked: r.asked,
    createdAt: new Date(r.created_at).toISOString(),
    lastAskedAt: new Date(r.last_asked_at).toISOString(),
    resolvedBy: r.resolved_by,
    resolution: r.resolution,
  }));
}

/** An operator answered the request (made the new link, or decided none is due). */
export async function resolveLinkRequest(db: Knex, id: string, actor: string, resolution: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const n = await trx('link_requests').where({ id, status: 'open' }).update({ status: 'done', resolved_by: actor, resolution, resolved_at: trx.fn.now() });
    if (n) await audit(trx, { actor, action: 'payment-link.request-done', subjectType: 'link_request', subjectId: id, reason: resolution });
    return n > 0;
  });
}
