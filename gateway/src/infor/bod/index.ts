import { randomUUID } from 'node:crypto';
import { buildBodXml, documentNameOf, parseBodEnvelope, type BodEnvelope, type RawBod, type Verb } from './envelope';
import { BodError } from './errors';
import type { NounCodec } from './nouns/codec';
import { confirmBodCodec, type ConfirmBod } from './nouns/confirm-bod';
import { customerPartyMasterCodec, type CustomerPartyMaster } from './nouns/customer-party-master';
import { invoiceCodec, type Invoice } from './nouns/invoice';
import { myPtPaymentCodec, myPtPaymentLinkCodec, myPtRefundRequestCodec, type MyPTPayment, type MyPTPaymentLink, type MyPTRefundRequest } from './nouns/my-pt';
import type { XmlLimits } from './xml';

export * from './envelope';
export { BodError, type BodErrorCode } from './errors';
export { parseXml, buildXml, DEFAULT_XML_LIMITS, type XmlLimits, type XmlNode, type XmlElement } from './xml';
export type { ConfirmBod, ConfirmMessage } from './nouns/confirm-bod';
export type { CustomerPartyMaster } from './nouns/customer-party-master';
export type { Invoice, InvoiceLine } from './nouns/invoice';
export type { PostalAddress, PartyRef } from './nouns/common';
export type { MyPTPayment, MyPTPaymentLink, MyPTRefundRequest, InvoiceReference, PaymentStatus, PaymentLinkStatus, RefundStatus } from './nouns/my-pt';

/** The typed model of each noun the gateway understands. */
export interface NounModels {
  CustomerPartyMaster: CustomerPartyMaster;
  Invoice: Invoice;
  BOD: ConfirmBod;
  MyPTPayment: MyPTPayment;
  MyPTPaymentLink: MyPTPaymentLink;
  MyPTRefundRequest: MyPTRefundRequest;
}
export type KnownNoun = keyof NounModels;

const CODECS: { [N in KnownNoun]: NounCodec<NounModels[N]> } = {
  CustomerPartyMaster: customerPartyMasterCodec,
  Invoice: invoiceCodec,
  BOD: confirmBodCodec,
  MyPTPayment: myPtPaymentCodec,
  MyPTPaymentLink: myPtPaymentLinkCodec,
  MyPTRefundRequest: myPtRefundRequestCodec,
};

/**
 * The versionID our BODs carry: for our custom nouns the version of their schema in the ION Data Catalog
 * (ion-bods/nouns, 1.0.0), for the standard ones the Infor OAGIS schema release they follow (as M3 writes
 * them). ION and an admin's XSD validation read it; test/integration/infor/bods-validate.test.ts checks
 * every BOD we send carries the version of its sample in ion-bods/samples.
 */
export const BOD_VERSIONS: { readonly [N in KnownNoun]: string } = {
  CustomerPartyMaster: '2.14.6',
  Invoice: '2.14.6',
  BOD: '2.14.6',
  MyPTPayment: '1.0.0',
  MyPTPaymentLink: '1.0.0',
  MyPTRefundRequest: '1.0.0',
};

/** The document names (`Verb.Noun`) we exchange with ION; anything else is refused as an unknown noun. */
export const KNOWN_DOCUMENTS = [
  'Sync.CustomerPartyMaster',
  'Sync.Invoice',
  'Confirm.BOD',
  'Sync.MyPTPayment',
  'Process.MyPTPaymentLink',
  'Sync.MyPTPaymentLink',
  'Process.MyPTRefundRequest',
  'Sync.MyPTRefundRequest',
] as const;
export type KnownDocument = (typeof KNOWN_DOCUMENTS)[number];

export interface Bod<N extends KnownNoun = KnownNoun> {
  envelope: BodEnvelope & { noun: N };
  documentName: string;
  /** the first noun of the DataArea, decoded */
  model: NounModels[N];
  /** further nouns, when the DataArea carries several */
  more: Array<NounModels[N]>;
}
/** A decoded BOD of any known noun; switch on `envelope.noun` to narrow `model`. */
export type AnyBod = { [N in KnownNoun]: Bod<N> }[KnownNoun];

export function isKnownNoun(noun: string): noun is KnownNoun {
  return Object.hasOwn(CODECS, noun);
}

/** Decode the nouns of an already-parsed envelope. */
export function decodeBod(raw: RawBod): AnyBod {
  const noun = raw.envelope.noun;
  if (!isKnownNoun(noun) || !(KNOWN_DOCUMENTS as readonly string[]).includes(raw.documentName)) {
    throw new BodError('BOD_UNKNOWN_NOUN', `the gateway does not accept ${raw.documentName}`, { documentName: raw.documentName });
  }
  const codec = CODECS[noun] as NounCodec<NounModels[KnownNoun]>;
  const [first, ...rest] = raw.nouns.map((node) => codec.decode(node, raw.verbElement));
  return { envelope: raw.envelope, documentName: raw.documentName, model: first!, more: rest } as AnyBod;
}

/** Parse and decode a BOD (safe XML, namespace check, envelope, typed noun). */
export function parseBod(xml: string | Buffer, limits: Partial<XmlLimits> = {}): AnyBod {
  return decodeBod(parseBodEnvelope(xml, limits));
}

/** Write a BOD of a known noun. */
export function buildBod<N extends KnownNoun>(envelope: BodEnvelope & { noun: N }, model: NounModels[N], more: Array<NounModels[N]> = []): string {
  const codec = CODECS[envelope.noun] as NounCodec<NounModels[N]>;
  const models = [model, ...more];
  return buildBodXml(envelope, models.map((m) => codec.encode(m)), codec.encodeVerb?.(model) ?? {});
}

/** A fresh envelope: new BODID (GUID, as M3 uses), now as CreationDateTime, the noun's versionID. */
export function newEnvelope<N extends KnownNoun>(init: {
  verb: Verb;
  noun: N;
  logicalId: string;
  componentId?: string;
  accountingEntityId?: string;
  locationId?: string;
  tenantId?: string;
  actionCode?: string;
  confirmationCode?: BodEnvelope['sender']['confirmationCode'];
  releaseId?: string;
  versionId?: string;
}): BodEnvelope & { noun: N } {
  return {
    verb: init.verb,
    noun: init.noun,
    sender: { logicalId: init.logicalId, componentId: init.componentId, confirmationCode: init.confirmationCode },
    creationDateTime: new Date().toISOString(),
    bodId: randomUUID(),
    tenantId: init.tenantId,
    accountingEntityId: init.accountingEntityId,
    locationId: init.locationId,
    actionCode: init.actionCode,
    releaseId: init.releaseId ?? '9.2',
    versionId: init.versionId ?? BOD_VERSIONS[init.noun],
  };
}

/** The ConfirmBOD that rejects `original` with the given error (sent back to ION). */
export function rejectionConfirmBod(
  original: Pick<BodEnvelope, 'sender' | 'creationDateTime' | 'bodId' | 'accountingEntityId' | 'locationId' | 'tenantId'>,
  error: { code: string; message: string },
  from: { logicalId: string; componentId?: string },
): string {
  const envelope = newEnvelope({
    verb: 'Confirm',
    noun: 'BOD',
    logicalId: from.logicalId,
    componentId: from.componentId,
    accountingEntityId: original.accountingEntityId,
    locationId: original.locationId,
    tenantId: original.tenantId,
  });
  return buildBod(envelope, {
    original: { logicalId: original.sender.logicalId, componentId: original.sender.componentId, creationDateTime: original.creationDateTime, bodId: original.bodId },
    outcome: 'Rejected',
    messages: [{ description: error.message, type: 'Error', reasonCode: error.code }],
  });
}

export { documentNameOf };
