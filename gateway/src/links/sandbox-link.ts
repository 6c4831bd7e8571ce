import type { GatewayServices } from '../kernel/services';
import { linkServiceOf } from './link-service';

/** The seeded open invoice the sandbox banner offers a payment link for (Infor simulator seed data). */
export const SANDBOX_INVOICE = { invoiceNumber: '200001', invoiceYear: 2026 } as const;

/**
 * `npm start` in sandbox: a ready payment link (the live one of a seeded open invoice, made once),
 * or why there is none — the banner prints it either way, start-up never fails on it.
 */
export async function sandboxPaymentLink(services: GatewayServices, gatewayUrl: string): Promise<string> {
  try {
    const links = await linkServiceOf(services);
    const [first] = await links.create({ ...SANDBOX_INVOICE }, 'sandbox');
    if (!first) return 'none (no open invoice)';
    return `${links.urlOf(first.link, services.config.http.publicBaseUrl ?? gatewayUrl)}   (invoice ${first.link.ivno}, $${first.link.amount}; test card 4012000098765439)`;
  } catch (err) {
    return `none: ${err instanceof Error ? err.message : String(err)}`;
  }
}
