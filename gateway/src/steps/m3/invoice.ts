import { z } from 'zod';
import { Money } from '../../domain/money';
import { AppError } from '../../errors';
import { getInvoice, type OpenInvoice } from '../../infor/m3-programs/invoices';
import { addCashReceipt, findReceipts } from '../../infor/m3-programs/receipts';
import { currencyCode, decimalText, defineStep, type StepConnectors } from '../define';
import { m3For } from './checked-client';

/** The invoice as M3 has it now (OIS350MI GetInvHead): customer, payer, currency, open amount. */
export function getInvoiceStep(connectors: StepConnectors) {
  return defineStep<{ ivno: string; yea4: number }, OpenInvoice & { found: boolean }>({
    type: 'm3.get-invoice',
    title: 'M3 invoice',
    summary: 'Read an invoice and its open amount (OIS350MI GetInvHead)',
    category: 'm3',
    system: 'm3',
    operation: 'OIS350MI/GetInvHead',
    exactlyOnce: 'read-only',
    m3: { program: 'OIS350MI', transaction: 'GetInvHead', fields: { ivno: 'IVNO', yea4: 'YEA4' } },
    input: z.object({ ivno: z.string().min(1), yea4: z.coerce.number().int().min(1900).max(2999) }).strict(),
    async execute(input, env) {
      const invoice = await getInvoice(m3For(connectors, env, ['OIS350MI/GetInvHead']), env.scope, input.yea4, input.ivno);
      if (!invoice) return { found: false, ivno: input.ivno, yea4: input.yea4, cuno: '', payer: '', currency: '', openAmount: '0', totalAmount: '0', dueDate: '', status: '' };
      return { found: true, ...invoice };
    },
  });
}

const receiptInput = z
  .object({
    /** payment batch number (PBID): deterministic per payment ($receiptBatchId) */
    pbid: z.coerce.number().int().positive(),
    paymentType: z.string().min(1),
    ivno: z.string().min(1),
    yea4: z.coerce.number().int(),
    cuno: z.string().min(1),
    payer: z.string().optional(),
    /** signed: a negative amount reverses an earlier receipt */
    amount: decimalText,
    currency: currencyCode,
    /** our reference (IRNO): how the receipt is found again */
    reference: z.string().min(1),
    paymentDate: z.string().regex(/^\d{8}$/),
    /** when given: the invoice must still be open for at least the amount, else the run stops for a person */
    openAmount: decimalText.optional(),
  })
  .strict();

/**
 * A cash receipt applying money to an invoice (ARS040MI: batch head, line, control). Found again
 * by its IRNO first: an earlier attempt's receipt is never applied twice.
 */
export function cashReceiptStep(connectors: StepConnectors) {
  return defineStep<z.output<typeof receiptInput>, { pbid: number; resumed: boolean }>({
    type: 'm3.cash-receipt',
    title: 'M3 cash receipt',
    summary: 'Apply a payment (or its reversal) to an invoice: ARS040MI AddBatchHead, AddBatchLine, ControlBatch; found again by IRNO',
    category: 'm3',
    system: 'm3',
    operation: 'ARS040MI',
    exactlyOnce: 'read-before-write',
    movesMoney: true,
    moneyInputs: ['amount', 'openAmount'],
    m3: { program: 'ARS040MI', transaction: 'AddBatchLine', fields: { ivno: 'CINO', cuno: 'CUNO', payer: 'PYNO', amount: 'PYAM', currency: 'CUCD', reference: 'IRNO', paymentDate: 'LPDT' } },
    input: receiptInput,
    async execute(input, env) {
      const m3 = m3For(connectors, env, ['ARS040MI/LstBatchLine', 'ARS040MI/AddBatchHead', 'ARS040MI/AddBatchLine', 'ARS040MI/ControlBatch']);
      const paid = Money.parse(input.amount, input.currency);
      if (input.openAmount !== undefined) {
        const open = Money.fromM3(input.openAmount, input.currency);
        if (open.compare(paid) < 0) {
          // either an earlier attempt of ours already applied it (its receipt carries our reference)…
          const earlier = await findReceipts(m3, env.scope, input.reference);
          if (earlier.length) return { pbid: Number(earlier[0]!.PBID ?? input.pbid), resumed: true };
          // …or the invoice was paid elsewhere meanwhile: the money is taken, a person must decide
          throw new AppError(`invoice ${input.ivno} is open for ${open.toFixedString()} ${open.currency} but ${paid.toFixedString()} was paid: review and refund the difference`, {
            code: open.isZero() ? 'INVOICE_ALREADY_PAID' : 'INVOICE_OPEN_BELOW_PAYMENT',
            errorClass: 'business',
            details: { open: open.toFixedString(), paid: paid.toFixedString() },
          });
        }
      }
      return addCashReceipt(m3, env.scope, { pbid: input.pbid, paymentType: input.paymentType, invoice: { ivno: input.ivno, yea4: input.yea4 }, cuno: input.cuno, payer: input.payer, amount: paid.toFixedString(), currency: input.currency, reference: input.reference, paymentDate: input.paymentDate });
    },
  });
}
