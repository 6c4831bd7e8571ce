import { z } from 'zod';
import { Money } from '../../domain/money';
import { decimalText, defineStep } from '../define';

/**
 * Which new M3 invoices get a payment link on their own — the rules as data, in the step's config
 * (mappings/flows/invoice-links.yaml; editable in the builder, versioned with the flow). Fixed
 * exclusions come first and cannot be switched off: credit notes, zero or negative amounts,
 * invoices already paid, invoices already linked. Then every configured rule must hold.
 */
export const qualifyRulesSchema = z
  .object({
    customers: z
      .object({
        /** every customer qualifies (no opt-in needed) */
        all: z.boolean().default(false),
        /** a CUSEXT field of the customer (FILE OCUSMA) that opts it in, e.g. A230 */
        extensionField: z.string().regex(/^[AN]\d{3}$/, 'a CUSEXT field such as A230 or N096').optional(),
        /** the values of that field that mean "opted in" (compared without case) */
        extensionValues: z.array(z.string().min(1).max(30)).default(['1', 'Y', 'YES']),
        /** customer groups (CRS610 CUCL) whose customers are opted in */
        groups: z.array(z.string().min(1).max(3)).default([]),
      })
      .strict()
      .prefault({}),
    /** payment terms (TEPY) that qualify; empty: any */
    paymentTerms: z.array(z.string().min(1).max(3)).default([]),
    /** invoice currencies that qualify (payment links charge in USD only) */
    currencies: z.array(z.string().regex(/^[A-Z]{3}$/)).default(['USD']),
    /** open amount range per currency (decimal strings, inclusive); a currency not listed has no bounds */
    amounts: z.record(z.string().regex(/^[A-Z]{3}$/), z.object({ min: decimalText.optional(), max: decimalText.optional() }).strict()).default({}),
    /** divisions (DIVI) that qualify; empty: any */
    divisions: z.array(z.string().min(1).max(3)).default([]),
  })
  .strict()
  .superRefine((rules, ctx) => {
    if (!rules.customers.all && !rules.customers.extensionField && !rules.customers.groups.length) {
      ctx.addIssue({ code: 'custom', path: ['customers'], message: 'say which customers are opted in: all, an extensionField or groups' });
    }
    // the link service charges in USD only (PayTrace v1): another currency would only park runs as dead letters
    const other = rules.currencies.filter((c) => c !== 'USD');
    if (other.length) ctx.addIssue({ code: 'custom', path: ['currencies'], message: `payment links are for USD invoices only; remove ${other.join(', ')}` });
    for (const [currency, range] of Object.entries(rules.amounts)) {
      try {
        if (range.min && range.max && Money.parse(range.min, currency).compare(Money.parse(range.max, currency)) > 0) ctx.addIssue({ code: 'custom', path: ['amounts', currency], message: 'min is above max' });
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['amounts', currency], message: (err as Error).message });
      }
    }
  });
export type QualifyRules = z.output<typeof qualifyRulesSchema>;

const input = z
  .object({
    invoice: z
      .object({
        creditNote: z.boolean().default(false),
        currency: z.string().min(1),
        totalAmount: decimalText,
        /** what is still to pay (M3 RAFC when read, else the BOD's OpenAmount); absent: the total */
        openAmount: decimalText.optional(),
        paymentTerms: z.string().nullish(),
        division: z.string().min(1),
        /** false: M3 does not know the invoice (any more) */
        found: z.boolean().default(true),
      })
      .strict(),
    customer: z.object({ found: z.boolean(), group: z.string().nullish(), extension: z.record(z.string(), z.string()).default({}) }).passthrough().optional(),
    /** the invoice already has an automatic link (or an open one made by hand) */
    alreadyLinked: z.boolean().default(false),
  })
  .strict();

export type QualifyInput = z.input<typeof input>;

/** Why an invoice does or does not qualify: a stable word for the trace and the dashboard, and a sentence. */
export interface Decision {
  qualifies: boolean;
  reason: 'qualifies' | 'credit-note' | 'not-positive' | 'paid' | 'already-linked' | 'unknown-invoice' | 'unknown-customer' | 'not-opted-in' | 'terms' | 'currency' | 'below-minimum' | 'above-maximum' | 'division';
  message: string;
}

/** The rules applied to one invoice (pure: the unit tests call it directly). */
export function qualifyInvoice(rules: QualifyRules, raw: QualifyInput): Decision {
  const { invoice, customer, alreadyLinked } = input.parse(raw);
  const no = (reason: Decision['reason'], message: string): Decision => ({ qualifies: false, reason, message });
  const currency = invoice.currency;
  const amount = (text: string) => Money.fromM3(text, currency);
  const total = amount(invoice.totalAmount);
  const open = invoice.openAmount === undefined ? total : amount(invoice.openAmount);
  if (invoice.creditNote) return no('credit-note', 'a credit note is not asked to be paid');
  if (!total.isPositive()) return no('not-positive', `the invoice amount ${total.toFixedString()} ${currency} is not positive`);
  if (!invoice.found) return no('unknown-invoice', 'M3 has no such invoice (OIS350MI GetInvHead)');
  if (!open.isPositive()) return no('paid', 'the invoice has nothing left to pay');
  if (alreadyLinked) return no('already-linked', 'the invoice already has its payment link');
  if (!rules.currencies.includes(currency)) return no('currency', `${currency} is not one of the currencies that get links (${rules.currencies.join(', ')})`);
  if (rules.divisions.length && !rules.divisions.includes(invoice.division)) return no('division', `division ${invoice.division} is not one that gets links`);
  const terms = invoice.paymentTerms?.trim() ?? '';
  if (rules.paymentTerms.length && !rules.paymentTerms.includes(terms)) return no('terms', `payment terms ${terms || '(none)'} do not get links (${rules.paymentTerms.join(', ')})`);
  const range = rules.amounts[currency];
  if (range?.min && open.compare(Money.parse(range.min, currency)) < 0) return no('below-minimum', `the open amount ${open.toFixedString()} ${currency} is below ${range.min}`);
  if (range?.max && open.compare(Money.parse(range.max, currency)) > 0) return no('above-maximum', `the open amount ${open.toFixedString()} ${currency} is above ${range.max}`);
  const c = rules.customers;
  if (!c.all) {
    if (!customer?.found) return no('unknown-customer', 'M3 has no such customer (CRS610MI GetBasicData)');
    const flag = c.extensionField ? customer.extension[c.extensionField]?.trim().toUpperCase() : undefined;
    const byFlag = flag !== undefined && flag !== '' && c.extensionValues.some((v) => v.toUpperCase() === flag);
    const byGroup = Boolean(customer.group && c.groups.includes(customer.group));
    if (!byFlag && !byGroup) return no('not-opted-in', 'the customer has not opted in (neither the CUSEXT flag nor a listed customer group)');
  }
  return { qualifies: true, reason: 'qualifies', message: `open ${open.toFixedString()} ${currency}: a link is sent` };
}

export const qualifyInvoiceStep = defineStep<QualifyInput, Decision, QualifyRules>({
  type: 'logic.qualify-invoice',
  title: 'Qualify invoice',
  summary: 'Decide by the rules in its config whether a new invoice gets a payment link (opted-in customer, terms, currency, amount range, division; never credit notes, paid or linked invoices)',
  category: 'logic',
  system: 'none',
  operation: 'invoice link rules',
  exactlyOnce: 'read-only',
  config: qualifyRulesSchema as unknown as z.ZodType<QualifyRules>,
  moneyInputs: [],
  input: input as unknown as z.ZodType<QualifyInput>,
  async execute(value, env) {
    return qualifyInvoice(env.config, value);
  },
});
