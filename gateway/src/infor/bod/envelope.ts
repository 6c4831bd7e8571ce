import { BodError } from './errors';
import { attr, buildXml, child, children, compact, el, parseXml, path, textOf, type XmlElement, type XmlLimits, type XmlNode } from './xml';

/** The Infor OAGIS namespace every BOD (standard or custom noun) uses. */
export const INFOR_OAGIS_NS = 'http://schema.infor.com/InforOAGIS/2';

/** OAGIS verbs, longest first so that the root name splits unambiguously into verb + noun. */
export const VERBS = ['Acknowledge', 'Process', 'Confirm', 'Cancel', 'Notify', 'Change', 'Update', 'Respond', 'Sync', 'Show', 'Load', 'Post', 'Get'] as const;
export type Verb = (typeof VERBS)[number];

export type ConfirmationCode = 'Never' | 'OnError' | 'Always';

/** An identifier with the Infor attributes: `<ID accountingEntity="100_AAA" variationID="3">`. */
export interface BodId {
  value: string;
  accountingEntity?: string;
  location?: string;
  variationId?: string;
  lid?: string;
}

export interface Amount {
  /** decimal string exactly as on the wire, e.g. "1234.50" — never a float */
  value: string;
  currency: string;
}

/** ApplicationArea plus the verb element: everything about a BOD except its noun. */
export interface BodEnvelope {
  verb: Verb;
  noun: string;
  sender: { logicalId: string; componentId?: string; confirmationCode?: ConfirmationCode };
  /** ISO-8601 */
  creationDateTime: string;
  bodId: string;
  releaseId?: string;
  versionId?: string;
  languageCode?: string;
  systemEnvironmentCode?: string;
  tenantId?: string;
  /** ION accounting entity; for M3 `CONO_DIVI`, e.g. `100_AAA` */
  accountingEntityId?: string;
  locationId?: string;
  /** ActionCriteria/ActionExpression@actionCode: Add | Change | Replace | Delete | … */
  actionCode?: string;
}

export interface RawBod {
  envelope: BodEnvelope;
  /** `Verb.Noun`, the IMS document name, e.g. `Sync.Invoice` */
  documentName: string;
  /** the noun element(s) of the DataArea, undecoded */
  nouns: XmlNode[];
  /** the verb element, undecoded (ConfirmBOD keeps OriginalApplicationArea there) */
  verbElement: XmlNode;
  /** the root element's local name and the whole tree, undecoded (the card-data scan reads every value) */
  rootName: string;
  root: XmlElement;
}

export function documentNameOf(envelope: Pick<BodEnvelope, 'verb' | 'noun'>): string {
  return `${envelope.verb}.${envelope.noun}`;
}

/** Root element name → verb and noun, e.g. SyncInvoice → Sync + Invoice, ConfirmBOD → Confirm + BOD. */
export function splitRootName(rootName: string): { verb: Verb; noun: string } {
  for (const verb of VERBS) {
    if (rootName.startsWith(verb) && rootName.length > verb.length && /[A-Z]/.test(rootName[verb.length]!)) {
      return { verb, noun: rootName.slice(verb.length) };
    }
  }
  throw new BodError('BOD_NOT_A_BOD', `the root element ${rootName} does not start with an OAGIS verb`, { rootName });
}

export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === '') throw new BodError('BOD_MISSING_FIELD', `${field} is missing`, { field });
  return value;
}

export function readId(node: XmlNode | undefined): BodId | undefined {
  if (node === undefined) return undefined;
  const value = textOf(node) ?? '';
  return {
    value,
    accountingEntity: attr(node, 'accountingEntity'),
    location: attr(node, 'location'),
    variationId: attr(node, 'variationID'),
    lid: attr(node, 'lid'),
  };
}

export function writeId(id: BodId): XmlNode {
  return el(id.value, { accountingEntity: id.accountingEntity, location: id.location, variationID: id.variationId, lid: id.lid });
}

const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;

/** Amount with its currency; the value must be a plain decimal (no exponent, no thousands separator). */
export function readAmount(node: XmlNode | undefined, field: string): Amount | undefined {
  if (node === undefined) return undefined;
  const value = (textOf(node) ?? '').trim();
  if (!DECIMAL.test(value)) throw new BodError('BOD_INVALID_VALUE', `${field} is not a decimal amount: "${value.slice(0, 40)}"`, { field });
  const currency = attr(node, 'currencyID');
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new BodError('BOD_INVALID_VALUE', `${field} has no ISO currencyID`, { field });
  return { value, currency };
}

export function writeAmount(amount: Amount): XmlNode {
  return el(amount.value, { currencyID: amount.currency });
}

export function readDecimal(node: XmlNode | undefined, field: string): string | undefined {
  if (node === undefined) return undefined;
  const value = (textOf(node) ?? '').trim();
  if (!DECIMAL.test(value)) throw new BodError('BOD_INVALID_VALUE', `${field} is not a decimal number: "${value.slice(0, 40)}"`, { field });
  return value;
}

/** M3's accounting entity is `CONO_DIVI`; split it (division may be empty for company-level data). */
export function splitAccountingEntity(entity: string): { cono: string; divi: string } {
  const match = /^(\d{1,3})_(\w{0,3})$/.exec(entity);
  if (!match) throw new BodError('BOD_INVALID_VALUE', `accounting entity "${entity}" is not CONO_DIVI`, { field: 'AccountingEntityID' });
  return { cono: match[1]!, divi: match[2]! };
}

export function accountingEntityOf(cono: string | number, divi: string): string {
  return `${cono}_${divi}`;
}

function readEnvelope(rootName: string, root: XmlElement): { envelope: BodEnvelope; nouns: XmlNode[]; verbElement: XmlNode } {
  const { verb, noun } = splitRootName(rootName);
  const appArea = child(root, 'ApplicationArea');
  if (appArea === undefined) throw new BodError('BOD_MISSING_FIELD', 'ApplicationArea is missing', { field: 'ApplicationArea' });
  const dataArea = child(root, 'DataArea');
  if (dataArea === undefined) throw new BodError('BOD_MISSING_FIELD', 'DataArea is missing', { field: 'DataArea' });
  const verbNode = child(dataArea, verb);
  if (verbNode === undefined) throw new BodError('BOD_MISSING_FIELD', `DataArea/${verb} is missing`, { field: `DataArea/${verb}` });
  const nouns = children(dataArea, noun);
  if (nouns.length === 0) throw new BodError('BOD_MISSING_FIELD', `DataArea/${noun} is missing`, { field: `DataArea/${noun}` });
  const confirmation = path(appArea, 'Sender', 'ConfirmationCode');
  const envelope: BodEnvelope = {
    verb,
    noun,
    sender: {
      logicalId: required(path(appArea, 'Sender', 'LogicalID'), 'ApplicationArea/Sender/LogicalID'),
      componentId: path(appArea, 'Sender', 'ComponentID'),
      confirmationCode: confirmation as ConfirmationCode | undefined,
    },
    creationDateTime: required(path(appArea, 'CreationDateTime'), 'ApplicationArea/CreationDateTime'),
    bodId: required(path(appArea, 'BODID'), 'ApplicationArea/BODID'),
    releaseId: attr(root, 'releaseID'),
    versionId: attr(root, 'versionID'),
    languageCode: attr(root, 'languageCode'),
    systemEnvironmentCode: attr(root, 'systemEnvironmentCode'),
    tenantId: path(verbNode, 'TenantID'),
    accountingEntityId: path(verbNode, 'AccountingEntityID'),
    locationId: path(verbNode, 'LocationID'),
    actionCode: attr(child(child(verbNode, 'ActionCriteria'), 'ActionExpression'), 'actionCode'),
  };
  return { envelope, nouns, verbElement: verbNode };
}

/** Parse any BOD's envelope, checking the namespace; the nouns stay raw for a noun codec. */
export function parseBodEnvelope(xml: string | Buffer, limits: Partial<XmlLimits> = {}): RawBod {
  const parsed = parseXml(xml, limits);
  if (parsed.namespace !== INFOR_OAGIS_NS) {
    throw new BodError('BOD_WRONG_NAMESPACE', `the root element must be in ${INFOR_OAGIS_NS}, not "${parsed.namespace}"`, { namespace: parsed.namespace });
  }
  const { envelope, nouns, verbElement } = readEnvelope(parsed.rootName, parsed.root);
  return { envelope, documentName: documentNameOf(envelope), nouns, verbElement, rootName: parsed.rootName, root: parsed.root };
}

/** Write a BOD: envelope + DataArea with the verb element and the given noun element(s). */
export function buildBodXml(envelope: BodEnvelope, nouns: XmlNode[], extraVerbChildren: XmlElement = {}): string {
  const verbElement = compact({
    TenantID: envelope.tenantId,
    AccountingEntityID: envelope.accountingEntityId,
    LocationID: envelope.locationId,
    ...extraVerbChildren,
    ActionCriteria: envelope.actionCode ? { ActionExpression: el(undefined, { actionCode: envelope.actionCode }) } : undefined,
  });
  const root: XmlElement = {
    '@xmlns': INFOR_OAGIS_NS,
    ...(envelope.releaseId ? { '@releaseID': envelope.releaseId } : {}),
    ...(envelope.versionId ? { '@versionID': envelope.versionId } : {}),
    ...(envelope.systemEnvironmentCode ? { '@systemEnvironmentCode': envelope.systemEnvironmentCode } : {}),
    ...(envelope.languageCode ? { '@languageCode': envelope.languageCode } : {}),
    ApplicationArea: compact({
      Sender: compact({
        LogicalID: envelope.sender.logicalId,
        ComponentID: envelope.sender.componentId,
        ConfirmationCode: envelope.sender.confirmationCode,
      }),
      CreationDateTime: envelope.creationDateTime,
      BODID: envelope.bodId,
    }),
    DataArea: { [envelope.verb]: verbElement, [envelope.noun]: nouns.length === 1 ? nouns[0]! : nouns },
  };
  return buildXml(`${envelope.verb}${envelope.noun}`, root);
}
