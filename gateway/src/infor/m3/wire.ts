/**
 * M3 MI REST response shapes (reference §2.2–2.3) and their parsing into one result form:
 * trimmed string values, and NOK answers as M3BusinessError.
 */
import { M3BusinessError } from './errors';

export type M3Record = Record<string, string>;

export interface M3Result {
  program: string;
  transaction: string;
  records: M3Record[];
  /** a list that failed after some records (v1 nested ErrorMessage): the records up to it are kept */
  partialError?: M3BusinessError;
}

interface V1NameValue {
  Name: string;
  Value: string;
}
interface V1Body {
  Program?: string;
  Transaction?: string;
  MIRecord?: Array<{ RowIndex?: number; NameValue?: V1NameValue[] }>;
  ErrorMessage?: V1Error;
  '@type'?: string;
  '@code'?: string;
  '@field'?: string | null;
  Message?: string;
}
interface V1Error {
  '@type'?: string;
  '@code'?: string;
  '@field'?: string | null;
  Message?: string;
}

export interface V2Result {
  transaction?: string;
  records?: Array<Record<string, unknown>>;
  errorMessage?: string;
  errorCode?: string;
  errorField?: string;
  errorType?: string;
  errorCfg?: string;
  notProcessed?: boolean;
}
export interface V2Body extends V2Result {
  results?: V2Result[];
  wasTerminated?: boolean | string;
  terminationReason?: string;
  nrOfSuccessfullTransactions?: number;
  nrOfFailedTransactions?: number;
  nrOfNotProcessedTransactions?: number;
}

const trimEnd = (value: unknown): string => (value === null || value === undefined ? '' : String(value)).replace(/\s+$/, '');

function cleanRecord(record: Record<string, unknown>): M3Record {
  const out: M3Record = {};
  for (const [key, value] of Object.entries(record)) out[key.trim()] = trimEnd(value);
  return out;
}

function nok(program: string, transaction: string, e: { message?: string; code?: string | null; field?: string | null; type?: string | null }): M3BusinessError {
  const message = trimEnd(e.message).replace(/\s{2,}/g, ' ') || 'M3 returned NOK';
  return new M3BusinessError(`${program}/${transaction}: ${message}`, {
    program,
    transaction,
    m3Code: trimEnd(e.code) || undefined,
    field: trimEnd(e.field) || undefined,
    type: trimEnd(e.type) || 'ServerReturnedNOK',
  });
}

/** A v1 body: MIRecord/NameValue, or a top-level NOK object (HTTP 200). */
export function parseV1(program: string, transaction: string, body: V1Body): M3Result {
  if (body['@type'] && !body.MIRecord) {
    throw nok(program, transaction, { message: body.Message, code: body['@code'], field: body['@field'], type: body['@type'] });
  }
  const records = (body.MIRecord ?? []).map((row) => {
    const out: M3Record = {};
    for (const nv of row.NameValue ?? []) out[nv.Name.trim()] = trimEnd(nv.Value);
    return out;
  });
  const partial = body.ErrorMessage;
  return {
    program,
    transaction,
    records,
    partialError: partial ? nok(program, transaction, { message: partial.Message, code: partial['@code'], field: partial['@field'], type: partial['@type'] }) : undefined,
  };
}

function v2Error(result: V2Result | undefined): boolean {
  return !!result && (!!result.errorMessage || !!result.errorCode || !!result.errorType);
}

/** A v2 single-transaction body (HTTP 200 or 400): records, or the error at top level or in results[0]. */
export function parseV2Single(program: string, transaction: string, body: V2Body): M3Result {
  const first = body.results?.[0];
  const failed = v2Error(body) ? body : v2Error(first) ? first : undefined;
  const terminated = body.wasTerminated === true || body.wasTerminated === 'true';
  if (failed || terminated || (body.nrOfFailedTransactions ?? 0) > 0) {
    const e = failed ?? { errorMessage: body.terminationReason };
    throw nok(program, transaction, { message: e.errorMessage, code: e.errorCode, field: e.errorField, type: e.errorType });
  }
  return { program, transaction, records: (first?.records ?? []).map(cleanRecord) };
}

export interface M3BulkItem {
  transaction: string;
  records: M3Record[];
  /** this transaction failed (NOK) */
  error?: M3BusinessError;
  /** not run because an earlier one terminated the job */
  notProcessed: boolean;
}

export interface M3BulkResult {
  program: string;
  results: M3BulkItem[];
  successCount: number;
  failedCount: number;
  notProcessedCount: number;
  terminated: boolean;
  terminationReason?: string;
}

export function parseV2Bulk(program: string, body: V2Body): M3BulkResult {
  const results = (body.results ?? []).map((r): M3BulkItem => ({
    transaction: r.transaction ?? '',
    records: (r.records ?? []).map(cleanRecord),
    error: v2Error(r) ? nok(program, r.transaction ?? '', { message: r.errorMessage, code: r.errorCode, field: r.errorField, type: r.errorType }) : undefined,
    notProcessed: r.notProcessed === true,
  }));
  return {
    program,
    results,
    // "Successfull" (double l) is how M3 spells it
    successCount: body.nrOfSuccessfullTransactions ?? results.filter((r) => !r.error && !r.notProcessed).length,
    failedCount: body.nrOfFailedTransactions ?? results.filter((r) => r.error).length,
    notProcessedCount: body.nrOfNotProcessedTransactions ?? results.filter((r) => r.notProcessed).length,
    terminated: body.wasTerminated === true || body.wasTerminated === 'true',
    terminationReason: body.terminationReason,
  };
}
