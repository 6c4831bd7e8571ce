import type { M3BusinessError } from '../m3/errors';

/** What the M3 business operations need from the M3 MI client. */
export interface M3Executor {
  execute(
    program: string,
    transaction: string,
    fields: Record<string, string | undefined>,
    options?: { cono?: number; divi?: string; maxrecs?: number },
  ): Promise<{ records: Array<Record<string, string>> }>;
}

export interface M3Scope {
  cono: number;
  divi: string;
}

/** Is this M3 "no" the record-not-found answer on `field` (e.g. an unknown CUNO or CUOR)? */
export function isNotFound(err: unknown, field: string): boolean {
  const e = err as Partial<M3BusinessError> | undefined;
  return e?.code === 'M3_NOK' && (e.m3?.field ?? '').trim().toUpperCase() === field && !/already exists/i.test(String(e.message));
}

/** Is this M3 "no" the record-already-exists answer on `field` (our own earlier attempt)? */
export function isAlreadyThere(err: unknown, field: string): boolean {
  const e = err as Partial<M3BusinessError> | undefined;
  return e?.code === 'M3_NOK' && (e.m3?.field ?? '').trim().toUpperCase() === field && /already exists/i.test(String(e.message));
}
