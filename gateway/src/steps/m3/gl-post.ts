import { z } from 'zod';
import type { ConvertedAmount } from '../../domain/currency';
import { buildGlBatch, type GlPostingInput } from '../../domain/gl';
import { Money } from '../../domain/money';
import { DEFAULT_GL_LAYOUT, postGlBatch } from '../../infor/m3-programs/gl';
import { currencyCode, decimalText, defineStep, type StepConnectors } from '../define';
import { m3Date } from '../../pipeline/functions';
import { m3For } from './checked-client';

const amounts = z
  .object({ transaction: z.object({ amount: decimalText, currency: currencyCode }), local: z.object({ amount: decimalText, currency: currencyCode }), effectiveRate: z.string().optional(), rounding: z.string().optional(), unrounded: z.string().optional() })
  .passthrough();

/**
 * The GL posting of a payment: balanced lines from gl-rules.yaml (by transaction type, card brand,
 * payment method, company/division), one GLS840MI batch under a deterministic KEY1, resumed —
 * never doubled — when an earlier attempt left part of it.
 */
export function glPostStep(connectors: StepConnectors) {
  return defineStep<{ key1: string; transactionType: string; cardBrand: string; paymentMethod: 'card' | 'ach'; amount: z.output<typeof amounts>; fee?: z.output<typeof amounts>; reference: string; description?: string; accountingDate?: string }, { key1: string; rule: string; lines: number }>({
    type: 'gl.post',
    title: 'GL posting',
    summary: 'Post balanced GL lines from gl-rules.yaml as one GLS840MI batch (KEY1 found again after a lost answer)',
    category: 'gl',
    system: 'm3',
    operation: 'GLS840MI/AddBatchHead+AddBatchLine+CtrlBatch+UpdBatch',
    exactlyOnce: 'read-before-write',
    movesMoney: true,
    m3: { program: 'GLS840MI', transaction: 'AddBatchHead', fields: { key1: 'KEY1' } },
    input: z
      .object({
        key1: z.string().min(1).max(15),
        /** a transaction type of gl-rules.yaml (sale, refund, chargeback, …) */
        transactionType: z.string().min(1),
        cardBrand: z.string().default('unknown'),
        paymentMethod: z.enum(['card', 'ach']).default('card'),
        amount: amounts,
        /** the fee inside the amount (gross = net + fee), in the same currencies: lines with `amount: fee` / `net` carry it */
        fee: amounts.optional(),
        reference: z.string().min(1),
        description: z.string().optional(),
        accountingDate: z.string().regex(/^\d{8}$/).optional(),
      })
      .strict(),
    async execute(input, env) {
      const m3 = m3For(connectors, env, ['GLS840MI/LstBatchHead', 'GLS840MI/LstBatchLine', 'GLS840MI/AddBatchHead', 'GLS840MI/AddBatchLine', 'GLS840MI/CtrlBatch', 'GLS840MI/UpdBatch']);
      const gross: ConvertedAmount = {
        transaction: Money.parse(input.amount.transaction.amount, input.amount.transaction.currency),
        local: Money.parse(input.amount.local.amount, input.amount.local.currency),
        effectiveRate: String(input.amount.effectiveRate ?? '1'),
        rounding: (input.amount.rounding as ConvertedAmount['rounding'] | undefined) ?? env.rules.currency.rounding,
        unrounded: String(input.amount.unrounded ?? input.amount.local.amount),
      };
      const fee: ConvertedAmount | undefined = input.fee && {
        transaction: Money.parse(input.fee.transaction.amount, input.fee.transaction.currency),
        local: Money.parse(input.fee.local.amount, input.fee.local.currency),
        effectiveRate: String(input.fee.effectiveRate ?? '1'),
        rounding: (input.fee.rounding as ConvertedAmount['rounding'] | undefined) ?? env.rules.currency.rounding,
        unrounded: String(input.fee.unrounded ?? input.fee.local.amount),
      };
      const batch = buildGlBatch(env.rules.gl, {
        transactionType: input.transactionType as GlPostingInput['transactionType'],
        cardBrand: input.cardBrand,
        paymentMethod: input.paymentMethod,
        company: String(env.scope.cono),
        division: env.scope.divi,
        gross,
        fee,
        reference: input.reference,
      });
      await postGlBatch(m3, env.scope, { ...DEFAULT_GL_LAYOUT, interfaceName: env.settings.glInterfaceName }, {
        key1: input.key1,
        description: input.description ?? `PayTrace ${input.transactionType} ${input.reference}`,
        accountingDate: input.accountingDate ?? m3Date(),
        lines: batch.lines.map((line) => ({ account: line.accounting.AIT1, amount: line.side === 'debit' ? line.local.toFixedString() : `-${line.local.toFixedString()}`, currency: line.local.currency, text: line.text })),
      });
      return { key1: input.key1, rule: batch.rule, lines: batch.lines.length };
    },
  });
}
