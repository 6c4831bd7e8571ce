import { formatCents } from '../money';
import { openCents, today, type PaymentBatch } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { centsOf, customerOf } from './lookups';
import { NOK } from './mi-error';

/** CKST value that marks a line as an intended overpayment (simulator convention, inferred) */
export const OVERPAYMENT_MARK = 'OVP';

function batch(call: MiCall): PaymentBatch {
  const found = call.m3.paymentBatches.get(Number(call.input.PBID));
  if (!found || found.divi !== call.divi) throw NOK.invalid('PBID', 'Payment batch');
  return found;
}

/**
 * ARS040MI — Customer payment interface. AddBatchLine applies the payment to the invoice at
 * once (open amount and status change); it never takes more than the open amount unless the
 * line is marked CKST=OVP, and a negative line (a reversal) never takes back more than was paid.
 */
export const ARS040MI: ProgramHandlers = {
  AddBatchHead(call) {
    const pbid = Number(call.input.PBID);
    if (pbid <= 0) throw NOK.mustBePositive('PBID', 'Payment batch');
    if (call.m3.paymentBatches.has(pbid)) throw NOK.alreadyExists('PBID', `Payment batch ${pbid}`);
    call.m3.paymentBatches.set(pbid, { pbid, bope: call.input.BOPE, divi: call.divi, status: 0 });
    return { PBID: String(pbid) };
  },
  AddBatchLine(call) {
    const b = batch(call);
    if (b.status !== 0) throw NOK.wrongStatus('PBID', `Payment batch ${b.pbid} is already controlled`);
    const trno = Number(call.input.TRNO);
    if (call.m3.receipts.some((r) => r.pbid === b.pbid && r.trno === trno)) throw NOK.alreadyExists('TRNO', `Transaction number ${trno}`);
    const customer = customerOf(call);
    const inv = call.m3.invoices.find(
      (i) => i.divi === call.divi && String(i.ivno) === call.input.CINO && String(i.yea4) === call.input.INYR && i.cuno === customer.cuno,
    );
    if (!inv) throw NOK.invalid('CINO', 'Invoice number');
    if (call.input.CUCD !== undefined && call.input.CUCD !== inv.cucd) throw NOK.currencyMismatch(inv.cucd);
    const amount = centsOf(call, 'PYAM', 'Payment amount');
    if (amount === 0) throw NOK.mustBePositive('PYAM', 'Payment amount');
    const open = openCents(inv);
    const overpay = call.input.CKST === OVERPAYMENT_MARK;
    if (amount > open && !overpay) throw NOK.exceedsOpen(formatCents(open));
    if (amount < 0 && -amount > inv.paidCents) throw NOK.wrongStatus('PYAM', `Reversal exceeds the paid amount ${formatCents(inv.paidCents)}`);
    const applied = Math.min(amount, open);
    inv.paidCents += applied;
    call.m3.receipts.push({
      pbid: b.pbid, trno, divi: call.divi, cino: String(inv.ivno), inyr: inv.yea4, cuno: customer.cuno, pyno: call.input.PYNO ?? inv.pyno,
      cucd: inv.cucd, amountCents: amount, irno: call.input.IRNO ?? '', lpdt: call.input.LPDT ?? today(), overpaymentCents: amount - applied,
    });
  },
  ControlBatch(call) {
    const batches = call.input.PBID === undefined ? [...call.m3.paymentBatches.values()].filter((b) => b.divi === call.divi && b.status === 0) : [batch(call)];
    for (const b of batches) {
      if (!call.m3.receipts.some((r) => r.pbid === b.pbid)) throw NOK.wrongStatus('PBID', `Payment batch ${b.pbid} has no lines`);
      b.status = 1;
    }
  },
  LstBatchLine(call) {
    const { PBID, IRNO, CINO } = call.input;
    return call.m3.receipts
      .filter((r) => r.divi === call.divi && (PBID === undefined || String(r.pbid) === PBID) && (IRNO === undefined || r.irno === IRNO) && (CINO === undefined || r.cino === CINO))
      .map((r) => ({
        CONO: String(call.cono), DIVI: r.divi, PBID: String(r.pbid), TRNO: String(r.trno), CINO: r.cino, INYR: String(r.inyr), CUNO: r.cuno,
        PYNO: r.pyno, PYAM: formatCents(r.amountCents), CUCD: r.cucd, LPDT: r.lpdt, IRNO: r.irno,
        BPYS: String(call.m3.paymentBatches.get(r.pbid)?.status ?? 0),
      }));
  },
};
