/**
 * Last contact with each external system, for /health. Connectors call `record` after
 * every call; health turns the age and the last outcome into green/amber/red.
 */
export type ConnectorName = 'infor-os' | 'm3' | 'ion' | 'paytrace';

export interface ConnectorContact {
  at: Date;
  ok: boolean;
  detail?: string;
}

export class ConnectorStatus {
  readonly #last = new Map<ConnectorName, { lastOk?: Date; lastError?: { at: Date; detail: string }; last: ConnectorContact }>();

  constructor(readonly expected: ConnectorName[]) {}

  record(name: ConnectorName, ok: boolean, detail?: string): void {
    const at = new Date();
    const entry = this.#last.get(name) ?? { last: { at, ok } };
    entry.last = { at, ok, detail };
    if (ok) entry.lastOk = at;
    else entry.lastError = { at, detail: detail ?? 'error' };
    this.#last.set(name, entry);
  }

  snapshot(): Record<string, { status: 'ok' | 'degraded' | 'unknown'; lastContact: string | null; lastOk: string | null; lastError: { at: string; detail: string } | null }> {
    const out: ReturnType<ConnectorStatus['snapshot']> = {};
    for (const name of this.expected) {
      const entry = this.#last.get(name);
      out[name] = {
        status: !entry ? 'unknown' : entry.last.ok ? 'ok' : 'degraded',
        lastContact: entry?.last.at.toISOString() ?? null,
        lastOk: entry?.lastOk?.toISOString() ?? null,
        lastError: entry?.lastError ? { at: entry.lastError.at.toISOString(), detail: entry.lastError.detail } : null,
      };
    }
    return out;
  }
}
