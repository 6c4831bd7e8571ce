import { z } from 'zod';
import { Secret } from '../config';
import { Money } from '../domain/money';
import { GENERIC_PAYER_DECLINE, payerDecline, type DeclineFacts, type PayerField, type StatusMap } from '../domain/status-map';
import { AppError, errorClassOf } from '../errors';
import { getInvoice } from '../infor/m3-programs/invoices';
import { addToContext } from '../observability/context';
import type { PayTraceClient } from '../paytrace/client';
import type { ExportedTransaction } from '../paytrace/transformers/exports';
import type { TransactionResult } from '../paytrace/transformers/transactions';
import type { GatewayServices } from '../kernel/services';
import { intentsOf, perform } from '../pipeline/intents';
import { findPaymentByReference, openPayment, updatePayment, type Payment } from '../pipeline/ledger';
import { checkBillingAddress, type FieldProblem } from './billing-address';
import { claimAttempt, closeIdleLink, getLink, releaseAttempt, setLinkStatus, type LinkRow } from './link-store';
import type { LinkService } from './link-service';
import { invoiceCharged, payPageDeclined } from '../triggers/pay-page/events';

/**
 * What the pay page posts: PayTrace Protect's tokens and the billing address. Never card data,
 * never trusted amounts. `method` is where a second way to pay plugs in: a bank account (ACH)
 * through PayTrace's checks API adds `{method: 'ach', …}` beside the card (see docs/payment-links.md).
 */
export const chargeRequestSchema = z
  .object({
    method: z.literal('card').default('card'),
    hpfToken: z.string().trim().min(8).max(200),
    encKey: z.string().trim().min(8).max(200),
    /** the amount the page showed: only compared with the link's, never charged */
    amount: z.string().max(30).optional(),
    billingAddress: z
      .object({
        name: z.string().trim().min(1, 'Enter the name on the card.').max(50),
        streetAddress: z.string().trim().max(50).optional(),
        city: z.string().trim().max(50).optional(),
        state: z.string().trim().max(50).optional(),
        zip: z.string().trim().min(3, 'Enter the billing ZIP or postal code.').max(10),
        country: z.string().trim().length(2).default('US'),
      })
      .strict(),
  })
  .strict();
export type ChargeRequest = z.output<typeof chargeRequestSchema>;

/** The customer-facing result of a charge attempt; `status` drives the page. */
export type ChargeOutcome =
  | { status: 'paid'; httpStatus: 200; message: string; transactionId: number; amount: string; reference: string }
  | { status: 'declined'; httpStatus: 402; message: string; reference: string; fields: PayerField[]; reason: string }
  | { status: 'confirming'; httpStatus: 202; message: string; reference: string }
  | { status: 'refused'; httpStatus: number; code: string; message: string; linkStatus?: LinkRow['status']; fieldErrors?: FieldProblem[] };

/** What the pay page needs to show the card fields: a fresh Protect client key (or why there is none). */
export type SessionOutcome = ChargeOutcome | { status: 'open'; httpStatus: 200; clientKey: string; notice?: string };

/** The declined sale's facts are kept on the intent (codes and the processor's text, no card data) so a lookup later tells the same story. */
type SaleOutcome = { outcome: 'approved'; transactionId: number; maskedCard?: string } | { outcome: 'declined'; transactionId?: number; message: string; facts?: DeclineFacts };

const referenceOf = (link: LinkRow, attempt: number) => `PL-${link.id}-${attempt}`;

/** the request's field paths → the pay-page fields they come from */
const PAGE_FIELD: Record<string, PayerField> = {
  'billingAddress.name': 'name',
  'billingAddress.streetAddress': 'street',
  'billingAddress.city': 'city',
  'billingAddress.state': 'state',
  'billingAddress.zip': 'zip',
  'billingAddress.country': 'country',
};

function fromSale(result: TransactionResult): SaleOutcome {
  if (result.approved && result.transactionId !== undefined) return { outcome: 'approved', transactionId: result.transactionId, maskedCard: result.maskedCardNumber };
  if (result.outcome === 'validation_error') {
    // PayTrace refused the request before processing it (e.g. spent or expired Protect tokens): nothing was charged
    throw new AppError(`PayTrace refused the card details: ${result.fieldErrors.map((e) => e.message).join('; ') || result.statusMessage}`, {
      code: 'PAY_CARD_DETAILS_REFUSED',
      errorClass: 'business',
      httpStatus: 422,
      details: { errorKeys: result.fieldErrors.map((e) => e.code) },
    });
  }
  return {
    outcome: 'declined',
    transactionId: result.transactionId,
    message: (result.approvalMessage ?? '').trim() || result.statusMessage || 'The card was declined.',
    facts: { responseCode: result.responseCode, approvalMessage: result.approvalMessage, avsResponse: result.avsResponse, cscResponse: result.cscResponse },
  };
}

function fromExport(t: ExportedTransaction): SaleOutcome {
  return t.state === 'pending_settlement' || t.state === 'settled'
    ? { outcome: 'approved', transactionId: t.transactionId, maskedCard: t.maskedCardNumber }
    : { outcome: 'declined', transactionId: t.transactionId, message: 'The card was declined.' };
}


/**
 * Charging a payment link, safe against double clicks, replays, lost answers and an invoice
 * that changed in M3 meanwhile. Each attempt is its own ledger payment (`PL-<link>-<n>`) whose
 * PayTrace sale is guarded by an intent, so a lost answer is looked up, never charged twice.
 */
export class PayService {
  constructor(
    private readonly services: GatewayServices,
    private readonly links: LinkService,
  ) {}

  /** the status map gives the payer's words for declines (the rules module loads it first) */
  get statusMap(): StatusMap | undefined {
    return this.services.rules?.statusMap;
  }

  get paytrace(): PayTraceClient {
    const p = this.services.paytrace;
    if (!p) throw new AppError('the pay page needs PayTrace (paytrace.*)', { code: 'LINKS_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
    return p;
  }

  /** An attempt is "stuck" when its call failed without an answer, or its process died mid-call. */
  private async unresolved(link: LinkRow): Promise<{ payment: Payment; resolvable: boolean } | undefined> {
    if (link.charging_attempt === null) return undefined;
    const payment = await findPaymentByReference(this.services.db, referenceOf(link, link.charging_attempt));
    if (!payment) return undefined;
    const sale = (await intentsOf(this.services.db, payment.id)).find((i) => i.key === `${payment.id}:sale`);
    // a running attempt (no intent yet, or its call in flight) is left alone until it could not still be running
    const crashedAfterMs = this.services.config.paytrace.timeoutMs + 30_000;
    const stale = Date.now() - (link.charging_since?.getTime() ?? 0) > crashedAfterMs;
    const resolvable = sale ? sale.status !== 'pending' || stale : stale;
    return { payment, resolvable };
  }

  /**
   * Settle an attempt whose outcome we did not see: PayTrace is asked by our reference first.
   * Found → finish it like an answer; not found → it never happened, the link is payable again.
   */
  async resolve(link: LinkRow): Promise<ChargeOutcome | undefined> {
    const stuck = await this.unresolved(link);
    if (!stuck) return undefined;
    if (!stuck.resolvable) return { status: 'confirming', httpStatus: 202, message: 'Your payment is being processed. Please wait; do not pay again.', reference: stuck.payment.reference };
    const attempt = link.charging_attempt!;
    try {
      const sale = await perform<SaleOutcome>(this.services.db, {
        key: `${stuck.payment.id}:sale`,
        paymentId: stuck.payment.id,
        system: 'paytrace',
        operation: 'sale/pt_protect',
        execute: () => {
          // the Protect tokens were single-use and are gone: this attempt cannot be sent again
          throw new AppError('the charge never reached PayTrace', { code: 'PAY_ATTEMPT_NOT_SENT', errorClass: 'business' });
        },
        lookup: async () => {
          const found = await this.paytrace.lookupTransaction({ invoiceId: stuck.payment.reference, around: stuck.payment.created_at });
          return found.found ? { found: true as const, result: fromExport(found.transaction) } : { found: false as const };
        },
      });
      return this.finish(link, attempt, stuck.payment, sale);
    } catch (err) {
      const { errorClass, code, message } = errorClassOf(err);
      if (errorClass === 'transient') return { status: 'confirming', httpStatus: 202, message: 'We are still confirming your payment with the card processor. Please wait; do not pay again.', reference: stuck.payment.reference };
      await updatePayment(this.services.db, stuck.payment.id, { status: 'failed', step: 'sale', fields: { last_error_code: code, last_error: message } });
      await releaseAttempt(this.services.db, link.id, attempt);
      return { status: 'refused', httpStatus: 409, code: 'PAY_NOT_CHARGED', message: 'Your last payment did not go through and nothing was charged. Please enter your card again.' };
    }
  }

  /**
   * What the pay page fetches after its first paint: an earlier attempt whose outcome we did not
   * see is settled first, the invoice is checked in M3 again (paid elsewhere, changed amount), and
   * only then is a Protect client key asked of PayTrace (which can take seconds).
   */
  async session(found: LinkRow): Promise<SessionOutcome> {
    let link = found;
    let notice: string | undefined;
    if (link.status === 'open' && link.charging_attempt !== null) {
      const earlier = await this.resolve(link);
      link = (await this.links.current(link.id))!;
      if (earlier && (earlier.status === 'confirming' || earlier.status === 'paid')) return earlier;
      if (earlier) notice = earlier.message;
    }
    if (link.status === 'open' && link.charging_attempt === null) {
      // paid elsewhere or changed in M3 since the link was made: say so before the card is typed
      // (M3 unreachable: the page goes on, the charge checks again)
      const stale = await this.recheckInvoice(link);
      if (stale && !(stale.status === 'refused' && stale.code === 'PAY_M3_UNAVAILABLE')) return stale;
      link = (await this.links.current(link.id)) ?? link;
    }
    const closed = this.closedOutcome(link);
    if (closed) return closed;
    try {
      const clientKey = (await this.paytrace.paymentFieldsToken()).clientKey.reveal();
      return { status: 'open', httpStatus: 200, clientKey, ...(notice ? { notice } : {}) };
    } catch (err) {
      if (errorClassOf(err).errorClass === 'bug') throw err;
      return { status: 'refused', httpStatus: 503, code: 'PAY_UNAVAILABLE', message: 'Card payments are not available right now. Nothing was charged; please try again in a few minutes.' };
    }
  }

  async charge(token: string, body: unknown): Promise<ChargeOutcome> {
    const link = await this.links.byToken(token);
    if (!link) return { status: 'refused', httpStatus: 404, code: 'LINK_INVALID', message: 'This payment link is not valid. Check that you opened the whole link from your e-mail.' };
    addToContext({ linkId: link.id, CONO: link.cono, DIVI: link.divi, IVNO: link.ivno, YEA4: link.yea4 });
    const closed = this.closedOutcome(link);
    if (closed) return closed;

    const parsed = chargeRequestSchema.safeParse(body);
    if (!parsed.success) {
      const fieldErrors = parsed.error.issues.map((i) => ({ field: PAGE_FIELD[i.path.join('.')] ?? ('card' as const), message: i.message }));
      return { status: 'refused', httpStatus: 422, code: 'PAY_REQUEST_INVALID', message: 'Some details are missing or not valid. Nothing was charged.', fieldErrors };
    }
    const request = parsed.data;
    const addressRules = this.services.rules?.address;
    if (addressRules) {
      const checked = checkBillingAddress(addressRules, request.billingAddress);
      if (checked.problems.length) return { status: 'refused', httpStatus: 422, code: 'PAY_ADDRESS_INVALID', message: 'Check the billing address. Nothing was charged.', fieldErrors: checked.problems };
      request.billingAddress = checked.address;
    }
    const amount = Money.fromM3(link.amount, link.currency);
    if (request.amount !== undefined && !(/^\d+(\.\d{1,2})?$/.test(request.amount) && Money.parse(request.amount, link.currency).equals(amount))) {
      return { status: 'refused', httpStatus: 409, code: 'PAY_AMOUNT_CHANGED', message: `The amount on the page was changed. This link pays exactly ${amount.toFixedString()} ${amount.currency}; reload the page. Nothing was charged.` };
    }

    // an earlier attempt without a known outcome is settled before anything else
    if (link.charging_attempt !== null) {
      const earlier = await this.resolve(link);
      if (earlier && earlier.status !== 'refused') return earlier.status === 'confirming' ? { ...earlier, httpStatus: 202 } : earlier;
      if (earlier?.status === 'refused' && earlier.code !== 'PAY_NOT_CHARGED') return earlier;
    }

    const stale = await this.recheckInvoice(link);
    if (stale) return stale;

    const claimed = await claimAttempt(this.services.db, link.id);
    if (!claimed) {
      const now = await getLink(this.services.db, link.id);
      return (now && this.closedOutcome(now)) ?? { status: 'refused', httpStatus: 409, code: 'PAY_IN_PROGRESS', message: 'This payment is already being processed. Please wait; do not pay again.' };
    }
    const attempt = claimed.charging_attempt!;
    const reference = referenceOf(claimed, attempt);
    addToContext({ paymentReference: reference });
    const { payment } = await openPayment(this.services.db, {
      flow: 'invoice_payment',
      reference,
      status: 'charging',
      correlationId: reference,
      fields: { cono: link.cono, divi: link.divi, ivno: link.ivno, yea4: link.yea4, cuno: link.cuno, orno: link.orno, amount: amount.toFixedString(), currency: amount.currency },
    });

    try {
      const sale = await perform<SaleOutcome>(this.services.db, {
        key: `${payment.id}:sale`,
        paymentId: payment.id,
        system: 'paytrace',
        operation: 'sale/pt_protect',
        request: { amount: amount.toPayTrace(), invoiceId: reference },
        execute: async () =>
          fromSale(
            await this.paytrace.saleProtect({
              amount: amount.toPayTrace(),
              tokens: { hpfToken: new Secret(request.hpfToken), encKey: new Secret(request.encKey) },
              invoiceId: reference,
              description: `Invoice ${link.ivno}`,
              customerReferenceId: link.cuno,
              billingAddress: request.billingAddress,
              discretionaryData: { 'M3 invoice': `${link.cono}/${link.divi}/${link.yea4}/${link.ivno}` },
            }),
          ),
        lookup: async () => {
          const found = await this.paytrace.lookupTransaction({ invoiceId: reference, around: payment.created_at });
          return found.found ? { found: true as const, result: fromExport(found.transaction) } : { found: false as const };
        },
      });
      return await this.finish(claimed, attempt, payment, sale);
    } catch (err) {
      const { errorClass, code, message } = errorClassOf(err);
      if (errorClass === 'transient') {
        // the answer was lost: the attempt stays claimed until a lookup settles it
        await updatePayment(this.services.db, payment.id, { status: 'unknown', step: 'sale', fields: { last_error_code: code, last_error: message } });
        return { status: 'confirming', httpStatus: 202, message: 'We are confirming your payment with the card processor. Please wait; do not pay again.', reference };
      }
      await updatePayment(this.services.db, payment.id, { status: 'failed', step: 'sale', fields: { last_error_code: code, last_error: message } });
      await releaseAttempt(this.services.db, link.id, attempt);
      if (code === 'PAY_CARD_DETAILS_REFUSED') {
        const keys = ((err as AppError).details?.errorKeys as string[] | undefined) ?? [];
        const words = this.statusMap ? payerDecline(this.statusMap, { responseCode: 1, errorKeys: keys }) : undefined;
        const known = words && words.reason.startsWith('error ');
        return {
          status: 'refused',
          httpStatus: 422,
          code,
          message: known ? words.message : 'The card details could not be used (they may have expired). Please enter your card again. Nothing was charged.',
          fieldErrors: [{ field: 'card', message: known ? words.message : 'Enter your card details again: the secure card fields were renewed.' }],
        };
      }
      throw err;
    }
  }

  /**
   * The invoice as M3 has it now: paid elsewhere cancels the link, another open amount supersedes
   * it (only while no attempt runs: a running charge is never pulled from under itself).
   */
  async recheckInvoice(link: LinkRow): Promise<ChargeOutcome | undefined> {
    let invoice;
    try {
      invoice = await getInvoice(this.links.m3Client, { cono: link.cono, divi: link.divi }, link.yea4, link.ivno);
    } catch (err) {
      if (errorClassOf(err).errorClass === 'transient') return { status: 'refused', httpStatus: 503, code: 'PAY_M3_UNAVAILABLE', message: 'We cannot check your invoice right now. Nothing was charged; please try again in a few minutes.' };
      throw err;
    }
    const amount = Money.fromM3(link.amount, link.currency);
    const open = invoice ? Money.fromM3(invoice.openAmount, invoice.currency || link.currency) : undefined;
    if (!open || !open.isPositive()) {
      if (await closeIdleLink(this.services.db, link.id, 'cancelled', 'invoice paid elsewhere')) {
        return { status: 'refused', httpStatus: 409, code: 'PAY_INVOICE_ALREADY_PAID', linkStatus: 'cancelled', message: `Invoice ${link.ivno} is already paid. Nothing was charged.` };
      }
    } else if (!open.equals(amount)) {
      if (await closeIdleLink(this.services.db, link.id, 'superseded', `open amount in M3 is now ${open.toFixedString()}`)) {
        return { status: 'refused', httpStatus: 409, code: 'PAY_AMOUNT_OUTDATED', linkStatus: 'superseded', message: `The amount due on invoice ${link.ivno} has changed. Nothing was charged; ask ${this.services.config.links.supportContact} for a new link.` };
      }
    }
    return undefined;
  }

  /** Record the outcome of an attempt: paid → the link is paid and flow 2 takes over; declined → payable again. */
  private async finish(link: LinkRow, attempt: number, payment: Payment, sale: SaleOutcome): Promise<ChargeOutcome> {
    const db = this.services.db;
    if (sale.outcome === 'declined') {
      const declined = await updatePayment(db, payment.id, { status: 'declined', step: 'sale', fields: { paytrace_transaction_id: sale.transactionId === undefined ? null : String(sale.transactionId), last_error_code: 'PAYMENT_DECLINED', last_error: sale.message } });
      await releaseAttempt(db, link.id, attempt);
      await payPageDeclined(this.services.pipeline, declined, { code: sale.facts?.responseCode === undefined ? undefined : String(sale.facts.responseCode), message: sale.message });
      const words = this.statusMap ? payerDecline(this.statusMap, sale.facts ?? {}) : { reason: 'generic', message: GENERIC_PAYER_DECLINE, fields: [] };
      return { status: 'declined', httpStatus: 402, message: words.message, reference: payment.reference, fields: words.fields, reason: words.reason };
    }
    const charged = await updatePayment(db, payment.id, { status: 'charged', step: 'sale', fields: { paytrace_transaction_id: String(sale.transactionId) } });
    await setLinkStatus(db, link.id, 'open', 'paid', null, { paid_payment_id: payment.id, charging_attempt: null, charging_since: null });
    await invoiceCharged(this.services.pipeline, charged);
    return { status: 'paid', httpStatus: 200, message: 'Thank you: your payment was received.', transactionId: sale.transactionId, amount: Money.fromM3(link.amount, link.currency).toFixedString(), reference: payment.reference };
  }

  /** A link that cannot be paid, in the customer's words (the page under it offers to ask for a new link). */
  closedOutcome(link: LinkRow): ChargeOutcome | undefined {
    switch (link.status) {
      case 'open':
        return undefined;
      case 'paid':
        return { status: 'refused', httpStatus: 409, code: 'PAY_LINK_PAID', linkStatus: 'paid', message: `Invoice ${link.ivno} has been paid through this link. Nothing more was charged.` };
      case 'expired':
        return { status: 'refused', httpStatus: 410, code: 'PAY_LINK_EXPIRED', linkStatus: 'expired', message: `This payment link expired on ${link.expires_at.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: this.services.config.links.timeZone })}. Nothing was charged. Ask for a new link below.` };
      case 'cancelled':
        return { status: 'refused', httpStatus: 410, code: 'PAY_LINK_CANCELLED', linkStatus: 'cancelled', message: link.status_reason === 'invoice paid elsewhere' ? `Invoice ${link.ivno} is already paid, so this link was cancelled. Nothing was charged through it.` : 'This payment link was cancelled. Nothing was charged through it. If you still need to pay, ask for a new link below.' };
      case 'superseded':
        return { status: 'refused', httpStatus: 410, code: 'PAY_LINK_SUPERSEDED', linkStatus: 'superseded', message: 'This link was replaced by a newer one because the amount due changed. Nothing was charged through it. Ask for the new link below.' };
    }
  }
}
