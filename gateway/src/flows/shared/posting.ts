import { createHash } from 'node:crypto';
import { cardBrandOf, buildGlBatch } from '../../domain/gl';
import { toLocalCurrency, rateFromCrs055, type ConvertedAmount, type M3CurrencyRate } from '../../domain/currency';
import { Money } from '../../domain/money';
import { DEFAULT_GL_LAYOUT, postGlBatch, type GlInterfaceLayout } from '../../infor/m3-programs/gl';
import type { M3Scope } from '../../infor/m3-programs/executor';
import type { ExportedTransaction } from '../../paytrace/transformers/exports';
import { perform } from '../../pipeline/intents';
import type { FlowContext } from './context';
import { m3Today } from './context';

/** KEY1 of a payment's GL batch (A15): deterministic, so a retry finds the same batch. */
export function glBatchKey(paymentId: string, purpose: 'S' | 'R' = 'S'): string {
  return `PT${purpose}${createHash('sha256').update(paymentId).digest('hex').slice(0, 12).toUpperCase()}`;
}

/** PBID of a payment's cash-receipt batch (numeric, N10): deterministic for the same reason. */
export function receiptBatchId(paymentId: string, purpose = 'receipt'): number {
  const hash = createHash('sha256').update(`${purpose}:${paymentId}`).digest();
  return 1_000_000_000 + (hash.readUInt32BE(0) % 999_999_999);
}

/** CRS055MI rates for a currency, when it is not the local one. */
export async function ratesFor(ctx: FlowContext, scope: M3Scope, currency: string): Promise<M3CurrencyRate[]> {
  if (currency === ctx.config.flows.localCurrency) return [];
  const { records } = await ctx.m3.execute('CRS055MI', 'LstRatesPerType', { CUCD: currency, CRTP: String(ctx.rules.currency.rateType) }, { ...scope, maxrecs: 0 });
  return records.map((r) => rateFromCrs055({ CUCD: currency, LOCD: ctx.config.flows.localCurrency, CRTP: String(ctx.rules.currency.rateType), ...r }));
}

export async function convert(ctx: FlowContext, scope: M3Scope, amount: string, currency: string): Promise<ConvertedAmount> {
  const money = Money.parse(amount, currency);
  const rates = await ratesFor(ctx, scope, currency);
  return toLocalCurrency(money, { localCurrency: ctx.config.flows.localCurrency, date: new Date().toISOString().slice(0, 10), rates }, ctx.rules.currency);
}

function layoutOf(ctx: FlowContext): GlInterfaceLayout {
  return { ...DEFAULT_GL_LAYOUT, interfaceName: ctx.config.flows.glInterfaceName };
}

/**
 * Determine the GL lines of a payment with the GL rules (balanced or refused) and post them as
 * one GLS840MI batch under the payment's KEY1.
 */
export async function postPaymentGl(
  ctx: FlowContext,
  scope: M3Scope,
  input: { paymentId: string; transactionType: 'sale' | 'refund'; card: { cardType?: string | null; maskedNumber?: string | null }; amount: ConvertedAmount; reference: string },
): Promise<{ key1: string; rule: string }> {
  const cardBrand = cardBrandOf(ctx.rules.gl, input.card);
  const batch = buildGlBatch(ctx.rules.gl, {
    transactionType: input.transactionType,
    cardBrand,
    paymentMethod: 'card',
    company: String(scope.cono),
    division: scope.divi,
    gross: input.amount,
    reference: input.reference,
  });
  const key1 = glBatchKey(input.paymentId, input.transactionType === 'refund' ? 'R' : 'S');
  await postGlBatch(ctx.m3, scope, layoutOf(ctx), {
    key1,
    description: `PayTrace ${input.transactionType} ${input.reference}`,
    accountingDate: m3Today(),
    lines: batch.lines.map((line) => ({
      account: line.accounting.AIT1,
      amount: line.side === 'debit' ? line.local.toFixedString() : `-${line.local.toFixedString()}`,
      currency: line.local.currency,
      text: line.text,
    })),
  });
  return { key1, rule: batch.rule };
}

/** The GL step of a flow: the payment's GL batch as an intent (postGlBatch resumes what it finds under KEY1). */
export function glStep(
  ctx: FlowContext,
  scope: M3Scope,
  input: { paymentId: string; transactionType: 'sale' | 'refund'; card: { cardType?: string | null; maskedNumber?: string | null }; amount: ConvertedAmount; reference: string },
): Promise<{ key1: string; rule: string }> {
  return perform(ctx.db, {
    key: `${input.paymentId}:gl`,
    paymentId: input.paymentId,
    system: 'm3',
    operation: 'GLS840MI',
    idempotent: true, // postGlBatch resumes a batch it finds under the same KEY1
    execute: () => postPaymentGl(ctx, scope, input),
  });
}

/** The card as PayTrace's export shows it: brand text and masked number, nothing more. */
export function cardOf(transaction: ExportedTransaction): { cardType: string | null; maskedNumber: string | null } {
  const nested = transaction.raw.credit_card as { type?: unknown } | undefined;
  const type = nested?.type ?? transaction.raw.card_type;
  return { cardType: typeof type === 'string' ? type : null, maskedNumber: transaction.maskedCardNumber ?? null };
}
