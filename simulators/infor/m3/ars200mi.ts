import { openCents, type Invoice } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { customerOf, invoiceRecord } from './lookups';
import { NOK } from './mi-error';

/** AAC0=1: only invoices with an open amount */
const onlyOpen = (call: MiCall) => (inv: Invoice) => call.input.AAC0 !== '1' || openCents(inv) !== 0;
const fromDate = (call: MiCall) => (inv: Invoice) => call.input.IVDT === undefined || inv.ivdt >= call.input.IVDT;

/** ARS200MI — Customer invoice interface (AR ledger: OCUA = outstanding, invoice currency) */
export const ARS200MI: ProgramHandlers = {
  LstInvoices(call) {
    const customer = customerOf(call);
    return call.m3.invoices
      .filter((i) => i.divi === call.divi && i.cuno === customer.cuno)
      .filter(onlyOpen(call))
      .filter(fromDate(call))
      .map((i) => invoiceRecord(call, i));
  },
  LstInvByDivi(call) {
    const from = call.input.FDIV ?? '';
    const to = call.input.TDIV ?? '~~~';
    return call.m3.invoices
      .filter((i) => i.divi >= from && i.divi <= to)
      .filter((i) => call.input.PYNO === undefined || i.pyno === call.input.PYNO)
      .filter((i) => call.input.CUNO === undefined || i.cuno === call.input.CUNO)
      .filter(onlyOpen(call))
      .filter(fromDate(call))
      .map((i) => invoiceRecord(call, i));
  },
  GetInvTotInfo(call) {
    customerOf(call);
    customerOf(call, 'PYNO');
    const inv = call.m3.invoices.find(
      (i) => i.divi === call.divi && String(i.ivno) === call.input.CINO && String(i.yea4) === call.input.INYR && i.cuno === call.input.CUNO && i.pyno === call.input.PYNO,
    );
    if (!inv) throw NOK.invalid('CINO', 'Invoice number');
    return invoiceRecord(call, inv);
  },
};
