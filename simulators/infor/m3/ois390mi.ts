import { parseCents } from '../money';
import { today, type CustomerReturn } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { NOK } from './mi-error';

const WAREHOUSES = new Set(['W01']);

function warehouse(call: MiCall): string {
  if (!WAREHOUSES.has(call.input.WHLO)) throw NOK.invalid('WHLO', 'Warehouse');
  return call.input.WHLO;
}

function customerReturn(call: MiCall): CustomerReturn {
  const found = call.m3.returns.get(`${warehouse(call)}|${call.input.REPN}`);
  if (!found) throw NOK.invalid('REPN', 'Receiving number');
  return found;
}

/** OIS390MI — Customer Return: a return head (REPN) and its lines, the base of a credit note */
export const OIS390MI: ProgramHandlers = {
  AddHead(call) {
    const whlo = warehouse(call);
    let cuno = call.input.CUNO;
    const orno = call.input.RORN ?? '';
    if (orno) {
      const order = call.m3.orders.get(orno);
      if (!order) throw NOK.invalid('RORN', 'Reference order number');
      if (cuno !== undefined && cuno !== order.cuno) throw NOK.invalid('CUNO', 'Customer number');
      cuno = order.cuno;
    }
    if (cuno === undefined) throw NOK.mandatoryMissing('CUNO');
    const customer = call.m3.customers.get(cuno);
    if (!customer) throw NOK.invalid('CUNO', 'Customer number');
    if (call.input.EXIN !== undefined) {
      const inv = call.m3.invoices.find((i) => String(i.ivno) === call.input.EXIN && (call.input.YEA4 === undefined || String(i.yea4) === call.input.YEA4));
      if (!inv || inv.cuno !== cuno) throw NOK.invalid('EXIN', 'Extended invoice number');
    }
    let repn = Number(call.input.REPN ?? 0);
    if (repn === 0) {
      call.m3.counters.repn += 1;
      repn = call.m3.counters.repn;
    } else if (call.m3.returns.has(`${whlo}|${repn}`)) {
      throw NOK.alreadyExists('REPN', `Receiving number ${repn}`);
    }
    const fields: Record<string, string> = {
      WHLO: whlo, REPN: String(repn), CUNO: cuno, PYNO: call.input.PYNO ?? customer.fields.PYNO, ORNO: orno, CUCD: customer.fields.CUCD,
      DIVI: call.divi, FACI: call.input.FACI ?? 'F01', ORTP: call.input.ORTP ?? 'R01', RSCD: call.input.RSCD ?? '', YREF: call.input.YREF ?? '',
      EPDT: call.input.EPDT ?? today(), RERE: call.input.RERE ?? '', RESL: '10', RESH: '10', CRSB: '0', CRSH: '0', EXIN: call.input.EXIN ?? '',
      YEA4: call.input.YEA4 ?? '', RORC: orno ? '3' : '0',
    };
    call.m3.returns.set(`${whlo}|${repn}`, { whlo, repn, fields, lines: [] });
    return { REPN: String(repn) };
  },
  AddLine(call) {
    const r = customerReturn(call);
    const qty = parseCents(call.input.REQ0);
    if (qty === null || qty <= 0) throw NOK.mustBePositive('REQ0', 'Transport notified quantity');
    let itno = call.input.ITNO;
    let price: number | null = null;
    if (call.input.RORL !== undefined) {
      const order = call.m3.orders.get(r.fields.ORNO);
      const line = order?.lines.find((l) => String(l.ponr) === call.input.RORL);
      if (!line) throw NOK.invalid('RORL', 'Reference order line');
      itno = line.itno;
      price = line.priceCents;
    }
    if (itno === undefined || !call.m3.items.has(itno)) throw NOK.invalid('ITNO', 'Item number');
    if (call.input.SAPR !== undefined) {
      price = parseCents(call.input.SAPR);
      if (price === null) throw NOK.badAmount('SAPR', 'Sales price');
    }
    const reli = r.lines.length + 1;
    r.lines.push({ reli, itno, req0: call.input.REQ0, priceCents: price ?? call.m3.items.get(itno)?.priceCents ?? 0 });
    return { RELI: String(reli), TREL: '0' };
  },
  GetHead: (call) => customerReturn(call).fields,
};

