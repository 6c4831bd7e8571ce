import type { SensitiveCategory, TargetField } from './types';
import { tokens } from './vocabulary';

/**
 * Fields a suggestion is never applied to without a person: money (an amount moves money),
 * currency (changes what the amount means), card data and bank/GL accounts. However sure the
 * matcher is, these come back with `confirmRequired` and `autoApply: false`.
 */

const CARD_NAMES = /^(CANU|CSC1|CSC2|EXP0|CTPY|credit_card\..*|csc|hpf_token|enc_key|encrypted_.*|swipe|Card\/.*)$/;
const ACCOUNT_NAMES = /^(BKID|BKI2|BAAN|BLAN|AIT[1-7]|ACNO|routing_number|account_number)$/;
const CURRENCY_NAMES = /^(CUCD|LOCD|FCUR|TCUR|THCC|currency|.*\/@currencyID)$/;

export function sensitiveCategory(field: TargetField): SensitiveCategory | undefined {
  const words = new Set([...tokens(field.description), ...tokens(field.name)]);
  if (CARD_NAMES.test(field.name) || words.has('card') || (words.has('expiration') && words.has('month'))) return 'card';
  if (ACCOUNT_NAMES.test(field.name) || words.has('account') || words.has('bank') || words.has('iban') || /accounting dimension 1\b/i.test(field.description)) return 'account';
  if (CURRENCY_NAMES.test(field.name) || (words.has('currency') && !words.has('amount') && !words.has('price'))) return 'currency';
  const moneyWords = ['amount', 'price', 'charge', 'discount', 'tax'];
  if (field.type === 'numeric' && (moneyWords.some((w) => words.has(w)) || (words.has('exchange') && words.has('rate')))) return 'money';
  if (field.type !== 'date' && field.type !== 'boolean' && words.has('amount')) return 'money';
  return undefined;
}
