import type { Knex } from 'knex';
import { cardBrandOf } from '../../domain/gl';
import { Money } from '../../domain/money';
import { AppError } from '../../errors';
import { getInvoice } from '../../infor/m3-programs/invoices';
import { addCashReceipt, findReceipts } from '../../infor/m3-programs/receipts';
import { addToContext } from '../../observability/context';
import type { JobQueue } from '../../pipeline/job-queue';
import { ingest, type InboxRow } from '../../pipeline/inbox';
import { perform } from '../../pipeline/intents';
import { getPayment, updatePayment, type Payment } from '../../pipeline/ledger';
import { announcePayment } from '../shared/announce';
import { fail, recordFlowError } from '../shared/outcome';
import { m3Today, scopeOf, type FlowContext } from '../shared/context';
import { cardOf, convert, glStep, receiptBatchId } from '../shared/posting';

export const INVOICE_PAYMENT_QUEUE = 'invoice-payment';

export interface InvoiceChargedPayload {
  paymentId: string;
}


/**
 * Hand a charged invoice payment (the pay page's PayTrace sale succeeded) to flow 2, durably:
 * the inbox row and its job commit together; the same payment handed over twice is one event.
 */
export async function invoiceCharged(db: Knex, queue: JobQueue, payment: Payment): Promise<{ inboxId: string; duplicate: boolean }> {
  return ingest(db, queue, {
    source: 'payment-link',
    dedupeKey: `charged:${payment.id}`,
    kind: 'invoice.charged',
    payload: { paymentId: payment.id } satisfies InvoiceChargedPayload,
    correlationId: payment.correlation_id,
    aggregateKey: `invoice:${payment.cono}:${payment.divi}:${payment.yea4}:${payment.ivno}`,
    queue: INVOICE_PAYMENT_QUEUE,
  });
}

/**
 * Flow 2 — invoice paid through a payment link. The card was charged through PayTrace Protect
 * for the link's amount; now the money lands in M3:
 *   re-read the charge at PayTrace → re-read the invoice's open amount in M3 → cash receipt
 *   applied to the invoice (ARS040MI, our reference in IRNO) → balanced GL batch → done, ION and
 *   subscribers told.
 */
export async function runInvoicePayment(ctx: FlowContext, row: InboxRow): Promise<Payment> {
  const { paymentId } = row.payload as InvoiceChargedPayload;
  const payment = await getPayment(ctx.db, paymentId);
  if (!payment) throw new AppError(`payment ${paymentId} does not exist`, { code: 'PAYMENT_MISSING', errorClass: 'bug' });
  if (payment.status === 'completed') return payment;
  if (!payment.ivno || !payment.yea4 || !payment.paytrace_transaction_id || !payment.amount || !payment.currency) {
    throw new AppError(`payment ${payment.id} lacks its invoice or PayTrace transaction`, { code: 'PAYMENT_INCOMPLETE', errorClass: 'bug' });
  }
  const scope = scopeOf(ctx.config, payment.cono ?? undefined, payment.divi ?? undefined);
  addToContext({ CONO: scope.cono, DIVI: scope.divi, IVNO: payment.ivno, YEA4: payment.yea4, paytraceTransactionId: payment.paytrace_transaction_id });
  const paid = Money.fromM3(payment.amount, payment.currency);

  try {
    // 1. The charge as PayTrace has it (never only our memory of it).
    const transaction = await perform(ctx.db, {
      key: `${payment.id}:verify`,
      paymentId: payment.id,
      system: 'paytrace',
      operation: 'export/by_id',
      idempotent: true,
      execute: async () => {
        const exported = await ctx.paytrace.exportTransactionById(Number(payment.paytrace_transaction_id));
        const t = exported.transactions.find((x) => String(x.transactionId) === payment.paytrace_transaction_id);
        if (!t) fail('PAYMENT_TRANSACTION_NOT_FOUND', `PayTrace has no transaction ${payment.paytrace_transaction_id}`);
        if (t.state !== 'pending_settlement' && t.state !== 'settled') fail('PAYMENT_TRANSACTION_NOT_PAID', `PayTrace transaction ${t.transactionId} is ${t.state}`);
        if (!t.amount || !Money.parse(t.amount, 'USD').equals(paid)) fail('PAYMENT_AMOUNT_MISMATCH', `PayTrace charged ${t.amount} USD, the ledger says ${paid.toFixedString()}`);
        return t;
      },
    });

    // 2. The invoice as M3 has it now: it must still be open for at least what was paid.
    const invoice = await perform(ctx.db, {
      key: `${payment.id}:invoice`,
      paymentId: payment.id,
      system: 'm3',
      operation: 'OIS350MI/GetInvHead',
      idempotent: true,
      execute: async () => {
        const inv = await getInvoice(ctx.m3, scope, payment.yea4!, payment.ivno!);
        if (!inv) fail('INVOICE_UNKNOWN', `M3 has no invoice ${payment.ivno}/${payment.yea4} in ${scope.cono}/${scope.divi}`);
        return inv;
      },
    });
    if (invoice.currency !== paid.currency) fail('INVOICE_CURRENCY_MISMATCH', `invoice ${invoice.ivno} is in ${invoice.currency}, the payment in ${paid.currency}`);

    const receipt = await perform(ctx.db, {
      key: `${payment.id}:receipt`,
      paymentId: payment.id,
      system: 'm3',
      operation: 'ARS040MI',
      request: { CINO: invoice.ivno, INYR: invoice.yea4, PYAM: paid.toFixedString(), IRNO: payment.reference },
      idempotent: true, // addCashReceipt finds an earlier receipt by IRNO before it adds one
      execute: () => addCashReceiptIfOpen(ctx, scope, payment, invoice, paid, Money.fromM3(invoice.openAmount, invoice.currency)),
    });
    await updatePayment(ctx.db, payment.id, { status: 'receipt_posted', step: 'receipt', fields: { receipt_ref: String(receipt.pbid), cuno: invoice.cuno } });

    const card = cardOf(transaction);
    const amount = await convert(ctx, scope, paid.toFixedString(), paid.currency);
    const gl = await glStep(ctx, scope, { paymentId: payment.id, transactionType: 'sale', card, amount, reference: payment.reference });
    // Announce before 'completed': a completed payment is skipped on a re-run, so a crash between
    // the two would lose the announcement; announcing twice is harmless (stable ids).
    const posted = await updatePayment(ctx.db, payment.id, {
      step: 'gl',
      fields: { gl_batch_key: gl.key1, local_amount: amount.local.toFixedString(), local_currency: amount.local.currency, exchange_rate: amount.effectiveRate },
    });
    await announcePayment(ctx, posted, {
      status: 'Captured',
      eventType: 'invoice.paid',
      data: { flow: 'invoice_payment', reference: payment.reference, ivno: payment.ivno, yea4: payment.yea4, cuno: invoice.cuno, amount: paid.toJSON(), paytraceTransactionId: transaction.transactionId, receiptBatch: receipt.pbid },
      card: { brand: cardBrandOf(ctx.rules.gl, card), last4: transaction.maskedCardNumber?.slice(-4) },
      authorizationCode: transaction.approvalCode,
    });
    return await updatePayment(ctx.db, payment.id, { status: 'completed', step: 'announce' });
  } catch (err) {
    return recordFlowError(ctx.db, payment.id, err);
  }
}

async function addCashReceiptIfOpen(
  ctx: FlowContext,
  scope: { cono: number; divi: string },
  payment: Payment,
  invoice: { ivno: string; yea4: number; cuno: string; payer: string; currency: string },
  paid: Money,
  open: Money,
): Promise<{ pbid: number; resumed: boolean }> {
  const receipt = {
    pbid: receiptBatchId(payment.id),
    paymentType: ctx.config.flows.receiptPaymentType,
    invoice: { ivno: invoice.ivno, yea4: invoice.yea4 },
    cuno: invoice.cuno,
    payer: invoice.payer,
    amount: paid.toFixedString(),
    currency: invoice.currency,
    reference: payment.reference,
    paymentDate: m3Today(),
  };
  if (open.compare(paid) < 0) {
    // Either an earlier attempt of ours already applied it (its receipt carries our reference)…
    const earlier = await findReceipts(ctx.m3, scope, payment.reference);
    if (earlier.length) return { pbid: Number(earlier[0]!.PBID ?? receipt.pbid), resumed: true };
    // …or the invoice was paid elsewhere meanwhile: the money is taken, a person must decide.
    fail(open.isZero() ? 'INVOICE_ALREADY_PAID' : 'INVOICE_OPEN_BELOW_PAYMENT', `invoice ${invoice.ivno} is open for ${open.toFixedString()} ${open.currency} but ${paid.toFixedString()} was paid: review and refund the difference`, {
      open: open.toFixedString(),
      paid: paid.toFixedString(),
    });
  }
  return addCashReceipt(ctx.m3, scope, receipt);
}
