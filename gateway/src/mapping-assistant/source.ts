import { AppError } from '../errors';
import { looksLikeCardNumber, patternsOf, type Pattern } from './patterns';
import { tokens } from './vocabulary';

/**
 * A source sample (any JSON: a storefront event, a PayTrace export record, a parsed BOD, an earlier
 * step's output) as a list of leaf fields, each with the JSONata path that reads it.
 */
export interface SourceField {
  /** the JSONata path: customer.name, `Customer #`, lines[0].sku */
  path: string;
  /** the keys from the root, array positions left out */
  keys: string[];
  /** concepts of the last key (weighted most) and of the keys above it */
  leafTokens: string[];
  contextTokens: string[];
  /** the value in the sample (a card-like number is never kept: undefined, with pattern card-number) */
  value: unknown;
  /** string, number, boolean, null */
  valueType: 'string' | 'number' | 'boolean' | 'null';
  /** the value's text length (numbers: their decimal text) */
  length: number;
  patterns: Pattern[];
  /** under an array (the path reads its first element) */
  inArray: boolean;
  /** the object this field sits in (its path), for grouping address lines */
  parent: string;
}

export interface SampleLimits {
  /** leaves read at most */
  maxFields: number;
  /** nesting depth read at most */
  maxDepth: number;
}

export const DEFAULT_SAMPLE_LIMITS: SampleLimits = { maxFields: 2000, maxDepth: 20 };

const GENERIC_LEAVES = new Set(['value', 'text', '#text', '_', 'content', 'val']);

/** a key that names no thing of its own: value, text, or a bare id/number/no */
function isGenericKey(key: string): boolean {
  if (GENERIC_LEAVES.has(key.toLowerCase())) return true;
  const words = tokens(key);
  return words.length === 1 && words[0] === 'id';
}

/** refName, ref_name, displayName: the display name of the record the key above refers to */
function isReferenceName(key: string): boolean {
  const words = tokens(key);
  return words.length === 2 && words[1] === 'name' && (words[0] === 'reference' || words[0] === 'display');
}

const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// words JSONata would read as operators or literals, not as field names
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/** a key as a JSONata path step: plain names as they are, anything else in backquotes */
export function pathStep(key: string): string {
  if (PLAIN_NAME.test(key) && !RESERVED.has(key)) return key;
  if (key.includes('`')) throw new AppError('a sample key contains a backquote, which a JSONata path cannot name', { code: 'MAPPING_SAMPLE_INVALID', errorClass: 'business', httpStatus: 400, details: { key: key.slice(0, 60) } });
  return `\`${key}\``;
}

function valueTypeOf(value: unknown): SourceField['valueType'] {
  if (value === null) return 'null';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

/**
 * Flatten a sample into its leaf fields. Arrays are read through their first element
 * (`lines[0].sku`): a step that maps one line gets one line as its sample. Card-like numbers
 * are recorded as a pattern only, their value dropped.
 */
export function flattenSample(sample: unknown, limits: SampleLimits = DEFAULT_SAMPLE_LIMITS): SourceField[] {
  if (sample === null || typeof sample !== 'object') {
    throw new AppError('the sample must be a JSON object or array', { code: 'MAPPING_SAMPLE_INVALID', errorClass: 'business', httpStatus: 400 });
  }
  const out: SourceField[] = [];
  const walk = (value: unknown, path: string, keys: string[], inArray: boolean, depth: number, parent: string) => {
    if (out.length >= limits.maxFields) return;
    if (depth > limits.maxDepth) {
      throw new AppError(`the sample is nested deeper than ${limits.maxDepth} levels`, { code: 'MAPPING_SAMPLE_TOO_DEEP', errorClass: 'business', httpStatus: 400 });
    }
    if (Array.isArray(value)) {
      const base = path || '$';
      if (value.length > 0 && value.every((v) => v === null || typeof v !== 'object')) {
        // a list of values (address lines): each of the first few is a field of its own, numbered
        value.slice(0, 6).forEach((v, i) => walk(v, `${base}[${i}]`, [...keys.slice(0, -1), `${keys[keys.length - 1] ?? 'item'} ${i + 1}`], true, depth + 1, parent));
      } else if (value.length > 0) walk(value[0], `${base}[0]`, keys, true, depth + 1, parent);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const step = pathStep(key);
        walk(child, path ? `${path}.${step}` : step, [...keys, key], inArray, depth + 1, path);
      }
      return;
    }
    if (keys.length === 0) return;
    const card = looksLikeCardNumber(value);
    const leaf = keys[keys.length - 1]!;
    // {"id": {"value": "200417"}}: a generic leaf name says nothing, the key above it does; and a
    // bare id under an object ({"statement": {"id": …}}, invoice.number, payer.id.value) is that
    // object's id: the leaf's words are those from the nearest telling key down
    let head = keys.length - 1;
    while (head > 0 && isGenericKey(keys[head]!)) head--;
    const generic = head < keys.length - 1;
    // a reference's display name ({"currency": {"id": "1", "refName": "USD"}}): the name of the
    // thing above it, not a "reference" of its own
    const refName = !generic && keys.length > 1 && isReferenceName(leaf);
    out.push({
      path,
      keys,
      leafTokens: generic ? keys.slice(head).flatMap((k) => tokens(k)) : refName ? [...tokens(keys[keys.length - 2]!), 'name'] : tokens(leaf),
      contextTokens: keys.slice(0, generic ? head : -1).flatMap((k) => tokens(k)),
      value: card ? undefined : value,
      valueType: valueTypeOf(value),
      length: value === null ? 0 : String(value).length,
      patterns: card ? ['card-number'] : patternsOf(value),
      inArray,
      parent,
    });
  };
  walk(sample, '', [], false, 0, '');
  return out;
}
