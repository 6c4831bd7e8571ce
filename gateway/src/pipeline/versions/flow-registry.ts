import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { SourceProblem } from '../../config/yaml-source';
import { AppError } from '../../errors';
import type { Logger } from '../../observability/logger';
import { audit } from '../../store/audit';
import { compileFlow, FlowDefinitionError, type CompileDeps, type CompiledFlow } from '../definitions/compile';
import { VERSIONS_CHANNEL, type VersionNotifier } from './notifier';

export interface FlowVersionRow {
  id: string;
  flow_id: string;
  version: number;
  status: 'draft' | 'published' | 'retired';
  source: string;
  hash: string;
  layout: unknown;
  origin: string;
  created_by: string;
  created_at: Date;
  published_by: string | null;
  published_at: Date | null;
  reason: string | null;
}

export interface PublishedFlow {
  versionId: string;
  version: number;
  flow: CompiledFlow;
}

/**
 * Flow definitions as versions in PostgreSQL. The files under mappings/flows/ are the default and
 * the import/export format: at start-up a file whose text differs from the version last imported
 * from it becomes a new published version. Admins save drafts and publish them (audited, with a
 * reason); every gateway applies a publication at once (NOTIFY). A trigger runs with the version
 * that was published when it arrived, to its end.
 */
export class FlowRegistry {
  readonly #published = new Map<string, PublishedFlow>();
  readonly #byId = new Map<string, CompiledFlow>();
  #listeners = new Set<(changed: PublishedFlow[]) => void | Promise<void>>();

  constructor(
    private readonly db: Knex,
    private readonly deps: () => CompileDeps,
    private readonly logger: Logger,
  ) {}

  onChange(listener: (changed: PublishedFlow[]) => void | Promise<void>): void {
    this.#listeners.add(listener);
  }

  /** The step and trigger catalogues and M3 metadata the definitions are validated with (the builder's palette). */
  compileDeps(): CompileDeps {
    return this.deps();
  }

  /** Compile (and validate) a definition; problems with file:line:column, warnings included. */
  compile(file: string, source: string): { flow?: CompiledFlow; problems: SourceProblem[] } {
    return compileFlow(file, source, this.deps());
  }

  /** Read and validate every file of the folder; a bad file stops the start with all its problems. */
  async readFolder(dir: string): Promise<Array<{ file: string; source: string; flow: CompiledFlow }>> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
    } catch {
      return [];
    }
    const out: Array<{ file: string; source: string; flow: CompiledFlow }> = [];
    const problems: SourceProblem[] = [];
    for (const name of names) {
      const source = await readFile(path.join(dir, name), 'utf8');
      const compiled = this.compile(`flows/${name}`, source);
      if (!compiled.flow) problems.push(...compiled.problems.filter((p) => p.severity !== 'warning'));
      else {
        if (`${compiled.flow.id}.yaml` !== name) problems.push({ file: `flows/${name}`, path: 'id', message: `the file of flow "${compiled.flow.id}" must be named ${compiled.flow.id}.yaml` });
        out.push({ file: name, source, flow: compiled.flow });
      }
    }
    if (problems.length) throw new FlowDefinitionError(problems);
    return out;
  }

  /** Import changed files as new published versions (one gateway at a time). */
  async seed(dir: string): Promise<string[]> {
    const files = await this.readFolder(dir);
    const imported: string[] = [];
    await this.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['flow_versions']);
      for (const { file, source, flow } of files) {
        const lastFromFile = await trx<FlowVersionRow>('flow_versions').where({ flow_id: flow.id }).andWhere('origin', `file:${file}`).orderBy('version', 'desc').first();
        if (lastFromFile?.hash === flow.hash) continue;
        await this.#insertPublished(trx, flow.id, source, flow.hash, { origin: `file:${file}`, actor: 'files', reason: lastFromFile ? `${file} changed` : `imported from ${file}` });
        imported.push(flow.id);
      }
    });
    if (imported.length) this.logger.info('flow definitions imported from files', { flows: imported });
    return imported;
  }

  async #insertPublished(trx: Knex.Transaction, flowId: string, source: string, hash: string, by: { origin: string; actor: string; reason: string; layout?: unknown }): Promise<{ id: string; version: number }> {
    const latest = await trx<FlowVersionRow>('flow_versions').where({ flow_id: flowId }).max<{ max: number | null }>('version as max').first();
    const version = (latest?.max ?? 0) + 1;
    await trx('flow_versions').where({ flow_id: flowId, status: 'published' }).update({ status: 'retired' });
    const [row] = await trx('flow_versions')
      .insert({ flow_id: flowId, version, status: 'published', source, hash, layout: by.layout === undefined ? null : JSON.stringify(by.layout), origin: by.origin, created_by: by.actor, published_by: by.actor, published_at: trx.fn.now(), reason: by.reason })
      .returning<Array<{ id: string }>>('id');
    await audit(trx, { actor: by.actor, action: 'flow.published', subjectType: 'flow', subjectId: `${flowId}@v${version}`, reason: by.reason, details: { origin: by.origin, hash } });
    await trx.raw('select pg_notify(?, ?)', [VERSIONS_CHANNEL, JSON.stringify({ kind: 'flow', id: flowId, versionId: String(row!.id) })]);
    return { id: String(row!.id), version };
  }

  /** Load every published version (start-up, and after a notice). */
  async refresh(): Promise<void> {
    const rows = await this.db<FlowVersionRow>('flow_versions').where({ status: 'published' });
    const changed: PublishedFlow[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.flow_id);
      if (this.#published.get(row.flow_id)?.versionId === String(row.id)) continue;
      const flow = this.#compileRow(row);
      if (!flow) continue;
      const published = { versionId: String(row.id), version: row.version, flow };
      this.#published.set(row.flow_id, published);
      changed.push(published);
    }
    for (const id of [...this.#published.keys()]) if (!seen.has(id)) this.#published.delete(id);
    if (changed.length) {
      this.logger.info('flow versions applied', { flows: changed.map((c) => `${c.flow.id}@v${c.version}`) });
      for (const l of this.#listeners) await l(changed);
    }
  }

  listen(notifier: VersionNotifier): void {
    notifier.on(async (notice) => {
      if (notice.kind === 'flow') await this.refresh();
    });
  }

  #compileRow(row: FlowVersionRow): CompiledFlow | undefined {
    const cached = this.#byId.get(String(row.id));
    if (cached) return cached;
    const { flow, problems } = this.compile(`${row.flow_id}@v${row.version}`, row.source);
    if (!flow) {
      // a version that validated when published but not with today's catalogue: keep the older one running, say why
      this.logger.error('a published flow version does not compile here; it is not applied', { flow: row.flow_id, version: row.version, problems });
      return undefined;
    }
    this.#byId.set(String(row.id), flow);
    return flow;
  }

  published(flowId: string): PublishedFlow | undefined {
    return this.#published.get(flowId);
  }

  list(): PublishedFlow[] {
    return [...this.#published.values()].sort((a, b) => a.flow.id.localeCompare(b.flow.id));
  }

  /** The published flow that owns a trigger (`bod:Sync.Invoice`, `http:ecommerce-webhook`, …). */
  claimant(claim: string): PublishedFlow | undefined {
    return this.list().find((p) => p.flow.triggers.some((t) => t.claim === claim));
  }

  /** A version by id, compiled (a trigger pinned to a retired version still runs it). */
  async byId(versionId: string): Promise<CompiledFlow> {
    const cached = this.#byId.get(String(versionId));
    if (cached) return cached;
    const row = await this.db<FlowVersionRow>('flow_versions').where({ id: versionId }).first();
    if (!row) throw new AppError(`flow version ${versionId} does not exist`, { code: 'FLOW_VERSION_MISSING', errorClass: 'bug' });
    const flow = this.#compileRow(row);
    if (!flow) throw new AppError(`flow version ${row.flow_id}@v${row.version} does not compile`, { code: 'FLOW_DEFINITION_INVALID', errorClass: 'configuration' });
    return flow;
  }

  async versions(flowId: string): Promise<FlowVersionRow[]> {
    return this.db<FlowVersionRow>('flow_versions').where({ flow_id: flowId }).orderBy('version', 'desc').limit(200);
  }

  async version(flowId: string, version: number): Promise<FlowVersionRow | undefined> {
    return this.db<FlowVersionRow>('flow_versions').where({ flow_id: flowId, version }).first();
  }

  /** Save a draft (validated: a draft may have errors, which come back with it). */
  async saveDraft(flowId: string, source: string, actor: string, layout?: unknown): Promise<{ version: number; problems: SourceProblem[] }> {
    const { flow, problems } = this.compile(`${flowId}.yaml`, source);
    if (flow && flow.id !== flowId) throw new AppError(`the definition's id is "${flow.id}", not "${flowId}"`, { code: 'FLOW_ID_MISMATCH', errorClass: 'business', httpStatus: 422 });
    return this.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`flow_versions:${flowId}`]);
      const draft = await trx<FlowVersionRow>('flow_versions').where({ flow_id: flowId, status: 'draft' }).orderBy('version', 'desc').first();
      const hash = flow?.hash ?? '';
      if (draft) {
        await trx('flow_versions').where({ id: draft.id }).update({ source, hash, layout: layout === undefined ? draft.layout : JSON.stringify(layout), created_by: actor, created_at: trx.fn.now() });
        return { version: draft.version, problems };
      }
      const latest = await trx<FlowVersionRow>('flow_versions').where({ flow_id: flowId }).max<{ max: number | null }>('version as max').first();
      const version = (latest?.max ?? 0) + 1;
      await trx('flow_versions').insert({ flow_id: flowId, version, status: 'draft', source, hash, layout: layout === undefined ? null : JSON.stringify(layout), origin: 'builder', created_by: actor });
      return { version, problems };
    });
  }

  /** Publish: the draft (or a given source), validated without errors, audited with a reason, applied on every gateway. */
  async publish(flowId: string, input: { source?: string; actor: string; reason: string; layout?: unknown; origin?: string }): Promise<{ version: number; versionId: string; warnings: SourceProblem[] }> {
    if (input.reason.trim().length < 3) throw new AppError('publishing needs a reason', { code: 'FLOW_PUBLISH_REASON_REQUIRED', errorClass: 'business', httpStatus: 400 });
    const draft = input.source === undefined ? await this.db<FlowVersionRow>('flow_versions').where({ flow_id: flowId, status: 'draft' }).orderBy('version', 'desc').first() : undefined;
    const source = input.source ?? draft?.source;
    if (source === undefined) throw new AppError(`flow ${flowId} has no draft to publish`, { code: 'FLOW_NO_DRAFT', errorClass: 'business', httpStatus: 409 });
    const { flow, problems } = this.compile(`${flowId}.yaml`, source);
    if (!flow) throw new FlowDefinitionError(problems.filter((p) => p.severity !== 'warning'));
    if (flow.id !== flowId) throw new AppError(`the definition's id is "${flow.id}", not "${flowId}"`, { code: 'FLOW_ID_MISMATCH', errorClass: 'business', httpStatus: 422 });
    for (const trigger of flow.triggers) {
      const owner = this.claimant(trigger.claim);
      if (owner && owner.flow.id !== flowId) throw new AppError(`the trigger ${trigger.claim} already starts flow ${owner.flow.id}: one flow per trigger`, { code: 'FLOW_TRIGGER_TAKEN', errorClass: 'business', httpStatus: 409 });
    }
    const result = await this.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`flow_versions:${flowId}`]);
      if (draft) await trx('flow_versions').where({ id: draft.id }).delete();
      return this.#insertPublished(trx, flowId, source, flow.hash, { origin: input.origin ?? 'admin', actor: input.actor, reason: input.reason, layout: input.layout ?? draft?.layout ?? undefined });
    });
    await this.refresh();
    return { version: result.version, versionId: result.id, warnings: problems };
  }

  /** Publish an earlier version again (as a new version, so the history stays linear). */
  async rollback(flowId: string, toVersion: number, actor: string, reason: string): Promise<{ version: number; versionId: string }> {
    const row = await this.version(flowId, toVersion);
    if (!row || row.status === 'draft') throw new AppError(`flow ${flowId} has no published version ${toVersion}`, { code: 'FLOW_VERSION_MISSING', errorClass: 'business', httpStatus: 404 });
    const published = await this.publish(flowId, { source: row.source, actor, reason: `${reason} (rollback to v${toVersion})`, layout: row.layout ?? undefined, origin: 'rollback' });
    return { version: published.version, versionId: published.versionId };
  }
}
