import { z } from 'zod';
import { defineStep } from '../define';

const invoiceKey = {
  cono: z.coerce.number().int().positive(),
  divi: z.string().trim().min(1).max(3),
  yea4: z.coerce.number().int().min(1900).max(2999),
  ivno: z.string().trim().min(1).max(15),
};

export interface InvoiceLinkRow {
  id: string;
  cono: number;
  divi: string;
  yea4: number;
  ivno: string;
  cuno: string;
  currency: string | null;
  total_amount: string | null;
  open_amount: string | null;
  invoice_date: string | null;
  due_date: string | null;
  status: 'linked' | 'needs_review' | 'paid' | 'dismissed';
  link_id: string | null;
  email: string | null;
  email_id: string | null;
  review_code: string | null;
  review_reason: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  event: unknown;
  retries: number;
  paid_how: string | null;
  paid_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What the flow knows about an invoice's automatic link, and whether someone already made one by hand. */
export const findInvoiceLinkStep = defineStep<{ cono: number; divi: string; yea4: number; ivno: string }, { found: boolean; status: string | null; linkId: string | null; manualOpenLink: string | null; alreadyLinked: boolean; paidThroughLink: boolean }>({
  type: 'ledger.find-invoice-link',
  title: 'Invoice link record',
  summary: 'Our record of an invoice\'s automatic link (linked, in review, paid) and any open link an M3 user made',
  category: 'ledger',
  system: 'gateway',
  operation: 'invoice_links read',
  exactlyOnce: 'local',
  input: z.object(invoiceKey).strict(),
  async execute(key, env) {
    const db = env.trx ?? env.db;
    const row = await db<InvoiceLinkRow>('invoice_links').where(key).first();
    const open = await db('payment_links').where({ ...key, status: 'open' }).first<{ id: string; created_by: string } | undefined>('id', 'created_by');
    const manual = open && !open.created_by.startsWith('flow:') ? open.id : null;
    // a link of the invoice paid: the money is on its way to M3 (a charge still running is not paid yet: links.create waits for it)
    const paying = await db('payment_links').where({ ...key, status: 'paid' }).first<{ id: string } | undefined>('id');
    const linked = row ? row.status === 'linked' || row.status === 'paid' || row.status === 'dismissed' : false;
    return { found: Boolean(row), status: row?.status ?? null, linkId: row?.link_id ?? null, manualOpenLink: manual, alreadyLinked: linked || manual !== null, paidThroughLink: Boolean(paying) };
  },
});

const reminderPlan = z
  .object({
    /** days before the link expires (each: one reminder, if that moment is still ahead) */
    beforeExpiryDays: z.array(z.number().int().min(1).max(365)).max(5).default([]),
    /** days after the invoice's due date (each: one reminder while unpaid) */
    afterDueDays: z.array(z.number().int().min(0).max(365)).max(5).default([]),
  })
  .strict();

const recordInput = z
  .object({
    ...invoiceKey,
    /** linked: the link went out; review: a person must act (no e-mail address…); paid: stop reminding; reminded: a reminder went out */
    action: z.enum(['linked', 'review', 'paid', 'reminded']),
    cuno: z.string().trim().min(1).max(10).optional(),
    currency: z.string().nullish(),
    totalAmount: z.string().nullish(),
    openAmount: z.string().nullish(),
    invoiceDate: z.string().regex(/^(\d{8})?$/).nullish(),
    dueDate: z.string().regex(/^(\d{8})?$/).nullish(),
    linkId: z.string().nullish(),
    email: z.string().nullish(),
    emailId: z.string().nullish(),
    /** with review: a sentence saying why (the code is the step's config) */
    reviewReason: z.string().max(1000).nullish(),
    /** with linked: the link's expiry (ISO) and the reminder cadence */
    expiresAt: z.string().nullish(),
    reminders: reminderPlan.optional(),
    /** with reminded: which planned reminder */
    reminderId: z.coerce.string().nullish(),
    /** with paid: through our link, or elsewhere (cheque, bank transfer in M3) */
    paidHow: z.enum(['link', 'elsewhere']).nullish(),
    /** the flow's event, kept for a retry from the review list */
    event: z.unknown().optional(),
  })
  .strict();

const MS_PER_DAY = 86_400_000;

/** yyyyMMdd → that day's midnight UTC */
function dayStart(yyyymmdd: string): number {
  return Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8)));
}

/** The moments the cadence asks for, in the future only (a link expiring in 2 days gets no "3 days before" reminder). */
export function plannedReminders(plan: z.output<typeof reminderPlan>, expiresAt: Date | undefined, dueDate: string | null | undefined, now = Date.now()): Array<{ kind: 'before_expiry' | 'after_due'; days: number; dueAt: Date }> {
  const out: Array<{ kind: 'before_expiry' | 'after_due'; days: number; dueAt: Date }> = [];
  if (expiresAt) for (const days of plan.beforeExpiryDays) out.push({ kind: 'before_expiry', days, dueAt: new Date(expiresAt.getTime() - days * MS_PER_DAY) });
  if (dueDate && /^\d{8}$/.test(dueDate)) for (const days of plan.afterDueDays) out.push({ kind: 'after_due', days, dueAt: new Date(dayStart(dueDate) + (days + 1) * MS_PER_DAY) });
  return out.filter((r) => r.dueAt.getTime() > now);
}

/**
 * Our record of an invoice's automatic link, in the run's transaction: the link and e-mail (with
 * the reminders the cadence plans), a review item, a reminder sent, or the invoice paid (every
 * reminder still planned is cancelled).
 */
const recordConfig = z
  .object({
    /** with review: the registered error code the review item carries (e.g. INVOICE_LINK_NO_EMAIL) */
    code: z.string().regex(/^[A-Z][A-Z0-9_]{2,60}$/, 'an error code such as INVOICE_LINK_NO_EMAIL').optional(),
  })
  .strict();

export const recordInvoiceLinkStep = defineStep<z.output<typeof recordInput>, { invoiceLinkId: string; status: string; reminders: number }, z.output<typeof recordConfig>>({
  type: 'ledger.record-invoice-link',
  title: 'Record invoice link',
  summary: 'Keep our record of an invoice\'s automatic link: linked (and its reminders), to review, reminded, or paid',
  category: 'ledger',
  system: 'gateway',
  operation: 'invoice_links upsert',
  exactlyOnce: 'local',
  config: recordConfig,
  input: recordInput,
  async execute(input, env) {
    const db = env.trx!;
    const key = { cono: input.cono, divi: input.divi, yea4: input.yea4, ivno: input.ivno };
    const now = db.fn.now();
    if (input.action === 'linked' || input.action === 'review') {
      const linked = input.action === 'linked';
      const row = {
        ...key,
        cuno: input.cuno ?? '',
        currency: input.currency ?? null,
        total_amount: input.totalAmount ?? null,
        open_amount: input.openAmount ?? null,
        invoice_date: input.invoiceDate || null,
        due_date: input.dueDate || null,
        status: linked ? 'linked' : 'needs_review',
        link_id: input.linkId ?? null,
        email: input.email ?? null,
        email_id: input.emailId ?? null,
        review_code: linked ? null : (env.config.code ?? null),
        review_reason: linked ? null : (input.reviewReason ?? null),
        event: JSON.stringify(input.event ?? {}),
      };
      const [saved] = await db('invoice_links')
        .insert(row)
        .onConflict(['cono', 'divi', 'yea4', 'ivno'])
        // a review never overwrites a link that went out, nor a paid invoice
        .merge({ ...row, updated_at: now })
        .where('invoice_links.status', 'in', linked ? ['needs_review', 'linked'] : ['needs_review'])
        .returning<Array<{ id: string; status: string }>>(['id', 'status']);
      const current = saved ?? (await db('invoice_links').where(key).first<{ id: string; status: string }>('id', 'status'))!;
      let reminders = 0;
      if (linked && saved && input.reminders) {
        const plan = plannedReminders(input.reminders, input.expiresAt ? new Date(input.expiresAt) : undefined, input.dueDate);
        if (plan.length) {
          const rows = await db('invoice_link_reminders')
            .insert(plan.map((r) => ({ invoice_link_id: current.id, kind: r.kind, days: r.days, due_at: r.dueAt, link_id: input.linkId ?? null })))
            .onConflict(['invoice_link_id', 'kind', 'days'])
            .ignore()
            .returning('id');
          reminders = rows.length;
        }
      }
      return { invoiceLinkId: String(current.id), status: current.status, reminders };
    }
    const current = await db('invoice_links').where(key).first<{ id: string; status: string } | undefined>('id', 'status');
    if (!current) return { invoiceLinkId: '', status: 'unknown', reminders: 0 };
    if (input.action === 'paid') {
      await db('invoice_links').where({ id: current.id }).whereNot('status', 'paid').update({ status: 'paid', paid_how: input.paidHow ?? 'elsewhere', paid_at: now, updated_at: now });
      const cancelled = await db('invoice_link_reminders').where({ invoice_link_id: current.id }).whereIn('status', ['scheduled', 'queued']).update({ status: 'cancelled', reason: 'invoice paid', updated_at: now });
      return { invoiceLinkId: String(current.id), status: 'paid', reminders: -cancelled };
    }
    // reminded
    if (input.reminderId) {
      await db('invoice_link_reminders').where({ id: input.reminderId, invoice_link_id: current.id }).update({ status: 'sent', email_id: input.emailId ?? null, link_id: input.linkId ?? null, sent_at: now, updated_at: now });
    }
    if (input.linkId) await db('invoice_links').where({ id: current.id }).update({ link_id: input.linkId, updated_at: now });
    return { invoiceLinkId: String(current.id), status: current.status, reminders: 1 };
  },
});
