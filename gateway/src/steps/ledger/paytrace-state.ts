import { z } from 'zod';
import { canTransition, mapExportStatus, type LedgerState } from '../../domain/status-map';
import { updatePayment, type Payment } from '../../pipeline/ledger';
import { defineStep } from '../define';

const transaction = z
  .object({
    transactionId: z.number().int().positive(),
    state: z.string(),
    statusCode: z.string().optional(),
    statusMessage: z.string().optional(),
    transactionType: z.string().optional(),
    amount: z.string().optional(),
    invoiceId: z.string().optional(),
    customerId: z.string().optional(),
    maskedCardNumber: z.string().optional(),
    batchNumber: z.number().int().optional(),
    createdAt: z.string().optional(),
    settledAt: z.string().optional(),
  })
  .passthrough();

/**
 * One (transaction, state) the PayTrace poller saw: the mirror row kept current, and our payment's
 * settlement and ledger state moved — only as the status map's transitions allow: an old export
 * that still shows `pending` never moves a settled payment back.
 */
export const applyPayTraceStateStep = defineStep<{ transaction: z.output<typeof transaction>; raw: Record<string, unknown> }, { paymentId: string | null; ledgerState: LedgerState; moved: boolean }>({
  type: 'ledger.apply-paytrace-state',
  title: 'Apply PayTrace state',
  summary: 'Keep the PayTrace mirror and the payment\'s settlement/ledger state current (transitions from status-map.yaml)',
  category: 'ledger',
  system: 'gateway',
  operation: 'paytrace_transactions upsert',
  exactlyOnce: 'local',
  input: z.object({ transaction, raw: z.record(z.string(), z.unknown()) }).strict(),
  async execute({ transaction: t, raw }, env) {
    const db = env.trx!;
    const statusMap = env.rules.statusMap;
    let payment: Payment | undefined = await db<Payment>('payments').where({ paytrace_transaction_id: String(t.transactionId) }).first();
    if (!payment && t.invoiceId) payment = await db<Payment>('payments').where({ reference: t.invoiceId }).first();
    const mapped = mapExportStatus(statusMap, { status_code: t.statusCode ?? (t.state === 'settled' ? 'settled' : ''), status_message: t.statusMessage, settled: t.settledAt ?? (t.state === 'settled' ? 'settled' : null), transaction_type: t.transactionType });
    const existing = await db('paytrace_transactions').where({ transaction_id: t.transactionId }).first<{ state: string; ledger_state: LedgerState | null } | undefined>();
    // the status map decides whether an export may move the state (settled never goes back to pending)
    const keepMirror = existing?.ledger_state && !canTransition(statusMap, existing.ledger_state, mapped.ledger);
    const state = keepMirror ? existing!.state : t.state;
    const ledgerState = keepMirror ? existing!.ledger_state! : mapped.ledger;
    await db('paytrace_transactions')
      .insert({
        transaction_id: t.transactionId,
        state,
        ledger_state: ledgerState,
        transaction_type: t.transactionType ?? null,
        amount: t.amount ?? null,
        invoice_id: t.invoiceId ?? null,
        customer_id: t.customerId ?? null,
        masked_card_number: t.maskedCardNumber ?? null,
        batch_number: t.batchNumber ?? null,
        created_text: t.createdAt ?? null,
        settled_text: t.settledAt ?? null,
        payment_id: payment?.id ?? null,
        raw: JSON.stringify(raw),
      })
      .onConflict('transaction_id')
      .merge({
        state,
        ledger_state: ledgerState,
        batch_number: db.raw('coalesce(excluded.batch_number, paytrace_transactions.batch_number)'),
        settled_text: db.raw('coalesce(excluded.settled_text, paytrace_transactions.settled_text)'),
        payment_id: db.raw('coalesce(paytrace_transactions.payment_id, excluded.payment_id)'),
        raw: JSON.stringify(raw),
        updated_at: db.fn.now(),
      });
    let moved = false;
    const current = (payment?.ledger_state ?? null) as LedgerState | null;
    const allowed = !current || canTransition(statusMap, current, mapped.ledger);
    if (payment && allowed && (payment.settlement_state !== state || current !== mapped.ledger)) {
      await updatePayment(db, payment.id, {
        step: env.stepId,
        recordEvent: true,
        fields: { settlement_state: state, ledger_state: mapped.ledger, ...(t.batchNumber ? { paytrace_batch: String(t.batchNumber) } : {}) },
        detail: { paytraceState: state, ledgerState: mapped.ledger, rule: mapped.rule, batch: t.batchNumber },
      });
      moved = true;
    } else if (payment && !allowed) {
      env.logger.info('PayTrace state not applied: the status map does not allow the move', { paymentId: payment.id, from: current, to: mapped.ledger, rule: mapped.rule });
    }
    return { paymentId: payment?.id ?? null, ledgerState: allowed ? mapped.ledger : current!, moved };
  },
});
