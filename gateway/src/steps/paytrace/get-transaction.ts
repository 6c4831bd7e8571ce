import { z } from 'zod';
import { cardBrandOf } from '../../domain/gl';
import { mapExportStatus, type LedgerState } from '../../domain/status-map';
import { refusedAmountError } from '../../paytrace/money';
import type { ExportedTransaction } from '../../paytrace/transformers/exports';
import { defineStep, idText, type StepConnectors } from '../define';

export interface TransactionFacts {
  found: boolean;
  transactionId: number;
  /** the charged amount as PayTrace reports it ("12.34"), or absent */
  amount?: string;
  /** where PayTrace has it: pending_settlement, settled, voided, declined, authorized, unknown */
  state?: string;
  /** what it means for our ledger, by the status map's export rules */
  ledgerState?: LedgerState;
  /** the export rule of the status map that decided it */
  rule?: string;
  transactionType?: string;
  approvalCode?: string;
  invoiceId?: string;
  card: { type: string | null; maskedNumber: string | null; brand: string; last4: string | null };
  batchNumber?: number;
}

/** The card as PayTrace's export shows it: brand text and masked number, nothing more. */
export function cardOf(transaction: Pick<ExportedTransaction, 'raw' | 'maskedCardNumber'>): { cardType: string | null; maskedNumber: string | null } {
  const nested = transaction.raw.credit_card as { type?: unknown } | undefined;
  const type = nested?.type ?? transaction.raw.card_type;
  return { cardType: typeof type === 'string' ? type : null, maskedNumber: transaction.maskedCardNumber ?? null };
}

/**
 * The transaction as PayTrace has it now — never only our memory of it, and never the amounts a
 * notification claims. Its ledger state comes from status-map.yaml's export rules.
 */
export function getTransactionStep(connectors: StepConnectors) {
  return defineStep<{ transactionId: string }, TransactionFacts>({
    type: 'paytrace.get-transaction',
    title: 'PayTrace transaction',
    summary: 'Read a transaction from PayTrace (export by id): amount, state, card brand and last four, approval code',
    category: 'paytrace',
    system: 'paytrace',
    operation: 'export/by_id',
    exactlyOnce: 'read-only',
    input: z.object({ transactionId: idText.pipe(z.string().regex(/^\d{1,18}$/, 'a PayTrace transaction id is a number')) }).strict(),
    async execute(input, env) {
      const exported = await connectors.paytrace().exportTransactionById(Number(input.transactionId));
      const t = exported.transactions.find((x) => String(x.transactionId) === input.transactionId);
      if (!t) return { found: false, transactionId: Number(input.transactionId), card: { type: null, maskedNumber: null, brand: 'unknown', last4: null } };
      // facts with a rounded or missing amount would mislead every step after this one: stop, clearly
      if (t.amountRefused) throw refusedAmountError(t.amountRefused, `PayTrace transaction ${t.transactionId}`);
      const card = cardOf(t);
      const mapped = mapExportStatus(env.rules.statusMap, { status_code: t.statusCode, status_message: t.statusMessage, settled: t.settledAt ?? null, transaction_type: t.transactionType });
      return {
        found: true,
        transactionId: t.transactionId,
        amount: t.amount?.toString(),
        state: t.state,
        ledgerState: mapped.ledger,
        rule: mapped.rule,
        transactionType: t.transactionType,
        approvalCode: t.approvalCode,
        invoiceId: t.invoiceId,
        card: { type: card.cardType, maskedNumber: card.maskedNumber, brand: cardBrandOf(env.rules.gl, card), last4: card.maskedNumber?.slice(-4) ?? null },
        batchNumber: t.batchNumber,
      };
    },
  });
}
