import { z } from 'zod';
import { AppError } from '../errors';
import type { GatewayServices } from '../kernel/services';
import { parseRules, RulesError, RULES_FILE_NAMES } from '../domain/rules-loader';
import type { FlowRegistry, FlowVersionRow } from '../pipeline/versions/flow-registry';
import { flowCatalogue, flowFigures, m3Metadata } from './flow-builder';
import type { FlowCatalogue, FlowSummary, FlowValidation } from './flow-builder-types';
import { flowIdParam as flowId, parseAdminInput as parse, type AdminEndpoint } from './endpoint';
import { actorOf } from './guard';

/**
 * Flow definitions and rules as versions, for the operator app (and the builder that stands on it):
 * list, read a version, save a draft, publish with a reason, roll back. Publishing goes through the
 * registries, which audit it and tell every running gateway (LISTEN/NOTIFY) to apply it at once;
 * runs already started stay on the version they were pinned to.
 */

const reason = z.string().trim().min(3, 'a reason of at least 3 characters is required').max(1000);
const source = z.string().min(1).max(256 * 1024);
/** node positions beside the definition; loose steps are checked when they are connected */
const point = { x: z.number().finite(), y: z.number().finite() };
const layout = z
  .object({
    positions: z.record(z.string().max(80), z.object(point).strict()).refine((p) => Object.keys(p).length <= 2000, 'at most 2000 positions'),
    loose: z.array(z.object({ step: z.record(z.string(), z.unknown()), ...point }).strict()).max(200).optional(),
  })
  .strict();
const m3Program = z.string().regex(/^[A-Z0-9]{3,8}MI$/, 'an MI program such as CRS610MI');
const m3Transaction = z.string().regex(/^[A-Za-z0-9]{2,15}$/, 'a transaction such as AddFieldValue');
const zone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as America/Chicago');


function registry(services: GatewayServices): FlowRegistry {
  const flows = services.pipeline?.flows;
  if (!flows) throw new AppError('the flows module is not running', { code: 'FLOWS_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
  return flows;
}


export const FLOW_ADMIN_ENDPOINTS: AdminEndpoint[] = [
  {
    method: 'get', path: '/admin/api/flows', role: 'viewer',
    handler: async (req, _res, s): Promise<{ flows: FlowSummary[] }> => {
      const flows = registry(s);
      const { timeZone } = parse(z.object({ timeZone: zone.default('UTC') }), req.query);
      const figures = await flowFigures(s.db, timeZone);
      const none = { eventsToday: 0, failuresToday: 0, openDeadLetters: 0 };
      const published = await Promise.all(
        flows.list().map(async (p): Promise<FlowSummary> => {
          const versions = await flows.versions(p.flow.id);
          const draft = versions.find((v) => v.status === 'draft');
          return { id: p.flow.id, name: p.flow.name, triggers: p.flow.triggers.map((t) => t.claim), published: { version: p.version, versionId: p.versionId }, draft: draft ? { version: draft.version } : null, steps: p.flow.steps.length, ...(figures.get(p.flow.id) ?? none) };
        }),
      );
      // flows built in the builder and not yet published: their draft only
      const drafts = (await s.db('flow_versions').where({ status: 'draft' }).whereNotIn('flow_id', published.map((f) => f.id)).orderBy('flow_id')) as FlowVersionRow[];
      const unpublished = drafts.map((d): FlowSummary => {
        const compiled = flows.compile(`${d.flow_id}.yaml`, d.source);
        return { id: d.flow_id, name: compiled.flow?.name ?? d.flow_id, triggers: compiled.flow?.triggers.map((t) => t.claim) ?? [], published: null, draft: { version: d.version }, steps: compiled.flow?.steps.length ?? 0, ...(figures.get(d.flow_id) ?? none) };
      });
      return { flows: [...published, ...unpublished] };
    },
  },
  {
    method: 'get', path: '/admin/api/flow-catalogue', role: 'viewer',
    handler: async (_req, _res, s): Promise<FlowCatalogue> => flowCatalogue(registry(s).compileDeps()),
  },
  {
    method: 'get', path: '/admin/api/m3-metadata/programs', role: 'viewer',
    handler: async (_req, _res, s) => ({ programs: await m3Metadata.programs(s.infor?.m3) }),
  },
  {
    method: 'get', path: '/admin/api/m3-metadata/programs/:program', role: 'viewer',
    handler: async (req, _res, s) => ({ transactions: await m3Metadata.transactions(s.infor?.m3, parse(m3Program, req.params.program)) }),
  },
  {
    method: 'get', path: '/admin/api/m3-metadata/programs/:program/:transaction', role: 'viewer',
    handler: async (req, _res, s) => m3Metadata.fields(s.infor?.m3, parse(m3Program, req.params.program), parse(m3Transaction, req.params.transaction)),
  },
  {
    // the builder validates as the admin edits: the same compile as start-up and `npm run flows -- validate`
    method: 'post', path: '/admin/api/flows/:id/validate', role: 'viewer',
    handler: async (req, _res, s): Promise<FlowValidation> => {
      const id = parse(flowId, req.params.id);
      const body = parse(z.object({ source }), req.body);
      const { flow, problems } = registry(s).compile(`${id}.yaml`, body.source);
      const mismatch = flow && flow.id !== id ? [{ file: `${id}.yaml`, path: 'id', message: `the definition's id is "${flow.id}", not "${id}"` }] : [];
      return { valid: Boolean(flow) && !mismatch.length, problems: [...mismatch, ...problems] };
    },
  },
  {
    method: 'get', path: '/admin/api/flows/:id', role: 'viewer',
    handler: async (req, _res, s) => {
      const id = parse(flowId, req.params.id);
      const versions = await registry(s).versions(id);
      if (!versions.length) throw new AppError(`no flow ${id}`, { code: 'FLOW_VERSION_MISSING', errorClass: 'business', httpStatus: 404 });
      return {
        id,
        versions: versions.map((v) => ({ version: v.version, status: v.status, origin: v.origin, createdBy: v.created_by, createdAt: new Date(v.created_at).toISOString(), reason: v.reason, source: v.source, layout: v.layout ?? null })),
      };
    },
  },
  {
    method: 'post', path: '/admin/api/flows/:id/draft', role: 'admin',
    handler: async (req, res, s) => {
      const id = parse(flowId, req.params.id);
      const body = parse(z.object({ source, layout: z.unknown().optional() }), req.body);
      return registry(s).saveDraft(id, body.source, actorOf(res), body.layout === undefined ? undefined : parse(layout, body.layout));
    },
  },
  {
    method: 'post', path: '/admin/api/flows/:id/publish', role: 'admin',
    handler: async (req, res, s) => {
      const id = parse(flowId, req.params.id);
      const body = parse(z.object({ source: source.optional(), reason }), req.body);
      return registry(s).publish(id, { source: body.source, actor: actorOf(res), reason: body.reason });
    },
  },
  {
    method: 'post', path: '/admin/api/flows/:id/rollback', role: 'admin',
    handler: async (req, res, s) => {
      const id = parse(flowId, req.params.id);
      const body = parse(z.object({ version: z.number().int().positive(), reason }), req.body);
      return registry(s).rollback(id, body.version, actorOf(res), body.reason);
    },
  },
  {
    method: 'get', path: '/admin/api/rules/versions', role: 'viewer',
    handler: async (_req, _res, s) => ({ versions: s.rulesVersions ? await s.rulesVersions.list() : [] }),
  },
];

/**
 * Publish edited rules files as a new rules version (validated with the rest, audited, live on every
 * gateway). The answer names each problem `file:line:column path` for the editor.
 */
export async function publishRules(services: GatewayServices, changed: Record<string, string>, by: string, why: string | undefined) {
  const registry = services.rulesVersions;
  if (!registry) throw new AppError('the rules module is not running', { code: 'FLOWS_NOT_CONFIGURED', errorClass: 'configuration', httpStatus: 503 });
  const unknown = Object.keys(changed).filter((n) => !RULES_FILE_NAMES.includes(n));
  if (unknown.length) {
    throw new AppError(`not a rules file: ${unknown.join(', ')}`, { code: 'RULES_INVALID', errorClass: 'business', httpStatus: 422, details: { fieldErrors: unknown.map((n) => ({ field: n, message: `not a known rules file (expected ${RULES_FILE_NAMES.join(', ')})` })) } });
  }
  try {
    if (!why || why.trim().length < 3) {
      parseRules(new Map(Object.entries({ ...(await registry.currentTexts()), ...changed })), services.config.rules.dir); // the files' problems first
      throw new AppError('publishing rules needs a reason (3 characters at least)', { code: 'FLOW_PUBLISH_REASON_REQUIRED', errorClass: 'business', httpStatus: 400 });
    }
    const published = await registry.publish(changed, by, why);
    return { kind: 'rules', version: published.version, versionId: published.versionId, unchanged: published.unchanged, changed: Object.keys(changed).sort() };
  } catch (err) {
    if (err instanceof RulesError) {
      throw new AppError('the rules are not valid', {
        code: 'RULES_INVALID', errorClass: 'business', httpStatus: 422,
        details: { fieldErrors: err.problems.map((p) => ({ field: `${p.file}${p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : ''}${p.path ? ` ${p.path}` : ''}`, message: p.message })) },
      });
    }
    throw err;
  }
}
