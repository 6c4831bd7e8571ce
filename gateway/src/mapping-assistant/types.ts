/**
 * The mapping assistant's vocabulary, shared by the matcher, the admin API, the CLI and (later)
 * the flow builder's mapping panel: what a target looks like, and what a suggestion says.
 */

/** `m3:OIS100MI/AddBatchHead`, `paytrace:sale/by_customer`, `bod:CustomerPartyMaster` */
export type TargetKind = 'm3' | 'paytrace' | 'bod';

/** What a target field holds, from its metadata (M3 TYPE A/N + description, PayTrace schema, XSD type). */
export type FieldType = 'alpha' | 'numeric' | 'date' | 'boolean';

export interface TargetField {
  /** CUNO; billing_address.city; CustomerParty/PartyIDs/ID */
  name: string;
  /** M3 FLDS, the schema's description, or words from the element name */
  description: string;
  type: FieldType;
  /** longest value the target takes (M3 LENG, PayTrace limit); absent when unbounded */
  length?: number;
  mandatory: boolean;
}

export interface TargetSchema {
  /** the target as written on the command line and in the API */
  target: string;
  kind: TargetKind;
  /** M3 transaction description, PayTrace endpoint, BOD noun */
  title: string;
  fields: TargetField[];
}

/** Why a suggestion may never be applied without a person: money moves, card or account data. */
export type SensitiveCategory = 'money' | 'currency' | 'card' | 'account';

export interface Candidate {
  /** a JSONata expression over the sample (the same expression the flow will run) */
  source: string;
  /** 0–1: the learned model's probability that this is the right source */
  confidence: number;
  /** what a person can check: which words matched, type, length, pattern, transform, history */
  reason: string;
}

/** A candidate with everything the operator app shows beside it. */
export interface DetailedCandidate extends Candidate {
  /** the sample field the expression reads first (its JSONata path) */
  path: string;
  /** transformation inside the expression: none, date, amount, street, country, … */
  transform: string;
  /** the expression's result on the sample (card-like values masked), or its evaluation error */
  preview?: unknown;
  previewError?: string;
  /** confidence ≥ the auto-suggest threshold and the field is not sensitive */
  autoApply: boolean;
}

export interface FieldSuggestion {
  field: string;
  candidates: Candidate[];
}

export interface DetailedFieldSuggestion {
  field: string;
  description: string;
  mandatory: boolean;
  /** set for money, currency, card and account fields: suggested, never applied without a person */
  confirmRequired?: SensitiveCategory;
  /** true when no candidate reaches the threshold (candidates is then empty) */
  abstained: boolean;
  candidates: DetailedCandidate[];
}

/** The CLI's output: exactly this shape (issue 14). */
export interface SuggestionResult {
  target: string;
  fields: FieldSuggestion[];
}

export interface DetailedSuggestionResult {
  target: string;
  title: string;
  /** the auto-suggest threshold the confidences are compared with */
  threshold: number;
  /** tenant whose accepted/rejected suggestions shaped the ranking */
  tenant?: string;
  fields: DetailedFieldSuggestion[];
}

/** The narrow form printed by the CLI and accepted by tools: detail fields dropped. */
export function narrow(result: DetailedSuggestionResult): SuggestionResult {
  return {
    target: result.target,
    fields: result.fields.map((f) => ({ field: f.field, candidates: f.candidates.map((c) => ({ source: c.source, confidence: c.confidence, reason: c.reason })) })),
  };
}
