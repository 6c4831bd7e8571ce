import { formatCents } from '../money';
import type { CardTransaction } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { centsOf, looksLikeClearPan } from './lookups';
import { NOK } from './mi-error';

/** simulator status codes of card transactions (STAT A2; real values are provider-specific) */
export const CARD_STATUS = { AddSale: '40', AddCredit: '50', AddVoid: '90' } as const;

function refuseClearPan(call: MiCall): string {
  const canu = call.input.CANU ?? '';
  if (looksLikeClearPan(canu)) throw NOK.clearCardNumber();
  return canu;
}

function nextRef(call: MiCall, prefix: string): string {
  call.m3.counters.refn += 1;
  return `${prefix}${String(call.m3.counters.refn).padStart(8, '0')}`;
}

function answer(t: CardTransaction): Record<string, string> {
  return { CCEC: '0', MSG1: 'Approved', MSG2: '', NREF: t.nref, TRDP: t.trdp, STAT: t.stat, TRDI: t.refn, AVS1: '', AVS2: '', AVS3: '', AVS4: '', CSC2: '' };
}

function invoiceReference(call: MiCall): string {
  const cino = call.input.CINO ?? '';
  if (cino && !call.m3.invoices.some((i) => String(i.ivno) === cino && (call.input.YEA4 === undefined || String(i.yea4) === call.input.YEA4))) {
    throw NOK.invalid('CINO', 'Invoice number');
  }
  return cino;
}

function record(call: MiCall, kind: 'AddSale' | 'AddCredit'): Record<string, string> {
  const canu = refuseClearPan(call);
  const cino = invoiceReference(call);
  const amount = centsOf(call, 'CCAA', 'Credit card authorization amount');
  if (amount <= 0) throw NOK.mustBePositive('CCAA', 'Credit card authorization amount');
  const t: CardTransaction = {
    kind, divi: call.divi, nref: call.input.NREF ?? nextRef(call, 'N'), refn: nextRef(call, 'T'), orno: '', cino, yea4: call.input.YEA4 ?? '',
    cucd: call.input.CUCD ?? call.m3.divisions[call.divi].localCurrency, amountCents: amount, canu, ctpy: call.input.CTPY ?? '', trdp: call.input.TRDP ?? '',
    stat: CARD_STATUS[kind], at: new Date().toISOString(),
  };
  call.m3.cardTransactions.push(t);
  return answer(t);
}

/**
 * CRCCINMI — Credit Card Interface. Stores only what the provider gave back (token / masked
 * number, reference); a clear card number in CANU is refused.
 */
export const CRCCINMI: ProgramHandlers = {
  AddCCRefNo(call) {
    const canu = refuseClearPan(call);
    const orno = call.input.ORNO;
    const known = call.m3.orders.has(orno) || [...call.m3.batchOrders.values()].some((b) => b.tempOrno === orno || b.orno === orno);
    if (!known) throw NOK.invalid('ORNO', 'Customer order number');
    const amount = centsOf(call, 'CCAA', 'Credit card authorization amount');
    const t: CardTransaction = {
      kind: 'AddCCRefNo', divi: call.divi, nref: call.input.REFE, refn: nextRef(call, 'R'), orno, cino: '', yea4: '', cucd: call.input.CUCD,
      amountCents: amount, canu, ctpy: call.input.CTPY, trdp: call.input['3RDP'], stat: call.input.STAT, at: new Date().toISOString(),
    };
    call.m3.cardTransactions.push(t);
    return { REFN: t.refn, STAT: t.stat };
  },
  AddSale: (call) => record(call, 'AddSale'),
  AddCredit: (call) => record(call, 'AddCredit'),
  AddVoid(call) {
    const nref = call.input.NREF;
    if (nref === undefined) throw NOK.mandatoryMissing('NREF');
    const original = call.m3.cardTransactions.find((t) => t.nref === nref && t.kind !== 'AddVoid');
    if (!original) throw NOK.invalid('NREF', 'Reference number');
    if (original.stat === CARD_STATUS.AddVoid) throw NOK.wrongStatus('NREF', `Transaction ${nref} is already voided`);
    original.stat = CARD_STATUS.AddVoid;
    const t: CardTransaction = { ...original, kind: 'AddVoid', refn: nextRef(call, 'T'), stat: CARD_STATUS.AddVoid, at: new Date().toISOString() };
    call.m3.cardTransactions.push(t);
    return { CCEC: '0', MSG1: `Voided ${formatCents(original.amountCents)} ${original.cucd}`, MSG2: '', STAT: t.stat };
  },
  GetInquiry(call) {
    const nref = call.input.NREF;
    const matches = call.m3.cardTransactions.filter(
      (t) => (nref === undefined || t.nref === nref) && (call.input.CINO === undefined || t.cino === call.input.CINO) && (call.input.TRDP === undefined || t.trdp === call.input.TRDP),
    );
    if (matches.length === 0 || (nref === undefined && call.input.CINO === undefined)) throw NOK.invalid(nref === undefined ? 'CINO' : 'NREF', 'Reference number');
    const latest = matches[matches.length - 1];
    return { CCEC: '0', MSG1: `${latest.kind} ${formatCents(latest.amountCents)} ${latest.cucd}`, MSG2: latest.canu, STAT: latest.stat };
  },
};
