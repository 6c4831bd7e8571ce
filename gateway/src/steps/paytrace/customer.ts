import { z } from 'zod';
import { AppError } from '../../errors';
import { defineStep, type StepConnectors } from '../define';

/** The vault profile of a customer id, if PayTrace has one (a profile exists only once a card was saved). */
export function findCustomerStep(connectors: StepConnectors) {
  return defineStep<{ customerId: string }, { found: boolean; customerId: string; maskedCardNumber: string | null }>({
    type: 'paytrace.find-customer',
    title: 'PayTrace vault profile',
    summary: 'Read a customer profile from the PayTrace vault (export by customer id)',
    category: 'paytrace',
    system: 'paytrace',
    operation: 'customer/export',
    exactlyOnce: 'read-only',
    input: z.object({ customerId: z.string().min(1).max(50) }).strict(),
    async execute(input) {
      const exported = await connectors.paytrace().exportCustomers(input.customerId);
      const profile = exported.customers.find((c) => c.customerId === input.customerId);
      return { found: Boolean(profile), customerId: input.customerId, maskedCardNumber: profile?.maskedCardNumber ?? null };
    },
  });
}

const address = z
  .object({ name: z.string().max(50).optional(), streetAddress: z.string().optional(), streetAddress2: z.string().optional(), city: z.string().optional(), state: z.string().optional(), zip: z.string().optional(), country: z.string().optional() })
  .strict();

/** Bring a vault profile's billing details in line with M3 (never card data: that comes only from Protect). */
export function updateCustomerStep(connectors: StepConnectors) {
  return defineStep<{ customerId: string; billingAddress?: z.output<typeof address>; email?: string; phone?: string }, { responseCode: number }>({
    type: 'paytrace.update-customer',
    title: 'PayTrace profile update',
    summary: 'Update a vault profile\'s billing address, e-mail and phone',
    category: 'paytrace',
    system: 'paytrace',
    operation: 'customer/update',
    // an update sets absolute values: PayTrace holds the same profile however often it is sent
    exactlyOnce: 'provider-idempotency',
    input: z.object({ customerId: z.string().min(1).max(50), billingAddress: address.optional(), email: z.string().max(100).optional(), phone: z.string().max(20).optional() }).strict(),
    async execute(input) {
      const updated = await connectors.paytrace().updateCustomer({ customerId: input.customerId, billingAddress: input.billingAddress, email: input.email, phone: input.phone });
      if (!updated.approved) {
        throw new AppError(`PayTrace refused the profile update of ${input.customerId}: ${updated.statusMessage}`, { code: 'VAULT_UPDATE_REFUSED', errorClass: 'business', details: { fieldErrors: updated.fieldErrors } });
      }
      return { responseCode: updated.responseCode };
    },
  });
}
