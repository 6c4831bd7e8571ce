import { convertCents, formatCents, parseCents } from '../money';
import { openCents, type Customer, type Invoice, type M3Fields, type Order } from '../state';
import type { MiCall } from './engine';
import { NOK } from './mi-error';

/** shared look-ups and record views of the simulated programs */

export function customerOf(call: MiCall, field = 'CUNO'): Customer {
  const cuno = call.input[field] ?? '';
  const customer = call.m3.customers.get(cuno);
  if (!customer) throw NOK.invalid(field, field === 'PYNO' ? 'Payer' : 'Customer number');
  return customer;
}

export function centsOf(call: MiCall, field: string, what: string): number {
  const cents = parseCents(call.input[field] ?? '');
  if (cents === null) throw NOK.badAmount(field, what);
  return cents;
}

export function customerRecord(call: MiCall, customer: Customer): M3Fields {
  return { CONO: String(call.cono), DIVI: customer.divi, ...customer.fields, CUNO: customer.cuno };
}

export function localCurrency(call: MiCall): string {
  return call.m3.divisions[call.divi].localCurrency;
}

export function findInvoice(call: MiCall, yea4: string | undefined, cino: string): Invoice | undefined {
  return call.m3.invoices.find((i) => i.divi === call.divi && String(i.ivno) === cino && (yea4 === undefined || String(i.yea4) === yea4));
}

/** every invoice field the OIS350MI and ARS200MI transactions serve (each picks its own) */
export function invoiceRecord(call: MiCall, inv: Invoice): M3Fields {
  const open = openCents(inv);
  const customer = call.m3.customers.get(inv.cuno);
  const toLocal = (cents: number) => formatCents(convertCents(cents, inv.arat));
  return {
    CONO: String(call.cono),
    DIVI: inv.divi,
    YEA4: String(inv.yea4),
    IVNO: String(inv.ivno),
    CINO: String(inv.ivno),
    INYR: String(inv.yea4),
    EXIN: String(inv.ivno),
    INPX: '',
    CUNO: inv.cuno,
    CUNM: customer?.fields.CUNM ?? '',
    CUN1: customer?.fields.CUNM ?? '',
    PYNO: inv.pyno,
    CUCD: inv.cucd,
    CUC1: inv.cucd,
    LOCD: localCurrency(call),
    ARAT: inv.arat,
    RAIN: inv.arat,
    CRTP: '1',
    IVAV: formatCents(inv.amountCents),
    AMT1: formatCents(inv.amountCents),
    CUAM: formatCents(inv.amountCents),
    ACAM: toLocal(inv.amountCents),
    RAFC: formatCents(open),
    PCUA: formatCents(inv.paidCents),
    PAMT: toLocal(inv.paidCents),
    OCUA: formatCents(open),
    OAMT: toLocal(open),
    VTAM: '0.00',
    DCAM: '2',
    IDAT: inv.ivdt,
    IVDT: inv.ivdt,
    ACDT: inv.ivdt,
    DUDT: inv.dudt,
    ORNO: inv.orno,
    TEPY: inv.tepy,
    PYCD: inv.pycd,
    FACI: 'F01',
    FAC2: 'F01',
    VSER: 'AR',
    VONO: String(inv.vono),
    JRNO: String(inv.jrno),
    JSNO: String(inv.jsno),
    TRCD: '10',
    IVTP: '10',
    TDSC: 'Invoice',
    RECO: open === 0 ? '9' : '0',
    REDE: open === 0 ? inv.ivdt : '',
    INST: open === 0 ? '90' : inv.paidCents > 0 ? '70' : '50',
    CASH: '0',
  };
}

export function orderRecord(call: MiCall, order: Order): M3Fields {
  const total = order.lines.reduce((sum, l) => sum + l.lineCents, 0);
  return {
    CONO: String(call.cono),
    DIVI: call.divi,
    ...order.fields,
    ORNO: order.orno,
    CUNO: order.cuno,
    PYNO: call.m3.customers.get(order.cuno)?.fields.PYNO ?? order.cuno,
    CUOR: order.cuor,
    CUCD: order.cucd,
    ORDT: order.ordt,
    STAT: order.status,
    ORSL: order.status,
    ORST: order.status,
    NTAM: formatCents(total),
    ONET: formatCents(total),
    ORVA: formatCents(total),
    BRAM: formatCents(total),
    VTAM: '0.00',
    TOAM: formatCents(total),
    TOPY: formatCents(total),
    ODAM: '0.00',
    EXAM: '0.00',
    EFAM: '0.00',
    ROAM: '0.00',
  };
}

/** a clear card number: 13–19 digits (blanks and dashes ignored) that pass the Luhn check */
export function looksLikeClearPan(text: string): boolean {
  const digits = text.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
