import { BodError } from '../errors';
import { readId, writeId, type BodId } from '../envelope';
import { attr, child, children, compact, el, path, textOf, type XmlNode } from '../xml';

/** A postal address in OAGIS form (AddressLine@sequence, CityName, CountrySubDivisionCode, CountryCode, PostalCode). */
export interface PostalAddress {
  lines: string[];
  city?: string;
  /** state / province code, e.g. "CA" */
  region?: string;
  /** ISO 3166-1 alpha-2 */
  countryCode?: string;
  postalCode?: string;
}

export function readAddress(node: XmlNode | undefined): PostalAddress | undefined {
  if (node === undefined) return undefined;
  const lines = children(node, 'AddressLine')
    .map((line) => ({ seq: Number(attr(line, 'sequence') ?? 0), text: textOf(line) ?? '' }))
    .sort((a, b) => a.seq - b.seq)
    .map((l) => l.text);
  return {
    lines,
    city: path(node, 'CityName'),
    region: path(node, 'CountrySubDivisionCode'),
    countryCode: path(node, 'CountryCode'),
    postalCode: path(node, 'PostalCode'),
  };
}

export function writeAddress(address: PostalAddress): XmlNode {
  return compact({
    AddressLine: address.lines.map((line, i) => el(line, { sequence: String(i + 1) })),
    CityName: address.city,
    CountrySubDivisionCode: address.region,
    CountryCode: address.countryCode,
    PostalCode: address.postalCode,
  });
}

/** `<X><PartyIDs><ID …>CUNO</ID></PartyIDs><Name>…</Name></X>` */
export interface PartyRef {
  id: BodId;
  name?: string;
}

export function readParty(node: XmlNode | undefined): PartyRef | undefined {
  if (node === undefined) return undefined;
  const id = readId(child(child(node, 'PartyIDs'), 'ID'));
  if (!id) return undefined;
  return { id, name: path(node, 'Name') };
}

export function writeParty(party: PartyRef): XmlNode {
  return compact({ PartyIDs: { ID: writeId(party.id) }, Name: party.name });
}

/** `<DocumentID><ID …>value</ID></DocumentID>`, required. */
export function readDocumentId(node: XmlNode | undefined, where: string): BodId {
  const id = readId(child(child(node, 'DocumentID'), 'ID'));
  if (!id || id.value === '') throw new BodError('BOD_MISSING_FIELD', `${where}/DocumentID/ID is missing`, { field: `${where}/DocumentID/ID` });
  return id;
}

export function writeDocumentId(id: BodId): XmlNode {
  return { ID: writeId(id) };
}

/** OAGIS UserArea/Property/NameValue pairs: where M3 specifics (YEA4, INPX, …) travel. */
export function readUserArea(node: XmlNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const property of children(child(node, 'UserArea'), 'Property')) {
    const nv = child(property, 'NameValue');
    const name = attr(nv, 'name');
    if (name) out[name] = textOf(nv) ?? '';
  }
  return out;
}

export function writeUserArea(values: Record<string, string | undefined>): XmlNode | undefined {
  const properties = Object.entries(values)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([name, value]) => ({ NameValue: el(value, { name }) }));
  return properties.length ? { Property: properties } : undefined;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new BodError('BOD_INVALID_VALUE', `${field} must be one of ${allowed.join(', ')}, not "${value.slice(0, 40)}"`, { field });
  }
  return value as T;
}
