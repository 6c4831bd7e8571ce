import type { M3Executor, M3Scope } from './executor';
import { isNotFound } from './executor';

export interface OpenInvoice {
  ivno: string;
  yea4: number;
  cuno: string;
  payer: string;
  currency: string;
  /** RAFC: remaining amount to pay, invoice currency, M3's decimal text */
  openAmount: string;
  totalAmount: string;
  dueDate: string;
  /** the invoice date, yyyyMMdd (GetInvHead's IDAT; IVDT in the lists): days-to-pay are counted from it */
  invoiceDate?: string;
  status: string;
  orno?: string;
}

/** OIS350MI/GetInvHead: the invoice with its open amount (RAFC), or undefined when unknown. */
export async function getInvoice(m3: M3Executor, scope: M3Scope, yea4: number, ivno: string): Promise<OpenInvoice | undefined> {
  try {
    const { records } = await m3.execute('OIS350MI', 'GetInvHead', { YEA4: String(yea4), IVNO: ivno }, scope);
    const r = records[0];
    if (!r) return undefined;
    return {
      ivno: r.IVNO ?? ivno,
      yea4: Number(r.YEA4 ?? yea4),
      cuno: r.CUNO ?? '',
      payer: r.PYNO || r.CUNO || '',
      currency: r.CUCD ?? '',
      openAmount: r.RAFC ?? '0',
      totalAmount: r.IVAV ?? r.RAFC ?? '0',
      dueDate: r.DUDT ?? '',
      ...(r.IDAT || r.IVDT ? { invoiceDate: (r.IDAT || r.IVDT)! } : {}),
      status: r.INST ?? '',
      orno: r.ORNO || undefined,
    };
  } catch (err) {
    if (isNotFound(err, 'IVNO')) return undefined;
    throw err;
  }
}
