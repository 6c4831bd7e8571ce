import { isAlreadyThere, type M3Executor, type M3Scope } from './executor';

export interface CashReceipt {
  /** payment batch number (PBID, numeric, unique per receipt batch) */
  pbid: number;
  /** batch payment type (BOPE) configured in ARS075 for card payments */
  paymentType: string;
  invoice: { ivno: string; yea4: number };
  cuno: string;
  payer?: string;
  amount: string;
  currency: string;
  /** our reference (IRNO): how the receipt is found again */
  reference: string;
  paymentDate: string; // yyyyMMdd
}

/**
 * ARS040MI: a payment batch (PBID is ours, one per payment) with one line applying the payment to
 * the invoice, then controlled. Resumable: a receipt already carrying our reference (IRNO) is the
 * earlier attempt's, and a batch head that already exists is ours; nothing is applied twice.
 */
export async function addCashReceipt(m3: M3Executor, scope: M3Scope, receipt: CashReceipt): Promise<{ pbid: number; resumed: boolean }> {
  const earlier = await findReceipts(m3, scope, receipt.reference);
  if (earlier.length) return { pbid: Number(earlier[0]!.PBID ?? receipt.pbid), resumed: true };
  try {
    await m3.execute('ARS040MI', 'AddBatchHead', { PBID: String(receipt.pbid), BOPE: receipt.paymentType, DIVI: scope.divi }, scope);
  } catch (err) {
    if (!isAlreadyThere(err, 'PBID')) throw err;
  }
  await m3.execute(
    'ARS040MI',
    'AddBatchLine',
    {
      PBID: String(receipt.pbid),
      TRNO: '1',
      CINO: receipt.invoice.ivno,
      INYR: String(receipt.invoice.yea4),
      CUNO: receipt.cuno,
      PYNO: receipt.payer,
      PYAM: receipt.amount,
      CUCD: receipt.currency,
      IRNO: receipt.reference,
      LPDT: receipt.paymentDate,
    },
    scope,
  );
  await m3.execute('ARS040MI', 'ControlBatch', { DIVI: scope.divi, PBID: String(receipt.pbid) }, scope);
  return { pbid: receipt.pbid, resumed: false };
}

/** The receipts carrying our reference (ARS040MI/LstBatchLine by IRNO). */
export async function findReceipts(m3: M3Executor, scope: M3Scope, reference: string): Promise<Array<Record<string, string>>> {
  const { records } = await m3.execute('ARS040MI', 'LstBatchLine', { IRNO: reference }, { ...scope, maxrecs: 0 });
  return records.filter((r) => r.IRNO === reference);
}
