import { z } from 'zod';
import { AppError } from '../errors';
import type { Money } from './money';

/**
 * What a PayTrace answer means for our ledger and for M3: response codes of the transaction
 * endpoints, error keys inside `errors`, and the status text of export records, each mapped by
 * the data in mappings/status-map.yaml.
 */

export const LEDGER_STATES = ['authorized', 'captured', 'settled', 'declined', 'voided', 'refunded', 'partially_refunded', 'charged_back', 'chargeback_won', 'rejected', 'unknown'] as const;
export type LedgerState = (typeof LEDGER_STATES)[number];
const ledgerState = z.enum(LEDGER_STATES);

export const PAYTRACE_OPERATIONS = ['sale', 'authorization', 'capture', 'void', 'refund', 'check', 'customer', 'receipt', 'level3'] as const;
export type PayTraceOperation = (typeof PAYTRACE_OPERATIONS)[number];
const operation = z.enum(PAYTRACE_OPERATIONS);

const outcome = z.enum(['approved', 'declined', 'auto_voided', 'error', 'info', 'unknown']);
export type PayTraceOutcome = z.infer<typeof outcome>;

/** The fields of the pay page a payer message can point at (the card is PayTrace's iframe). */
export const PAYER_FIELDS = ['card', 'name', 'street', 'city', 'state', 'zip', 'country'] as const;
export type PayerField = (typeof PAYER_FIELDS)[number];
const payerField = z.enum(PAYER_FIELDS);
/** words a payer reads on the pay page: what happened and what they can do about it */
const payerMessage = z.string().trim().min(10).max(400);

const responseCodeSchema = z
  .object({
    meaning: z.string().min(1),
    /** the `success` PayTrace sends with it; null when not confirmed */
    success: z.boolean().nullable(),
    outcome,
    /** the operations this code answers */
    operations: z.array(operation).min(1),
    /** ledger state after this answer; null = no payment state change (customer, receipt, level 3) */
    ledger: ledgerState.nullable(),
    /** a different state for some operations (101 is `captured` for a sale but `authorized` for an authorization) */
    ledgerByOperation: z.partialRecord(operation, ledgerState).optional(),
    /** did money move to the merchant (or back)? 103 is approved-then-voided: not paid */
    moneyMoved: z.boolean(),
    /** a legacy TEST code: no money moves whatever the outcome says */
    test: z.boolean().optional(),
    /** what the payer is told when their payment ends with this code (pay page) */
    payerMessage: payerMessage.optional(),
  })
  .strict();

export const ERROR_KEY_OUTCOMES = ['validation_error', 'not_found', 'duplicate', 'state_error', 'permission_error'] as const;

const errorKeySchema = z
  .object({
    meaning: z.string().min(1),
    /** the request field the key is about (dotted wire name) */
    field: z.string().min(1),
    /** what kind of "no" it is */
    outcome: z.enum(ERROR_KEY_OUTCOMES),
    errorClass: z.enum(['transient', 'business', 'configuration', 'bug']),
    /** what the flow should do next */
    action: z.enum(['void_instead', 'refund_instead', 'fail', 'park', 'create_customer', 'lookup']),
    /** what the payer is told when a pay-page charge comes back with this key, and the fields it is about */
    payerMessage: payerMessage.optional(),
    payerFields: z.array(payerField).optional(),
  })
  .strict();

/**
 * A decline as the payer reads it: the first rule whose conditions all hold wins; a rule names
 * what it matches in the processor's text (approval_message) and the AVS / CSC results.
 */
const payerDeclineRuleSchema = z
  .object({
    name: z.string().min(1),
    /** only for these response codes (any when absent) */
    responseCodes: z.array(z.number().int()).min(1).optional(),
    /** regex on approval_message, case-insensitive */
    approvalMessage: z.string().optional(),
    /** regex on avs_response / csc_response, case-insensitive */
    avs: z.string().optional(),
    csc: z.string().optional(),
    message: payerMessage,
    /** the pay-page fields the payer should look at again */
    fields: z.array(payerField).default([]),
  })
  .strict();

const exportRuleSchema = z
  .object({
    name: z.string().min(1),
    /** regex on the record's status_code, case-insensitive */
    statusCode: z.string().optional(),
    /** regex on the record's status_message, case-insensitive */
    statusMessage: z.string().optional(),
    /** true: only when the record carries a settled date */
    settled: z.boolean().optional(),
    /** export transaction_type (SALE, REFUND, …), case-insensitive exact */
    transactionType: z.string().optional(),
    ledger: ledgerState,
  })
  .strict();

const m3StatusSchema = z
  .object({
    /** the Status/Code of our Sync.MyPTPayment BOD (null: no BOD for this state) */
    paymentStatus: z.string().min(1).max(20).nullable(),
    /** what happens to the M3 order */
    order: z.enum(['none', 'confirm', 'stop', 'release_stop']),
    /** what happens on the M3 invoice (AR) */
    invoice: z.enum(['none', 'apply_receipt', 'reverse_receipt', 'partial_reverse_receipt']),
    /** no further change is expected */
    final: z.boolean(),
  })
  .strict();

function isRegex(text: string): boolean {
  try {
    new RegExp(text, 'i');
    return true;
  } catch {
    return false;
  }
}

export const statusMapSchema = z
  .object({
    version: z.number().int().positive(),
    responseCodes: z.record(z.string().regex(/^\d{1,4}$/, 'response codes are numbers'), responseCodeSchema),
    errorKeys: z.record(z.string().regex(/^\d{1,4}$/, 'error keys are numbers'), errorKeySchema),
    /** evaluated in order; the first rule that fits wins; the last rule should catch everything */
    exportStatus: z.array(exportRuleSchema).min(1),
    ledgerStates: z.record(ledgerState, m3StatusSchema),
    /** allowed moves between ledger states (out-of-order events must not move a payment backwards) */
    transitions: z.record(ledgerState, z.array(ledgerState)),
    /** payer words for declines, tried in order before the response code's payerMessage */
    payerDeclineReasons: z.array(payerDeclineRuleSchema).default([]),
  })
  .strict()
  .superRefine((map, ctx) => {
    // every ledger state has an M3 mapping and a transitions entry: zod's record over the state enum wants each key
    map.exportStatus.forEach((rule, i) => {
      for (const key of ['statusCode', 'statusMessage'] as const) {
        const value = rule[key];
        if (value !== undefined && !isRegex(value)) ctx.addIssue({ code: 'custom', path: ['exportStatus', i, key], message: `not a valid regular expression: ${value}` });
      }
    });
    map.payerDeclineReasons.forEach((rule, i) => {
      for (const key of ['approvalMessage', 'avs', 'csc'] as const) {
        const value = rule[key];
        if (value !== undefined && !isRegex(value)) ctx.addIssue({ code: 'custom', path: ['payerDeclineReasons', i, key], message: `not a valid regular expression: ${value}` });
      }
    });
    for (const [code, entry] of Object.entries(map.responseCodes)) {
      if (entry.outcome === 'declined' && entry.operations.some((o) => o === 'sale' || o === 'authorization') && !entry.payerMessage) {
        ctx.addIssue({ code: 'custom', path: ['responseCodes', code, 'payerMessage'], message: 'a decline of a sale needs a payerMessage (what the payer reads on the pay page)' });
      }
    }
    const last = map.exportStatus[map.exportStatus.length - 1];
    if (last && (last.statusCode || last.statusMessage || last.settled !== undefined || last.transactionType)) {
      ctx.addIssue({ code: 'custom', path: ['exportStatus', map.exportStatus.length - 1], message: 'the last export rule must have no conditions (it catches every other record)' });
    }
  });

export type StatusMap = z.output<typeof statusMapSchema>;
export type M3Status = z.output<typeof m3StatusSchema>;

export interface PayTraceAnswer {
  operation: PayTraceOperation;
  responseCode: number;
  /** keys of PayTrace's `errors` object when response_code is 1 */
  errorKeys?: readonly string[];
}

export interface MappedAnswer {
  responseCode: number;
  meaning: string;
  outcome: PayTraceOutcome;
  /** null: the answer does not change a payment */
  ledger: LedgerState | null;
  moneyMoved: boolean;
  m3: M3Status | null;
  /** mapped error keys (response code 1), in the order PayTrace gave them */
  errors: Array<{ key: string; meaning: string; errorClass: string; action: string }>;
  /** the first error key that tells the flow what to do instead (e.g. 817 → void_instead) */
  action?: string;
  /** false when the code is known but not an answer to this operation (106 to a sale): alert, look up */
  expectedForOperation: boolean;
}

/**
 * Map a transaction answer. An unknown response code is not guessed at: it maps to `unknown`
 * (the flow looks the transaction up) and `known: false` lets it raise an alert.
 */
export function mapPayTraceAnswer(map: StatusMap, answer: PayTraceAnswer): MappedAnswer & { known: boolean } {
  const entry = map.responseCodes[String(answer.responseCode)];
  const errors = (answer.errorKeys ?? []).map((key) => {
    const known = map.errorKeys[key];
    return known ? { key, ...known } : { key, meaning: 'error key not in the status map', errorClass: 'business', action: 'fail' };
  });
  const action = errors.find((e) => e.action !== 'fail')?.action;
  if (!entry) {
    return { responseCode: answer.responseCode, meaning: 'response code not in the status map', outcome: 'unknown', ledger: 'unknown', moneyMoved: false, m3: map.ledgerStates.unknown ?? null, errors, action, known: false, expectedForOperation: false };
  }
  const ledger = entry.ledgerByOperation?.[answer.operation] ?? entry.ledger;
  return {
    responseCode: answer.responseCode,
    meaning: entry.meaning,
    outcome: entry.outcome,
    ledger,
    moneyMoved: entry.moneyMoved,
    m3: ledger ? (map.ledgerStates[ledger] ?? null) : null,
    errors,
    action,
    known: true,
    expectedForOperation: entry.operations.includes(answer.operation),
  };
}

/** The fields of a PayTrace export record that decide its state. */
export interface ExportRecordStatus {
  status_code?: string;
  status_message?: string;
  /** settled date text; empty or absent when not settled */
  settled?: string | null;
  transaction_type?: string;
}

export function mapExportStatus(map: StatusMap, record: ExportRecordStatus): { ledger: LedgerState; rule: string; m3: M3Status | null } {
  const isSettled = typeof record.settled === 'string' && record.settled.trim() !== '';
  for (const rule of map.exportStatus) {
    if (rule.settled !== undefined && rule.settled !== isSettled) continue;
    if (rule.statusCode !== undefined && !new RegExp(rule.statusCode, 'i').test(record.status_code ?? '')) continue;
    if (rule.statusMessage !== undefined && !new RegExp(rule.statusMessage, 'i').test(record.status_message ?? '')) continue;
    if (rule.transactionType !== undefined && rule.transactionType.toUpperCase() !== (record.transaction_type ?? '').toUpperCase()) continue;
    return { ledger: rule.ledger, rule: rule.name, m3: map.ledgerStates[rule.ledger] ?? null };
  }
  // unreachable with a validated map (the last rule has no conditions)
  return { ledger: 'unknown', rule: '(none)', m3: map.ledgerStates.unknown ?? null };
}

/** What a declined charge looked like: the code and the processor's own words. */
export interface DeclineFacts {
  responseCode?: number;
  approvalMessage?: string;
  avsResponse?: string;
  cscResponse?: string;
  /** keys of PayTrace's `errors` object (response code 1) */
  errorKeys?: readonly string[];
}

export interface PayerDecline {
  /** the rule or code that gave the words (for logs and tests) */
  reason: string;
  message: string;
  fields: PayerField[];
}

/** Said when nothing in the status map fits: nothing was taken, and what to try. */
export const GENERIC_PAYER_DECLINE = 'The payment did not go through and no money was taken. Check the card details and billing address, or use another card.';

/**
 * The words a payer reads for a declined charge, from the status map: the first payer decline
 * rule that fits, else the payer message of an error key, else of the response code, else a
 * generic sentence. Never the processor's raw text (it reads "Approved and completed" on a 103).
 */
export function payerDecline(map: StatusMap, facts: DeclineFacts): PayerDecline {
  const test = (pattern: string | undefined, value: string | undefined) => pattern === undefined || new RegExp(pattern, 'i').test((value ?? '').trim());
  for (const rule of map.payerDeclineReasons) {
    if (rule.responseCodes && (facts.responseCode === undefined || !rule.responseCodes.includes(facts.responseCode))) continue;
    if (!test(rule.approvalMessage, facts.approvalMessage) || !test(rule.avs, facts.avsResponse) || !test(rule.csc, facts.cscResponse)) continue;
    return { reason: rule.name, message: rule.message, fields: [...rule.fields] };
  }
  for (const key of facts.errorKeys ?? []) {
    const entry = map.errorKeys[key];
    if (entry?.payerMessage) return { reason: `error ${key}`, message: entry.payerMessage, fields: [...(entry.payerFields ?? [])] };
  }
  const code = facts.responseCode === undefined ? undefined : map.responseCodes[String(facts.responseCode)];
  if (code?.payerMessage) return { reason: `response ${facts.responseCode}`, message: code.payerMessage, fields: [] };
  return { reason: 'generic', message: GENERIC_PAYER_DECLINE, fields: [] };
}

export function canTransition(map: StatusMap, from: LedgerState, to: LedgerState): boolean {
  return from === to || (map.transitions[from] ?? []).includes(to);
}

/** Refuse a move the map does not allow (a stale or out-of-order event). */
export function assertTransition(map: StatusMap, from: LedgerState, to: LedgerState): void {
  if (!canTransition(map, from, to)) {
    throw new AppError(`A payment in state ${from} cannot move to ${to}`, { code: 'LEDGER_TRANSITION_REFUSED', errorClass: 'business', details: { from, to } });
  }
}

/** After a refund: fully or partially refunded, from exact amounts; refuses refunding more than was paid. */
export function refundState(captured: Money, refundedSoFar: Money): 'refunded' | 'partially_refunded' {
  if (refundedSoFar.compare(captured) > 0) {
    throw new AppError(`Refunds of ${refundedSoFar.toString()} exceed the captured ${captured.toString()}`, { code: 'REFUND_EXCEEDS_CAPTURED', errorClass: 'business', details: { captured: captured.toJSON(), refunded: refundedSoFar.toJSON() } });
  }
  return refundedSoFar.equals(captured) ? 'refunded' : 'partially_refunded';
}

/** What is left to refund; a request above it is refused before any PayTrace call. */
export function refundableRemainder(captured: Money, refundedSoFar: Money, requested: Money): Money {
  const remaining = captured.subtract(refundedSoFar);
  if (!requested.isPositive()) throw new AppError('A refund amount must be positive', { code: 'REFUND_AMOUNT_INVALID', errorClass: 'business', details: { requested: requested.toJSON() } });
  if (requested.compare(remaining) > 0) {
    throw new AppError(`Refund of ${requested.toString()} exceeds the remaining ${remaining.toString()}`, { code: 'REFUND_EXCEEDS_REMAINING', errorClass: 'business', details: { requested: requested.toJSON(), remaining: remaining.toJSON() } });
  }
  return remaining.subtract(requested);
}

