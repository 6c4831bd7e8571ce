/**
 * The benchmark's dataset, the same on both sides of the process boundary: transaction i of N is
 * a sale of `cents(i)` under our reference `LINK-B<i>` for invoice 300000+i, in batch 5001+i/1000.
 * 0.1 % of the receipts are missing, 0.1 % are a cent short and 0.1 % of the GL batches are missing,
 * so every path of the engine runs.
 */
export const PER_BATCH = 1000;

export const dataset = {
  transactionId: (i: number) => 2_000_000 + i,
  batchNumber: (i: number) => 5001 + Math.floor(i / PER_BATCH),
  cents: (i: number) => 1000 + ((i * 7919) % 500_000),
  reference: (i: number) => `LINK-B${i}`,
  customer: (i: number) => (i % 2 ? 'C10001' : 'C10002'),
  invoice: (i: number) => 300_000 + i,
  glKey: (i: number) => `PTSB${String(i).padStart(8, '0')}`,
  hasReceipt: (i: number) => i % 1000 !== 7,
  receiptCents: (i: number) => (i % 1000 === 8 ? dataset.cents(i) - 1 : dataset.cents(i)),
  hasGl: (i: number) => i % 1000 !== 9,
};

export function decimal(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
