import type { Knex } from 'knex';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string;
  details?: Record<string, unknown>;
}

/** Append to the audit log (inside the caller's transaction when one is given). */
export async function audit(db: Knex | Knex.Transaction, entry: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    actor: entry.actor,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId,
    reason: entry.reason ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  });
}
