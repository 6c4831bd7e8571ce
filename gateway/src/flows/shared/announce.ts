import { createHash } from 'node:crypto';
import { Money } from '../../domain/money';
import { buildBod, newEnvelope, type PaymentStatus } from '../../infor/bod';
import { publishEvent } from '../../events/outbound';
import { perform } from '../../pipeline/intents';
import type { Payment } from '../../pipeline/ledger';
import type { FlowContext } from './context';

/** A GUID-shaped id derived from a seed: the same state change always has the same BODID. */
export function stableGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Tell the world about a payment's new state: a Sync.MyPTPayment BOD to ION (when Infor is
 * connected) and a signed event to webhook subscribers. Both are idempotent per (payment, state):
 * the BODID and the event id are derived from them.
 */
export async function announcePayment(
  ctx: FlowContext,
  payment: Payment,
  change: { status: PaymentStatus; eventType: string; data: Record<string, unknown>; card?: { brand?: string; last4?: string }; authorizationCode?: string },
): Promise<void> {
  const seed = `${payment.id}:${change.eventType}`;
  await publishEvent(ctx.db, ctx.queue, ctx.config.webhooks, { type: change.eventType, eventId: `evt_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`, paymentId: payment.id, data: change.data });
  const ion = ctx.ion;
  if (!ion || !payment.paytrace_transaction_id || !payment.amount || !payment.currency) return;
  const accountingEntity = payment.cono && payment.divi ? `${payment.cono}_${payment.divi}` : undefined;
  const bodId = stableGuid(seed);
  await perform(ctx.db, {
    key: `${payment.id}:bod:${change.eventType}`,
    paymentId: payment.id,
    system: 'ion',
    operation: 'Sync.MyPTPayment',
    request: { bodId, status: change.status },
    idempotent: true, // the BODID is stable: ION sees a resend as the same document
    execute: async () => {
      const envelope = { ...newEnvelope({ verb: 'Sync', noun: 'MyPTPayment', logicalId: ion.fromLogicalId, componentId: ctx.config.infor.ionComponentId, accountingEntityId: accountingEntity, actionCode: 'Replace' }), bodId };
      const xml = buildBod(envelope, {
        id: { value: payment.id, accountingEntity },
        transactionId: payment.paytrace_transaction_id!,
        status: change.status,
        amount: { value: Money.fromM3(payment.amount!, payment.currency!).toFixedString(), currency: payment.currency! },
        transactionDateTime: new Date().toISOString(),
        customer: { id: { value: payment.cuno ?? '', accountingEntity } },
        invoice: payment.ivno ? { id: payment.ivno, year: String(payment.yea4 ?? '') } : undefined,
        authorizationCode: change.authorizationCode,
        cardBrand: change.card?.brand?.toUpperCase(),
        cardLast4: change.card?.last4,
        receiptBatchId: payment.receipt_ref ?? undefined,
      });
      return ion.sendBod({ documentName: 'Sync.MyPTPayment', xml, messageId: bodId, accountingEntity, documentId: payment.id });
    },
  });
}
