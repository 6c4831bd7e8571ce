import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import { BodError } from './errors';

/**
 * A parsed element: text only, or an object of attributes (`@name`), text (`#text`) and children.
 * Text and attribute values are raw (predefined entities not yet resolved): read them with
 * `textOf`/`attr`/`path`, which resolve them (cheaper than a parser callback on every value).
 */
export type XmlNode = string | XmlElement;
export interface XmlElement {
  [name: string]: XmlNode | XmlNode[] | undefined;
}

export interface XmlLimits {
  /** largest document accepted, in bytes */
  maxBytes: number;
  /** deepest element nesting accepted */
  maxDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 5 * 1024 * 1024, maxDepth: 40 };

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Resolve only the five predefined entities and character references. The parser itself runs
 * with entity processing off, so no declared entity (XXE, billion laughs) can ever expand.
 */
function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref]!;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

const parsers = new Map<number, XMLParser>();

function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (!parser) {
    parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      textNodeName: '#text',
      removeNSPrefix: true,
      // keep every value a string: amounts and ids must never pass through a number
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      processEntities: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: maxDepth,
      // callbacks get no jPath string: building one per element costs more than the parse itself
      jPath: false,
    });
    parsers.set(maxDepth, parser);
  }
  return parser;
}

const MARKUP = /[&<>"']/;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escape markup in a value; most values have none, so test before replacing. */
function escapeXml(value: unknown): unknown {
  return typeof value === 'string' && MARKUP.test(value) ? value.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : value;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  format: false,
  suppressEmptyNode: true,
  // our own escaping: one test per value instead of the builder's regex pass per entity
  processEntities: false,
  tagValueProcessor: (_name, value) => escapeXml(value),
  attributeValueProcessor: (_name, value) => escapeXml(value),
});

/**
 * fast-xml-parser is lenient (it accepts mismatched end tags, for one), so a strict XML 1.0
 * parser with namespaces checks well-formedness first. saxes (jsdom's parser) also gives us the
 * root element as a parser sees it — its local name and namespace URI, whatever comments or
 * processing instructions come before it — and the exact nesting depth: `maxDepth` levels pass,
 * one more is refused.
 */
function checkWithSaxes(text: string, maxDepth: number): { rootName: string; namespace: string } {
  const checker = new SaxesParser({ position: true, xmlns: true });
  let root: { rootName: string; namespace: string } | undefined;
  let depth = 0;
  let tooDeep = false;
  checker.on('opentag', (tag) => {
    depth += 1;
    if (depth > maxDepth && !tooDeep) {
      tooDeep = true;
      throw new BodError('BOD_TOO_DEEP', `elements are nested deeper than ${maxDepth}`, { maxDepth });
    }
    root ??= { rootName: tag.local ?? tag.name, namespace: tag.uri ?? '' };
  });
  checker.on('closetag', () => {
    depth -= 1;
  });
  try {
    checker.write(text).close();
  } catch (err) {
    if (err instanceof BodError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const where = /^(\d+):(\d+): /.exec(message);
    const detail = where ? message.slice(where[0].length) : message;
    throw new BodError('BOD_MALFORMED_XML', `the document is not well-formed XML: ${detail}${where ? ` (line ${where[1]}, column ${where[2]})` : ''}`, where ? { line: Number(where[1]), column: Number(where[2]) } : undefined, err);
  }
  if (!root) throw new BodError('BOD_MALFORMED_XML', 'no root element found');
  return root;
}

export interface ParsedXml {
  /** local name of the root element */
  rootName: string;
  /** namespace URI of the root element ('' when none) */
  namespace: string;
  root: XmlElement;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** the encoding named by the XML declaration, if any */
const DECLARED_ENCODING = /^(?:\uFEFF)?<\?xml\s[^?]*?\bencoding\s*=\s*(["'])([A-Za-z0-9._-]+)\1/;

/**
 * Bytes of a document as text: UTF-8 only (what ION sends), strictly — a document declared in
 * another encoding, or with bytes that are not UTF-8, is refused rather than silently repaired.
 */
export function decodeXmlBytes(bytes: Buffer): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (err) {
    throw new BodError('BOD_ENCODING_INVALID', 'the document is not valid UTF-8', undefined, err);
  }
  const declared = DECLARED_ENCODING.exec(text.slice(0, 200))?.[2];
  if (declared && !/^utf-?8$/i.test(declared)) throw new BodError('BOD_ENCODING_INVALID', `the document declares encoding ${declared}; only UTF-8 is accepted`, { encoding: declared });
  return text;
}

/**
 * Parse untrusted XML safely: size cap, refuse any DOCTYPE/ENTITY declaration before parsing,
 * strict UTF-8, exact depth cap, no entity expansion. Errors are classified `BodError`s.
 */
export function parseXml(input: string | Buffer, limits: Partial<XmlLimits> = {}): ParsedXml {
  const { maxBytes, maxDepth } = { ...DEFAULT_XML_LIMITS, ...limits };
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) throw new BodError('BOD_TOO_LARGE', `the document is ${size} bytes; at most ${maxBytes} are accepted`, { size, maxBytes });
  const text = typeof input === 'string' ? input : decodeXmlBytes(input);
  if (text.includes('<!') && /<!(?:DOCTYPE|ENTITY)/i.test(text)) {
    throw new BodError('BOD_DOCTYPE_REFUSED', 'documents with a DOCTYPE or ENTITY declaration are refused');
  }
  const { rootName, namespace } = checkWithSaxes(text, maxDepth);
  let parsed: Record<string, unknown>;
  try {
    // saxes has already held the depth to maxDepth; this is only fast-xml-parser's own backstop
    parsed = parserFor(maxDepth + 1).parse(text) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/nested tags/i.test(message)) throw new BodError('BOD_TOO_DEEP', `elements are nested deeper than ${maxDepth}`, { maxDepth }, err);
    throw new BodError('BOD_MALFORMED_XML', `the document is not well-formed XML: ${message}`, undefined, err);
  }
  const rootValue = parsed[rootName];
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || rootValue === undefined || Array.isArray(rootValue)) {
    throw new BodError('BOD_MALFORMED_XML', 'the document must have exactly one root element');
  }
  const root: XmlElement = typeof rootValue === 'object' && rootValue !== null ? (rootValue as XmlElement) : {};
  return { rootName, namespace, root };
}

/** Serialize an element tree (same shape as `parseXml` returns) with the XML declaration. */
export function buildXml(rootName: string, root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ [rootName]: root }) as string}`;
}

// ---- reading helpers: tolerant of single/multiple occurrence and text/element forms ----

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === 'string') return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  // no array allocation: this runs for every field of every line
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Text of a node ('' for an empty element), or undefined when absent. */
export function textOf(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return decodeEntities(node);
  const text = node['#text'];
  return typeof text === 'string' ? decodeEntities(text) : '';
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[`@${name}`];
  return typeof value === 'string' ? decodeEntities(value) : undefined;
}

/** Text at a path of child names, e.g. path(x, 'Sender', 'LogicalID'). */
export function path(node: XmlNode | undefined, ...names: string[]): string | undefined {
  let cursor = node;
  for (const name of names) cursor = child(cursor, name);
  const value = textOf(cursor);
  return value === '' ? undefined : value;
}

/** An element with text and attributes, omitting undefined attributes. */
export function el(text: string | undefined, attributes?: Record<string, string | undefined>): XmlNode {
  // for-in, no entry arrays: this runs for every amount and quantity of every line
  let out: XmlElement | undefined;
  for (const k in attributes) {
    const v = attributes[k];
    if (v !== undefined) (out ??= {})[`@${k}`] = v;
  }
  if (!out) return text ?? '';
  if (text !== undefined) out['#text'] = text;
  return out;
}

/** Drop undefined members so the builder writes nothing for them (element order = key order). */
export function compact(members: Record<string, XmlNode | XmlNode[] | undefined>): XmlElement {
  const out: XmlElement = {};
  for (const k in members) {
    const v = members[k];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}
