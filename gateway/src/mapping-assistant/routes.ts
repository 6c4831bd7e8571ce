import type { Request } from 'express';
import { z } from 'zod';
import { parseAdminInput as parse, type AdminEndpoint } from '../admin/endpoint';
import { actorOf } from '../admin/guard';
import { AppError } from '../errors';
import type { GatewayServices } from '../kernel/services';
import { audit } from '../store/audit';
import { listFeedback, loadFeedbackIndex, recordFeedback, type Decision } from './feedback-store';
import { MappingEvaluator, requireValidExpression } from './jsonata/evaluator';
import { loadKnowledge } from './knowledge';
import { suggest } from './matcher';
import { resolveTarget } from './targets';
import type { TargetSchema } from './types';

/**
 * The mapping assistant's admin API, for the flow builder's mapping panel (role-checked and
 * CSRF-protected like every /admin/api endpoint; the table is part of ADMIN_ENDPOINTS):
 *
 *   POST /admin/api/mapping-assistant/suggest  {target, sample, fields?}           operator
 *   POST /admin/api/mapping-assistant/accept   {target, decisions: [{field, source, path?}]}  admin
 *   POST /admin/api/mapping-assistant/reject   {target, decisions: [{field, source, path?}]}  admin
 *   GET  /admin/api/mapping-assistant/feedback                                     admin
 *
 * Suggestions are computed per tenant (the Infor tenant this gateway serves): its accepts and
 * rejects move later rankings. Accept/reject record a decision; they change no flow.
 */

const BASE = '/admin/api/mapping-assistant';
const targetSpec = z.string().trim().min(4).max(120).regex(/^(m3|paytrace|bod):[\w/.@-]+$/, 'm3:PROGRAM/Transaction, paytrace:<operation> or bod:<Noun>');
const suggestBody = z.object({
  target: targetSpec,
  sample: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
  fields: z.array(z.string().max(120)).max(500).optional(),
});
const decisionsBody = z.object({
  target: targetSpec,
  decisions: z
    .array(z.object({ field: z.string().trim().min(1).max(120), source: z.string().min(1).max(2000), path: z.string().min(1).max(500).optional() }))
    .min(1, 'at least one decision')
    .max(500),
  reason: z.string().trim().max(1000).optional(),
});


/** the tenant whose decisions count: the Infor tenant this gateway serves, else "default" */
export function tenantOf(services: GatewayServices): string {
  return services.infor?.credentials.tenant ?? 'default';
}

let evaluator: { rules: unknown; instance: MappingEvaluator } | undefined;
function evaluatorFor(services: GatewayServices): MappingEvaluator {
  const rules = services.rules?.address;
  if (!rules) throw new AppError('the rules are not loaded', { code: 'MAPPING_RULES_MISSING', errorClass: 'configuration', httpStatus: 503 });
  // one worker per gateway; a new one if the address rules were replaced
  if (!evaluator || evaluator.rules !== rules) {
    void evaluator?.instance.close();
    evaluator = { rules, instance: new MappingEvaluator(rules) };
  }
  return evaluator.instance;
}

async function targetOf(services: GatewayServices, spec: string): Promise<TargetSchema> {
  return resolveTarget(spec, { m3: services.infor?.m3 });
}

async function decide(req: Request, actor: string, services: GatewayServices, decision: Decision) {
  const body = parse(decisionsBody, req.body);
  const target = await targetOf(services, body.target);
  const tenant = tenantOf(services);
  const records = body.decisions.map((d) => {
    if (!target.fields.some((f) => f.name === d.field)) {
      throw new AppError(`${d.field} is not a field of ${target.target}`, { code: 'MAPPING_FIELD_UNKNOWN', errorClass: 'business', httpStatus: 400, details: { field: d.field } });
    }
    requireValidExpression(d.source);
    return { tenant, target: target.target, field: d.field, source: d.source, path: d.path ?? d.source, decision, actor };
  });
  await services.db.transaction(async (trx) => {
    await recordFeedback(trx, records);
    await audit(trx, { actor, action: `mapping.suggestion.${decision}`, subjectType: 'mapping_target', subjectId: target.target, reason: body.reason, details: { tenant, fields: records.map((r) => r.field) } });
  });
  return { target: target.target, tenant, decision, recorded: records.length };
}

export const MAPPING_ASSISTANT_ENDPOINTS: AdminEndpoint[] = [
  {
    method: 'post', path: `${BASE}/suggest`, role: 'operator',
    handler: async (req, _res, s) => {
      const body = parse(suggestBody, req.body);
      const target = await targetOf(s, body.target);
      const tenant = tenantOf(s);
      const feedback = await loadFeedbackIndex(s.db, tenant, target.target, target.fields.map((f) => f.name));
      return suggest(target, body.sample, { ...loadKnowledge(), rules: s.rules!.address, evaluator: evaluatorFor(s), feedback, tenant }, { fields: body.fields });
    },
  },
  { method: 'post', path: `${BASE}/accept`, role: 'admin', handler: async (req, res, s) => decide(req, actorOf(res), s, 'accepted') },
  { method: 'post', path: `${BASE}/reject`, role: 'admin', handler: async (req, res, s) => decide(req, actorOf(res), s, 'rejected') },
  {
    method: 'get', path: `${BASE}/feedback`, role: 'admin',
    handler: async (_req, _res, s) => ({ tenant: tenantOf(s), decisions: await listFeedback(s.db, tenantOf(s)) }),
  },
];
