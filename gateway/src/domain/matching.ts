import { z } from 'zod';
import { AppError } from '../errors';
import { Money } from './money';

/**
 * Reference matching: PayTrace transaction ↔ M3 invoice/order. Our own reference (written into
 * PayTrace's invoice_id when we start the payment) decides first; then tolerant scoring on amount,
 * customer, date window and normalized invoice text. Every answer has a rule, a confidence and a
 * reason; close or weak answers go to review, never auto-applied. Supports 1:N (one payment, several
 * invoices) and N:1 (instalments) by exact sums.
 */

const placeholder = /\{(division|year|invoice|order|customer)\}/g;

const weights = z
  .object({ amount: z.number().min(0), customer: z.number().min(0), date: z.number().min(0), text: z.number().min(0) })
  .strict()
  .refine((w) => w.amount + w.customer + w.date + w.text > 0, 'at least one weight must be positive');

export const matchingRulesSchema = z
  .object({
    version: z.number().int().positive(),
    reference: z
      .object({
        /** what we write into PayTrace's invoice_id (≤ 50 chars); placeholders {division} {year} {invoice} {order} {customer} */
        templates: z
          .object({
            invoice: z.string().min(1).refine((t) => t.includes('{invoice}'), 'the invoice template needs {invoice}'),
            order: z.string().min(1).refine((t) => t.includes('{order}'), 'the order template needs {order}'),
          })
          .strict(),
        /** PayTrace fields searched for our reference, in order */
        fields: z.array(z.enum(['invoice_id', 'description'])).min(1),
      })
      .strict(),
    normalize: z
      .object({
        /** leading words removed from invoice texts ("INV", "INVOICE", "NO"), compared upper-case */
        stripPrefixes: z.array(z.string().min(1)).default([]),
        stripLeadingZeros: z.boolean().default(true),
      })
      .strict(),
    tolerant: z
      .object({
        /** how far the amounts may differ and still count (fees netted, rounding): the larger of both */
        amountTolerance: z.object({ absolute: z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string like "0.05"'), percent: z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string like "0.5"') }).strict(),
        /** payment date relative to the document date */
        dateWindowDays: z.object({ before: z.number().int().min(0), after: z.number().int().min(0) }).strict(),
        weights,
        /** a candidate whose amount is outside the tolerance is not a candidate */
        requireAmount: z.boolean().default(true),
        /** texts shorter than this are not compared (a 1-digit "invoice number" matches everything) */
        minTextLength: z.number().int().min(1).default(3),
      })
      .strict(),
    thresholds: z
      .object({
        autoApply: z.number().min(0).max(1),
        review: z.number().min(0).max(1),
        /** two candidates closer than this are ambiguous */
        ambiguityMargin: z.number().min(0).max(1),
      })
      .strict()
      .refine((t) => t.review <= t.autoApply, { message: 'review must not exceed autoApply', path: ['review'] }),
    grouping: z
      .object({
        /** largest number of documents (1:N) or payments (N:1) combined */
        maxGroupSize: z.number().int().min(2).max(8),
        /** more candidates than this are not combined (the search is exponential) */
        maxCandidates: z.number().int().min(2).max(40),
        confidence: z.number().min(0).max(1),
      })
      .strict(),
  })
  .strict();

export type MatchingRules = z.output<typeof matchingRulesSchema>;

export interface PaymentRecord {
  /** PayTrace transaction id */
  id: string;
  amount: Money;
  /** YYYY-MM-DD */
  date: string;
  invoiceId?: string;
  description?: string;
  /** the M3 customer (CUNO/PYNO) when known, e.g. from the vault customer id */
  customer?: string;
}

export interface M3Document {
  kind: 'invoice' | 'order';
  /** IVNO/CINO for invoices, ORNO for orders */
  id: string;
  year?: string;
  division?: string;
  customer: string;
  /** the amount still open */
  amount: Money;
  /** YYYY-MM-DD: invoice or order date */
  date: string;
  /** other texts a payer might quote: EXIN, CUOR */
  texts?: string[];
}

export interface MatchCandidate {
  documents: M3Document[];
  payments: PaymentRecord[];
  rule: string;
  confidence: number;
  reason: string;
}

export type MatchStatus = 'matched' | 'review' | 'ambiguous' | 'unmatched';

export interface MatchResult {
  status: MatchStatus;
  /** true only for `matched`: the flow may apply it without a person */
  autoApply: boolean;
  best?: MatchCandidate;
  /** every scored candidate, best first (the review list shows them) */
  candidates: MatchCandidate[];
  reason: string;
}

// ---------------------------------------------------------------- references

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function templateRegex(template: string): RegExp {
  let source = '';
  let last = 0;
  for (const m of template.matchAll(placeholder)) {
    source += escapeRegex(template.slice(last, m.index)) + `(?<${m[1]}>[A-Za-z0-9]+)`;
    last = m.index + m[0].length;
  }
  source += escapeRegex(template.slice(last));
  return new RegExp(`^${source}$`, 'i');
}

export interface ParsedReference {
  kind: 'invoice' | 'order';
  invoice?: string;
  order?: string;
  year?: string;
  division?: string;
  customer?: string;
}

/** Our reference for a document, to write into PayTrace's invoice_id (≤ 50 characters). */
export function formatReference(rules: MatchingRules, kind: 'invoice' | 'order', values: Partial<Record<'division' | 'year' | 'invoice' | 'order' | 'customer', string>>): string {
  const text = rules.reference.templates[kind].replace(placeholder, (_all, name: string) => {
    const value = values[name as keyof typeof values];
    if (!value || !/^[A-Za-z0-9]+$/.test(value)) {
      throw new AppError(`Reference field ${name} is missing or not alphanumeric`, { code: 'REFERENCE_FIELD_INVALID', errorClass: 'business', details: { field: name } });
    }
    return value;
  });
  if (text.length > 50) throw new AppError(`Reference "${text}" is longer than PayTrace's 50-character invoice_id`, { code: 'REFERENCE_TOO_LONG', errorClass: 'configuration', details: { length: text.length } });
  return text;
}

export function parseReference(rules: MatchingRules, text: string | undefined): ParsedReference | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  for (const kind of ['invoice', 'order'] as const) {
    const m = templateRegex(rules.reference.templates[kind]).exec(trimmed);
    if (m?.groups) return { kind, ...Object.fromEntries(Object.entries(m.groups).filter(([, v]) => v !== undefined)) };
  }
  return undefined;
}

// ---------------------------------------------------------------- normalization

/** "Inv. No 000123 " → "123": NFKC, upper case, configured prefixes, punctuation, spaces, leading zeros. */
export function normalizeReference(rules: MatchingRules, text: string): string {
  let s = text.normalize('NFKC').toUpperCase().trim();
  const prefixes = [...rules.normalize.stripPrefixes].map((p) => p.toUpperCase()).sort((a, b) => b.length - a.length);
  for (let changed = true; changed; ) {
    changed = false;
    for (const prefix of prefixes) {
      // a prefix is a word of its own: "NO 123" and "INV123" lose it, "NORTHWIND" keeps its "NO"
      if (s.startsWith(prefix) && s.length > prefix.length && !/\p{L}/u.test(s[prefix.length]!)) {
        s = s.slice(prefix.length).replace(/^[\s.:#\-_/]+/, '');
        changed = true;
      }
    }
  }
  s = s.replace(/[^\p{L}\p{N}]+/gu, '');
  if (rules.normalize.stripLeadingZeros) s = s.replace(/^0+(?=.)/, '');
  return s;
}

/** Candidate reference tokens in a free text: each word, and the whole text. */
function textTokens(rules: MatchingRules, text: string): string[] {
  const words = text.split(/[\s,;]+/).filter(Boolean);
  const out = new Set<string>([normalizeReference(rules, text)]);
  words.forEach((w, i) => {
    out.add(normalizeReference(rules, w));
    if (i + 1 < words.length) out.add(normalizeReference(rules, `${w} ${words[i + 1]}`));
  });
  out.delete('');
  return [...out];
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

function similarity(a: string, b: string): number {
  if (!a || !b) return 0;
  return 1 - levenshtein(a, b) / Math.max(a.length, b.length);
}

// ---------------------------------------------------------------- scoring

function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / 86_400_000);
}

// the absolute tolerance per rules object and currency scale: scoring runs it once per candidate
const absoluteTolerances = new WeakMap<MatchingRules, Map<string, bigint>>();

function toleranceMinor(rules: MatchingRules, amount: Money): bigint {
  let byCurrency = absoluteTolerances.get(rules);
  if (!byCurrency) absoluteTolerances.set(rules, (byCurrency = new Map()));
  const key = `${amount.currency}/${amount.decimals}`;
  let absolute = byCurrency.get(key);
  if (absolute === undefined) {
    absolute = Money.fromM3(rules.tolerant.amountTolerance.absolute, amount.currency, { decimals: amount.decimals }).minor;
    byCurrency.set(key, absolute);
  }
  if (/^0*(\.0*)?$/.test(rules.tolerant.amountTolerance.percent)) return absolute;
  const percent = amount.abs().multiply(rules.tolerant.amountTolerance.percent, 'down').minor / 100n;
  return absolute > percent ? absolute : percent;
}

interface PartScore {
  score: number;
  note: string;
}

function amountScore(rules: MatchingRules, paid: Money, open: Money): PartScore | undefined {
  if (paid.currency !== open.currency) return undefined;
  const diff = paid.minor > open.minor ? paid.minor - open.minor : open.minor - paid.minor;
  if (diff === 0n) return { score: 1, note: `amount ${paid.toString()} equals the open amount` };
  const tolerance = toleranceMinor(rules, open);
  if (diff > tolerance) return { score: 0, note: `amount ${paid.toString()} differs from the open ${open.toString()}` };
  // inside the window: 1 at equality down to 0.5 at the edge; ratio of small bigints is safe as a number
  return { score: 1 - 0.5 * (Number(diff) / Number(tolerance)), note: `amount ${paid.toString()} is within tolerance of ${open.toString()}` };
}

function dateScore(rules: MatchingRules, paymentDate: string, documentDate: string): PartScore | undefined {
  const days = daysBetween(documentDate, paymentDate);
  const { before, after } = rules.tolerant.dateWindowDays;
  if (days < -before || days > after) return undefined;
  const span = days < 0 ? before : after;
  const score = span === 0 ? 1 : 1 - 0.5 * (Math.abs(days) / span);
  return { score, note: days === 0 ? 'same day' : days > 0 ? `${days} day(s) after the document date` : `${-days} day(s) before the document date` };
}

function customerScore(payment: PaymentRecord, doc: M3Document): PartScore {
  if (!payment.customer) return { score: 0.5, note: 'customer unknown on the payment' };
  return payment.customer === doc.customer ? { score: 1, note: `customer ${doc.customer} matches` } : { score: 0, note: `customer ${payment.customer} ≠ ${doc.customer}` };
}

function textScore(rules: MatchingRules, payment: PaymentRecord, doc: M3Document): PartScore {
  const paymentText = [payment.invoiceId, payment.description].filter(Boolean).join(' ');
  if (!paymentText) return { score: 0, note: 'no text on the payment' };
  const tokens = textTokens(rules, paymentText).filter((t) => t.length >= rules.tolerant.minTextLength);
  const wanted = [doc.id, ...(doc.texts ?? [])].map((t) => normalizeReference(rules, t)).filter((t) => t.length >= rules.tolerant.minTextLength);
  let best = 0;
  let bestPair: [string, string] | undefined;
  for (const w of wanted)
    for (const t of tokens) {
      const s = similarity(w, t);
      if (s > best) {
        best = s;
        bestPair = [t, w];
      }
    }
  if (best === 1) return { score: 1, note: `text quotes ${doc.kind} ${doc.id}` };
  if (best >= 0.8 && bestPair) return { score: best, note: `text "${bestPair[0]}" resembles "${bestPair[1]}"` };
  return { score: 0, note: 'text does not quote the document' };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function scoreSingle(rules: MatchingRules, payment: PaymentRecord, doc: M3Document): MatchCandidate | undefined {
  const amount = amountScore(rules, payment.amount, doc.amount);
  if (!amount || (rules.tolerant.requireAmount && amount.score === 0)) return undefined;
  const date = dateScore(rules, payment.date, doc.date);
  if (!date) return undefined;
  const customer = customerScore(payment, doc);
  const text = textScore(rules, payment, doc);
  const w = rules.tolerant.weights;
  const confidence = (w.amount * amount.score + w.customer * customer.score + w.date * date.score + w.text * text.score) / (w.amount + w.customer + w.date + w.text);
  return { documents: [doc], payments: [payment], rule: 'tolerant', confidence: round3(confidence), reason: [amount.note, customer.note, date.note, text.note].join('; ') };
}

function referenceFits(rules: MatchingRules, ref: ParsedReference, doc: M3Document): boolean {
  if (ref.kind !== doc.kind) return false;
  const id = ref.kind === 'invoice' ? ref.invoice : ref.order;
  if (!id || normalizeReference(rules, id) !== normalizeReference(rules, doc.id)) return false;
  if (ref.year && doc.year && ref.year !== doc.year) return false;
  if (ref.division && doc.division && ref.division.toUpperCase() !== doc.division.toUpperCase()) return false;
  return true;
}

function paymentReference(rules: MatchingRules, payment: PaymentRecord): { ref: ParsedReference; field: string; text: string } | undefined {
  for (const field of rules.reference.fields) {
    const text = field === 'invoice_id' ? payment.invoiceId : payment.description;
    const ref = parseReference(rules, text);
    if (ref && text) return { ref, field, text };
  }
  return undefined;
}

function decide(rules: MatchingRules, candidates: MatchCandidate[], noneReason: string): MatchResult {
  const sorted = [...candidates].sort((a, b) => b.confidence - a.confidence);
  const [best, second] = sorted;
  const { autoApply, review, ambiguityMargin } = rules.thresholds;
  if (!best || best.confidence < review) {
    return { status: 'unmatched', autoApply: false, candidates: sorted, reason: best ? `best candidate scores ${best.confidence}, below the review threshold ${review}` : noneReason };
  }
  if (second && second.confidence >= review && best.confidence - second.confidence < ambiguityMargin) {
    const close = sorted.filter((c) => best.confidence - c.confidence < ambiguityMargin).length;
    return { status: 'ambiguous', autoApply: false, best, candidates: sorted, reason: `${close} candidates score within ${ambiguityMargin} of ${best.confidence}: a person decides` };
  }
  if (best.confidence >= autoApply) return { status: 'matched', autoApply: true, best, candidates: sorted, reason: `${best.rule}: ${best.reason}` };
  return { status: 'review', autoApply: false, best, candidates: sorted, reason: `confidence ${best.confidence} is below ${autoApply}: ${best.reason}` };
}

// ---------------------------------------------------------------- subset sums (1:N and N:1)

/** Upper bound on search steps: the subset search is exponential, so it stops and says so. */
export const SUBSET_SEARCH_BUDGET = 200_000;

interface SubsetSearch<T> {
  groups: T[][];
  /** the budget ran out before the search finished: absence of a group proves nothing */
  exhausted: boolean;
}

function exactSubsets<T>(items: readonly T[], amountOf: (t: T) => bigint, target: bigint, tolerance: bigint, maxSize: number, limit = 10): SubsetSearch<T> {
  const groups: T[][] = [];
  const pick: T[] = [];
  let steps = 0;
  let exhausted = false;
  const walk = (start: number, sum: bigint) => {
    if (groups.length >= limit || exhausted) return;
    if (pick.length >= 2) {
      const diff = sum > target ? sum - target : target - sum;
      if (diff <= tolerance) groups.push([...pick]);
    }
    if (pick.length === maxSize) return;
    for (let i = start; i < items.length; i++) {
      if (++steps > SUBSET_SEARCH_BUDGET) {
        exhausted = true;
        return;
      }
      const amount = amountOf(items[i]!);
      // amounts are positive open amounts: a sum past the target cannot come back
      if (amount > 0n && sum + amount - target > tolerance) continue;
      pick.push(items[i]!);
      walk(i + 1, sum + amount);
      pick.pop();
    }
  };
  walk(0, 0n);
  return { groups, exhausted };
}

/**
 * One payment against the open documents: our reference first (confidence 1), then every document
 * scored, then (when nothing single is good enough) combinations of one customer's documents whose
 * open amounts add up to the payment (1:N, e.g. one card payment for three invoices).
 */
export function matchPayment(rules: MatchingRules, payment: PaymentRecord, documents: readonly M3Document[]): MatchResult {
  const tagged = paymentReference(rules, payment);
  if (tagged) {
    const hits = documents.filter((d) => referenceFits(rules, tagged.ref, d));
    if (hits.length === 1) {
      const doc = hits[0]!;
      const amount = amountScore(rules, payment.amount, doc.amount);
      const candidate: MatchCandidate = {
        documents: [doc],
        payments: [payment],
        rule: 'reference',
        confidence: 1,
        reason: `${tagged.field} "${tagged.text}" is our reference for ${doc.kind} ${doc.id}${amount && amount.score < 1 ? `; note: ${amount.note}` : ''}`,
      };
      return { status: 'matched', autoApply: true, best: candidate, candidates: [candidate], reason: `reference: ${candidate.reason}` };
    }
    // a reference that names several documents or none falls through to tolerant rules, with a note
  }
  const singles = documents.flatMap((d) => scoreSingle(rules, payment, d) ?? []);
  const single = decide(rules, singles, 'no open document within the amount and date windows');
  if (single.status === 'matched' || single.status === 'ambiguous') return withReferenceNote(single, tagged);

  const pool = documents
    .filter((d) => d.amount.currency === payment.amount.currency && (payment.customer ? d.customer === payment.customer : true) && dateScore(rules, payment.date, d.date))
    .slice(0, rules.grouping.maxCandidates);
  const customers = new Set(pool.map((d) => d.customer));
  if (payment.customer || customers.size === 1) {
    const search = exactSubsets(pool, (d) => d.amount.minor, payment.amount.minor, toleranceMinor(rules, payment.amount), rules.grouping.maxGroupSize);
    const grouped = search.groups.map<MatchCandidate>((docs) => ({
      documents: docs,
      payments: [payment],
      rule: 'one-to-many',
      confidence: rules.grouping.confidence,
      reason: `${docs.length} open ${docs[0]!.kind}s of customer ${docs[0]!.customer} (${docs.map((d) => d.id).join(', ')}) add up to ${payment.amount.toString()}`,
    }));
    if (grouped.length) {
      const all = [...singles, ...grouped];
      if (grouped.length > 1 || search.exhausted) {
        return { status: 'ambiguous', autoApply: false, best: grouped[0], candidates: all.sort((a, b) => b.confidence - a.confidence), reason: `${grouped.length} combination(s) of documents add up to the payment${search.exhausted ? ' (search incomplete)' : ''}: a person decides` };
      }
      return withReferenceNote(decide(rules, all, ''), tagged);
    }
    if (search.exhausted && single.status === 'unmatched') {
      return withReferenceNote({ ...single, reason: `${single.reason}; the search for combinations stopped after ${SUBSET_SEARCH_BUDGET} steps: a person decides` }, tagged);
    }
  }
  return withReferenceNote(single, tagged);
}

function withReferenceNote(result: MatchResult, tagged: ReturnType<typeof paymentReference>): MatchResult {
  if (!tagged) return result;
  return { ...result, reason: `${tagged.field} "${tagged.text}" looks like our reference but names no single open document; ${result.reason}` };
}

/**
 * Several payments against one document (N:1, instalments or a split payment): payments tagged
 * with our reference for the document first; then any combination of the same customer's
 * payments in the date window whose amounts add up to the open amount.
 */
export function matchPaymentsToDocument(rules: MatchingRules, payments: readonly PaymentRecord[], doc: M3Document): MatchResult {
  const tolerance = toleranceMinor(rules, doc.amount);
  const tagged = payments.filter((p) => {
    const t = paymentReference(rules, p);
    return t !== undefined && referenceFits(rules, t.ref, doc);
  });
  if (tagged.length) {
    const sum = Money.sum(tagged.map((p) => p.amount), doc.amount.currency, { decimals: doc.amount.decimals });
    const diff = sum.minor > doc.amount.minor ? sum.minor - doc.amount.minor : doc.amount.minor - sum.minor;
    const candidate: MatchCandidate = {
      documents: [doc],
      payments: tagged,
      rule: 'reference',
      confidence: diff <= tolerance ? 1 : rules.thresholds.review,
      reason: `${tagged.length} payment(s) carry our reference for ${doc.kind} ${doc.id}, together ${sum.toString()} against ${doc.amount.toString()} open`,
    };
    if (diff <= tolerance) return { status: 'matched', autoApply: true, best: candidate, candidates: [candidate], reason: candidate.reason };
    return { status: 'review', autoApply: false, best: candidate, candidates: [candidate], reason: `${candidate.reason}: the sum differs` };
  }
  const pool = payments
    .filter((p) => p.amount.currency === doc.amount.currency && (p.customer === undefined || p.customer === doc.customer) && dateScore(rules, p.date, doc.date))
    .slice(0, rules.grouping.maxCandidates);
  const search = exactSubsets(pool, (p) => p.amount.minor, doc.amount.minor, tolerance, rules.grouping.maxGroupSize);
  const candidates = search.groups.map<MatchCandidate>((group) => ({
    documents: [doc],
    payments: group,
    rule: 'many-to-one',
    confidence: group.every((p) => p.customer === doc.customer) ? rules.grouping.confidence : round3(rules.grouping.confidence * 0.75),
    reason: `${group.length} payments (${group.map((p) => p.id).join(', ')}) add up to the open ${doc.amount.toString()} of ${doc.kind} ${doc.id}`,
  }));
  if (candidates.length > 1 || (candidates.length === 1 && search.exhausted)) {
    // an unfinished search cannot prove the one combination found is the only one
    return { status: 'ambiguous', autoApply: false, best: candidates[0], candidates, reason: `${candidates.length} combination(s) of payments add up to ${doc.kind} ${doc.id}${search.exhausted ? ' (search incomplete)' : ''}: a person decides` };
  }
  const none = search.exhausted
    ? `the search for combinations stopped after ${SUBSET_SEARCH_BUDGET} steps without one adding up to ${doc.amount.toString()}: a person decides`
    : `no combination of payments adds up to ${doc.amount.toString()}`;
  return decide(rules, candidates, none);
}
