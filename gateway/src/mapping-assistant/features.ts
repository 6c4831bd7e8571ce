import type { M3Dictionary } from './m3-dictionary';
import { expectedPatterns, SPECIFIC, type Pattern } from './patterns';
import type { SourceField } from './source';
import type { TargetField, TargetKind, TargetSchema } from './types';
import { KNOWN_CONCEPTS, tokens, tokenSimilarity } from './vocabulary';

/**
 * The signals for one (target field, source field) pair, as numbers the learned model weighs
 * (model.ts). Each is also kept as evidence for the human-readable reason.
 */

export const FEATURES = [
  'targetCovered', // share of the target's meaning (idf-weighted words) found in the source path
  'leafExplained', // share of the source key's words found in the target
  'descriptionLeaf', // the description's words found in the source key alone
  'exactName', // the source key is the target's name (an earlier M3 step's CUNO → CUNO)
  'patternMatch', // the value looks like what the target expects (e-mail, date, country …)
  'patternClash', // the value looks like something else specific
  'typeFits', // numeric/date/boolean targets get such values
  'lengthFits', // the value fits the target length
  'truncatable', // it does not, but it is free text into a text field: cut to length ($substring)
  'emptyValue', // null or empty in the sample (weaker evidence)
  'inArray', // read from an array's first element
  'numberAgrees', // "address 1" ← line1
  'numberClashes', // "address 1" ← line2
  'qualifierClashes', // delivery vs billing, opening vs closing, from vs to …
  'laterOrdinal', // "telephone number 2" ← phone: an unnumbered source is the first of numbered fields
  'partialName', // a whole name ("Customer name") ← a first or last name only
  'subjectClashes', // the target is about one thing (the customer, the card, an item …), the source about another
] as const;

export type FeatureName = (typeof FEATURES)[number];
export type FeatureVector = Record<FeatureName, number>;

export interface TargetProfile {
  field: TargetField;
  /** concept → weight (idf): rare words tell more */
  words: Map<string, number>;
  descriptionWords: string[];
  expected: Pattern[];
  digits: string[];
  kind: TargetKind;
}

export interface SourceProfile {
  field: SourceField;
  leaf: string[];
  context: string[];
  digits: string[];
}

export interface Evidence {
  matchedWords: string[];
  patternMatch?: Pattern;
  patternClash?: Pattern;
  expandedKey?: string;
}

const QUALIFIERS: ReadonlyArray<readonly [string, string]> = [
  ['billing', 'delivery'],
  ['invoice', 'delivery'],
  ['opening', 'closing'],
  ['from', 'to'],
  ['debit', 'credit'],
  ['first', 'last'],
  ['original', 'credit'],
];

/**
 * Whose field it is: a target that names one of these subjects and a source that names another,
 * and not the target's, are about different things — an item's name is not the customer's name, a
 * card holder not the customer (a payer is a customer in M3: one subject).
 */
const SUBJECTS: ReadonlyArray<readonly string[]> = [['customer', 'payer'], ['item'], ['card'], ['vendor'], ['bank'], ['warehouse'], ['user']];

/** qualifiers a source can carry that a target must name too: a card's expiry year is no document's year */
const SOURCE_QUALIFIERS = ['expiration'];

/** code values a bare number cannot be: a numeric internal id (region_id 12, currency id 1) is not the ISO code */
const CODE_PATTERNS: ReadonlySet<Pattern> = new Set(['country', 'currency', 'region']);

/** document frequencies of concepts over the M3 descriptions: rare concepts weigh more */
export class WordWeights {
  readonly #df = new Map<string, number>();
  readonly #n: number;
  constructor(descriptions: readonly string[]) {
    for (const d of descriptions) for (const t of new Set(tokens(d))) this.#df.set(t, (this.#df.get(t) ?? 0) + 1);
    this.#n = descriptions.length;
  }
  weight(word: string): number {
    if (/^\d+$/.test(word)) return 0.5;
    const df = this.#df.get(word) ?? 0;
    return Math.log((this.#n + 1) / (df + 1)) + 1;
  }
}

const M3_KEY = /^[A-Z0-9]{4}$/;

/** words of a path step that only wraps an identifier (OAGIS PartyIDs/ID, DocumentID/ID) or a group (InvoiceHeader) */
const ID_WRAPPER = new Set(['id', 'party', 'document', 'header']);

/** a path target's own words: its last step (and the description for PayTrace, whose names are short) */
function lastWords(field: TargetField, descriptionWords: string[]): string[] {
  const segments = field.name.split(/[./]/).filter(Boolean);
  const leaf = tokens((segments[segments.length - 1] ?? '').replace(/^@/, ''));
  return segments.length > 1 ? leaf : [...leaf, ...descriptionWords];
}

/**
 * Words of the target as a whole that its fields inherit: a BOD noun names what its top-level
 * fields belong to (CustomerPartyMaster's PartyIDs/ID is the customer's id).
 */
export function targetContext(target: Pick<TargetSchema, 'kind' | 'target'>): string[] {
  return target.kind === 'bod' ? tokens(target.target.replace(/^bod:/, '')).filter((w) => KNOWN_CONCEPTS.has(w)) : [];
}

export function profileTarget(input: TargetField, kind: TargetKind, dictionary: M3Dictionary, weights: WordWeights, context: readonly string[] = []): TargetProfile {
  let field = input;
  const descriptionWords = tokens(field.description);
  const words = new Map<string, number>();
  const add = (w: string, factor: number) => words.set(w, Math.max(words.get(w) ?? 0, weights.weight(w) * factor));
  let nameWords: string[];
  if (kind === 'm3') {
    nameWords = dictionary.expand(field.name);
    // M3 keeps dates as 8-digit numbers; "Valid from" (VFDT) does not say date, its name does (…DT)
    if (field.type === 'numeric' && field.length === 8 && nameWords.includes('date')) field = { ...field, type: 'date' };
    for (const w of [...descriptionWords, ...nameWords]) add(w, 1);
  } else {
    // a path (billing_address.city, InvoiceHeader/CustomerParty/Name): the last step says most
    const segments = field.name.split(/[./]/).filter(Boolean);
    nameWords = segments.flatMap((seg) => tokens(seg.replace(/^@/, '')));
    // an identifier wrapper (ID, PartyIDs, DocumentID) names no thing: the step above it says whose
    // id it is (PayFromParty/PartyIDs/ID is the payer's), so the telling steps are ranked past it
    let rank = 0;
    for (let i = segments.length - 1; i >= 0; i--) {
      const words = tokens(segments[i]!.replace(/^@/, ''));
      if (words.length > 0 && words.every((w) => ID_WRAPPER.has(w))) {
        if (words.includes('id')) add('id', rank === 0 ? 1 : 0.6);
        continue;
      }
      const factor = rank === 0 ? 1 : rank === 1 ? 0.6 : 0.3;
      // InvoiceHeader, CustomerParty: the container's kind says nothing a source would name
      for (const w of words) if (rank === 0 || !ID_WRAPPER.has(w)) add(w, factor);
      rank++;
    }
    const leaf = segments[segments.length - 1] ?? '';
    for (const w of descriptionWords) if (!words.has(w) || tokens(leaf).includes(w)) add(w, tokens(leaf).includes(w) ? 1 : 0.5);
    // the target's own subject, weakly, where the path does not name one (PartyIDs/ID of a CustomerPartyMaster)
    if (segments.length <= 2) for (const w of context) if (!words.has(w)) add(w, 0.3);
  }
  return {
    field,
    words,
    descriptionWords,
    expected: expectedPatterns(kind === 'm3' ? descriptionWords : lastWords(field, descriptionWords), field.type, field.length),
    digits: [...descriptionWords, ...nameWords].filter((w) => /^\d$/.test(w)),
    kind,
  };
}

export function profileSource(field: SourceField, dictionary: M3Dictionary): SourceProfile {
  const key = field.keys[field.keys.length - 1] ?? '';
  const expanded = M3_KEY.test(key) ? dictionary.expand(key) : [];
  const leaf = [...new Set([...field.leafTokens, ...expanded])];
  return { field, leaf, context: field.contextTokens, digits: field.leafTokens.filter((w) => /^\d$/.test(w)) };
}

function best(word: string, candidates: readonly string[]): number {
  let top = 0;
  for (const c of candidates) top = Math.max(top, tokenSimilarity(word, c));
  return top;
}

function numericText(value: unknown): boolean {
  return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()));
}

export function features(t: TargetProfile, s: SourceProfile): { vector: FeatureVector; evidence: Evidence } {
  const field = s.field;
  let covered = 0;
  let total = 0;
  const matched: string[] = [];
  for (const [word, weight] of t.words) {
    total += weight;
    const inLeaf = best(word, s.leaf);
    const inContext = best(word, s.context) * 0.6;
    const hit = Math.max(inLeaf, inContext);
    covered += weight * hit;
    if (hit >= 0.6) matched.push(word);
  }
  const targetWords = [...t.words.keys()];
  const leafWords = s.leaf.filter((w) => !/^\d+$/.test(w));
  const leafExplained = leafWords.length ? leafWords.reduce((sum, w) => sum + best(w, targetWords), 0) / leafWords.length : 0;
  const descWords = t.descriptionWords.filter((w) => !/^\d+$/.test(w));
  const descriptionLeaf = descWords.length ? descWords.reduce((sum, w) => sum + best(w, s.leaf), 0) / descWords.length : 0;

  const key = field.keys[field.keys.length - 1] ?? '';
  const targetLeaf = t.field.name.split(/[./]/).pop() ?? t.field.name;
  const exactName = key.toLowerCase() === targetLeaf.toLowerCase() ? 1 : 0;

  const patternHit = t.expected.find((p) => field.patterns.includes(p));
  const specific = field.patterns.filter((p) => SPECIFIC.has(p));
  let clash: Pattern | undefined;
  if (t.expected.length > 0 && !patternHit && field.value !== null && field.value !== '') clash = specific[0] ?? (t.expected.some((p) => SPECIFIC.has(p) || CODE_PATTERNS.has(p)) ? field.patterns[0] : undefined);
  if (t.expected.length === 0 && specific.some((p) => p === 'email' || p === 'date' || p === 'datetime' || p === 'url' || p === 'uuid' || p === 'masked-card' || p === 'currency')) clash = specific[0];

  let typeFits: number;
  if (t.field.type === 'numeric') typeFits = numericText(field.value) || field.value === null ? 1 : 0;
  else if (t.field.type === 'date') typeFits = field.patterns.includes('date') || field.patterns.includes('datetime') ? 1 : 0;
  else if (t.field.type === 'boolean') typeFits = field.valueType === 'boolean' || field.patterns.includes('boolean') ? 1 : 0;
  else typeFits = field.valueType === 'boolean' ? 0.5 : 1;

  const lengthFits = t.field.length === undefined || field.length <= t.field.length ? 1 : 0;
  // the same test as transforms.ts uses to propose $substring
  const truncatable = !lengthFits && t.field.type === 'alpha' && field.valueType === 'string' && !field.patterns.some((p) => p !== 'text') ? 1 : 0;
  const numberAgrees = t.digits.length > 0 && s.digits.length > 0 && t.digits.some((d) => s.digits.includes(d)) ? 1 : 0;
  const numberClashes = t.digits.length > 0 && s.digits.length > 0 && !t.digits.some((d) => s.digits.includes(d)) ? 1 : 0;
  const sourceWords = new Set([...s.leaf, ...s.context]);
  const qualifierClashes =
    QUALIFIERS.some(([a, b]) => (t.words.has(a) && !t.words.has(b) && sourceWords.has(b) && !sourceWords.has(a)) || (t.words.has(b) && !t.words.has(a) && sourceWords.has(a) && !sourceWords.has(b))) ||
    SOURCE_QUALIFIERS.some((q) => sourceWords.has(q) && !t.words.has(q))
      ? 1
      : 0;
  const targetSubjects = SUBJECTS.filter((group) => group.some((w) => t.words.has(w)));
  const sourceSubjects = SUBJECTS.filter((group) => group.some((w) => sourceWords.has(w)));
  const subjectClashes = targetSubjects.length > 0 && sourceSubjects.length > 0 && !targetSubjects.some((g) => sourceSubjects.includes(g)) ? 1 : 0;

  return {
    vector: {
      targetCovered: total ? covered / total : 0,
      leafExplained,
      descriptionLeaf,
      exactName,
      patternMatch: patternHit ? 1 : 0,
      patternClash: clash ? 1 : 0,
      typeFits,
      lengthFits,
      truncatable,
      emptyValue: field.value === null || field.value === '' ? 1 : 0,
      inArray: field.inArray ? 1 : 0,
      numberAgrees,
      numberClashes,
      qualifierClashes,
      partialName: t.words.has('name') && !t.words.has('first') && !t.words.has('last') && (s.leaf.includes('first') || s.leaf.includes('last')) ? 1 : 0,
      subjectClashes,
      laterOrdinal: t.digits.some((d) => d !== '1') && !t.digits.includes('1') && s.digits.length === 0 ? 1 : 0,
    },
    evidence: { matchedWords: matched, patternMatch: patternHit, patternClash: clash, expandedKey: M3_KEY.test(key) && s.leaf.length > field.leafTokens.length ? key : undefined },
  };
}
