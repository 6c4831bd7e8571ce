/**
 * Our custom nouns (Infor rule: a "My" prefix so they never clash with standard nouns; PT =
 * PayTrace). XSDs and samples: ion-bods/nouns/. Card data never appears: only brand and last 4.
 */
import { BodError } from '../errors';
import { readAmount, required, writeAmount, type Amount, type BodId } from '../envelope';
import { child, compact, path, type XmlNode } from '../xml';
import type { NounCodec } from './codec';
import { oneOf, readDocumentId, readParty, writeDocumentId, writeParty, type PartyRef } from './common';

/** The M3 invoice a payment, link or refund refers to: IVNO/EXIN + YEA4 (+ INPX). */
export interface InvoiceReference {
  /** invoice number (EXIN or IVNO) */
  id: string;
  year: string;
  prefix?: string;
}

function readInvoiceRef(node: XmlNode | undefined, where: string): InvoiceReference | undefined {
  if (node === undefined) return undefined;
  return {
    id: required(path(node, 'InvoiceID'), `${where}/InvoiceID`),
    year: required(path(node, 'InvoiceYear'), `${where}/InvoiceYear`),
    prefix: path(node, 'InvoicePrefix'),
  };
}

function writeInvoiceRef(ref: InvoiceReference): XmlNode {
  return compact({ InvoiceID: ref.id, InvoiceYear: ref.year, InvoicePrefix: ref.prefix });
}

function requiredAmount(node: XmlNode | undefined, field: string): Amount {
  const amount = readAmount(node, field);
  if (!amount) throw new BodError('BOD_MISSING_FIELD', `${field} is missing`, { field });
  return amount;
}

function requiredParty(node: XmlNode | undefined, field: string): PartyRef {
  const party = readParty(node);
  if (!party) throw new BodError('BOD_MISSING_FIELD', `${field}/PartyIDs/ID is missing`, { field });
  return party;
}

// ---------------------------------------------------------------- MyPTPayment

export const PAYMENT_STATUSES = ['Authorized', 'Captured', 'Settled', 'Voided', 'Refunded', 'ChargedBack', 'ChargebackWon', 'Declined'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Sync.MyPTPayment (gateway → ION): a card payment as PayTrace recorded it and where it landed in M3. */
export interface MyPTPayment {
  /** our payment id */
  id: BodId;
  transactionId: string;
  status: PaymentStatus;
  amount: Amount;
  transactionDateTime: string;
  customer: PartyRef;
  invoice?: InvoiceReference;
  authorizationCode?: string;
  /** VISA, MASTERCARD, AMEX, DISCOVER, … */
  cardBrand?: string;
  cardLast4?: string;
  /** ARS040 payment batch (PBID) the receipt was booked in */
  receiptBatchId?: string;
}

export const myPtPaymentCodec: NounCodec<MyPTPayment> = {
  noun: 'MyPTPayment',
  decode(node) {
    const last4 = path(node, 'Card', 'Last4');
    if (last4 !== undefined && !/^\d{4}$/.test(last4)) throw new BodError('BOD_INVALID_VALUE', 'Card/Last4 must be 4 digits', { field: 'Card/Last4' });
    return {
      id: readDocumentId(node, 'MyPTPayment'),
      transactionId: required(path(node, 'TransactionID'), 'MyPTPayment/TransactionID'),
      status: oneOf(required(path(node, 'Status', 'Code'), 'MyPTPayment/Status/Code'), PAYMENT_STATUSES, 'MyPTPayment/Status/Code')!,
      amount: requiredAmount(child(node, 'Amount'), 'MyPTPayment/Amount'),
      transactionDateTime: required(path(node, 'TransactionDateTime'), 'MyPTPayment/TransactionDateTime'),
      customer: requiredParty(child(node, 'CustomerParty'), 'MyPTPayment/CustomerParty'),
      invoice: readInvoiceRef(child(node, 'InvoiceReference'), 'MyPTPayment/InvoiceReference'),
      authorizationCode: path(node, 'AuthorizationCode'),
      cardBrand: path(node, 'Card', 'Brand'),
      cardLast4: last4,
      receiptBatchId: path(node, 'ReceiptBatchID'),
    };
  },
  encode(m) {
    return compact({
      DocumentID: writeDocumentId(m.id),
      TransactionID: m.transactionId,
      Status: { Code: m.status },
      Amount: writeAmount(m.amount),
      TransactionDateTime: m.transactionDateTime,
      CustomerParty: writeParty(m.customer),
      InvoiceReference: m.invoice ? writeInvoiceRef(m.invoice) : undefined,
      AuthorizationCode: m.authorizationCode,
      Card: m.cardBrand || m.cardLast4 ? compact({ Brand: m.cardBrand, Last4: m.cardLast4 }) : undefined,
      ReceiptBatchID: m.receiptBatchId,
    });
  },
};

// ---------------------------------------------------------------- MyPTPaymentLink

export const LINK_STATUSES = ['Requested', 'Active', 'Paid', 'Expired', 'Cancelled'] as const;
export type PaymentLinkStatus = (typeof LINK_STATUSES)[number];

/**
 * Process.MyPTPaymentLink (ION → gateway): create a link for an invoice.
 * Sync.MyPTPaymentLink (gateway → ION): the link, its URL and status.
 */
export interface MyPTPaymentLink {
  /** the link id (ours), or the requester's reference on Process */
  id: BodId;
  status: PaymentLinkStatus;
  invoice: InvoiceReference;
  customer: PartyRef;
  amount: Amount;
  expirationDateTime?: string;
  /** the pay page URL (Sync only) */
  uri?: string;
  /** where to send the link, if the gateway should e-mail it */
  email?: string;
}

export const myPtPaymentLinkCodec: NounCodec<MyPTPaymentLink> = {
  noun: 'MyPTPaymentLink',
  decode(node) {
    return {
      id: readDocumentId(node, 'MyPTPaymentLink'),
      status: oneOf(required(path(node, 'Status', 'Code'), 'MyPTPaymentLink/Status/Code'), LINK_STATUSES, 'MyPTPaymentLink/Status/Code')!,
      invoice: required(readInvoiceRef(child(node, 'InvoiceReference'), 'MyPTPaymentLink/InvoiceReference'), 'MyPTPaymentLink/InvoiceReference'),
      customer: requiredParty(child(node, 'CustomerParty'), 'MyPTPaymentLink/CustomerParty'),
      amount: requiredAmount(child(node, 'Amount'), 'MyPTPaymentLink/Amount'),
      expirationDateTime: path(node, 'ExpirationDateTime'),
      uri: path(node, 'URI'),
      email: path(node, 'EmailAddress'),
    };
  },
  encode(m) {
    return compact({
      DocumentID: writeDocumentId(m.id),
      Status: { Code: m.status },
      InvoiceReference: writeInvoiceRef(m.invoice),
      CustomerParty: writeParty(m.customer),
      Amount: writeAmount(m.amount),
      ExpirationDateTime: m.expirationDateTime,
      URI: m.uri,
      EmailAddress: m.email,
    });
  },
};

// ---------------------------------------------------------------- MyPTRefundRequest

export const REFUND_STATUSES = ['Requested', 'Voided', 'Refunded', 'Rejected'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** Process.MyPTRefundRequest (ION/M3 → gateway): refund (or void) part or all of a card payment. */
export interface MyPTRefundRequest {
  /** the requester's id: the idempotency key of the refund */
  id: BodId;
  status: RefundStatus;
  /** the PayTrace transaction to refund */
  originalTransactionId: string;
  amount: Amount;
  reason?: string;
  customer: PartyRef;
  /** the credit note (OIS390 return → credit invoice) */
  creditInvoice?: InvoiceReference;
  /** the invoice originally paid */
  originalInvoice?: InvoiceReference;
}

export const myPtRefundRequestCodec: NounCodec<MyPTRefundRequest> = {
  noun: 'MyPTRefundRequest',
  decode(node) {
    return {
      id: readDocumentId(node, 'MyPTRefundRequest'),
      status: oneOf(path(node, 'Status', 'Code') ?? 'Requested', REFUND_STATUSES, 'MyPTRefundRequest/Status/Code')!,
      originalTransactionId: required(path(node, 'OriginalTransactionID'), 'MyPTRefundRequest/OriginalTransactionID'),
      amount: requiredAmount(child(node, 'Amount'), 'MyPTRefundRequest/Amount'),
      reason: path(node, 'Reason'),
      customer: requiredParty(child(node, 'CustomerParty'), 'MyPTRefundRequest/CustomerParty'),
      creditInvoice: readInvoiceRef(child(node, 'CreditInvoiceReference'), 'MyPTRefundRequest/CreditInvoiceReference'),
      originalInvoice: readInvoiceRef(child(node, 'OriginalInvoiceReference'), 'MyPTRefundRequest/OriginalInvoiceReference'),
    };
  },
  encode(m) {
    return compact({
      DocumentID: writeDocumentId(m.id),
      Status: { Code: m.status },
      OriginalTransactionID: m.originalTransactionId,
      Amount: writeAmount(m.amount),
      Reason: m.reason,
      CustomerParty: writeParty(m.customer),
      CreditInvoiceReference: m.creditInvoice ? writeInvoiceRef(m.creditInvoice) : undefined,
      OriginalInvoiceReference: m.originalInvoice ? writeInvoiceRef(m.originalInvoice) : undefined,
    });
  },
};
