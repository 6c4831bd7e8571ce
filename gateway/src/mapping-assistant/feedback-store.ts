import type { Knex } from 'knex';
import type { FeedbackIndex } from './matcher';

/**
 * Accepted and rejected suggestions, per tenant (table mapping_feedback, migration 040). The
 * index answers, for a target field and a sample path, how often this tenant accepted or
 * rejected it — for this very target, and for the same field elsewhere: an M3 field name means
 * the same in every transaction (CUNO is the customer number in CRS610MI and in OIS100MI).
 */

export type Decision = 'accepted' | 'rejected';

export interface FeedbackRecord {
  tenant: string;
  target: string;
  field: string;
  source: string;
  path: string;
  decision: Decision;
  actor: string;
}

export async function recordFeedback(db: Knex, records: readonly FeedbackRecord[]): Promise<void> {
  if (records.length) await db('mapping_feedback').insert(records);
}

interface Row {
  target: string;
  field: string;
  path: string;
  decision: Decision;
  n: string | number;
}

export async function loadFeedbackIndex(db: Knex, tenant: string, target: string, fields: readonly string[]): Promise<FeedbackIndex> {
  const family = target.split(':')[0];
  const rows = await db('mapping_feedback')
    .select('target', 'field', 'path', 'decision')
    .count({ n: '*' })
    .where({ tenant })
    .andWhere((q) => {
      void q.where({ target });
      // the same M3 field name in other M3 transactions
      if (family === 'm3' && fields.length) void q.orWhere((r) => r.where('target', 'like', 'm3:%').whereIn('field', [...fields]));
    })
    .groupBy('target', 'field', 'path', 'decision') as unknown as Row[];
  const counts = new Map<string, { accepted: number; rejected: number; acceptedElsewhere: number; rejectedElsewhere: number }>();
  for (const r of rows) {
    const key = `${r.field}\u0000${r.path}`;
    const c = counts.get(key) ?? { accepted: 0, rejected: 0, acceptedElsewhere: 0, rejectedElsewhere: 0 };
    const n = Number(r.n);
    if (r.target === target) c[r.decision] += n;
    else c[r.decision === 'accepted' ? 'acceptedElsewhere' : 'rejectedElsewhere'] += n;
    counts.set(key, c);
  }
  const none = { accepted: 0, rejected: 0, acceptedElsewhere: 0, rejectedElsewhere: 0 };
  return { lookup: (_target, field, path) => counts.get(`${field}\u0000${path}`) ?? none };
}

export async function listFeedback(db: Knex, tenant: string, limit = 200): Promise<Array<FeedbackRecord & { id: string; createdAt: Date }>> {
  const rows = await db('mapping_feedback').where({ tenant }).orderBy('id', 'desc').limit(limit);
  return rows.map((r: Record<string, unknown>) => ({ id: String(r.id), tenant: r.tenant as string, target: r.target as string, field: r.field as string, source: r.source as string, path: r.path as string, decision: r.decision as Decision, actor: r.actor as string, createdAt: r.created_at as Date }));
}
