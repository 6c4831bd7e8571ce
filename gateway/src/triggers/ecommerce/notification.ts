import { z } from 'zod';

const decimal = z.string().regex(/^\d{1,13}(\.\d{1,4})?$/, 'must be a decimal string such as "12.34"');

/**
 * The storefront's "order paid" notification (Standard Webhooks envelope: type, timestamp, data).
 * Its amount is a claim, not a fact: the flow verifies it against PayTrace before anything else.
 */
export const ecommerceNotificationSchema = z.object({
  type: z.literal('order.paid'),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  data: z.object({
    orderId: z.string().trim().min(1).max(20, 'M3 keeps the customer order reference (CUOR) in 20 characters'),
    paytraceTransactionId: z.union([z.number().int().positive(), z.string().regex(/^\d{1,18}$/)]).transform(String),
    amount: decimal,
    currency: z.string().regex(/^[A-Z]{3}$/),
    company: z.number().int().positive().optional(),
    division: z.string().max(3).optional(),
    customer: z.object({
      /** the M3 customer number when the storefront knows it (CUNO, ≤ 10) */
      number: z.string().trim().max(10).optional(),
      /** the storefront's own customer id: used to derive a stable M3 customer when number is absent */
      storefrontId: z.string().trim().min(1).max(64),
      name: z.string().trim().min(1).max(200),
      email: z.email().optional(),
      phone: z.string().max(40).optional(),
      address: z.object({
        lines: z.array(z.string().max(200)).min(1).max(6),
        city: z.string().max(100),
        state: z.string().max(100).optional(),
        postalCode: z.string().max(20).optional(),
        country: z.string().min(2).max(100),
      }),
    }),
    lines: z
      .array(
        z.object({
          sku: z.string().trim().min(1).max(15, 'M3 item numbers (ITNO) are at most 15 characters'),
          quantity: decimal,
          unitPrice: decimal,
          description: z.string().max(200).optional(),
        }),
      )
      .min(1)
      .max(500),
  }),
});

export type EcommerceNotification = z.output<typeof ecommerceNotificationSchema>;
