import type { Customer, Invoice, M3Fields, M3State, M3User } from '../state';
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
  /** the M3 user the call runs as (from the caller's token) */
  user: M3User;
  m3: M3State;
  events: M3Events;
}

export type MiHandler = (call: MiCall) => M3Fields[] | M3Fields | void;
export type ProgramHandlers = Record<string, MiHandler>;

export interface MiResult {
  spec: TransactionSpec;
  records: M3Fields[];
}

/** who calls (the token's subject) plus per-call overrides of company and division from matrix parameters */
export interface CallContext {
  cono?: string;
  divi?: string;
  /** the `sub` of the caller's Infor OS token */
  subject?: string;
}

/**
 * The M3 user of a token subject: the user whose USID or EUID (the Infor OS identity) it is. Any other
 * subject — a client-credentials client id — runs as the service account the ION API maps the app to.
 */
export function userOf(m3: M3State, subject: string | undefined, serviceAccount: string): M3User {
  const wanted = subject?.toUpperCase();
  if (wanted) {
    const byUsid = m3.users.get(wanted);
    if (byUsid) return byUsid;
    for (const user of m3.users.values()) if (user.fields.EUID?.toUpperCase() === wanted) return user;
  }
  const fallback = m3.users.get(serviceAccount.toUpperCase()) ?? m3.users.values().next().value;
  if (!fallback) throw new Error('the M3 simulator has no users');
  return fallback;
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
  serviceAccount = 'M3SRVADM',
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

  // company and division: the call's, else the user's defaults (MNS150), as M3 does
  const user = userOf(m3, context.subject, serviceAccount);
  const cono = input.CONO ?? context.cono ?? user.fields.CONO ?? String(m3.cono);
  if (!INTEGER.test(cono) || Number(cono) !== m3.cono) throw NOK.notAuthorizedCompany(cono);
  const divi = input.DIVI ?? context.divi ?? user.fields.DIVI ?? Object.keys(m3.divisions)[0];
  if (!Object.hasOwn(m3.divisions, divi)) throw NOK.divisionMissing(divi);

  const out = handler({ program, transaction, input, cono: m3.cono, divi, user, m3, events });
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
