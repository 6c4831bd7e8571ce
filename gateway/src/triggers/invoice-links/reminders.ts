import type { Knex } from 'knex';
import type { IngestInput } from '../../pipeline/pipeline';
import type { ReminderEvent } from './invoice-event';

/** The trigger a flow names to receive the reminders that are due. */
export const INVOICE_LINK_REMINDER = 'invoice-link-reminder';

/**
 * Hand every reminder that is due to the flow that owns the trigger, once: the inbox key is the
 * reminder's id, so a schedule that runs twice (two gateways, a crash before the row is marked)
 * queues nothing twice. Only reminders of invoices still linked go (a paid one's were cancelled).
 */
export async function queueDueReminders(
  deps: { db: Knex; store: (input: IngestInput) => Promise<{ duplicate: boolean } | undefined> },
  now = new Date(),
  limit = 500,
): Promise<{ due: number; queued: number }> {
  const due = await deps.db('invoice_link_reminders as r')
    .join('invoice_links as l', 'l.id', 'r.invoice_link_id')
    .where('r.status', 'scheduled')
    .andWhere('r.due_at', '<=', now)
    .andWhere('l.status', 'linked')
    .whereNotNull('l.email')
    .orderBy('r.due_at')
    .limit(limit)
    .select<Array<{ id: string; kind: ReminderEvent['kind']; days: number; cono: number; divi: string; yea4: number; ivno: string; cuno: string; email: string }>>('r.id', 'r.kind', 'r.days', 'l.cono', 'l.divi', 'l.yea4', 'l.ivno', 'l.cuno', 'l.email');
  let queued = 0;
  for (const r of due) {
    const event: ReminderEvent = { reminderId: String(r.id), kind: r.kind, days: r.days, cono: r.cono, divi: r.divi, yea4: r.yea4, ivno: r.ivno, cuno: r.cuno, email: r.email };
    const stored = await deps.store({ source: 'schedule', dedupeKey: `${INVOICE_LINK_REMINDER}:${r.id}`, kind: INVOICE_LINK_REMINDER, payload: event, correlationId: `reminder-${r.id}` });
    if (!stored) return { due: due.length, queued }; // no flow owns reminders: leave them planned
    if (!stored.duplicate) queued++;
    await deps.db('invoice_link_reminders').where({ id: r.id, status: 'scheduled' }).update({ status: 'queued', updated_at: deps.db.fn.now() });
  }
  return { due: due.length, queued };
}
