import type { MatchingRules } from '../../../gateway/src/domain/matching';
import { reconcile } from '../../../gateway/src/recon/engine';
import { centsOf, type GlBatchHead, type LedgerPayment, type M3Receipt, type PtTransaction, type ReconInput, type ReconItem } from '../../../gateway/src/recon/model';

/** Constructed reconciliation inputs for the engine's unit tests: each source row in one call. */

export const DAY = '2026-11-25';

export class Dataset {
  input: ReconInput = { period: { from: DAY, to: DAY }, localCurrency: 'USD', roundingToleranceCents: 1, batches: [], transactions: [], receipts: [], invoices: [], glBatches: [], payments: [] };
  #pbid = 5000;

  batch(batchNumber: number, reportedNetCents?: number, reportedChargebackCents?: number): this {
    this.input.batches.push({ batchNumber, settledDate: DAY, reportedNetCents, ...(reportedChargebackCents === undefined ? {} : { reportedChargebackCents }) });
    return this;
  }
  tx(transactionId: number, amount: string, extra: Partial<PtTransaction> = {}): this {
    this.input.transactions.push({ transactionId, batchNumber: 1001, type: 'SALE', cents: centsOf(amount), settledDate: DAY, ...extra });
    return this;
  }
  receipt(cino: string, amount: string, extra: Partial<M3Receipt> = {}): this {
    this.input.receipts.push({ pbid: this.#pbid++, trno: 1, cino, inyr: 2026, cuno: 'C10001', cents: centsOf(amount), currency: 'USD', paymentDate: DAY, ...extra });
    return this;
  }
  gl(key1: string, amount: string, status = '90'): this {
    const glBatch: GlBatchHead = { key1, status, debitCents: centsOf(amount), creditCents: centsOf(amount) };
    this.input.glBatches.push(glBatch);
    return this;
  }
  payment(id: string, transactionId: number | undefined, amount: string, extra: Partial<LedgerPayment> = {}): this {
    this.input.payments.push({ id, flow: 'invoice_payment', status: 'completed', reference: `LINK-${id}`, paytraceTransactionId: transactionId, cents: centsOf(amount), currency: 'USD', localCents: centsOf(amount), ivno: '200001', yea4: 2026, ...extra });
    return this;
  }
  /** a payment made through the gateway that went everywhere: PayTrace, the receipt, the GL */
  paid(id: string, transactionId: number, amount: string): this {
    return this.payment(id, transactionId, amount, { glKey: `GL${id}` })
      .tx(transactionId, amount, { invoiceId: `LINK-${id}` })
      .receipt('200001', amount, { irno: `LINK-${id}` })
      .gl(`GL${id}`, amount);
  }
  /** the matching rules run() uses when given none (the test file sets the shipped ones in beforeAll) */
  static rules: MatchingRules;
  run(withRules: MatchingRules = Dataset.rules) {
    if (!this.input.batches.length) this.batch(1001);
    return reconcile(this.input, withRules);
  }
}

export const item = (items: ReconItem[], key: string) => {
  const found = items.find((i) => i.key === key);
  if (!found) throw new Error(`no item ${key} in ${items.map((i) => i.key).join(', ')}`);
  return found;
};

