import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What every log line of a request or job carries: a correlation id and the business
 * ids known so far (CONO/DIVI, ORNO, IVNO, CUNO, PayTrace transaction id, …).
 */
export interface LogContext {
  correlationId: string;
  [businessId: string]: string | number | undefined;
}

const storage = new AsyncLocalStorage<LogContext>();

export function currentContext(): LogContext | undefined {
  return storage.getStore();
}

export function runWithContext<T>(context: Partial<LogContext>, fn: () => T): T {
  const parent = storage.getStore();
  const merged: LogContext = { ...parent, ...context, correlationId: context.correlationId ?? parent?.correlationId ?? randomUUID() };
  return storage.run(merged, fn);
}

/** Add business ids to the current context (they appear on every later log line of it). */
export function addToContext(ids: Record<string, string | number | undefined>): void {
  const store = storage.getStore();
  if (store) Object.assign(store, ids);
}
