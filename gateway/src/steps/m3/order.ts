import { z } from 'zod';
import { errorClassOf } from '../../errors';
import { addCardReference, createOrder } from '../../infor/m3-programs/orders';
import { currencyCode, decimalText, defineStep, idText, type StepConnectors } from '../define';
import { m3For } from './checked-client';

const line = z.object({ itno: z.string().min(1), quantity: decimalText, unitPrice: decimalText }).strict();

/**
 * A confirmed customer order (OIS100MI batch entry). Found by CUOR first; an earlier attempt's
 * unconfirmed batch order (its temporary number is a checkpoint) is resumed or removed, never left.
 */
export function createOrderStep(connectors: StepConnectors) {
  return defineStep<{ cuno: string; cuor: string; currency: string; paymentMethod?: string; orderType?: string; provider?: string; reference?: string; lines: Array<z.output<typeof line>> }, { orno: string; tempOrno?: string; resumed: boolean }>({
    type: 'm3.create-order',
    title: 'M3 customer order',
    summary: 'Create and confirm a customer order (OIS100MI AddBatchHead, AddBatchLine, Confirm), found again by its CUOR',
    category: 'm3',
    system: 'm3',
    operation: 'OIS100MI/AddBatchHead+AddBatchLine+Confirm',
    exactlyOnce: 'read-before-write',
    moneyInputs: [],
    m3: { program: 'OIS100MI', transaction: 'AddBatchHead', fields: { cuno: 'CUNO', cuor: 'CUOR', currency: 'CUCD', paymentMethod: 'PYCD', orderType: 'ORTP', provider: 'TRDP', reference: 'NREF' } },
    input: z.object({ cuno: z.string().min(1), cuor: z.string().min(1), currency: currencyCode, paymentMethod: z.string().optional(), orderType: z.string().optional(), provider: z.string().optional(), reference: idText.optional(), lines: z.array(line).min(1) }).strict(),
    async execute(input, env) {
      const m3 = m3For(connectors, env, ['OIS100MI/LstHead', 'OIS100MI/SearchHead', 'OIS100MI/GetHead', 'OIS100MI/GetOrderNo', 'OIS100MI/DelBatchHead', 'OIS100MI/AddBatchHead', 'OIS100MI/AddBatchLine', 'OIS100MI/Confirm', 'OIS100MI/LstErrMsgOrder']);
      return createOrder(m3, env.scope, input, {
        earlierHead: env.checkpoint.earlier?.tempOrno as string | undefined,
        onHead: (tempOrno) => env.checkpoint.save({ tempOrno }),
      });
    },
  });
}

/** The card reference on the order: the PayTrace transaction id and the masked card, never a card number. */
export function addCardReferenceStep(connectors: StepConnectors) {
  const inquiry = ['CRCCINMI/GetInquiry'];
  return defineStep<{ orno: string; provider: string; transactionId: string; amount: string; currency: string; maskedCard?: string; cardType: string; transactionType: string }, string>({
    type: 'm3.add-card-reference',
    title: 'M3 card reference',
    summary: 'Record the PayTrace transaction and masked card on the order (CRCCINMI AddCCRefNo), looked up by NREF after an unknown outcome',
    category: 'm3',
    system: 'm3',
    operation: 'CRCCINMI/AddCCRefNo',
    exactlyOnce: 'lookup',
    moneyInputs: ['amount'],
    m3: { program: 'CRCCINMI', transaction: 'AddCCRefNo', fields: { orno: 'ORNO', currency: 'CUCD', cardType: 'CTPY', transactionType: 'TRTY' } },
    input: z.object({ orno: z.string().min(1), provider: z.string().min(1), transactionId: idText, amount: decimalText, currency: currencyCode, maskedCard: z.string().default(''), cardType: z.string().min(1), transactionType: z.string().min(1) }).strict(),
    async execute(input, env) {
      const m3 = m3For(connectors, env, ['CRCCINMI/AddCCRefNo']);
      return addCardReference(m3, env.scope, { ...input, maskedCard: input.maskedCard ?? '' });
    },
    async lookup(input, env) {
      const m3 = m3For(connectors, env, inquiry);
      try {
        const { records } = await m3.execute('CRCCINMI', 'GetInquiry', { NREF: input.transactionId, TRDP: input.provider });
        return records.length ? { found: true, result: records[0]!.REFN ?? '' } : { found: false };
      } catch (err) {
        if (errorClassOf(err).errorClass === 'business') return { found: false };
        throw err;
      }
    },
  });
}
