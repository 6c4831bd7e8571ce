import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { parseRules, type Rules } from '../../domain/rules-loader';
import type { Logger } from '../../observability/logger';
import { audit } from '../../store/audit';
import { VERSIONS_CHANNEL, type VersionNotifier } from './notifier';

interface RulesVersionRow {
  id: string;
  version: number;
  status: 'published' | 'retired';
  texts: Record<string, string>;
  hash: string;
  origin: string;
  created_by: string;
  created_at: Date;
  reason: string | null;
}

export function rulesHash(texts: Record<string, string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(texts).sort()) h.update(name).update('\u0000').update(texts[name]!).update('\u0000');
  return h.digest('hex');
}

/**
 * The rule sets (every mappings/*.yaml file together) as versions in PostgreSQL. The folder is the
 * default: at start-up a folder whose content differs from the last version imported from it
 * becomes a new published version. Admins publish new versions from the operator app; every
 * gateway applies a publication at once (NOTIFY), new triggers run with it, and a trigger that
 * arrived earlier keeps the version it arrived under.
 */
export class RulesRegistry {
  #current: { versionId: string; version: number; rules: Rules } | undefined;
  readonly #byId = new Map<string, Rules>();
  #listeners = new Set<(rules: Rules) => void>();

  constructor(
    private readonly db: Knex,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  get current(): { versionId: string; version: number; rules: Rules } {
    if (!this.#current) throw new Error('rules are not loaded');
    return this.#current;
  }

  onChange(listener: (rules: Rules) => void): void {
    this.#listeners.add(listener);
  }

  /** Import the folder (validated: a bad file stops the start) when it changed since it was last imported. */
  async seed(texts: ReadonlyMap<string, string>): Promise<{ imported: boolean; version: number }> {
    parseRules(texts, this.dir); // throws RulesError with file:line:column problems
    const record = Object.fromEntries([...texts].filter(([name]) => /\.ya?ml$/i.test(name)));
    const hash = rulesHash(record);
    return this.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['rules_versions']);
      const lastFromFiles = await trx<RulesVersionRow>('rules_versions').where('origin', 'like', 'files:%').orderBy('version', 'desc').first();
      const latest = await trx<RulesVersionRow>('rules_versions').orderBy('version', 'desc').first();
      if (lastFromFiles?.hash === hash && latest) return { imported: false, version: latest.version };
      const version = (latest?.version ?? 0) + 1;
      await trx('rules_versions').where({ status: 'published' }).update({ status: 'retired' });
      await trx('rules_versions').insert({ version, status: 'published', texts: JSON.stringify(record), hash, origin: `files:${this.dir}`, created_by: 'files', reason: lastFromFiles ? 'the rules folder changed' : 'first start' });
      await audit(trx, { actor: 'files', action: 'rules.published', subjectType: 'rules', subjectId: `v${version}`, reason: 'imported from the rules folder', details: { files: Object.keys(record).sort() } });
      await trx.raw('select pg_notify(?, ?)', [VERSIONS_CHANNEL, JSON.stringify({ kind: 'rules' })]);
      return { imported: true, version };
    });
  }

  /** Load the published version (at start and on every notice). */
  async refresh(): Promise<Rules> {
    const row = await this.db<RulesVersionRow>('rules_versions').where({ status: 'published' }).first();
    if (!row) throw new Error('no published rules version');
    const rules = this.#parse(row);
    const changed = this.#current?.versionId !== String(row.id);
    this.#current = { versionId: String(row.id), version: row.version, rules };
    if (changed) {
      this.logger.info('rules version applied', { version: row.version });
      for (const l of this.#listeners) l(rules);
    }
    return rules;
  }

  listen(notifier: VersionNotifier): void {
    notifier.on(async (notice) => {
      if (notice.kind === 'rules') await this.refresh();
    });
  }

  /** The rules of a version (a trigger pinned to an older one keeps it). */
  async byId(versionId: string | null | undefined): Promise<Rules> {
    if (!versionId) return this.current.rules;
    const cached = this.#byId.get(String(versionId));
    if (cached) return cached;
    const row = await this.db<RulesVersionRow>('rules_versions').where({ id: versionId }).first();
    if (!row) return this.current.rules;
    return this.#parse(row);
  }

  #parse(row: RulesVersionRow): Rules {
    const cached = this.#byId.get(String(row.id));
    if (cached) return cached;
    const rules = parseRules(new Map(Object.entries(row.texts)), this.dir);
    this.#byId.set(String(row.id), rules);
    return rules;
  }

  /** Publish changed files (validated together with the rest), audited, applied on every gateway. */
  async publish(changed: Record<string, string>, actor: string, reason: string): Promise<{ version: number; versionId: string; rules: Rules; unchanged: boolean }> {
    const base = this.current;
    const baseRow = await this.db<RulesVersionRow>('rules_versions').where({ id: base.versionId }).first();
    const texts = { ...(baseRow?.texts ?? {}), ...changed };
    const rules = parseRules(new Map(Object.entries(texts)), this.dir); // throws RulesError
    // the same texts again: nothing to publish, the current version stays
    if (baseRow && rulesHash(texts) === baseRow.hash) return { version: baseRow.version, versionId: String(baseRow.id), rules: base.rules, unchanged: true };
    const result = await this.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['rules_versions']);
      const latest = await trx<RulesVersionRow>('rules_versions').orderBy('version', 'desc').first();
      const version = (latest?.version ?? 0) + 1;
      await trx('rules_versions').where({ status: 'published' }).update({ status: 'retired' });
      const [row] = await trx('rules_versions').insert({ version, status: 'published', texts: JSON.stringify(texts), hash: rulesHash(texts), origin: 'admin', created_by: actor, reason }).returning<Array<{ id: string }>>('id');
      await audit(trx, { actor, action: 'rules.published', subjectType: 'rules', subjectId: `v${version}`, reason, details: { changed: Object.keys(changed).sort() } });
      await trx.raw('select pg_notify(?, ?)', [VERSIONS_CHANNEL, JSON.stringify({ kind: 'rules', versionId: String(row!.id) })]);
      return { version, versionId: String(row!.id) };
    });
    await this.refresh();
    return { ...result, rules, unchanged: false };
  }

  async list(): Promise<Array<{ id: string; version: number; status: string; origin: string; createdBy: string; createdAt: string; reason: string | null; files: string[] }>> {
    const rows = await this.db<RulesVersionRow>('rules_versions').orderBy('version', 'desc').limit(100);
    return rows.map((r) => ({ id: String(r.id), version: r.version, status: r.status, origin: r.origin, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString(), reason: r.reason, files: Object.keys(r.texts).sort() }));
  }

  /** The texts of the published version (the editor's starting point). */
  async currentTexts(): Promise<Record<string, string>> {
    const row = await this.db<RulesVersionRow>('rules_versions').where({ id: this.current.versionId }).first();
    return row?.texts ?? {};
  }
}
