import { z } from 'zod';

const decimal = z.string().trim().regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'must be a decimal string such as "12.34"');
const m3Date = z.string().regex(/^\d{8}$/, 'must be a date yyyyMMdd');

/**
 * A new M3 invoice as the invoice-links flow needs it: from a Sync.Invoice BOD (through the
 * trigger's mapping), from the scheduled OIS350MI/ARS200MI pull, or again from the review list.
 * `triggerId` names the trigger (BODID, pull, retry): the run's effects are keyed by it.
 */
export const invoiceEventSchema = z.object({
  triggerId: z.string().trim().min(1).max(100),
  cono: z.coerce.number().int().positive(),
  divi: z.string().trim().min(1).max(3),
  yea4: z.coerce.number().int().min(1900).max(2999),
  ivno: z.string().trim().min(1).max(15),
  cuno: z.string().trim().min(1).max(10),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  totalAmount: decimal,
  openAmount: decimal.optional(),
  creditNote: z.boolean().default(false),
  status: z.string().max(40).nullish(),
  paymentTerms: z.string().max(40).nullish(),
  invoiceDate: m3Date.nullish(),
  dueDate: m3Date.nullish(),
  orno: z.string().max(10).nullish(),
  source: z.enum(['ion', 'ois350-pull', 'review']),
});
export type InvoiceEvent = z.output<typeof invoiceEventSchema>;

/** A due reminder as the invoice-link-reminders flow gets it from the schedule. */
export interface ReminderEvent {
  reminderId: string;
  kind: 'before_expiry' | 'after_due';
  days: number;
  cono: number;
  divi: string;
  yea4: number;
  ivno: string;
  cuno: string;
  email: string;
}
