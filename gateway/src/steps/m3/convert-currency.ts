import { z } from 'zod';
import { rateFromCrs055, toLocalCurrency } from '../../domain/currency';
import { Money } from '../../domain/money';
import { currencyCode, decimalText, defineStep, type StepConnectors } from '../define';
import { m3For } from './checked-client';

export interface ConvertedAmountJson {
  transaction: { amount: string; currency: string };
  local: { amount: string; currency: string };
  effectiveRate: string;
  rounding: string;
  unrounded: string;
}

/** Both amounts of a payment: the transaction's and M3's local currency, by CRS055MI rates and currency-policy.yaml. */
export function convertCurrencyStep(connectors: StepConnectors) {
  return defineStep<{ amount: string; currency: string; date?: string }, ConvertedAmountJson>({
    type: 'm3.convert-currency',
    title: 'Local currency',
    summary: 'Convert an amount to the division\'s local currency with CRS055MI rates (currency-policy.yaml decides rate type, age and rounding)',
    category: 'm3',
    system: 'm3',
    operation: 'CRS055MI/LstRatesPerType',
    exactlyOnce: 'read-only',
    moneyInputs: ['amount'],
    input: z.object({ amount: decimalText, currency: currencyCode, date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }).strict(),
    async execute(input, env) {
      const local = env.settings.localCurrency;
      const policy = env.rules.currency;
      let rates: ReturnType<typeof rateFromCrs055>[] = [];
      if (input.currency !== local) {
        const m3 = m3For(connectors, env, ['CRS055MI/LstRatesPerType']);
        const { records } = await m3.execute('CRS055MI', 'LstRatesPerType', { CUCD: input.currency, CRTP: String(policy.rateType) }, { maxrecs: 0 });
        rates = records.map((r) => rateFromCrs055({ CUCD: input.currency, LOCD: local, CRTP: String(policy.rateType), ...r }));
      }
      const converted = toLocalCurrency(Money.parse(input.amount, input.currency), { localCurrency: local, date: input.date ?? new Date().toISOString().slice(0, 10), rates }, policy);
      return {
        transaction: { amount: converted.transaction.toFixedString(), currency: converted.transaction.currency },
        local: { amount: converted.local.toFixedString(), currency: converted.local.currency },
        effectiveRate: converted.effectiveRate,
        rounding: converted.rounding,
        unrounded: converted.unrounded,
      };
    },
  });
}
