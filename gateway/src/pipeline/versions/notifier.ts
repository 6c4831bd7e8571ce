import pg from 'pg';
import type { Logger } from '../../observability/logger';

/** The PostgreSQL channel on which a publication tells every gateway to reload. */
export const VERSIONS_CHANNEL = 'm3pt_versions';

export interface VersionNotice {
  kind: 'flow' | 'rules';
  /** flow id (kind flow) */
  id?: string;
  versionId?: string;
  /** a reconnect: notices may have been missed, reload everything */
  resync?: boolean;
}

/**
 * One LISTEN connection per gateway. A publication commits its new version and a NOTIFY in one
 * transaction, so every gateway hears of it once it is durable; after a lost connection the
 * listeners are told to resync (a notice may have been missed meanwhile).
 */
export class VersionNotifier {
  #client: pg.Client | undefined;
  #listeners = new Set<(notice: VersionNotice) => void | Promise<void>>();
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  on(listener: (notice: VersionNotice) => void | Promise<void>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#connect(false);
  }

  async #connect(resync: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'm3-paytrace-versions' });
    client.on('notification', (message) => {
      if (message.channel !== VERSIONS_CHANNEL || !message.payload) return;
      try {
        this.#emit(JSON.parse(message.payload) as VersionNotice);
      } catch (err) {
        this.logger.warn('unreadable version notice', { err });
      }
    });
    client.on('error', (err) => {
      this.logger.warn('version notifications connection lost; reconnecting', { err });
      this.#client = undefined;
      void client.end().catch(() => undefined);
      this.#schedule();
    });
    await client.connect();
    await client.query(`listen ${VERSIONS_CHANNEL}`);
    this.#client = client;
    if (resync) {
      this.#emit({ kind: 'rules', resync: true });
      this.#emit({ kind: 'flow', resync: true });
    }
  }

  #schedule(): void {
    if (this.#stopped || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connect(true).catch(() => this.#schedule());
    }, 1000);
    this.#retry.unref();
  }

  #emit(notice: VersionNotice): void {
    for (const listener of this.#listeners) {
      Promise.resolve(listener(notice)).catch((err: unknown) => this.logger.error('applying a published version failed', { err, notice }));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
