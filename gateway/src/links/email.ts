import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import type { Config } from '../config';
import { AppError } from '../errors';
import { jobDbFor } from '../pipeline/job-queue';
import type { GatewayServices } from '../kernel/services';
import { audit } from '../store/audit';
import type { LinkService } from './link-service';
import type { LinkRow } from './link-store';
import { displayAmount, displayDate, escapeHtml } from './pay-page';
import { cardText, displayInstant, type Receipt } from './receipt';

export const LINK_EMAIL_QUEUE = 'link-email';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
}

/** Where mail goes. The outbox row is the record; the sender only delivers. */
export interface MailSender {
  readonly kind: 'capture' | 'smtp';
  send(message: MailMessage): Promise<{ messageId: string; raw?: string }>;
}

/** Sandbox: nodemailer renders the real RFC 5322 message, and we keep it instead of sending it. */
export function captureSender(): MailSender {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'capture',
    async send(message) {
      const info = await transport.sendMail(message);
      return { messageId: info.messageId, raw: (info.message as Buffer).toString('utf8') };
    },
  };
}

export function smtpSender(smtpUrl: string): MailSender {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    kind: 'smtp',
    async send(message) {
      try {
        const info = await transport.sendMail(message);
        return { messageId: info.messageId };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx from the SMTP server is permanent (bad address, refused); everything else may pass later
        const permanent = code !== undefined && code >= 500;
        throw new AppError(`SMTP delivery failed: ${(err as Error).message}`, { code: permanent ? 'EMAIL_REJECTED' : 'EMAIL_UNAVAILABLE', errorClass: permanent ? 'business' : 'transient', cause: err });
      }
    },
  };
}

export function mailSenderFor(config: Config): MailSender {
  if (config.links.mailTransport === 'smtp') {
    if (!config.links.smtpUrl) throw new AppError('links.mailTransport is smtp but links.smtpUrl is not set', { code: 'EMAIL_NOT_CONFIGURED', errorClass: 'configuration' });
    return smtpSender(config.links.smtpUrl.reveal());
  }
  return captureSender();
}

/** The e-mail a customer gets: HTML and plain text with the same content. */
export function renderLinkEmail(config: Config, link: LinkRow, url: string, to: string): MailMessage {
  const merchant = config.links.merchantName;
  const amount = displayAmount(link.amount, link.currency);
  const due = link.due_date ? displayDate(link.due_date) : undefined;
  const expires = link.expires_at.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const greeting = link.customer_name ? `Dear ${link.customer_name},` : 'Hello,';
  const text = [
    greeting,
    '',
    `${merchant} invoice ${link.ivno} has ${amount} to pay${due ? `, due ${due}` : ''}.`,
    'You can pay it by card here:',
    '',
    url,
    '',
    `The link works until ${expires}. Card details are entered on PayTrace's secure fields; ${merchant} never sees them.`,
    `Questions? Reply to this e-mail or contact ${config.links.supportContact}.`,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:Arial,sans-serif;color:#1d2733;line-height:1.5">
<p>${escapeHtml(greeting)}</p>
<p>${escapeHtml(merchant)} invoice <strong>${escapeHtml(link.ivno)}</strong> has <strong>${escapeHtml(amount)}</strong> to pay${due ? `, due ${escapeHtml(due)}` : ''}.</p>
<p><a href="${escapeHtml(url)}" style="display:inline-block;padding:12px 20px;background:#1f6f43;color:#fff;text-decoration:none;border-radius:6px;font-weight:bold">Pay ${escapeHtml(amount)}</a></p>
<p style="font-size:13px;color:#51606f">Or open this address: ${escapeHtml(url)}<br>The link works until ${escapeHtml(expires)}. Card details are entered on PayTrace's secure fields; ${escapeHtml(merchant)} never sees them.</p>
</body></html>`;
  return { from: config.links.mailFrom, to, subject: `Invoice ${link.ivno} from ${merchant}: ${amount} to pay`, html, text };
}

/**
 * A reminder of an automatic link (issue 22): before the link expires, or after the invoice's due
 * date while it is still unpaid. Same link, same facts as the first e-mail, a different opening.
 */
export function renderReminderEmail(config: Config, link: LinkRow, url: string, to: string, kind: 'before_expiry' | 'after_due'): MailMessage {
  const first = renderLinkEmail(config, link, url, to);
  const amount = displayAmount(link.amount, link.currency);
  const due = link.due_date ? displayDate(link.due_date) : undefined;
  const expires = link.expires_at.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const opening = kind === 'before_expiry' ? `A reminder: your payment link for invoice ${link.ivno} works until ${expires}.` : `A reminder: invoice ${link.ivno}${due ? ` was due ${due}` : ' is past due'} and ${amount} is still open.`;
  const subject = kind === 'before_expiry' ? `Reminder: invoice ${link.ivno}, ${amount} to pay (link works until ${expires})` : `Reminder: invoice ${link.ivno} is past due, ${amount} to pay`;
  return {
    ...first,
    subject,
    text: `${opening}\n\n${first.text}`,
    html: first.html.replace('<body style="font-family:Arial,sans-serif;color:#1d2733;line-height:1.5">', `<body style="font-family:Arial,sans-serif;color:#1d2733;line-height:1.5">\n<p><strong>${escapeHtml(opening)}</strong></p>`),
  };
}

/** The payer's receipt: what was paid, when (with the zone), with which card, and our reference. */
export function renderReceiptEmail(config: Config, receipt: Receipt, to: string): MailMessage {
  const merchant = config.links.merchantName;
  const amount = `${displayAmount(receipt.amount, receipt.currency)} ${receipt.currency}`;
  const when = displayInstant(receipt.paidAt, config.links.timeZone);
  const rows: Array<[string, string]> = [
    ['Amount paid', amount],
    ['Paid on', when],
    ['Card', cardText(receipt.card)],
    ['Invoice', receipt.invoice],
    ['Reference', receipt.reference],
    ...(receipt.transactionId ? [['PayTrace transaction', receipt.transactionId] as [string, string]] : []),
    ['Paid to', merchant],
  ];
  const contact = [config.links.supportEmail, config.links.supportPhone].filter(Boolean).join(' · ');
  const text = [
    `Receipt from ${merchant}`,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    `Keep this e-mail for your records.${contact ? ` Questions: ${contact}.` : ''}`,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:Arial,sans-serif;color:#1d2733;line-height:1.5">
<h2 style="font-size:18px">Receipt from ${escapeHtml(merchant)}</h2>
<table style="border-collapse:collapse">${rows.map(([k, v]) => `<tr><td style="padding:4px 16px 4px 0;color:#51606f">${escapeHtml(k)}</td><td style="padding:4px 0;font-weight:bold">${escapeHtml(v)}</td></tr>`).join('')}</table>
<p style="font-size:13px;color:#51606f">Keep this e-mail for your records.${contact ? ` Questions: ${escapeHtml(contact)}.` : ''}</p>
</body></html>`;
  return { from: config.links.mailFrom, to, subject: `Receipt: ${amount} paid to ${merchant} for invoice ${receipt.invoice}`, html, text };
}

/** One outbox row and its delivery job, in the caller's transaction. */
export async function queueOutboxEmail(trx: Knex.Transaction, queue: GatewayServices['queue'], input: { linkId: string | null; kind: 'link' | 'receipt' | 'link-request' | 'alert' | 'reminder'; to: string; message: MailMessage; requestedBy: string }): Promise<string> {
  const id = randomUUID();
  await trx('email_outbox').insert({ id, link_id: input.linkId, kind: input.kind, to_address: input.to, subject: input.message.subject, html: input.message.html, text: input.message.text, status: 'queued', requested_by: input.requestedBy });
  await queue.send(LINK_EMAIL_QUEUE, { emailId: id }, { db: await jobDbFor(trx), correlationId: `email-${id}` });
  return id;
}

/** Render the e-mail and put it in the outbox with its delivery job, in one transaction. */
export async function queueLinkEmail(services: GatewayServices, links: LinkService, link: LinkRow, to: string, baseUrl: string, caller: string): Promise<{ id: string }> {
  const message = renderLinkEmail(services.config, link, links.urlOf(link, baseUrl), to);
  let id = '';
  await services.db.transaction(async (trx) => {
    id = await queueOutboxEmail(trx, services.queue, { linkId: link.id, kind: 'link', to, message, requestedBy: caller });
    await audit(trx, { actor: caller, action: 'payment-link.email', subjectType: 'payment_link', subjectId: link.id, details: { emailId: id } });
  });
  return { id };
}

export interface OutboxRow {
  id: string;
  link_id: string | null;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  status: 'queued' | 'sent' | 'captured' | 'failed';
  attempts: number;
  message_id: string | null;
  raw: string | null;
  error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/** Deliver one outbox row (the job handler). A row already delivered is not sent again. */
export async function deliverEmail(db: Knex, sender: MailSender, emailId: string, from: string): Promise<void> {
  const row = await db<OutboxRow>('email_outbox').where({ id: emailId }).first();
  if (!row || row.status === 'sent' || row.status === 'captured') return;
  await db('email_outbox').where({ id: emailId }).update({ attempts: db.raw('attempts + 1') });
  try {
    const sent = await sender.send({ from, to: row.to_address, subject: row.subject, html: row.html, text: row.text });
    await db('email_outbox').where({ id: emailId }).update({ status: sender.kind === 'capture' ? 'captured' : 'sent', message_id: sent.messageId, raw: sent.raw ?? null, error: null, sent_at: db.fn.now() });
  } catch (err) {
    const permanent = err instanceof AppError && err.errorClass !== 'transient';
    await db('email_outbox').where({ id: emailId }).update({ status: permanent ? 'failed' : 'queued', error: (err as Error).message.slice(0, 1000) });
    throw err;
  }
}

/** The sandbox capture (and the dashboard later): the newest e-mails in the outbox. */
export async function recentEmails(db: Knex, limit = 50): Promise<OutboxRow[]> {
  return db<OutboxRow>('email_outbox').orderBy('created_at', 'desc').limit(limit);
}
