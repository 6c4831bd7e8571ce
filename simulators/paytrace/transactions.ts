import type { Express } from 'express';
import { mountApi, type Handler } from './auth';
import { readCsc, readKeyedCard, readSwipe } from './cards';
import { created, readNewCustomerId } from './customers';
import { ERROR, maskCard, RESPONSE, triggerFor, APPROVAL_MESSAGE } from './codes';
import { takeProtectCard } from './protect';
import type { SimCard, SimTransaction, TransactionType } from './state';
import { errorReply, FieldErrors, object, ok, readAmount, readId, singleError, text, type JsonBody, type Reply, type SimContext } from './wire';

/**
 * Money movements: sale and authorization by every payment method, capture, void, refunds,
 * settlement, e-mail receipt and Level 3 data. The state rules of the reference §11: void only
 * before settlement, refund for_transaction only after (817), capture within the authorized
 * amount, refunds never above the sale. A request that fails validation changes nothing.
 */

type Method = 'keyed' | 'swiped' | 'by_customer' | 'by_transaction' | 'pt_protect';

interface Source {
  card?: SimCard;
  csc?: string;
  customerId?: string;
  /** echoed on error bodies of keyed calls */
  masked?: string;
  /** commit step: mark a Protect token used once the transaction is recorded */
  commit?: () => void;
}

function readSource(method: Method, body: JsonBody, ctx: SimContext, errors: FieldErrors): Source {
  const now = ctx.clock.now();
  switch (method) {
    case 'keyed': {
      const { card, masked } = readKeyedCard(body, now, errors);
      return { card, masked, csc: readCsc(body, errors) };
    }
    case 'swiped':
      return { card: readSwipe(body, now, errors), csc: readCsc(body, errors) };
    case 'by_customer': {
      const id = text(body, 'customer_id');
      const customer = id === undefined ? undefined : ctx.state.customers.get(id);
      // a bank-only profile is "incomplete" for a card transaction
      if (!customer?.card) errors.add(ERROR.customerNotFound, id);
      return { card: customer?.card, customerId: customer?.customerId, csc: readCsc(body, errors) };
    }
    case 'by_transaction': {
      const id = readId(body, 'transaction_id');
      const earlier = id === undefined ? undefined : ctx.state.transactions.get(id);
      if (!earlier) errors.add(ERROR.transactionId);
      return { card: earlier?.card, customerId: earlier?.customerId, csc: readCsc(body, errors) };
    }
    case 'pt_protect': {
      const entry = takeProtectCard(body, ctx, errors);
      return { card: entry?.card, csc: entry?.csc, commit: entry ? () => (entry.used = true) : undefined };
    }
  }
}

function paymentHandler(type: 'SALE' | 'AUTHORIZATION', method: Method): Handler {
  return (body, ctx) => {
    const errors = new FieldErrors();
    const source = readSource(method, body, ctx, errors);
    const amount = readAmount(body);
    // $0.00 authorizations verify a card (ActiveMerchant's verify); a $0.00 sale is refused
    if (amount.kind !== 'cents' || (amount.cents === 0 && type === 'SALE')) errors.add(ERROR.amount);
    const echoesCard = method === 'keyed' || method === 'swiped';
    if (errors.any || amount.kind !== 'cents' || !source.card) {
      return errorReply(ctx, errors, echoesCard ? { external_transaction_id: '', ...(source.masked ? { masked_card_number: source.masked } : {}) } : {});
    }
    source.commit?.();

    const card = source.card;
    const trigger = triggerFor(amount.cents, card.number);
    const id = ctx.state.nextTransactionId();
    const cscResponse = source.csc === undefined || card.brand === 'AMEX' ? '' : 'Match';
    const declined = trigger?.outcome === 'decline';
    const autoVoided = trigger?.outcome === 'autoVoid';
    const tx: SimTransaction = {
      id,
      type,
      method,
      amountCents: amount.cents,
      refundedCents: 0,
      status: declined ? 'declined' : autoVoided ? 'autoVoided' : type === 'SALE' ? 'pending' : 'authOnly',
      responseCode: declined ? RESPONSE.declined.code : autoVoided ? RESPONSE.autoVoided.code : RESPONSE.approved.code,
      approvalCode: declined ? '' : ctx.state.nextApprovalCode(),
      approvalMessage: (type === 'AUTHORIZATION' ? trigger?.authorizationMessage : undefined) ?? trigger?.approvalMessage ?? APPROVAL_MESSAGE.approved,
      avsResponse: trigger?.avsResponse ?? 'No Match',
      cscResponse: trigger?.cscResponse ?? cscResponse,
      card,
      customerId: source.customerId,
      invoiceId: text(body, 'invoice_id'),
      description: text(body, 'description'),
      email: text(body, 'email'),
      billingAddress: object(body, 'billing_address') as SimTransaction['billingAddress'],
      discretionaryData: object(body, 'discretionary_data'),
      createdAt: ctx.clock.now(),
    };
    ctx.state.transactions.set(id, tx);

    const outcome = declined ? RESPONSE.declined : autoVoided ? RESPONSE.autoVoided : RESPONSE.approved;
    const reply: JsonBody = {
      success: declined ? false : autoVoided ? ctx.config.autoVoidSuccess : true,
      response_code: outcome.code,
      status_message: outcome.message,
      transaction_id: id,
      approval_code: tx.approvalCode,
      approval_message: tx.approvalMessage,
      avs_response: tx.avsResponse,
      csc_response: tx.cscResponse,
      external_transaction_id: '',
    };
    // by_customer / by_transaction answers carry no masked number (recorded)
    if (method !== 'by_customer' && method !== 'by_transaction') reply.masked_card_number = maskCard(card.number);
    return { status: declined ? ctx.config.declineHttpStatus : 200, body: reply };
  };
}

/**
 * `sale/pt_protect_customer`: a Protect sale that also stores the card as a vault profile. The path is
 * confirmed, the shape is not (reference §4.0): here the body is the pt_protect sale's plus `customer_id`,
 * the answer the sale's plus `customer_id`; the profile is created only when the sale is approved.
 */
const protectSaleWithCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const customerId = readNewCustomerId(body, ctx, errors);
  if (errors.any || !customerId) return errorReply(ctx, errors);
  const reply = paymentHandler('SALE', 'pt_protect')(body, ctx);
  const answer = reply.body as JsonBody;
  if (answer.response_code !== RESPONSE.approved.code) return reply;
  const sale = ctx.state.transactions.get(answer.transaction_id as number);
  if (!sale) return reply;
  created(ctx, customerId, { card: sale.card }, body);
  sale.customerId = customerId;
  return { status: reply.status, body: { ...answer, customer_id: customerId } };
};

/** what a transaction is worth once captured: the captured amount for authorizations */
export function chargedCents(tx: SimTransaction): number {
  return tx.type === 'AUTHORIZATION' ? (tx.capturedCents ?? 0) : tx.amountCents;
}

function findTransaction(body: JsonBody, ctx: SimContext): SimTransaction | undefined {
  const id = readId(body, 'transaction_id');
  return id === undefined ? undefined : ctx.state.transactions.get(id);
}

const capture: Handler = (body, ctx) => {
  const tx = findTransaction(body, ctx);
  const errors = new FieldErrors();
  if (!tx) errors.add(ERROR.transactionId);
  const amount = readAmount(body);
  if (amount.kind === 'invalid' || (amount.kind === 'cents' && amount.cents === 0)) errors.add(ERROR.amount);
  if (errors.any || !tx) return errorReply(ctx, errors);
  const cents = amount.kind === 'cents' ? amount.cents : tx.amountCents;
  if (tx.type !== 'AUTHORIZATION' || tx.status !== 'authOnly' || cents > tx.amountCents) {
    return { status: ctx.config.declineHttpStatus, body: { success: false, response_code: RESPONSE.captureFailed.code, status_message: RESPONSE.captureFailed.message, transaction_id: tx.id, external_transaction_id: '' } };
  }
  tx.capturedCents = cents; // a smaller amount is a partial capture
  tx.status = 'pending';
  tx.invoiceId = text(body, 'invoice_id') ?? tx.invoiceId;
  return ok({ success: true, response_code: RESPONSE.captured.code, status_message: RESPONSE.captured.message, transaction_id: tx.id, external_transaction_id: '' });
};

const voidTransaction: Handler = (body, ctx) => {
  const tx = findTransaction(body, ctx);
  if (!tx) return singleError(ctx, ERROR.transactionId);
  if (tx.status !== 'pending' && tx.status !== 'authOnly') {
    return { status: ctx.config.declineHttpStatus, body: { success: false, response_code: RESPONSE.voidFailed.code, status_message: RESPONSE.voidFailed.message, transaction_id: tx.id } };
  }
  tx.status = 'voided';
  if (tx.type === 'REFUND' && tx.originalTransactionId !== undefined) {
    const original = ctx.state.transactions.get(tx.originalTransactionId);
    if (original) original.refundedCents -= tx.amountCents;
  }
  return ok({ success: true, response_code: RESPONSE.voided.code, status_message: RESPONSE.voided.message, transaction_id: tx.id });
};

function recordRefund(ctx: SimContext, fields: Partial<SimTransaction> & { method: string; amountCents: number; card: SimCard }, body: JsonBody): SimTransaction {
  const refund: SimTransaction = {
    id: ctx.state.nextTransactionId(),
    type: 'REFUND' as TransactionType,
    refundedCents: 0,
    status: 'pending',
    responseCode: RESPONSE.refunded.code,
    approvalCode: ctx.state.nextApprovalCode(),
    approvalMessage: APPROVAL_MESSAGE.approved,
    avsResponse: '',
    cscResponse: '',
    invoiceId: text(body, 'invoice_id'),
    description: text(body, 'description'),
    createdAt: ctx.clock.now(),
    ...fields,
  };
  ctx.state.transactions.set(refund.id, refund);
  return refund;
}

function refundFailed(ctx: SimContext, transactionId?: number): Reply {
  return {
    status: ctx.config.declineHttpStatus,
    body: { success: false, response_code: RESPONSE.refundFailed.code, status_message: RESPONSE.refundFailed.message, ...(transactionId ? { transaction_id: transactionId } : {}), external_transaction_id: '' },
  };
}

function refunded(refund: SimTransaction, extra: JsonBody = {}): Reply {
  return ok({ success: true, response_code: RESPONSE.refunded.code, status_message: RESPONSE.refunded.message, transaction_id: refund.id, external_transaction_id: '', ...extra });
}

const refundForTransaction: Handler = (body, ctx) => {
  const tx = findTransaction(body, ctx);
  const errors = new FieldErrors();
  if (!tx || tx.type === 'REFUND') errors.add(ERROR.transactionId);
  const amount = readAmount(body);
  if (amount.kind === 'invalid' || (amount.kind === 'cents' && amount.cents === 0)) errors.add(ERROR.amount);
  if (errors.any || !tx) return errorReply(ctx, errors);
  if (tx.status === 'pending' || tx.status === 'authOnly') return singleError(ctx, ERROR.refundUnsettled);
  if (tx.status !== 'settled') return refundFailed(ctx, tx.id); // voided or declined: nothing to refund
  const left = chargedCents(tx) - tx.refundedCents;
  const cents = amount.kind === 'cents' ? amount.cents : left;
  if (cents <= 0 || cents > left) return refundFailed(ctx, tx.id); // refunds never total more than the sale
  tx.refundedCents += cents;
  const refund = recordRefund(ctx, { method: 'for_transaction', amountCents: cents, card: tx.card, customerId: tx.customerId, originalTransactionId: tx.id, invoiceId: text(body, 'invoice_id') ?? tx.invoiceId }, body);
  return refunded(refund);
};

const refundToCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const id = text(body, 'customer_id');
  const customer = id === undefined ? undefined : ctx.state.customers.get(id);
  if (!customer?.card) errors.add(ERROR.customerNotFound, id);
  const amount = readAmount(body);
  if (amount.kind !== 'cents' || amount.cents === 0) errors.add(ERROR.amount);
  if (errors.any || !customer?.card || amount.kind !== 'cents') return errorReply(ctx, errors);
  const refund = recordRefund(ctx, { method: 'to_customer', amountCents: amount.cents, card: customer.card, customerId: customer.customerId }, body);
  return refunded(refund);
};

const refundKeyed: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const { card, masked } = readKeyedCard(body, ctx.clock.now(), errors);
  readCsc(body, errors);
  const amount = readAmount(body);
  if (amount.kind !== 'cents' || amount.cents === 0) errors.add(ERROR.amount);
  if (errors.any || !card || amount.kind !== 'cents') return errorReply(ctx, errors, { external_transaction_id: '', ...(masked ? { masked_card_number: masked } : {}) });
  const refund = recordRefund(ctx, { method: 'keyed', amountCents: amount.cents, card, billingAddress: object(body, 'billing_address') as SimTransaction['billingAddress'] }, body);
  return refunded(refund, { masked_card_number: maskCard(card.number) });
};

/** settles the open card batch and originates pending checks; `check_count` (ours) says how many checks */
const settle: Handler = (_body, ctx) => {
  const { batch, checks } = ctx.state.settleAll(ctx.clock.now());
  return ok({
    success: true,
    response_code: RESPONSE.exported.code,
    status_message: batch || checks.length ? 'The batch was successfully settled.' : 'There were no transactions to settle.',
    batch_number: batch?.number ?? null,
    transaction_count: batch?.transactionIds.length ?? 0,
    check_count: checks.length,
  });
};

const emailReceipt: Handler = (body, ctx) => {
  const tx = findTransaction(body, ctx);
  const email = text(body, 'email');
  const errors = new FieldErrors();
  if (!tx) errors.add(ERROR.transactionId);
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.add(ERROR.email);
  if (errors.any || !tx || !email) return errorReply(ctx, errors);
  ctx.state.receipts.push({ transactionId: tx.id, email, sentAt: ctx.clock.now() });
  return ok({ success: true, response_code: RESPONSE.receiptSent.code, status_message: RESPONSE.receiptSent.message });
};

function levelThree(kind: 'visa' | 'mastercard'): Handler {
  return (body, ctx) => {
    const tx = findTransaction(body, ctx);
    const brand = kind === 'visa' ? 'VISA' : 'MASTERCARD';
    // only approved, unsettled sales or captured authorizations of the matching brand
    if (!tx || tx.status !== 'pending' || tx.type === 'REFUND' || tx.card.brand !== brand) return singleError(ctx, ERROR.transactionId);
    const lineItems = Array.isArray(body.line_items) ? body.line_items.length : 0;
    tx.levelThree = { kind, lineItems };
    return ok({
      success: true,
      response_code: RESPONSE.levelThreeAdded.code,
      status_message: `Visa/MasterCard enhanced data was successfully added to Transaction ID ${tx.id}. ${lineItems} line item records were created.`,
    });
  };
}

export function mountTransactions(app: Express, ctx: SimContext): void {
  const base = '/v1/transactions';
  for (const method of ['keyed', 'swiped', 'by_customer', 'by_transaction', 'pt_protect'] as const) {
    mountApi(app, ctx, `${base}/sale/${method}`, paymentHandler('SALE', method));
    mountApi(app, ctx, `${base}/authorization/${method}`, paymentHandler('AUTHORIZATION', method));
  }
  mountApi(app, ctx, `${base}/sale/pt_protect_customer`, protectSaleWithCustomer);
  mountApi(app, ctx, `${base}/authorization/capture`, capture);
  mountApi(app, ctx, `${base}/void`, voidTransaction);
  mountApi(app, ctx, `${base}/refund/for_transaction`, refundForTransaction);
  mountApi(app, ctx, `${base}/refund/to_customer`, refundToCustomer);
  mountApi(app, ctx, `${base}/refund/keyed`, refundKeyed);
  mountApi(app, ctx, `${base}/settle`, settle, { integratorId: false });
  mountApi(app, ctx, `${base}/email_receipt`, emailReceipt);
  mountApi(app, ctx, '/v1/level_three/visa', levelThree('visa'));
  mountApi(app, ctx, '/v1/level_three/mastercard', levelThree('mastercard'));
}
