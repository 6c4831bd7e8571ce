import { openCents, type Invoice } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { findInvoice, invoiceRecord } from './lookups';
import { NOK } from './mi-error';

const onlyOpen = (call: MiCall) => (inv: Invoice) => call.input.OOIN !== '1' || openCents(inv) !== 0;
const inDivision = (call: MiCall) => (inv: Invoice) => inv.divi === call.divi;

/** OIS350MI — Customer Order invoice interface (RAFC = remaining amount, invoice currency) */
export const OIS350MI: ProgramHandlers = {
  GetInvHead(call) {
    const inv = findInvoice(call, call.input.YEA4, call.input.IVNO);
    if (!inv) throw NOK.invalid('IVNO', 'Invoice number');
    return invoiceRecord(call, inv);
  },
  LstInvHead(call) {
    return call.m3.invoices
      .filter(inDivision(call))
      .filter((i) => String(i.yea4) === call.input.YEA4 && (call.input.IVNO === undefined || i.ivno >= Number(call.input.IVNO)))
      .map((i) => invoiceRecord(call, i));
  },
  LstInvHeadByPay(call) {
    if (!call.m3.customers.has(call.input.PYNO)) throw NOK.invalid('PYNO', 'Payer');
    return call.m3.invoices
      .filter(inDivision(call))
      .filter((i) => String(i.yea4) === call.input.YEA4 && i.pyno === call.input.PYNO)
      .filter(onlyOpen(call))
      .map((i) => invoiceRecord(call, i));
  },
  LstInvHeadByCo(call) {
    if (!call.m3.orders.has(call.input.ORNO)) throw NOK.invalid('ORNO', 'Customer order number');
    return call.m3.invoices
      .filter((i) => i.orno === call.input.ORNO)
      .filter(onlyOpen(call))
      .map((i) => invoiceRecord(call, i));
  },
  LstAllInvByCO(call) {
    if (!call.m3.orders.has(call.input.ORNO)) throw NOK.invalid('ORNO', 'Customer order number');
    return call.m3.invoices.filter((i) => i.orno === call.input.ORNO).map((i) => invoiceRecord(call, i));
  },
};
