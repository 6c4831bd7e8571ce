import type { Customer, Invoice, M3Fields, M3State } from '../state';
import { findTransaction, inputLength, type OutputFieldSpec, type TransactionSpec } from './catalog';
import { MiError, NOK } from './mi-error';

/** what a transaction may tell the rest of the simulator (ION publishes BODs for these) */
export interface M3Events {
  customerChanged(customer: Customer, created: boolean): void;
  invoiceCreated(invoice: Invoice): void;
}

/** one MI call as a program handler sees it: validated input, the user context, the state */
export interface MiCall {
  program: string;
  transaction: string;
  /** supplied input fields, trailing blanks removed; absent or blank fields are left out */
  input: Record<string, string>;
  cono: number;
  divi: string;
  m3: M3State;
  events: M3Events;
}

export type MiHandler = (call: MiCall) => M3Fields[] | M3Fields | void;
export type ProgramHandlers = Record<string, MiHandler>;

export interface MiResult {
  spec: TransactionSpec;
  records: M3Fields[];
}

/** the user context of the service account plus per-call overrides from matrix/query parameters */
export interface CallContext {
  cono?: string;
  divi?: string;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function validDate(text: string): boolean {
  if (!/^\d{8}$/.test(text)) return false;
  const d = new Date(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10).replaceAll('-', '') === text;
}

/**
 * Validate the input as M3 does (mandatory fields, lengths, numeric and date fields, company
 * and division), then run the program's handler. Throws MiError for every refusal.
 */
export function executeTransaction(
  programs: Record<string, ProgramHandlers>,
  m3: M3State,
  events: M3Events,
  program: string,
  transaction: string,
  rawInput: Record<string, string>,
  context: CallContext,
): MiResult {
  if (!Object.hasOwn(programs, program)) throw NOK.programNotFound(program);
  const spec = findTransaction(program, transaction);
  const handler = Object.hasOwn(programs[program], transaction) ? programs[program][transaction] : undefined;
  if (!spec || !handler) throw NOK.transactionNotFound(program, transaction);

  const input: Record<string, string> = {};
  for (const [name, mandatory, type, description] of spec.in) {
    const raw = rawInput[name];
    const value = raw === undefined ? '' : raw.replace(/\s+$/, '');
    if (value === '') {
      if (mandatory) throw NOK.mandatoryMissing(name);
      continue;
    }
    const max = inputLength(spec, name);
    if (max !== undefined && value.length > max) throw NOK.tooLong(name, max);
    if ((type === 'int' || type === 'long') && !INTEGER.test(value)) throw NOK.notNumeric(name, description);
    if (type === 'decimal' && !DECIMAL.test(value)) throw NOK.notNumeric(name, description);
    if (type === 'DateTime' && !validDate(value)) throw NOK.badDate(name, description);
    input[name] = value;
  }

  const cono = input.CONO ?? context.cono ?? String(m3.cono);
  if (!INTEGER.test(cono) || Number(cono) !== m3.cono) throw NOK.notAuthorizedCompany(cono);
  const divi = input.DIVI ?? context.divi ?? Object.keys(m3.divisions)[0];
  if (!Object.hasOwn(m3.divisions, divi)) throw NOK.divisionMissing(divi);

  const out = handler({ program, transaction, input, cono: m3.cono, divi, m3, events });
  const records = out === undefined ? [] : Array.isArray(out) ? out : [out];
  return { spec, records };
}

export interface ShapeOptions {
  maxrecs: number;
  returncols?: string[];
  excludeEmpty: boolean;
  /** false: right-pad values to the field length as M3 does */
  rightTrim: boolean;
}

/** the output fields that will be sent, in metadata order */
export function selectedFields(spec: TransactionSpec, returncols?: string[]): OutputFieldSpec[] {
  if (!returncols || returncols.length === 0) return [...spec.out];
  return spec.out.filter(([name]) => returncols.includes(name));
}

/**
 * records → output records: fields in metadata order (object keys keep insertion order), padded,
 * filtered as the options say. One object per record: lists run to 100,000s of records.
 */
export function shapeRecords(spec: TransactionSpec, records: M3Fields[], options: ShapeOptions): Array<Record<string, string>> {
  const fields = selectedFields(spec, options.returncols);
  const limited = options.maxrecs > 0 ? records.slice(0, options.maxrecs) : records;
  return limited.map((record) => {
    const row: Record<string, string> = {};
    for (const [name, , length] of fields) {
      const value = record[name] ?? '';
      if (options.excludeEmpty && value.trim() === '') continue;
      row[name] = options.rightTrim ? value : value.padEnd(length, ' ');
    }
    return row;
  });
}

export { MiError };
