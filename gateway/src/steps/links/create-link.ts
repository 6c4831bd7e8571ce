import { z } from 'zod';
import { Money } from '../../domain/money';
import { AppError } from '../../errors';
import { decimalText, defineStep, type StepConnectors } from '../define';

const input = z
  .object({
    ivno: z.string().trim().min(1).max(15),
    yea4: z.coerce.number().int().min(1900).max(2999),
    cuno: z.string().trim().min(1).max(10),
    currency: z.string().regex(/^[A-Z]{3}$/),
    /** the open amount as M3 has it now (OIS350MI RAFC): the link is for this amount */
    openAmount: decimalText,
    /** M3 DUDT, yyyyMMdd */
    dueDate: z.string().regex(/^(\d{8})?$/).nullish(),
    /** M3 IVDT, yyyyMMdd */
    invoiceDate: z.string().regex(/^(\d{8})?$/).nullish(),
    orno: z.string().max(10).nullish(),
    /** the customer as the flow read it (CRS610MI): spares the link service a second read */
    customerName: z.string().nullish(),
    customerEmail: z.string().nullish(),
  })
  .strict();

export interface CreatedLink {
  linkId: string;
  amount: string;
  currency: string;
  /** ISO time */
  expiresAt: string;
  /** the invoice's open link was there already (an earlier attempt, or an M3 user's click) */
  reused: boolean;
}

/**
 * A payment link for an invoice, made exactly as the M3 user's button makes it (the link service's
 * `linkFor`): one open link per invoice — the open one when it is for the same amount, else a new
 * one (an expired link is closed, one for another amount superseded). The link's signed URL is not
 * kept in the output; the e-mail step signs it when it renders.
 */
export function createLinkStep(connectors: StepConnectors) {
  return defineStep<z.output<typeof input>, CreatedLink>({
    type: 'links.create',
    title: 'Payment link',
    summary: 'Create (or find) the invoice\'s one open payment link, exactly as the Send payment link button does',
    category: 'ledger',
    system: 'gateway',
    operation: 'payment_links (one open link per invoice)',
    // the open link of the invoice is looked for before one is made (unique while open)
    exactlyOnce: 'read-before-write',
    moneyInputs: ['openAmount'],
    input,
    async execute(value, env) {
      const { service } = await connectors.links();
      const open = Money.fromM3(value.openAmount, value.currency);
      const customer = value.customerName !== undefined || value.customerEmail !== undefined ? { name: value.customerName ?? null, email: value.customerEmail ?? null } : undefined;
      let made;
      try {
        made = await service.linkFor(
          { ivno: value.ivno, yea4: value.yea4, cuno: value.cuno, payer: value.cuno, currency: value.currency, openAmount: open.toFixedString(), totalAmount: open.toFixedString(), dueDate: value.dueDate ?? '', invoiceDate: value.invoiceDate ?? undefined, status: '', orno: value.orno ?? undefined },
          env.scope,
          `flow:${env.flowId}`,
          customer,
        );
      } catch (err) {
        // the customer is paying the invoice's link this minute: the run waits (retries) and then sees it paid, or declined
        if (err instanceof AppError && err.code === 'LINK_PAYMENT_IN_PROGRESS') throw new AppError(err.message, { code: 'LINK_PAYMENT_IN_PROGRESS', errorClass: 'transient', cause: err });
        throw err;
      }
      const { link, reused } = made;
      return { linkId: link.id, amount: Money.fromM3(link.amount, link.currency).toFixedString(), currency: link.currency, expiresAt: link.expires_at.toISOString(), reused };
    },
  });
}
