import type { Knex } from 'knex';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Config } from '../config';
import { Money } from '../domain/money';
import { AppError, registeredError, type ErrorCode } from '../errors';
import type { M3Executor, M3Scope } from '../infor/m3-programs/executor';
import { isNotFound } from '../infor/m3-programs/executor';
import { getInvoice, type OpenInvoice } from '../infor/m3-programs/invoices';
import { addToContext } from '../observability/context';
import type { GatewayServices } from '../kernel/services';
import { audit } from '../store/audit';
import { createLinkSigner, newLinkId, type LinkSigner } from './link-token';
import { getLink, insertLink, loadSigningKey, openLinkFor, setLinkStatus, type LinkRow } from './link-store';

/** What the H5 script (or any ION API caller) sends: an invoice, or an order whose open invoices get links. */
export const linkRequestSchema = z
  .object({
    company: z.coerce.number().int().positive().optional(),
    division: z.string().trim().min(1).max(3).optional(),
    invoiceNumber: z.string().trim().regex(/^[0-9A-Za-z-]{1,15}$/, 'must be an M3 invoice number').optional(),
    invoiceYear: z.coerce.number().int().min(1900).max(9999).optional(),
    orderNumber: z.string().trim().regex(/^[0-9A-Za-z-]{1,10}$/, 'must be an M3 order number').optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!r.invoiceNumber && !r.orderNumber) ctx.addIssue({ code: 'custom', path: ['invoiceNumber'], message: 'give invoiceNumber (with invoiceYear) or orderNumber' });
    if (r.invoiceNumber && r.orderNumber) ctx.addIssue({ code: 'custom', path: ['orderNumber'], message: 'give invoiceNumber or orderNumber, not both' });
    if (r.invoiceNumber && r.invoiceYear === undefined) ctx.addIssue({ code: 'custom', path: ['invoiceYear'], message: 'is required with invoiceNumber' });
  });
export type LinkRequest = z.output<typeof linkRequestSchema>;

/** A link as the API shows it. */
export interface LinkView {
  id: string;
  url: string;
  status: LinkRow['status'];
  statusReason?: string;
  amount: string;
  currency: string;
  invoice: { company: number; division: string; number: string; year: number; order?: string };
  customer: { number: string; name?: string };
  /** ISO date (yyyy-mm-dd), from M3's DUDT */
  dueDate?: string;
  expiresAt: string;
  createdAt: string;
  /** this answer returned a link that already existed (same open invoice, same amount) */
  reused?: boolean;
  /** an SVG data URL of the link as a QR code (SVG: 20x cheaper to make than PNG) */
  qrCode?: string;
}

export function isoDate(m3Date: string | null | undefined): string | undefined {
  return m3Date && /^\d{8}$/.test(m3Date) ? `${m3Date.slice(0, 4)}-${m3Date.slice(4, 6)}-${m3Date.slice(6, 8)}` : undefined;
}

function refuse(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw registeredError(code, message, { details });
}

/** M3 unreachable is said in words the M3 user can act on; nothing was created. */
async function fromM3<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof AppError && err.errorClass === 'transient') {
      throw new AppError(`M3 did not answer while reading ${what}; no link was created. Try again in a moment.`, { code: 'LINK_M3_UNAVAILABLE', errorClass: 'transient', httpStatus: 503, cause: err });
    }
    throw err;
  }
}

export class LinkService {
  constructor(
    readonly db: Knex,
    readonly config: Config,
    readonly signer: LinkSigner,
    private readonly m3: M3Executor | undefined,
  ) {}

  get m3Client(): M3Executor {
    if (!this.m3) throw new AppError('payment links need M3 (infor.ionapiFile)', { code: 'LINKS_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
    return this.m3;
  }

  scope(request: { company?: number; division?: string }): M3Scope {
    return { cono: request.company ?? this.config.flows.company, divi: request.division ?? this.config.flows.division };
  }

  urlOf(link: LinkRow, baseUrl: string): string {
    return `${baseUrl.replace(/\/$/, '')}/pay/${this.signer.sign(link.id, link.expires_at)}`;
  }

  token(link: LinkRow): string {
    return this.signer.sign(link.id, link.expires_at);
  }

  view(link: LinkRow, baseUrl: string, extra: Partial<LinkView> = {}): LinkView {
    return {
      id: link.id,
      url: this.urlOf(link, baseUrl),
      status: link.status,
      ...(link.status_reason ? { statusReason: link.status_reason } : {}),
      amount: Money.fromM3(link.amount, link.currency).toFixedString(),
      currency: link.currency,
      invoice: { company: link.cono, division: link.divi, number: link.ivno, year: link.yea4, ...(link.orno ? { order: link.orno } : {}) },
      customer: { number: link.cuno, ...(link.customer_name ? { name: link.customer_name } : {}) },
      ...(isoDate(link.due_date) ? { dueDate: isoDate(link.due_date) } : {}),
      expiresAt: link.expires_at.toISOString(),
      createdAt: link.created_at.toISOString(),
      ...extra,
    };
  }

  async withQr(view: LinkView): Promise<LinkView> {
    const svg = await QRCode.toString(view.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
    return { ...view, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}` };
  }

  /** The open invoices the request names: one for an invoice, every open one of an order. */
  async invoicesFor(request: LinkRequest): Promise<OpenInvoice[]> {
    const scope = this.scope(request);
    if (request.invoiceNumber) {
      const invoice = await fromM3(`invoice ${request.invoiceNumber}`, () => getInvoice(this.m3Client, scope, request.invoiceYear!, request.invoiceNumber!));
      if (!invoice) refuse('LINK_INVOICE_NOT_FOUND', `M3 has no invoice ${request.invoiceNumber} of ${request.invoiceYear} in company ${scope.cono} division ${scope.divi}.`);
      return [invoice];
    }
    const orno = request.orderNumber!;
    const records = await fromM3(`order ${orno}`, async () => {
      try {
        return (await this.m3Client.execute('OIS350MI', 'LstInvHeadByCo', { ORNO: orno, OOIN: '1' }, scope)).records;
      } catch (err) {
        if (isNotFound(err, 'ORNO')) refuse('LINK_ORDER_NOT_FOUND', `M3 has no customer order ${orno} in company ${scope.cono}.`);
        throw err;
      }
    });
    const invoices: OpenInvoice[] = [];
    for (const r of records) {
      if (!r.IVNO || !r.YEA4) continue;
      // the list has no due date or customer on every release: read each head
      const invoice = await fromM3(`invoice ${r.IVNO}`, () => getInvoice(this.m3Client, scope, Number(r.YEA4), r.IVNO!));
      if (invoice) invoices.push({ ...invoice, orno: invoice.orno ?? orno });
    }
    const open = invoices.filter((i) => Money.fromM3(i.openAmount, i.currency || 'USD').isPositive());
    if (!open.length) refuse('LINK_ORDER_NOT_INVOICED', `Order ${orno} has no open invoice to pay (not invoiced yet, or already paid).`, { order: orno });
    return open;
  }

  /**
   * The live link of an open invoice: the existing one when it is still open for the same
   * amount, else a new one (an older link for another amount is superseded).
   */
  async linkFor(invoice: OpenInvoice, scope: M3Scope, caller: string, known?: { name: string | null; email: string | null }): Promise<{ link: LinkRow; reused: boolean }> {
    addToContext({ CONO: scope.cono, DIVI: scope.divi, IVNO: invoice.ivno, YEA4: invoice.yea4, CUNO: invoice.cuno });
    if (invoice.currency !== 'USD') {
      refuse('LINK_CURRENCY_NOT_SUPPORTED', `Invoice ${invoice.ivno} is in ${invoice.currency || 'an unknown currency'}; payment links are for USD invoices only (PayTrace charges in USD).`, { currency: invoice.currency });
    }
    const open = Money.fromM3(invoice.openAmount, 'USD');
    if (!open.isPositive()) {
      refuse('LINK_INVOICE_PAID', `Invoice ${invoice.ivno} has nothing left to pay (open amount ${open.toFixedString()} USD).`, { openAmount: open.toFixedString() });
    }
    const key = { cono: scope.cono, divi: scope.divi, yea4: invoice.yea4, ivno: invoice.ivno };
    for (let round = 0; round < 3; round++) {
      const existing = await openLinkFor(this.db, key);
      if (existing) {
        if (existing.expires_at.getTime() <= Date.now()) {
          await setLinkStatus(this.db, existing.id, 'open', 'expired', 'expired');
        } else if (Money.fromM3(existing.amount, existing.currency).equals(open)) {
          return { link: existing, reused: true };
        } else if (existing.charging_attempt !== null) {
          refuse('LINK_PAYMENT_IN_PROGRESS', `The customer is paying invoice ${invoice.ivno} right now; try again in a minute.`);
        } else {
          await setLinkStatus(this.db, existing.id, 'open', 'superseded', `open amount changed from ${existing.amount} to ${open.toFixedString()}`);
        }
      }
      // a caller that read the customer already (the invoice-links flow) saves M3 a second read
      const customer = known ?? (await this.customer(invoice.cuno, scope));
      const created = await insertLink(this.db, {
        id: newLinkId(),
        cono: scope.cono,
        divi: scope.divi,
        ivno: invoice.ivno,
        yea4: invoice.yea4,
        orno: invoice.orno ?? null,
        cuno: invoice.cuno,
        customer_name: customer.name,
        customer_email: customer.email,
        amount: open.toFixedString(),
        currency: 'USD',
        due_date: invoice.dueDate || null,
        invoice_date: invoice.invoiceDate && /^\d{8}$/.test(invoice.invoiceDate) ? invoice.invoiceDate : null,
        // whole milliseconds: the signature covers the expiry as stored
        expires_at: new Date(Math.floor(Date.now() + this.config.links.ttlDays * 86_400_000)),
        created_by: caller,
      });
      if (created) {
        await audit(this.db, { actor: caller, action: 'payment-link.create', subjectType: 'payment_link', subjectId: created.id, details: { ...key, amount: created.amount } });
        return { link: created, reused: false };
      }
      // another request made the open link first: take that one
    }
    throw new AppError('could not settle on one open link for the invoice', { code: 'LINK_CONFLICT', errorClass: 'transient', httpStatus: 503 });
  }

  /** The customer's name and e-mail address from CRS610MI; the page works without them. */
  async customer(cuno: string, scope: M3Scope): Promise<{ name: string | null; email: string | null }> {
    try {
      const { records } = await this.m3Client.execute('CRS610MI', 'GetBasicData', { CUNO: cuno }, scope);
      const email = records[0]?.MAIL?.trim() || null;
      return { name: records[0]?.CUNM?.trim() || null, email: email && z.email().safeParse(email).success ? email : null };
    } catch {
      return { name: null, email: null };
    }
  }

  async create(request: LinkRequest, caller: string): Promise<Array<{ link: LinkRow; reused: boolean }>> {
    const scope = this.scope(request);
    const invoices = await this.invoicesFor(request);
    const results: Array<{ link: LinkRow; reused: boolean }> = [];
    for (const invoice of invoices) results.push(await this.linkFor(invoice, scope, caller));
    return results;
  }

  /** A link by id, with an open link past its expiry moved to expired. */
  async current(id: string): Promise<LinkRow | undefined> {
    const link = await getLink(this.db, id);
    if (link?.status === 'open' && link.expires_at.getTime() <= Date.now() && link.charging_attempt === null) {
      return (await setLinkStatus(this.db, id, 'open', 'expired', 'expired')) ?? getLink(this.db, id);
    }
    return link;
  }

  /** The link a customer's token names, when its signature holds. */
  async byToken(token: string): Promise<LinkRow | undefined> {
    const id = await this.signer.verify(token, async (candidate) => (await getLink(this.db, candidate))?.expires_at);
    return id ? this.current(id) : undefined;
  }

  async cancel(id: string, caller: string, reason: string): Promise<LinkRow> {
    const link = await this.current(id);
    if (!link) refuse('LINK_NOT_FOUND', `There is no payment link ${id}.`);
    if (link.status !== 'open') refuse('LINK_NOT_OPEN', `The link is ${link.status}; only an open link can be cancelled.`, { status: link.status });
    if (link.charging_attempt !== null) refuse('LINK_PAYMENT_IN_PROGRESS', 'The customer is paying this link right now; try again in a minute.');
    const cancelled = await this.db.transaction(async (trx) => {
      const row = await setLinkStatus(trx, id, 'open', 'cancelled', reason);
      if (row) await audit(trx, { actor: caller, action: 'payment-link.cancel', subjectType: 'payment_link', subjectId: id, reason });
      return row;
    });
    if (!cancelled) refuse('LINK_NOT_OPEN', 'The link changed meanwhile; look at it again.');
    return cancelled;
  }
}

const services = new WeakMap<GatewayServices, Promise<LinkService>>();

/** The link service of a gateway (its signing key is loaded once). */
export function linkServiceOf(s: GatewayServices): Promise<LinkService> {
  let service = services.get(s);
  if (!service) {
    service = loadSigningKey(s.db, s.config.links.signingSecret).then((key) => new LinkService(s.db, s.config, createLinkSigner(key), s.infor?.m3));
    services.set(s, service);
  }
  return service;
}
