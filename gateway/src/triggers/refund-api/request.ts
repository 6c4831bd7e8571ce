import { z } from 'zod';

/** The trigger a flow names to be started by POST /api/refunds. */
export const REFUND_API = 'http:refund-api';

/** A refund request, from M3 (Process.MyPTRefundRequest via ION) or an authenticated API caller. */
export const refundRequestSchema = z.object({
  /** the requester's id for this refund: the idempotency key (the same id twice is one refund) */
  refundId: z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only'),
  /** the PayTrace transaction to refund (or void, while unsettled) */
  originalTransactionId: z.union([z.number().int().positive(), z.string().regex(/^\d{1,18}$/)]).transform(String),
  amount: z.string().regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a decimal string with at most 2 decimals'),
  currency: z.literal('USD').default('USD'),
  reason: z.string().max(200).optional(),
  requestedBy: z.string().max(100).optional(),
});

export type RefundRequest = z.output<typeof refundRequestSchema>;
