import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { statusMapSchema, type StatusMap } from '../domain/status-map';

/**
 * PayTrace v1 `response_code` and `errors` keys, with what each means for us — read from the
 * status map (see below). Codes marked inferred in the reference never decide that money moved on
 * their own: that needs `success: true` too.
 */

/** What a PayTrace answer means, independent of the operation that got it. */
export type OutcomeClass =
  | 'approved' //          the operation did what was asked (sale approved, refund done, profile created, …)
  | 'declined' //          a business "no" from the processor or PayTrace (102, 107, 110, 113, 125)
  | 'auto_voided' //       103: approved then voided by fraud settings (AVS/CSC): NOT paid
  | 'validation_error' //  response_code 1 with an `errors` map of field problems
  | 'not_found' //         1 + error 30 / 58 / 80: the customer or transaction does not exist
  | 'duplicate' //         1 + error 171: that customer id is taken
  | 'state_error' //       1 + error 817: the transaction is in the wrong state (refund before settlement)
  | 'permission_error' //  1 + error 981: the API user lacks the permission (configuration)
  | 'unrecognized'; //     a code we do not know: never treated as paid

export interface ResponseCodeInfo {
  code: number;
  outcome: OutcomeClass;
  meaning: string;
  /** legacy "TEST" codes: approved, but no money moves */
  testMode?: boolean;
}

/** Keys of the `errors` map (response_code 1): the field each one is about, and its class. */
export interface ErrorCodeInfo {
  code: string;
  /** the request field the message is about (dotted wire name) */
  field: string;
  outcome: Exclude<OutcomeClass, 'approved' | 'declined' | 'auto_voided' | 'unrecognized'>;
  meaning: string;
}

/**
 * What each response code and error key means is data: mappings/status-map.yaml (the same table
 * that decides ledger states and M3 actions), so the connector and the flows never disagree. The
 * shipped file is read on first use; the gateway's rules module hands over every published version
 * (`useStatusMap`), so an edit of the status map changes how answers are read too.
 */
let tables: { responseCodes: Map<number, ResponseCodeInfo>; errorKeys: Map<string, ErrorCodeInfo> } | undefined;

function outcomeOf(entry: StatusMap['responseCodes'][string]): OutcomeClass {
  switch (entry.outcome) {
    case 'approved':
    case 'info':
      return 'approved';
    case 'declined':
      return 'declined';
    case 'auto_voided':
      return 'auto_voided';
    case 'error':
      return 'validation_error';
    case 'unknown':
      return 'unrecognized';
  }
}

export function useStatusMap(map: StatusMap): void {
  tables = {
    responseCodes: new Map(Object.entries(map.responseCodes).map(([code, e]) => [Number(code), { code: Number(code), outcome: outcomeOf(e), meaning: e.meaning, testMode: e.test === true }])),
    errorKeys: new Map(Object.entries(map.errorKeys).map(([code, e]) => [code, { code, field: e.field, outcome: e.outcome, meaning: e.meaning }])),
  };
}

function current(): NonNullable<typeof tables> {
  if (!tables) {
    const file = path.join(__dirname, '..', '..', '..', 'mappings', 'status-map.yaml');
    useStatusMap(statusMapSchema.parse(parseYaml(readFileSync(file, 'utf8'))));
  }
  return tables!;
}

/** The response codes as the status map describes them. */
export function responseCodes(): ReadonlyMap<number, ResponseCodeInfo> {
  return current().responseCodes;
}

/** The error keys as the status map describes them. */
export function errorKeys(): ReadonlyMap<string, ErrorCodeInfo> {
  return current().errorKeys;
}

/** When several errors come back at once, the most decisive class wins. */
const PRECEDENCE: OutcomeClass[] = ['permission_error', 'not_found', 'state_error', 'duplicate', 'validation_error'];

export interface FieldError {
  /** PayTrace's error key, e.g. "35" */
  code: string;
  /** the request field it is about, e.g. "credit_card.number"; "request" when the code is unknown */
  field: string;
  /** PayTrace's own message */
  message: string;
}

/** Flatten an `errors` map ({"35":["…"],"43":["…"]}) into one entry per message. */
export function fieldErrorsOf(errors: unknown): FieldError[] {
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) return [];
  const out: FieldError[] = [];
  for (const [code, messages] of Object.entries(errors as Record<string, unknown>)) {
    const field = errorKeys().get(code)?.field ?? 'request';
    const list = Array.isArray(messages) ? messages : [messages];
    for (const message of list) out.push({ code, field, message: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  return out;
}

/**
 * The outcome of one PayTrace envelope. The rule (reference §3.4, §5): decide by `success`
 * and `response_code`, never by the HTTP status. An approval needs both `success: true`
 * and an approving code; 103 is "not paid" whatever `success` says; an unknown code is
 * never an approval.
 */
export function classify(envelope: { success?: unknown; response_code?: unknown; errors?: unknown }): { outcome: OutcomeClass; testMode: boolean } {
  const code = typeof envelope.response_code === 'number' ? envelope.response_code : Number(envelope.response_code);
  const info = responseCodes().get(code);
  if (code === 1 || (!info && envelope.errors !== undefined)) {
    const classes: OutcomeClass[] = fieldErrorsOf(envelope.errors).map((e) => errorKeys().get(e.code)?.outcome ?? 'validation_error');
    const outcome = PRECEDENCE.find((c) => classes.includes(c)) ?? 'validation_error';
    return { outcome, testMode: false };
  }
  if (!info) return { outcome: 'unrecognized', testMode: false };
  if (info.outcome === 'approved' && envelope.success !== true) {
    // an approving code without success:true is contradictory: never count it as done
    return { outcome: 'unrecognized', testMode: Boolean(info.testMode) };
  }
  return { outcome: info.outcome, testMode: Boolean(info.testMode) };
}
