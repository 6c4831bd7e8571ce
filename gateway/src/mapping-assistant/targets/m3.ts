import { AppError } from '../../errors';
import type { M3Client } from '../../infor/m3/m3-client';
import type { M3FieldDescription } from '../m3-dictionary';
import type { TargetField, TargetSchema } from '../types';
import { tokens } from '../vocabulary';

/**
 * An M3 transaction as a mapping target, read from M3's own metadata: MRS001MI LstTransactions
 * (the description) and LstFields with TRTP=I (input fields: name FLNM, description FLDS,
 * length LENG, type TYPE A/N, mandatory MAND). A numeric field of length 8 described as a date is
 * a date (yyyyMMdd).
 */

export type MetadataReader = Pick<M3Client, 'execute'>;

const PROGRAM = /^[A-Z0-9]{3,8}MI$/;
const TRANSACTION = /^[A-Za-z0-9]{2,15}$/;

export function parseM3Target(spec: string): { program: string; transaction: string } {
  const [program, transaction, ...rest] = spec.split('/');
  if (!program || !transaction || rest.length || !PROGRAM.test(program) || !TRANSACTION.test(transaction)) {
    throw new AppError(`"${spec.slice(0, 60)}" is not an M3 transaction (PROGRAM/Transaction, e.g. OIS100MI/AddBatchHead)`, { code: 'MAPPING_TARGET_INVALID', errorClass: 'business', httpStatus: 400 });
  }
  return { program, transaction };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value).trim();
}

export function m3FieldFromMetadata(row: Record<string, unknown>): TargetField {
  const name = text(row.FLNM);
  const description = text(row.FLDS) || name;
  const length = Number(text(row.LENG)) || undefined;
  const numeric = text(row.TYPE) === 'N';
  const isDate = numeric && length === 8 && tokens(description).includes('date');
  return { name, description, type: isDate ? 'date' : numeric ? 'numeric' : 'alpha', length, mandatory: text(row.MAND) === '1' };
}

/** Read the target from M3 (the sandbox simulator or a tenant's M3 through ION API). */
export async function loadM3Target(m3: MetadataReader, spec: string): Promise<TargetSchema> {
  const { program, transaction } = parseM3Target(spec);
  let transactions;
  try {
    transactions = await m3.execute('MRS001MI', 'LstTransactions', { MINM: program }, { maxrecs: 0 });
  } catch (err) {
    throw notFound(spec, err);
  }
  const described = transactions.records.find((r) => text(r.TRNM) === transaction);
  if (!described) throw notFound(spec);
  const fields = await m3.execute('MRS001MI', 'LstFields', { MINM: program, TRNM: transaction, TRTP: 'I' }, { maxrecs: 0 });
  return {
    target: `m3:${program}/${transaction}`,
    kind: 'm3',
    title: text(described.TRDS) || `${program}/${transaction}`,
    fields: fields.records.map(m3FieldFromMetadata).filter((f) => f.name !== ''),
  };
}

function notFound(spec: string, cause?: unknown): AppError {
  return new AppError(`M3 does not describe ${spec} (MRS001MI)`, { code: 'MAPPING_TARGET_NOT_FOUND', errorClass: 'business', httpStatus: 404, cause });
}

/**
 * Every field description M3 has for the given programs (input and output sides of every
 * transaction): the rows the abbreviation dictionary is built from.
 */
export async function readM3FieldDescriptions(m3: MetadataReader, programs?: string[]): Promise<M3FieldDescription[]> {
  const names = programs ?? (await m3.execute('MRS001MI', 'LstPrograms', {}, { maxrecs: 0 })).records.map((r) => text(r.MINM)).filter((n) => n !== 'MRS001MI');
  const rows: M3FieldDescription[] = [];
  for (const program of names) {
    const transactions = await m3.execute('MRS001MI', 'LstTransactions', { MINM: program }, { maxrecs: 0 });
    for (const t of transactions.records) {
      for (const side of ['I', 'O']) {
        const fields = await m3.execute('MRS001MI', 'LstFields', { MINM: program, TRNM: text(t.TRNM), TRTP: side }, { maxrecs: 0 });
        for (const f of fields.records) rows.push({ name: text(f.FLNM), description: text(f.FLDS) });
      }
    }
  }
  return rows;
}
