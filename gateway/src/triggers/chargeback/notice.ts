import { z } from 'zod';
import { CHARGEBACK_STAGES, type ChargebackStage } from '../../domain/chargeback';

/** The trigger a flow names to be started by POST /api/chargebacks and manual entry in the operator app. */
export const CHARGEBACK_API = 'http:chargeback-api';
/** The trigger of the chargeback report (CSV from the PayTrace portal): upload or watched folder. */
export const CHARGEBACK_REPORT = 'report:chargebacks';
/** inbox source of every chargeback notice: the dedupe key is `<case>:<stage>`, whichever door it came through */
export const CHARGEBACK_SOURCE = 'chargeback';

export { CHARGEBACK_STAGES, type ChargebackStage } from '../../domain/chargeback';

/** Stage words as portals and people write them. */
const STAGE_ALIASES: Record<string, ChargebackStage> = {
  received: 'received', new: 'received', open: 'received', opened: 'received', chargeback: 'received', 'first chargeback': 'received', pending: 'received',
  evidence_submitted: 'evidence_submitted', 'evidence submitted': 'evidence_submitted', represented: 'evidence_submitted', representment: 'evidence_submitted', responded: 'evidence_submitted', 'under review': 'evidence_submitted',
  won: 'won', reversed: 'won', 'merchant won': 'won', 'closed - won': 'won',
  lost: 'lost', 'merchant lost': 'lost', 'closed - lost': 'lost',
  accepted: 'accepted', 'accepted by merchant': 'accepted',
};

export function stageOf(text: unknown): ChargebackStage | undefined {
  if (typeof text !== 'string') return undefined;
  return STAGE_ALIASES[text.trim().toLowerCase().replace(/\s+/g, ' ')];
}

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');
const money = z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a decimal amount with at most 2 decimals'));

/**
 * A chargeback notice, whichever door it came through (API, report row, manual entry). The case
 * number is the idempotency key with the stage: the same case and stage twice is one event.
 * At most 26 characters: the M3 references `CB-<case>` / `CBW-<case>` must fit IRNO (30).
 */
export const chargebackNoticeSchema = z
  .object({
    caseNumber: z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1).max(26).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ - only (at most 26)')),
    /** the disputed PayTrace transaction */
    transactionId: z.union([z.number().int().positive(), z.string().trim().regex(/^\d{1,18}$/, 'a PayTrace transaction id')]).transform(String),
    amount: money.refine((a) => /[1-9]/.test(a), 'must be more than zero'),
    /** the processor's chargeback fee, taken with the amount */
    fee: money.default('0.00'),
    currency: z.literal('USD', 'PayTrace disputes are in USD').default('USD'),
    stage: z.union([z.enum(CHARGEBACK_STAGES), z.string().transform((s, ctx) => stageOf(s) ?? (ctx.addIssue({ code: 'custom', message: `not a chargeback stage (${CHARGEBACK_STAGES.join(', ')})` }), z.NEVER))]).default('received'),
    reasonCode: z.string().trim().max(20).optional(),
    reason: z.string().trim().max(200).optional(),
    receivedOn: isoDay.optional(),
    /** the response deadline at the processor */
    respondBy: isoDay.optional(),
    /** api | report | manual */
    source: z.enum(['api', 'report', 'manual']).default('api'),
    requestedBy: z.string().max(100).optional(),
  })
  .strict();

export type ChargebackNotice = z.output<typeof chargebackNoticeSchema>;

/** The dedupe key of a notice: one event per case and stage. */
export function noticeKey(n: Pick<ChargebackNotice, 'caseNumber' | 'stage'>): string {
  return `${n.caseNumber}:${n.stage}`;
}
