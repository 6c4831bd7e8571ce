import { z } from 'zod';
import { Money } from '../../domain/money';
import { AppError } from '../../errors';
import { CHARGEBACK_STAGES, chargebackReference, type CaseStatus } from '../../domain/chargeback';
import { decimalText, defineStep, idText } from '../define';

const FINAL: ReadonlySet<string> = new Set(['won', 'lost', 'accepted']);
const RANK: Record<CaseStatus, number> = { review: 0, received: 1, evidence_submitted: 2, won: 3, lost: 3, accepted: 3 };


const input = z
  .object({
    caseNumber: z.string().min(1).max(26),
    transactionId: idText,
    stage: z.enum(CHARGEBACK_STAGES),
    amount: decimalText,
    fee: decimalText.default('0'),
    currency: z.string().regex(/^[A-Z]{3}$/),
    reasonCode: z.string().max(20).optional(),
    reason: z.string().max(200).optional(),
    receivedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    respondBy: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    source: z.enum(['api', 'report', 'manual']),
    /** the disputed payment of ours; absent: the case goes to review */
    paymentId: z.string().uuid().nullable().optional(),
  })
  .strict();

export interface CaseOutcome {
  caseNumber: string;
  status: CaseStatus;
  previousStatus: CaseStatus | null;
  /** the disputed transaction is one of our payments */
  known: boolean;
  /** the funds are taken: book the chargeback (reverse the receipt, post the GL) unless already booked */
  book: boolean;
  /** the case is won after being booked: reapply the payment and reverse the postings */
  reapply: boolean;
  /** CB-<case> is booked (completed) */
  booked: boolean;
  /** CB-<case> exists but did not complete (its run failed): a won case must wait for it */
  bookingPending: boolean;
}

interface CaseRow {
  case_number: string;
  paytrace_transaction_id: string;
  status: CaseStatus;
  amount: string;
  currency: string;
  history: Array<{ stage: string; at: string; source: string }>;
}

/**
 * The chargeback case: created on the first notice, moved forward by later ones (received →
 * evidence_submitted → won | lost | accepted; a late or repeated notice never moves it back),
 * or parked in review when the transaction is not ours. It says what the flow must do with the
 * money — book the chargeback, or reapply the payment when a booked case is won. The same case
 * number with another transaction or amount is refused (CHARGEBACK_CASE_CONFLICT).
 */
export const recordChargebackCaseStep = defineStep<z.output<typeof input>, CaseOutcome>({
  type: 'chargeback.record-case',
  title: 'Chargeback case',
  summary: 'Create or move the chargeback case (deadline, stage history) and decide: book the chargeback, reapply the payment, or review',
  category: 'ledger',
  system: 'gateway',
  operation: 'chargebacks upsert',
  exactlyOnce: 'local',
  moneyInputs: ['amount', 'fee'],
  input,
  async execute(i, env) {
    const trx = env.trx!;
    const amount = Money.parse(i.amount, i.currency);
    const fee = Money.parse(i.fee, i.currency);
    const existing = await trx<CaseRow>('chargebacks').where({ case_number: i.caseNumber }).forUpdate().first();
    if (existing && (String(existing.paytrace_transaction_id) !== i.transactionId || !Money.fromM3(existing.amount, existing.currency).equals(amount))) {
      throw new AppError(`chargeback case ${i.caseNumber} was received for transaction ${existing.paytrace_transaction_id} and ${existing.amount} ${existing.currency}, not ${i.transactionId} and ${amount.toFixedString()}`, {
        code: 'CHARGEBACK_CASE_CONFLICT', errorClass: 'business', details: { stored: { transactionId: String(existing.paytrace_transaction_id), amount: existing.amount } },
      });
    }
    const known = Boolean(i.paymentId);
    const previous = existing?.status ?? null;
    let status: CaseStatus;
    if (!known) status = previous && previous !== 'received' ? previous : 'review';
    else if (!previous || previous === 'review') status = i.stage;
    else if (FINAL.has(previous)) status = previous === 'lost' && i.stage === 'won' ? 'won' : previous; // won on appeal after a loss
    else status = RANK[i.stage] >= RANK[previous] ? i.stage : previous;

    const booking = await trx('payments').where({ reference: chargebackReference(i.caseNumber) }).first<{ status: string } | undefined>('status');
    const booked = booking?.status === 'completed';
    const history = [...(existing?.history ?? [])];
    if (!history.some((h) => h.stage === i.stage)) history.push({ stage: i.stage, at: new Date().toISOString(), source: i.source });
    const respondBy = i.respondBy ? new Date(`${i.respondBy}T23:59:59Z`) : undefined;
    const values = {
      paytrace_transaction_id: i.transactionId,
      payment_id: i.paymentId ?? null,
      status,
      amount: amount.toFixedString(),
      fee: fee.toFixedString(),
      currency: i.currency,
      history: JSON.stringify(history),
      updated_at: trx.fn.now(),
      ...(i.reasonCode ? { reason_code: i.reasonCode } : {}),
      ...(i.reason ? { reason: i.reason } : {}),
      ...(i.receivedOn ? { received_on: i.receivedOn } : {}),
      ...(respondBy ? { respond_by: respondBy } : {}),
      ...(status === 'evidence_submitted' && previous !== 'evidence_submitted' ? { evidence_submitted_at: trx.fn.now() } : {}),
      ...(FINAL.has(status) && status !== previous ? { resolved_at: trx.fn.now() } : {}),
    };
    if (existing) await trx('chargebacks').where({ case_number: i.caseNumber }).update(values);
    else await trx('chargebacks').insert({ case_number: i.caseNumber, source: i.source, ...values });

    const takenStates: ReadonlySet<string> = new Set(['received', 'evidence_submitted', 'lost', 'accepted']);
    return {
      caseNumber: i.caseNumber,
      status,
      previousStatus: previous,
      known,
      // a booking an earlier attempt started (the receipt reversed, say) is always finished, even if the case moved on meanwhile
      book: known && i.stage !== 'won' && (takenStates.has(status) || (Boolean(booking) && !booked)),
      reapply: known && i.stage === 'won' && status === 'won' && booked,
      booked,
      bookingPending: Boolean(booking) && !booked,
    };
  },
});
