import { formatCents, parseCents } from '../money';
import { today, type BatchOrder, type Order, type OrderLine } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { customerOf, orderRecord } from './lookups';
import { NOK } from './mi-error';

function batchOrder(call: MiCall): BatchOrder {
  const order = call.m3.batchOrders.get(call.input.ORNO);
  if (!order) throw NOK.invalid('ORNO', 'Temporary order number');
  return order;
}

function order(call: MiCall): Order {
  const found = call.m3.orders.get(call.input.ORNO);
  if (!found) throw NOK.invalid('ORNO', 'Order number');
  return found;
}

function lineRecord(o: Order, line: OrderLine): Record<string, string> {
  return {
    ITNO: line.itno, ITDS: line.itds, ORQT: line.orqt, WHLO: line.whlo, SAPR: formatCents(line.priceCents), NEPR: formatCents(line.priceCents),
    NLAM: formatCents(line.lineCents), LNA2: formatCents(line.lineCents), PONR: String(line.ponr), POSX: String(line.posx),
    ORST: o.status, CUCD: o.cucd, CUOR: o.cuor, IVQT: o.status === '77' ? line.orqt : '0', DLQT: o.status >= '66' ? line.orqt : '0', ALQT: line.orqt,
  };
}

/** LES search as SearchHead takes it: "FIELD:value" terms separated by blanks, all must match */
function matchesQuery(record: Record<string, string>, query: string): boolean {
  return query
    .split(/\s+/)
    .filter(Boolean)
    .every((term) => {
      const colon = term.indexOf(':');
      if (colon < 0) return Object.values(record).some((v) => v.toLowerCase().includes(term.toLowerCase()));
      const field = term.slice(0, colon).toUpperCase();
      return (record[field] ?? '').toLowerCase() === term.slice(colon + 1).replace(/^"|"$/g, '').toLowerCase();
    });
}

/** OIS100MI — Customer order interface (batch entry: AddBatchHead → AddBatchLine → Confirm) */
export const OIS100MI: ProgramHandlers = {
  AddBatchHead(call) {
    const customer = customerOf(call);
    if (customer.fields.BLCD !== '0') throw NOK.customerStopped(customer.cuno);
    const cucd = call.input.CUCD ?? customer.fields.CUCD;
    if (cucd !== customer.fields.CUCD && !call.m3.rates.some((r) => r.cucd === cucd) && cucd !== call.m3.divisions[call.divi].localCurrency) {
      throw NOK.invalid('CUCD', 'Currency');
    }
    call.m3.counters.tempOrder += 1;
    const tempOrno = `B${String(call.m3.counters.tempOrder).padStart(9, '0')}`;
    const fields: Record<string, string> = { ORTP: customer.fields.ORTP, FACI: customer.fields.FACI, WHLO: customer.fields.WHLO, TEPY: customer.fields.TEPY, PYCD: customer.fields.PYCD };
    for (const [k, v] of Object.entries(call.input)) if (k !== 'CONO') fields[k] = v;
    fields.CUCD = cucd;
    call.m3.batchOrders.set(tempOrno, { tempOrno, cuno: customer.cuno, fields, lines: [], errors: [] });
    return { ORNO: tempOrno };
  },
  AddBatchLine(call) {
    const batch = batchOrder(call);
    if (batch.orno) throw NOK.wrongStatus('ORNO', `Order ${batch.tempOrno} is already confirmed`);
    const item = call.m3.items.get(call.input.ITNO);
    if (!item) throw NOK.invalid('ITNO', 'Item number');
    const qtyText = call.input.ORQT ?? '1';
    if (!/^\d+$/.test(qtyText) || Number(qtyText) <= 0) throw NOK.mustBePositive('ORQT', 'Ordered quantity');
    let price = item.priceCents;
    if (call.input.SAPR !== undefined) {
      const parsed = parseCents(call.input.SAPR);
      if (parsed === null) throw NOK.badAmount('SAPR', 'Sales price');
      price = parsed;
    }
    const ponr = batch.lines.length + 1;
    batch.lines.push({ ponr, posx: 0, itno: item.itno, itds: call.input.ITDS ?? item.itds, orqt: qtyText, priceCents: price, lineCents: price * Number(qtyText), whlo: call.input.WHLO ?? batch.fields.WHLO });
    return { PONR: String(ponr), POSX: '0', ATNR: '0' };
  },
  Confirm(call) {
    const batch = batchOrder(call);
    if (batch.orno) return { ORNO: batch.orno, STAT: '22' };
    if (batch.lines.length === 0) {
      batch.errors.push({ msid: 'OI10001', mdta: 'Order has no lines', tx60: 'Order has no lines', levl: '90' });
      throw NOK.noLines();
    }
    call.m3.counters.order += 1;
    const orno = String(1000000000 + call.m3.counters.order);
    batch.orno = orno;
    const { CUOR = '', CUCD = '', ...rest } = batch.fields;
    call.m3.orders.set(orno, { orno, cuno: batch.cuno, cuor: CUOR, cucd: CUCD, ordt: rest.ORDT ?? today(), status: '22', fields: rest, lines: batch.lines });
    return { ORNO: orno, STAT: '22' };
  },
  GetOrderNo(call) {
    const batch = batchOrder(call);
    return { ORNR: batch.orno ?? '' };
  },
  LstErrMsgOrder(call) {
    return batchOrder(call).errors.map((e) => ({ MSID: e.msid, MDTA: e.mdta, TX60: e.tx60, LEVL: e.levl }));
  },
  DelBatchHead(call) {
    const batch = batchOrder(call);
    if (batch.orno) throw NOK.wrongStatus('ORNO', `Order ${batch.tempOrno} is already confirmed`);
    call.m3.batchOrders.delete(batch.tempOrno);
  },
  GetHead: (call) => orderRecord(call, order(call)),
  GetOrderValue(call) {
    const o = order(call);
    const record = orderRecord(call, o);
    const invoiced = o.status === '77';
    for (const [field, from] of [['INTA', 'NTAM'], ['INET', 'ONET'], ['IRVA', 'ORVA'], ['ITOA', 'TOAM'], ['ITOP', 'TOPY'], ['IRAM', 'BRAM']] as const) {
      record[field] = invoiced ? record[from] : '0.00';
    }
    return { ...record, IDAM: '0.00', IXAM: '0.00', IFAM: '0.00', IVTA: '0.00', IROA: '0.00' };
  },
  LstHead(call) {
    const customer = customerOf(call);
    const from = call.input.ORSL ?? '00';
    const to = call.input.ORST ?? '99';
    return [...call.m3.orders.values()]
      .filter((o) => o.cuno === customer.cuno && o.status >= from && o.status <= to)
      .map((o) => orderRecord(call, o));
  },
  SearchHead(call) {
    return [...call.m3.orders.values()].map((o) => orderRecord(call, o)).filter((r) => matchesQuery(r, call.input.SQRY));
  },
  GetLine(call) {
    const o = order(call);
    const line = o.lines.find((l) => String(l.ponr) === call.input.PONR && String(l.posx) === (call.input.POSX ?? '0'));
    if (!line) throw NOK.invalid('PONR', 'Line number');
    return lineRecord(o, line);
  },
  LstLine(call) {
    const o = order(call);
    return o.lines.filter((l) => !call.input.ITNO || l.itno === call.input.ITNO).map((l) => lineRecord(o, l));
  },
};
