import { AppError, errorClassOf } from '../../errors';
import type { M3Executor, M3Scope } from './executor';

export interface NewOrderLine {
  itno: string;
  quantity: string;
  unitPrice: string;
}

export interface NewOrder {
  cuno: string;
  /** the storefront's order id: the order's identity in M3 (CUOR), used to find it again */
  cuor: string;
  currency: string;
  /** payment method (PYCD) for card-paid web orders */
  paymentMethod?: string;
  /** order type (ORTP); the customer's default when absent */
  orderType?: string;
  /** card provider id (TRDP) and reference (NREF): the PayTrace transaction */
  provider?: string;
  reference?: string;
  lines: NewOrderLine[];
}

/**
 * A confirmed customer order whose CUOR is `cuor`, if M3 has one. SearchHead does not return
 * CUOR (and depends on the search index), so its hits are only candidates, checked with GetHead;
 * when the customer is known, LstHead (which does return CUOR) lists the customer's orders.
 */
export async function findOrderByCuor(m3: M3Executor, scope: M3Scope, cuor: string, cuno?: string): Promise<Record<string, string> | undefined> {
  if (cuno) {
    const { records } = await m3.execute('OIS100MI', 'LstHead', { CUNO: cuno }, { ...scope, maxrecs: 0 });
    return records.find((r) => r.CUOR === cuor);
  }
  const { records: hits } = await m3.execute('OIS100MI', 'SearchHead', { SQRY: `CUOR:${cuor}` }, { ...scope, maxrecs: 10 });
  for (const hit of hits) {
    if (!hit.ORNO) continue;
    const { records } = await m3.execute('OIS100MI', 'GetHead', { ORNO: hit.ORNO }, scope);
    if (records[0]?.CUOR === cuor) return records[0];
  }
  return undefined;
}

/**
 * Batch order entry: AddBatchHead → AddBatchLine… → Confirm. Until Confirm the order is only a
 * temporary batch order; Confirm is the step that creates the real order. When Confirm is
 * refused, M3's batch-entry messages (LstErrMsgOrder) are the explanation.
 */
export async function createOrder(
  m3: M3Executor,
  scope: M3Scope,
  order: NewOrder,
  resume: {
    /** the batch order an earlier attempt started (its temporary ORNO), if it got that far */
    earlierHead?: string;
    /** called as soon as M3 gives the temporary ORNO, so a later attempt can resume from it */
    onHead?: (tempOrno: string) => Promise<void>;
  } = {},
): Promise<{ orno: string; tempOrno?: string; resumed: boolean }> {
  if (resume.earlierHead) {
    // The earlier attempt's batch order: confirmed (answer lost) → that is the order;
    // not confirmed (it died before Confirm) → remove it, so no half-entered order is left behind.
    // A NOK here means M3 no longer has that batch order; anything else (outage) is retried.
    const unlessGone = (err: unknown) => {
      if (errorClassOf(err).errorClass === 'business') return undefined;
      throw err;
    };
    const head = await m3.execute('OIS100MI', 'GetOrderNo', { ORNO: resume.earlierHead }, scope).catch(unlessGone);
    const orno = head?.records[0]?.ORNR;
    if (orno) return { orno, tempOrno: resume.earlierHead, resumed: true };
    if (head) await m3.execute('OIS100MI', 'DelBatchHead', { ORNO: resume.earlierHead }, scope).catch(unlessGone);
  }
  // An earlier attempt may have confirmed the order and lost the answer: CUOR finds it.
  const existing = await findOrderByCuor(m3, scope, order.cuor, order.cuno);
  if (existing?.ORNO) return { orno: existing.ORNO, resumed: true };
  const head = await m3.execute(
    'OIS100MI',
    'AddBatchHead',
    {
      CUNO: order.cuno,
      CUOR: order.cuor,
      CUCD: order.currency,
      PYCD: order.paymentMethod,
      ORTP: order.orderType,
      TRDP: order.provider,
      NREF: order.reference,
    },
    scope,
  );
  const tempOrno = head.records[0]?.ORNO;
  if (!tempOrno) throw new Error('OIS100MI/AddBatchHead answered without ORNO');
  await resume.onHead?.(tempOrno);
  for (const line of order.lines) {
    await m3.execute('OIS100MI', 'AddBatchLine', { ORNO: tempOrno, ITNO: line.itno, ORQT: line.quantity, SAPR: line.unitPrice }, scope);
  }
  let confirmed: { records: Array<Record<string, string>> };
  try {
    confirmed = await m3.execute('OIS100MI', 'Confirm', { ORNO: tempOrno }, scope);
  } catch (err) {
    if ((err as { code?: string }).code !== 'M3_NOK') throw err;
    // M3 explains a refused batch order in its batch-entry messages
    const messages = await orderErrors(m3, scope, tempOrno).catch(() => []);
    throw new AppError(`M3 refused order ${order.cuor}${messages.length ? `: ${messages.join('; ')}` : ''}`, {
      code: 'M3_ORDER_REFUSED',
      errorClass: 'business',
      details: { tempOrno, messages },
      cause: err,
    });
  }
  const orno = confirmed.records[0]?.ORNO;
  if (!orno) throw new Error('OIS100MI/Confirm answered without ORNO');
  return { orno, tempOrno, resumed: false };
}

export async function orderErrors(m3: M3Executor, scope: M3Scope, tempOrno: string): Promise<string[]> {
  const { records } = await m3.execute('OIS100MI', 'LstErrMsgOrder', { ORNO: tempOrno }, scope);
  return records.map((r) => [r.MSID, r.TX60 ?? r.MDTA].filter(Boolean).join(' '));
}

/** CRCCINMI/AddCCRefNo: the PayTrace transaction as the order's card reference (never a card number). */
export async function addCardReference(
  m3: M3Executor,
  scope: M3Scope,
  input: { orno: string; provider: string; transactionId: string; amount: string; currency: string; maskedCard: string; cardType: string; transactionType: string },
): Promise<string> {
  const { records } = await m3.execute(
    'CRCCINMI',
    'AddCCRefNo',
    {
      DIVI: scope.divi,
      '3RDP': input.provider,
      RORC: '3',
      ORNO: input.orno,
      CCEC: '0',
      CCAA: input.amount,
      CANU: input.maskedCard,
      CTPY: input.cardType,
      STAT: '20',
      REFE: input.transactionId,
      TRTY: input.transactionType,
      CUCD: input.currency,
      '3RDI': input.transactionId,
    },
    scope,
  );
  return records[0]?.REFN ?? '';
}
