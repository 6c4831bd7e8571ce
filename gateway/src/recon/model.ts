/**
 * What a reconciliation run works on and what it produces. Amounts are integer cents (a JS
 * number is exact far beyond any settlement) beside their currency; dates are YYYY-MM-DD.
 */

export const EXCEPTION_CLASSES = [
  'missing_in_m3',
  'missing_in_paytrace',
  'amount_differs',
  'duplicate',
  'currency_rounding',
  'settled_but_not_posted',
  'posted_but_not_settled',
  /** a source record that cannot be reconciled as sent (refund of a refund, no amount) */
  'invalid_source',
] as const;
export type ExceptionClass = (typeof EXCEPTION_CLASSES)[number];

/** who has to act on a difference */
export type Owner = 'paytrace' | 'm3' | 'gateway' | 'finance';

/** fixes the gateway makes itself, through the same durable steps as the flows */
export type FixAction = 'post_receipt' | 'post_gl';

export interface PtTransaction {
  transactionId: number;
  batchNumber: number;
  movedFromBatch?: number;
  type: string; // SALE | AUTHORIZATION | REFUND
  /** null: PayTrace sent no usable amount */
  cents: number | null;
  invoiceId?: string;
  customerId?: string;
  originalTransactionId?: number;
  settledDate?: string;
  cardType?: string;
}

export interface PtBatch {
  batchNumber: number;
  settledDate?: string;
  reportedCount?: number;
  reportedNetCents?: number;
  /** chargebacks (with fees) the processor took in the batch, less won ones given back: the deposit is net of them */
  reportedChargebackCents?: number;
}

export interface M3Receipt {
  pbid: number;
  trno: number;
  cino: string;
  inyr?: number;
  cuno?: string;
  cents: number | null;
  currency: string;
  irno?: string;
  paymentDate?: string;
}

export interface M3Invoice {
  cino: string;
  yea4: number;
  cuno?: string;
  currency: string;
  cents: number | null;
  openCents: number | null;
  /** multiply rate to the local currency */
  rate?: string;
  invoiceDate?: string;
}

export interface GlBatchHead {
  key1: string;
  status: string;
  debitCents: number | null;
  creditCents: number | null;
  description?: string;
}

/** the gateway's own record of a payment (a row of `payments`) */
export interface LedgerPayment {
  id: string;
  flow: string;
  status: string;
  reference: string;
  paytraceTransactionId?: number;
  cents: number | null;
  currency?: string;
  localCents: number | null;
  glKey?: string;
  ivno?: string;
  yea4?: number;
  orno?: string;
  settlementState?: string;
  parentPaymentId?: string;
}

export interface ReconInput {
  period: { from: string; to: string };
  localCurrency: string;
  roundingToleranceCents: number;
  batches: PtBatch[];
  transactions: PtTransaction[];
  receipts: M3Receipt[];
  /** the invoices of receipts in another currency than the local one (their rate converts them) */
  invoices: M3Invoice[];
  glBatches: GlBatchHead[];
  /** ledger payments that name a PayTrace transaction, created in the period or met in it */
  payments: LedgerPayment[];
  /**
   * Transactions already matched outside the engine (by the set-based reference pass, match.ts):
   * their leg-A items exist, they need no leg-B or leg-C item, and they count in their batch's
   * totals and in the summary. Absent: the input holds everything.
   */
  preMatched?: PreMatched;
}

export interface PreMatched {
  transactions: number;
  batches: ReadonlyMap<number, { transactions: number; netCents: number; glCents: number }>;
}

export type ItemStatus = 'matched' | 'review' | 'exception';

export interface ReconItem {
  key: string;
  leg: 'A' | 'B' | 'C';
  status: ItemStatus;
  exceptionClass?: ExceptionClass;
  rule?: string;
  confidence?: number;
  owner?: Owner;
  batchNumber?: number;
  settledDate?: string;
  transactionIds?: string;
  m3Refs?: string;
  glKey?: string;
  paymentId?: string;
  currency: string;
  paytraceCents?: number;
  m3Cents?: number;
  glCents?: number;
  differenceCents?: number;
  reason: string;
  suggestedFix?: string;
  fixKind?: 'auto' | 'review';
  fixAction?: FixAction;
}

export interface ReconSummary {
  period: { from: string; to: string };
  batches: number;
  transactions: number;
  items: number;
  matched: number;
  review: number;
  exceptions: number;
  byClass: Partial<Record<ExceptionClass, number>>;
  byRule: Record<string, number>;
  autoFixes: number;
  /** what PayTrace settled, net of refunds, and what the GL shows for it: decimal text, local currency */
  paytraceNet: string;
  glPosted: string;
  currency: string;
  /** true when every settled cent is matched in M3 and in the GL */
  balanced: boolean;
}

/** "1250.00" / "-3.5" → 125000 / -350; anything else (or more than two decimals) → null */
export function centsOf(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const m = /^\s*(-)?(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** 125000 → "1250.00"; -5 → "-0.05" */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
