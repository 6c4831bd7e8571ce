import { z } from 'zod';
import { AppError } from '../errors';
import type { ConvertedAmount } from './currency';
import { Money } from './money';

/**
 * GL account determination: which accounting strings (AIT1…AIT7) a payment posts to, by
 * transaction type, card brand, payment method and company/division, as data in
 * mappings/gl-rules.yaml. The result is a balanced set of lines, or an error: never a half batch.
 */

export const AIT_FIELDS = ['AIT1', 'AIT2', 'AIT3', 'AIT4', 'AIT5', 'AIT6', 'AIT7'] as const;
export type AitField = (typeof AIT_FIELDS)[number];
export type AccountingString = Record<AitField, string>;

const ait = z.string().max(10, 'accounting dimensions (AIT1…AIT7) are at most 10 characters');
const accountingStringSchema = z
  .object({
    AIT1: ait.min(1, 'AIT1 (the account) is required'),
    AIT2: ait.default(''),
    AIT3: ait.default(''),
    AIT4: ait.default(''),
    AIT5: ait.default(''),
    AIT6: ait.default(''),
    AIT7: ait.default(''),
  })
  .strict();

/** which amount of the payment a line carries; gross = net + fee */
const amountBasis = z.enum(['gross', 'net', 'fee']);
export type AmountBasis = z.infer<typeof amountBasis>;

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const lineSchema = z
  .object({
    side: z.enum(['debit', 'credit']),
    /** a name from `accounts` */
    account: z.string().min(1),
    amount: amountBasis,
    /** voucher text (VTXT, 40 chars); {reference}, {transactionType}, {cardBrand} are filled in */
    text: z.string().max(80).default('{transactionType} {reference}'),
  })
  .strict();

const ruleSchema = z
  .object({
    name: z.string().min(1),
    /** higher first; unique, so the winner never depends on file order */
    priority: z.number().int(),
    /** conditions; an absent condition matches anything */
    when: z
      .object({
        transactionType: oneOrMany.optional(),
        cardBrand: oneOrMany.optional(),
        paymentMethod: oneOrMany.optional(),
        company: oneOrMany.optional(),
        division: oneOrMany.optional(),
      })
      .strict()
      .default({}),
    lines: z.array(lineSchema).min(2),
  })
  .strict();

const brandSchema = z
  .object({
    /** PayTrace card type texts and other spellings, compared case-insensitively without spaces */
    aliases: z.array(z.string().min(1)).default([]),
    /** IIN/BIN prefixes or ranges ("4", "51-55", "2221-2720") */
    prefixes: z.array(z.string().regex(/^\d{1,6}(-\d{1,6})?$/, 'a prefix is digits or a range of digits like 51-55')).default([]),
  })
  .strict();

export const glRulesSchema = z
  .object({
    version: z.number().int().positive(),
    /** the value space rules are checked against: every combination must hit a rule */
    dimensions: z
      .object({
        transactionTypes: z.array(z.string().min(1)).min(1),
        cardBrands: z.array(z.string().min(1)).min(1),
        paymentMethods: z.array(z.string().min(1)).min(1),
        /** CONO/DIVI pairs as "100/AAA" */
        companyDivisions: z.array(z.string().regex(/^\d{1,3}\/[A-Z0-9]{0,3}$/, 'use CONO/DIVI, e.g. 100/AAA')).min(1),
      })
      .strict(),
    cardBrands: z.record(z.string().min(1), brandSchema),
    accounts: z.record(z.string().min(1), accountingStringSchema),
    rules: z.array(ruleSchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<number, string>();
    file.rules.forEach((rule, i) => {
      const other = seen.get(rule.priority);
      if (other) ctx.addIssue({ code: 'custom', path: ['rules', i, 'priority'], message: `priority ${rule.priority} is also used by rule "${other}"; priorities must be unique` });
      seen.set(rule.priority, rule.name);
      rule.lines.forEach((line, j) => {
        if (!file.accounts[line.account]) ctx.addIssue({ code: 'custom', path: ['rules', i, 'lines', j, 'account'], message: `unknown account "${line.account}" (not in accounts)` });
      });
      if (!linesBalance(rule.lines)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'lines'], message: `rule "${rule.name}" does not balance: debits and credits must carry the same amounts (gross = net + fee)` });
      }
      const dims: Array<[keyof typeof rule.when, string[]]> = [
        ['transactionType', file.dimensions.transactionTypes],
        ['cardBrand', file.dimensions.cardBrands],
        ['paymentMethod', file.dimensions.paymentMethods],
      ];
      for (const [key, allowed] of dims) {
        for (const value of asList(rule.when[key])) {
          if (!allowed.includes(value)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'when', key], message: `"${value}" is not one of dimensions (${allowed.join(', ')})` });
        }
      }
    });
    for (const brand of file.dimensions.cardBrands) {
      if (brand !== 'unknown' && !file.cardBrands[brand]) ctx.addIssue({ code: 'custom', path: ['cardBrands'], message: `card brand "${brand}" is in dimensions but has no cardBrands entry` });
    }
    const uncovered = uncoveredCombinations(file as GlRules);
    if (uncovered.length) {
      const shown = uncovered.slice(0, 5).map((c) => `${c.transactionType}/${c.cardBrand}/${c.paymentMethod}/${c.company}/${c.division}`);
      ctx.addIssue({ code: 'custom', path: ['rules'], message: `${uncovered.length} combination(s) match no rule and there is no catch-all rule, e.g. ${shown.join(', ')}` });
    }
  });

export type GlRules = z.output<typeof glRulesSchema>;
export type GlRule = GlRules['rules'][number];

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** gross = net + fee, so count each side in (net, fee) units: balanced when both sides are equal. */
function linesBalance(lines: ReadonlyArray<{ side: 'debit' | 'credit'; amount: AmountBasis }>): boolean {
  let net = 0;
  let fee = 0;
  for (const line of lines) {
    const sign = line.side === 'debit' ? 1 : -1;
    if (line.amount !== 'fee') net += sign;
    if (line.amount !== 'net') fee += sign;
  }
  return net === 0 && fee === 0;
}

export interface GlContext {
  transactionType: string;
  cardBrand: string;
  paymentMethod: string;
  company: string;
  division: string;
}

function ruleMatches(rule: GlRule, ctx: GlContext): boolean {
  const fits = (cond: string | string[] | undefined, value: string) => cond === undefined || asList(cond).includes(value);
  return (
    fits(rule.when.transactionType, ctx.transactionType) &&
    fits(rule.when.cardBrand, ctx.cardBrand) &&
    fits(rule.when.paymentMethod, ctx.paymentMethod) &&
    fits(rule.when.company, ctx.company) &&
    fits(rule.when.division, ctx.division)
  );
}

// sorted once per loaded rules object: determination runs for every posting
const sortedRules = new WeakMap<GlRules, GlRule[]>();

function byPriority(rules: GlRules): GlRule[] {
  let sorted = sortedRules.get(rules);
  if (!sorted) sortedRules.set(rules, (sorted = [...rules.rules].sort((a, b) => b.priority - a.priority)));
  return sorted;
}

/** The winning rule: the highest priority among those whose conditions all hold. */
export function determineGlRule(rules: GlRules, ctx: GlContext): GlRule {
  const rule = byPriority(rules).find((r) => ruleMatches(r, ctx));
  if (!rule) {
    throw new AppError(`No GL rule for ${ctx.transactionType}/${ctx.cardBrand}/${ctx.paymentMethod} in ${ctx.company}/${ctx.division}`, {
      code: 'GL_NO_RULE',
      errorClass: 'configuration',
      details: { ...ctx },
    });
  }
  return rule;
}

/** Every combination of the declared dimensions that no rule covers. */
export function uncoveredCombinations(rules: GlRules): GlContext[] {
  const ordered = byPriority(rules);
  const out: GlContext[] = [];
  for (const transactionType of rules.dimensions.transactionTypes)
    for (const cardBrand of rules.dimensions.cardBrands)
      for (const paymentMethod of rules.dimensions.paymentMethods)
        for (const pair of rules.dimensions.companyDivisions) {
          const [company = '', division = ''] = pair.split('/');
          const ctx = { transactionType, cardBrand, paymentMethod, company, division };
          if (!ordered.some((r) => ruleMatches(r, ctx))) out.push(ctx);
        }
  return out;
}

function prefixMatches(prefix: string, digits: string): boolean {
  const [low, high] = prefix.split('-');
  if (!high) return digits.startsWith(low!);
  const head = digits.slice(0, low!.length);
  if (head.length < low!.length || !/^\d+$/.test(head)) return false;
  return BigInt(head) >= BigInt(low!) && BigInt(head) <= BigInt(high);
}

/**
 * The card brand from PayTrace's card type text when there is one, else from the leading digits of
 * a masked number (PayTrace shows the first 6 with include_bin). `xxxxxxxxxxxx5439` → unknown.
 */
export function cardBrandOf(rules: GlRules, card: { cardType?: string | null; maskedNumber?: string | null }): string {
  const squash = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  if (card.cardType) {
    const wanted = squash(card.cardType);
    for (const [brand, def] of Object.entries(rules.cardBrands)) {
      if (squash(brand) === wanted || def.aliases.some((a) => squash(a) === wanted)) return brand;
    }
  }
  const lead = /^\d+/.exec(card.maskedNumber ?? '')?.[0] ?? '';
  if (lead.length >= 1) {
    // the longest matching prefix wins (Discover 6011 before a shorter 6…)
    let best: { brand: string; length: number } | undefined;
    for (const [brand, def] of Object.entries(rules.cardBrands)) {
      for (const prefix of def.prefixes) {
        const length = prefix.split('-')[0]!.length;
        if (prefixMatches(prefix, lead) && (!best || length > best.length)) best = { brand, length };
      }
    }
    if (best) return best.brand;
  }
  return 'unknown';
}

export interface GlPostingInput extends GlContext {
  /** the amount the customer paid, in both currencies */
  gross: ConvertedAmount;
  /** the processing fee, when known, in both currencies (same pair as gross) */
  fee?: ConvertedAmount;
  /** our reference written into the voucher text (read-back after an unknown outcome) */
  reference: string;
}

export interface GlLine {
  lineNumber: number;
  side: 'debit' | 'credit';
  accounting: AccountingString;
  /** positive amount in the local currency (ACAM) */
  local: Money;
  /** the same line in the transaction currency (CUAM) */
  foreign: Money;
  text: string;
  basis: AmountBasis;
}

export interface GlBatch {
  rule: string;
  lines: GlLine[];
  totals: { debit: Money; credit: Money; debitForeign: Money; creditForeign: Money };
}

function fillText(template: string, input: GlPostingInput): string {
  return template
    .replace(/\{reference\}/g, input.reference)
    .replace(/\{transactionType\}/g, input.transactionType)
    .replace(/\{cardBrand\}/g, input.cardBrand)
    .slice(0, 40);
}

/**
 * The balanced GL lines for one payment. Net is computed as gross − fee in each currency, so the
 * local side balances to the cent however the conversion rounded. Zero lines are left out.
 * Refuses negative amounts (reversals are their own transaction types with swapped sides).
 */
export function buildGlBatch(rules: GlRules, input: GlPostingInput): GlBatch {
  const rule = determineGlRule(rules, input);
  const grossLocal = input.gross.local;
  const grossForeign = input.gross.transaction;
  const feeLocal = input.fee?.local ?? Money.zero(grossLocal.currency, { decimals: grossLocal.decimals });
  const feeForeign = input.fee?.transaction ?? Money.zero(grossForeign.currency, { decimals: grossForeign.decimals });
  for (const m of [grossLocal, grossForeign, feeLocal, feeForeign]) {
    if (m.isNegative()) throw new AppError('GL amounts must not be negative; post reversals with a reversal transaction type', { code: 'GL_NEGATIVE_AMOUNT', errorClass: 'bug', details: { amount: m.toJSON() } });
  }
  if (feeLocal.compare(grossLocal) > 0) {
    throw new AppError(`The fee ${feeLocal.toString()} exceeds the gross amount ${grossLocal.toString()}`, { code: 'GL_FEE_EXCEEDS_GROSS', errorClass: 'business', details: { gross: grossLocal.toJSON(), fee: feeLocal.toJSON() } });
  }
  const amounts: Record<AmountBasis, { local: Money; foreign: Money }> = {
    gross: { local: grossLocal, foreign: grossForeign },
    fee: { local: feeLocal, foreign: feeForeign },
    net: { local: grossLocal.subtract(feeLocal), foreign: grossForeign.subtract(feeForeign) },
  };
  const lines: GlLine[] = [];
  for (const line of rule.lines) {
    const amount = amounts[line.amount];
    if (amount.local.isZero() && amount.foreign.isZero()) continue;
    lines.push({
      lineNumber: lines.length + 1,
      side: line.side,
      accounting: { ...rules.accounts[line.account]! },
      local: amount.local,
      foreign: amount.foreign,
      text: fillText(line.text, input),
      basis: line.amount,
    });
  }
  const total = (side: 'debit' | 'credit', key: 'local' | 'foreign', sample: Money) =>
    Money.sum(lines.filter((l) => l.side === side).map((l) => l[key]), sample.currency, { decimals: sample.decimals });
  const totals = {
    debit: total('debit', 'local', grossLocal),
    credit: total('credit', 'local', grossLocal),
    debitForeign: total('debit', 'foreign', grossForeign),
    creditForeign: total('credit', 'foreign', grossForeign),
  };
  assertBalanced({ rule: rule.name, lines, totals });
  return { rule: rule.name, lines, totals };
}

/** The last guard before anything is sent to GLS840MI: debits equal credits, in both currencies. */
export function assertBalanced(batch: GlBatch): void {
  if (!batch.totals.debit.equals(batch.totals.credit) || !batch.totals.debitForeign.equals(batch.totals.creditForeign)) {
    throw new AppError(`GL batch from rule "${batch.rule}" does not balance: debit ${batch.totals.debit.toString()} vs credit ${batch.totals.credit.toString()}`, {
      code: 'GL_UNBALANCED',
      errorClass: 'bug',
      details: { rule: batch.rule, debit: batch.totals.debit.toJSON(), credit: batch.totals.credit.toJSON() },
    });
  }
  if (batch.lines.length === 0) {
    throw new AppError(`GL batch from rule "${batch.rule}" has no lines (zero amount)`, { code: 'GL_EMPTY_BATCH', errorClass: 'business', details: { rule: batch.rule } });
  }
}
