import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Money } from '../../domain/money';
import { buildBod, newEnvelope } from '../../infor/bod';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../infor/bod/nouns/my-pt';
import { currencyCode, decimalText, defineStep, idText, type StepConnectors } from '../define';

/** A GUID-shaped id derived from a seed: the same state change always has the same BODID. */
export function stableGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const input = z
  .object({
    /** the payment the BOD is about (its DocumentID) */
    paymentId: z.string().uuid(),
    /** what changed: with the payment, the seed of the BODID (the same change is the same document) */
    change: z.string().min(1).max(60),
    /** the BOD status code; the status map's ledgerStates.<state>.paymentStatus gives it */
    status: z.enum(PAYMENT_STATUSES),
    transactionId: idText,
    amount: decimalText,
    currency: currencyCode,
    cono: z.coerce.number().int().optional(),
    divi: z.string().optional(),
    cuno: z.string().default(''),
    invoice: z.object({ id: z.string(), year: z.union([z.string(), z.number()]).transform(String) }).optional(),
    authorizationCode: z.string().optional(),
    cardBrand: z.string().optional(),
    cardLast4: z.string().regex(/^\d{4}$/).optional(),
    receiptBatchId: z.union([z.string(), z.number()]).transform(String).optional(),
  })
  .strict();

/** Sync.MyPTPayment to ION: where a payment stands, for M3 and anyone listening. The stable BODID makes a resend the same document. */
export function publishPaymentStep(connectors: StepConnectors) {
  return defineStep<z.output<typeof input>, { sent: boolean; bodId?: string; reason?: string }>({
    type: 'ion.publish-payment',
    title: 'ION payment BOD',
    summary: 'Send Sync.MyPTPayment to ION (BODID derived from the payment and the change: ION sees a resend as the same document)',
    category: 'ion',
    system: 'ion',
    operation: 'Sync.MyPTPayment',
    exactlyOnce: 'provider-idempotency',
    moneyInputs: ['amount'],
    input,
    async execute(p) {
      let ion;
      try {
        ion = connectors.ion();
      } catch {
        return { sent: false, reason: 'Infor ION is not configured' };
      }
      const accountingEntity = p.cono && p.divi ? `${p.cono}_${p.divi}` : undefined;
      const bodId = stableGuid(`${p.paymentId}:${p.change}`);
      const envelope = { ...newEnvelope({ verb: 'Sync', noun: 'MyPTPayment', logicalId: ion.client.fromLogicalId, componentId: ion.componentId, accountingEntityId: accountingEntity, actionCode: 'Replace' }), bodId };
      const xml = buildBod(envelope, {
        id: { value: p.paymentId, accountingEntity },
        transactionId: p.transactionId,
        status: p.status as PaymentStatus,
        amount: { value: Money.fromM3(p.amount, p.currency).toFixedString(), currency: p.currency },
        transactionDateTime: new Date().toISOString(),
        customer: { id: { value: p.cuno, accountingEntity } },
        invoice: p.invoice,
        authorizationCode: p.authorizationCode,
        cardBrand: p.cardBrand?.toUpperCase(),
        cardLast4: p.cardLast4,
        receiptBatchId: p.receiptBatchId,
      });
      await ion.client.sendBod({ documentName: 'Sync.MyPTPayment', xml, messageId: bodId, accountingEntity, documentId: p.paymentId });
      return { sent: true, bodId };
    },
  });
}
