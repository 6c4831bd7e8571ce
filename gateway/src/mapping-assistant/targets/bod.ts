import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { AppError } from '../../errors';
import type { FieldType, TargetField, TargetSchema } from '../types';
import { splitWords } from '../vocabulary';

/**
 * A BOD noun as a mapping target, read from its XSD in ion-bods/ (catalog.json names the schema
 * of every document): the noun's element tree flattened to leaf paths as the BOD map writes
 * them (`CustomerParty/PartyIDs/ID`), an amount's currency as `Amount/@currencyID`, up to four
 * repeated elements numbered (`AddressLine[2]`), with the XSD type and minOccurs.
 */

interface XsdElement {
  name: string;
  type?: string;
  minOccurs?: string;
  maxOccurs?: string;
  simpleType?: unknown;
}

interface XsdType {
  elements: XsdElement[];
  attributes: Array<{ name: string; type?: string; use?: string }>;
  /** simpleContent extension base, or a simple type's restriction base */
  base?: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (name) => ['element', 'complexType', 'simpleType', 'attribute', 'include', 'choice', 'sequence', 'all'].includes(name) });

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v ? [v as Node] : []);

/** the child elements of a complex type, in order: xs:sequence and xs:all (elements in any order) alike; a choice's are optional */
function sequenceElements(node: Node): XsdElement[] {
  const out: XsdElement[] = [];
  for (const group of [...list(node.sequence), ...list(node.all)]) {
    for (const el of list(group.element)) out.push(el as unknown as XsdElement);
    for (const choice of list(group.choice)) for (const el of list(choice.element)) out.push({ ...(el as unknown as XsdElement), minOccurs: '0' });
  }
  return out;
}

/** every named type of a schema and the schemas it includes */
async function readTypes(file: string, types: Map<string, XsdType>, seen = new Set<string>()): Promise<void> {
  if (seen.has(file)) return;
  seen.add(file);
  const doc = parser.parse(await readFile(file, 'utf8')) as { schema?: Node };
  const schema = doc.schema ?? {};
  for (const inc of list(schema.include)) await readTypes(path.resolve(path.dirname(file), String(inc.schemaLocation)), types, seen);
  for (const ct of list(schema.complexType)) {
    const simple = (ct.simpleContent as Node | undefined)?.extension as Node | undefined;
    types.set(String(ct.name), {
      elements: sequenceElements(ct),
      attributes: [...list(ct.attribute), ...list(simple?.attribute)].map((a) => ({ name: String(a.name), type: a.type as string | undefined, use: a.use as string | undefined })),
      base: simple?.base as string | undefined,
    });
  }
  for (const st of list(schema.simpleType)) {
    types.set(String(st.name), { elements: [], attributes: [], base: String((st.restriction as Node | undefined)?.base ?? 'xs:string') });
  }
}

function leafType(xsdType: string | undefined, types: Map<string, XsdType>): FieldType {
  let t = xsdType ?? 'xs:string';
  for (let i = 0; i < 5 && types.has(t); i++) {
    if (t === 'DecimalAmountType') return 'numeric';
    t = types.get(t)!.base ?? 'xs:string';
  }
  if (/dateTime|date$/.test(t)) return 'date';
  if (/integer|Integer|decimal|int$|long$/.test(t)) return 'numeric';
  if (/boolean/.test(t)) return 'boolean';
  return 'alpha';
}

function describe(segments: string[]): string {
  return segments
    .slice(-3)
    .map((s) => splitWords(s.replace(/\[\d+\]$/, (m) => ` ${m.slice(1, -1)}`).replace('@', '')).join(' '))
    .join(' › ');
}

/** flatten a complex type into leaf fields */
function flatten(typeName: string, types: Map<string, XsdType>, prefix: string[], mandatory: boolean, out: TargetField[], depth = 0): void {
  const type = types.get(typeName);
  if (!type || depth > 8) return;
  for (const el of type.elements) {
    const required = mandatory && el.minOccurs !== '0';
    const max = el.maxOccurs === 'unbounded' ? Infinity : Number(el.maxOccurs ?? '1');
    const child = el.type ? types.get(el.type) : undefined;
    // a repeated value (address lines) is numbered, its first four as the BOD map writes them
    // (AddressLine[2]); a repeated structure (Location, Term) is written through its first one
    const numbered = max > 1 && !(child && child.elements.length > 0);
    const names = numbered ? Array.from({ length: Math.min(max, 4) }, (_, i) => `${el.name}[${i + 1}]`) : [el.name];
    names.forEach((name, i) => {
      const segments = [...prefix, name];
      if (child && child.elements.length > 0) {
        flatten(el.type!, types, segments, required && i === 0, out, depth + 1);
        return;
      }
      out.push({ name: segments.join('/'), description: describe(segments), type: leafType(el.type ?? (el.simpleType ? 'xs:string' : undefined), types), mandatory: required && i === 0 });
      for (const attr of child?.attributes ?? []) {
        if (attr.name !== 'currencyID') continue; // the amount's currency is data; the other attributes are envelope detail
        const attrSegments = [...segments, `@${attr.name}`];
        out.push({ name: attrSegments.join('/'), description: describe([...segments, 'currency']), type: 'alpha', length: 3, mandatory: required && i === 0 && attr.use === 'required' });
      }
    });
  }
}

interface Catalog {
  documents: Array<{ documentName: string; schema: string }>;
}

/** The noun's target, e.g. bod:CustomerPartyMaster, from the ion-bods folder (default ./ion-bods). */
export async function loadBodTarget(noun: string, ionBodsDir = 'ion-bods'): Promise<TargetSchema> {
  if (!/^[A-Za-z][A-Za-z0-9]{1,60}$/.test(noun)) {
    throw new AppError(`"${noun.slice(0, 60)}" is not a BOD noun name`, { code: 'MAPPING_TARGET_INVALID', errorClass: 'business', httpStatus: 400 });
  }
  const catalog = JSON.parse(await readFile(path.join(ionBodsDir, 'catalog.json'), 'utf8')) as Catalog;
  const doc = catalog.documents.find((d) => d.documentName.split('.')[1] === noun);
  if (!doc) {
    const nouns = [...new Set(catalog.documents.map((d) => d.documentName.split('.')[1]))].join(', ');
    throw new AppError(`no BOD noun ${noun} in ${ionBodsDir}/catalog.json (${nouns})`, { code: 'MAPPING_TARGET_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
  }
  const types = new Map<string, XsdType>();
  await readTypes(path.resolve(ionBodsDir, doc.schema), types);
  const fields: TargetField[] = [];
  flatten(`${noun}Type`, types, [], true, fields);
  return { target: `bod:${noun}`, kind: 'bod', title: `${noun} (${doc.documentName}, ${doc.schema})`, fields };
}
