import { createHash } from 'node:crypto';
import { harmonizeAddress, requireValidAddress } from '../../domain/address';
import { cardBrandOf } from '../../domain/gl';
import { Money } from '../../domain/money';
import { errorClassOf } from '../../errors';
import { ensureCustomer } from '../../infor/m3-programs/customers';
import { addCardReference, createOrder } from '../../infor/m3-programs/orders';
import { addToContext } from '../../observability/context';
import type { ExportedTransaction } from '../../paytrace/transformers/exports';
import type { InboxRow } from '../../pipeline/inbox';
import { perform } from '../../pipeline/intents';
import { openPayment, updatePayment, type Payment } from '../../pipeline/ledger';
import { scopeOf, type FlowContext } from '../shared/context';
import { announcePayment } from '../shared/announce';
import { fail, recordFlowError } from '../shared/outcome';
import { cardOf, convert, glStep } from '../shared/posting';
import { ecommerceNotificationSchema, type EcommerceNotification } from './notification';

/** A stable M3 customer number (A10) for a storefront customer M3 does not know yet. */
export function webCustomerNumber(storefrontId: string): string {
  return `W${createHash('sha256').update(storefrontId).digest('hex').slice(0, 9).toUpperCase()}`;
}


/**
 * Flow 1 — e-commerce sale. The storefront charged the card and told us; we never trust its
 * amounts:
 *   verify the transaction with PayTrace → ensure the customer in M3 (harmonized address) →
 *   the customer order (CUOR = storefront order id) → the card reference on the order →
 *   the GL posting → done, and subscribers told.
 * Every step is recorded as an intent and looks up what an earlier attempt did before acting,
 * so a retry, a replay or a duplicate notification has exactly one effect.
 */
export async function runEcommerceSale(ctx: FlowContext, row: InboxRow): Promise<Payment> {
  const notification: EcommerceNotification = ecommerceNotificationSchema.parse(row.payload);
  const order = notification.data;
  const scope = scopeOf(ctx.config, order.company, order.division);
  addToContext({ CONO: scope.cono, DIVI: scope.divi, storefrontOrder: order.orderId, paytraceTransactionId: order.paytraceTransactionId });

  const { payment } = await openPayment(ctx.db, {
    flow: 'ecommerce_sale',
    reference: `ECOM-${scope.cono}-${order.orderId}`,
    status: 'received',
    correlationId: row.correlation_id,
    fields: { cono: scope.cono, divi: scope.divi, storefront_order_id: order.orderId, currency: order.currency },
  });
  if (payment.status === 'completed') return payment;

  try {
    // 1. Verify with PayTrace: it exists, it is approved, and the amount is the one claimed.
    const transaction = await perform(ctx.db, {
      key: `${payment.id}:verify`,
      paymentId: payment.id,
      system: 'paytrace',
      operation: 'export/by_id',
      request: { transaction_id: order.paytraceTransactionId },
      idempotent: true,
      execute: () => verifyTransaction(ctx, order),
    });
    const reused = await ctx.db('payments').where({ paytrace_transaction_id: String(transaction.transactionId) }).whereNot({ id: payment.id }).first('reference');
    if (reused) fail('ECOMMERCE_TRANSACTION_REUSED', `PayTrace transaction ${transaction.transactionId} already paid ${reused.reference}`);
    const amount = await convert(ctx, scope, transaction.amount!, 'USD');
    await updatePayment(ctx.db, payment.id, {
      status: 'verified',
      step: 'verify',
      fields: {
        paytrace_transaction_id: String(transaction.transactionId),
        amount: amount.transaction.toFixedString(),
        currency: amount.transaction.currency,
        local_amount: amount.local.toFixedString(),
        local_currency: amount.local.currency,
        exchange_rate: amount.effectiveRate,
        settlement_state: transaction.state,
      },
    });

    // 2. The customer: known in M3, or created from the order's harmonized address.
    const cuno = order.customer.number || webCustomerNumber(order.customer.storefrontId);
    addToContext({ CUNO: cuno });
    await perform(ctx.db, {
      key: `${payment.id}:customer`,
      paymentId: payment.id,
      system: 'm3',
      operation: 'CRS610MI/Add',
      request: { CUNO: cuno },
      idempotent: true, // ensureCustomer reads before it adds
      execute: async () => {
        const address = requireValidAddress(
          harmonizeAddress(ctx.rules.address, {
            name: order.customer.name,
            lines: order.customer.address.lines,
            city: order.customer.address.city,
            region: order.customer.address.state,
            postalCode: order.customer.address.postalCode,
            country: order.customer.address.country,
          }),
        );
        return ensureCustomer(ctx.m3, scope, {
          cuno,
          name: order.customer.name,
          template: ctx.config.flows.customerTemplate,
          address,
          phone: order.customer.phone,
          email: order.customer.email,
          currency: 'USD',
        });
      },
    });
    await updatePayment(ctx.db, payment.id, { status: 'customer_ready', step: 'customer', fields: { cuno } });

    // 3. The order, found by CUOR if an earlier attempt created it; an earlier attempt's
    //    unconfirmed batch order (recorded on the intent) is resumed or removed, never left behind.
    const orderKey = `${payment.id}:order`;
    const earlier = await ctx.db('intents').where({ key: orderKey }).first<{ request: { tempOrno?: string } | null } | undefined>('request');
    const created = await perform(ctx.db, {
      key: orderKey,
      paymentId: payment.id,
      system: 'm3',
      operation: 'OIS100MI/AddBatchHead+AddBatchLine+Confirm',
      request: { CUOR: order.orderId, lines: order.lines.length },
      idempotent: true, // createOrder searches by CUOR first
      execute: () =>
        createOrder(ctx.m3, scope, {
          cuno,
          cuor: order.orderId,
          currency: 'USD',
          paymentMethod: ctx.config.flows.paymentMethod,
          provider: ctx.config.flows.provider,
          reference: String(transaction.transactionId),
          lines: order.lines.map((l) => ({ itno: l.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
        }, {
          earlierHead: earlier?.request?.tempOrno,
          onHead: async (tempOrno) => {
            await ctx.db('intents').where({ key: orderKey }).update({ request: ctx.db.raw(`coalesce(request, '{}'::jsonb) || ?::jsonb`, [JSON.stringify({ tempOrno })]) });
          },
        }),
    });
    addToContext({ ORNO: created.orno });
    await updatePayment(ctx.db, payment.id, { status: 'ordered', step: 'order', fields: { orno: created.orno } });

    const card = cardOf(transaction);
    const brand = cardBrandOf(ctx.rules.gl, card);

    // 4. The card reference: the PayTrace transaction id and the masked card, never a card number.
    await perform(ctx.db, {
      key: `${payment.id}:card-reference`,
      paymentId: payment.id,
      system: 'm3',
      operation: 'CRCCINMI/AddCCRefNo',
      request: { ORNO: created.orno, REFE: String(transaction.transactionId) },
      lookup: async () => {
        try {
          const { records } = await ctx.m3.execute('CRCCINMI', 'GetInquiry', { NREF: String(transaction.transactionId), TRDP: ctx.config.flows.provider }, scope);
          return records.length ? { found: true, result: records[0]!.REFN ?? '' } : { found: false };
        } catch (err) {
          if (errorClassOf(err).errorClass === 'business') return { found: false };
          throw err;
        }
      },
      execute: () =>
        addCardReference(ctx.m3, scope, {
          orno: created.orno,
          provider: ctx.config.flows.provider,
          transactionId: String(transaction.transactionId),
          amount: amount.transaction.toFixedString(),
          currency: 'USD',
          maskedCard: transaction.maskedCardNumber ?? '',
          cardType: ctx.config.flows.cardTypeCodes[brand] ?? ctx.config.flows.cardTypeCodes.unknown ?? 'CC',
          transactionType: ctx.config.flows.cardSaleTransactionType,
        }),
    });

    // 5. The GL posting: balanced lines from the GL rules, one batch under the payment's KEY1.
    const gl = await glStep(ctx, scope, { paymentId: payment.id, transactionType: 'sale', card, amount, reference: payment.reference });

    // Announce before 'completed': a completed payment is skipped on a re-run, so a crash between
    // the two would lose the announcement; announcing twice is harmless (stable ids).
    const posted = await updatePayment(ctx.db, payment.id, { step: 'gl', fields: { gl_batch_key: gl.key1 } });
    await announcePayment(ctx, posted, {
      status: transaction.state === 'settled' ? 'Settled' : 'Captured',
      eventType: 'payment.succeeded',
      data: { flow: 'ecommerce_sale', reference: payment.reference, storefrontOrderId: order.orderId, orno: created.orno, cuno, amount: amount.transaction.toJSON(), paytraceTransactionId: transaction.transactionId },
      card: { brand, last4: transaction.maskedCardNumber?.slice(-4) },
      authorizationCode: transaction.approvalCode,
    });
    return await updatePayment(ctx.db, payment.id, { status: 'completed', step: 'announce' });
  } catch (err) {
    return recordFlowError(ctx.db, payment.id, err);
  }
}

async function verifyTransaction(ctx: FlowContext, order: EcommerceNotification['data']): Promise<ExportedTransaction> {
  const exported = await ctx.paytrace.exportTransactionById(Number(order.paytraceTransactionId));
  const transaction = exported.transactions.find((t) => String(t.transactionId) === order.paytraceTransactionId);
  if (!transaction) fail('ECOMMERCE_TRANSACTION_NOT_FOUND', `PayTrace has no transaction ${order.paytraceTransactionId}`);
  if (transaction.state !== 'pending_settlement' && transaction.state !== 'settled') {
    fail('ECOMMERCE_TRANSACTION_NOT_PAID', `PayTrace transaction ${order.paytraceTransactionId} is ${transaction.state}, not a paid sale`);
  }
  if (order.currency !== 'USD') fail('ECOMMERCE_CURRENCY_UNSUPPORTED', `PayTrace charges in USD only; the notification says ${order.currency}`);
  if (!transaction.amount) fail('ECOMMERCE_AMOUNT_UNKNOWN', `PayTrace did not report the amount of ${order.paytraceTransactionId}`);
  const paid = Money.parse(transaction.amount, 'USD');
  const claimed = Money.parse(order.amount, 'USD');
  if (!paid.equals(claimed)) {
    fail('ECOMMERCE_AMOUNT_MISMATCH', `the storefront claims ${claimed.toFixedString()} USD but PayTrace charged ${paid.toFixedString()} USD`, { claimed: claimed.toFixedString(), paid: paid.toFixedString() });
  }
  return transaction;
}

