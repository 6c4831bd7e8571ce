import Decimal from 'decimal.js';
import { matchPayment, matchPaymentsToDocument, parseReference, type M3Document, type MatchingRules, type MatchResult, type PaymentRecord } from '../domain/matching';
import { Money } from '../domain/money';
import {
  formatCents,
  type ExceptionClass,
  type LedgerPayment,
  type M3Invoice,
  type M3Receipt,
  type PtTransaction,
  type ReconInput,
  type ReconItem,
  type ReconSummary,
} from './model';

/**
 * The reconciliation engine: pure, deterministic, in memory. Three legs:
 *   A — each settled PayTrace transaction ⇄ M3 cash receipts (our reference in IRNO first, then
 *       the tolerant rules of domain/matching: 1:1, 1:N split payments, N:1 instalments);
 *   B — each PayTrace batch ⇄ the GL interface batches of its transactions (net of refunds, local
 *       currency), and the batch total ⇄ the sum of its transactions;
 *   C — the ledger ⇄ both, so every difference has an owner (posted but never settled, amounts
 *       the gateway recorded differently from PayTrace).
 * The same input always gives the same items in the same order: a re-run gives the same result.
 */

interface Indexed {
  receiptsByIrno: Map<string, M3Receipt[]>;
  invoices: Map<string, M3Invoice>;
  gl: Map<string, ReconInput['glBatches'][number]>;
  paymentByTx: Map<number, LedgerPayment>;
  readonly paymentByReference: Map<string, LedgerPayment>;
  txById: Map<number, PtTransaction>;
}

const invoiceKey = (cino: string, yea4: number | undefined) => `${yea4 ?? ''}/${cino}`;

function index(input: ReconInput): Indexed {
  const receiptsByIrno = new Map<string, M3Receipt[]>();
  for (const r of input.receipts) {
    if (!r.irno) continue;
    const list = receiptsByIrno.get(r.irno);
    if (list) list.push(r);
    else receiptsByIrno.set(r.irno, [r]);
  }
  // several receipts under one reference: in receipt order, whatever order they were read in
  for (const list of receiptsByIrno.values()) if (list.length > 1) list.sort((a, b) => a.pbid - b.pbid || a.trno - b.trno);
  // two ledger rows naming one transaction (a void recorded on the sale's id): the original payment
  // speaks for it, else the lower id; never whichever happened to be read last
  const paymentByTx = new Map<number, LedgerPayment>();
  for (const p of input.payments) {
    if (p.paytraceTransactionId === undefined) continue;
    const other = paymentByTx.get(p.paytraceTransactionId);
    if (other && ((other.flow !== 'refund' && p.flow === 'refund') || ((other.flow === 'refund') === (p.flow === 'refund') && other.id < p.id))) continue;
    paymentByTx.set(p.paytraceTransactionId, p);
  }
  // by reference: only asked for leftovers and double charges, so built the first time it is
  let paymentByReference: Map<string, LedgerPayment> | undefined;
  return {
    receiptsByIrno,
    invoices: new Map(input.invoices.map((i) => [invoiceKey(i.cino, i.yea4), i])),
    gl: new Map(input.glBatches.map((g) => [g.key1, g])),
    paymentByTx,
    get paymentByReference() {
      return (paymentByReference ??= new Map(input.payments.map((p) => [p.reference, p])));
    },
    txById: new Map(input.transactions.map((t) => [t.transactionId, t])),
  };
}

/** a receipt's amount in the local currency (ARAT of its invoice), or undefined when it cannot be converted */
function receiptLocalCents(input: ReconInput, ix: Indexed, r: M3Receipt): number | undefined {
  if (r.cents === null) return undefined;
  if (r.currency === input.localCurrency) return r.cents;
  const rate = ix.invoices.get(invoiceKey(r.cino, r.inyr))?.rate;
  if (!rate || !/^\d+(\.\d+)?$/.test(rate)) return undefined;
  return new Decimal(r.cents).mul(rate).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** said on every item of a transaction PayTrace listed in two batches */
function movedNote(t: PtTransaction): string {
  return t.movedFromBatch !== undefined ? `; it moved from batch ${t.movedFromBatch} to batch ${t.batchNumber}` : '';
}

/** the sign a transaction has in a settlement: refunds take money back */
function signedCents(t: PtTransaction): number | null {
  if (t.cents === null) return null;
  return t.type === 'REFUND' ? -Math.abs(t.cents) : t.cents;
}

export function reconcile(input: ReconInput, rules: MatchingRules): { items: ReconItem[]; summary: ReconSummary } {
  const ix = index(input);
  const items: ReconItem[] = [];
  const consumed = new Set<M3Receipt>(); // receipts already explained (by identity: no key strings for 100k receipts)
  const local = input.localCurrency;
  const tolerance = input.roundingToleranceCents;
  const transactions = [...input.transactions].sort((a, b) => a.transactionId - b.transactionId);
  const legA = new Map<number, ReconItem>();

  const compare = (expected: number, actual: number, foreign: boolean): { cls?: ExceptionClass; diff: number } => {
    const diff = actual - expected;
    if (diff === 0) return { diff };
    if (foreign && Math.abs(diff) <= tolerance) return { cls: 'currency_rounding', diff };
    return { cls: 'amount_differs', diff };
  };

  // ------------------------------------------------------------------ leg A, by reference
  // references charged more than once (rare): a second settled sale under one of our references
  const chargedFor = new Map<string, number>();
  for (const t of transactions) {
    if (t.type === 'REFUND' || !t.invoiceId) continue;
    chargedFor.set(t.invoiceId, (chargedFor.get(t.invoiceId) ?? 0) + 1);
  }
  const sameReferenceOf = (invoiceId: string) => transactions.filter((o) => o.type !== 'REFUND' && o.invoiceId === invoiceId);

  const unmatched: PtTransaction[] = [];
  for (const t of transactions) {
    const payment = ix.paymentByTx.get(t.transactionId);
    // the fields every leg-A item of this transaction has; built when an item is (the common match builds its own)
    const base = () => ({
      leg: 'A' as const,
      key: `A:tx:${t.transactionId}`,
      batchNumber: t.batchNumber,
      settledDate: t.settledDate,
      transactionIds: String(t.transactionId),
      paymentId: payment?.id,
      currency: local,
    });
    const amount = signedCents(t);
    if (amount === null) {
      legA.set(t.transactionId, { ...base(), status: 'exception', exceptionClass: 'invalid_source', owner: 'paytrace', reason: `PayTrace sent transaction ${t.transactionId} without a usable amount`, suggestedFix: 'Export the batch again; if the amount stays missing, ask PayTrace support', fixKind: 'review' });
      continue;
    }
    // a refund of a refund: the original is a REFUND in this export, or one of our refunds in the ledger
    if (t.type === 'REFUND' && t.originalTransactionId !== undefined && (ix.txById.get(t.originalTransactionId)?.type === 'REFUND' || ix.paymentByTx.get(t.originalTransactionId)?.flow === 'refund')) {
      legA.set(t.transactionId, { ...base(), status: 'exception', exceptionClass: 'invalid_source', owner: 'paytrace', paytraceCents: amount, reason: `refund ${t.transactionId} refunds refund ${t.originalTransactionId}: a refund of a refund has no invoice to land on`, suggestedFix: 'Check with PayTrace; book the money manually against the original sale', fixKind: 'review' });
      continue;
    }
    const moved = movedNote(t);
    // a second settled sale with the same reference of ours, when the ledger names the first: the customer paid twice
    const chargedTwice = t.invoiceId !== undefined && (chargedFor.get(t.invoiceId) ?? 0) > 1;
    const ledgerForReference = chargedTwice ? ix.paymentByReference.get(t.invoiceId!) : undefined;
    if (chargedTwice && ledgerForReference?.paytraceTransactionId !== undefined && ledgerForReference.paytraceTransactionId !== t.transactionId && sameReferenceOf(t.invoiceId!).some((o) => o.transactionId === ledgerForReference.paytraceTransactionId)) {
      legA.set(t.transactionId, {
        ...base(),
        status: 'exception',
        exceptionClass: 'duplicate',
        owner: 'finance',
        paymentId: ledgerForReference.id,
        paytraceCents: amount,
        reason: `transaction ${t.transactionId} charges reference ${t.invoiceId} again; the ledger's charge for it is ${ledgerForReference.paytraceTransactionId}${moved}`,
        suggestedFix: `Refund PayTrace transaction ${t.transactionId} (a duplicate charge) or apply it to another open invoice of the customer`,
        fixKind: 'review',
      });
      continue;
    }
    if (payment?.flow === 'ecommerce_sale') {
      // web orders carry the payment on the order (CUOR); cash application happens when M3 invoices it
      if (payment.status === 'completed' && payment.orno) {
        legA.set(t.transactionId, { ...base(), status: 'matched', rule: 'ledger-order', confidence: 1, owner: 'gateway', paytraceCents: amount, m3Refs: `order ${payment.orno}`, reason: `web order ${payment.orno} carries payment ${payment.reference}${moved}` });
      } else {
        legA.set(t.transactionId, { ...base(), status: 'exception', exceptionClass: 'missing_in_m3', owner: 'gateway', paytraceCents: amount, reason: `PayTrace settled web payment ${payment.reference} but the gateway has no M3 order for it (status ${payment.status})${moved}`, suggestedFix: 'Replay the e-commerce flow for this payment from the dead-letter list', fixKind: 'review' });
      }
      continue;
    }
    // our reference as PayTrace has it, and as the ledger has it (the same, unless someone edited one)
    const references = payment && payment.reference !== t.invoiceId ? [t.invoiceId, payment.reference].filter((r): r is string => !!r) : t.invoiceId ? [t.invoiceId] : [];
    let found = references.length ? ix.receiptsByIrno.get(references[0]!) : undefined;
    if (references.length > 1) found = [...(found ?? []), ...(ix.receiptsByIrno.get(references[1]!) ?? [])];
    const receipts = !found ? [] : found.length === 1 ? (consumed.has(found[0]!) ? [] : found) : found.filter((r) => !consumed.has(r));
    if (!receipts.length) {
      unmatched.push(t);
      continue;
    }
    for (const r of receipts) consumed.add(r);
    const m3Refs = receipts.map((r) => `receipt ${r.pbid}/${r.trno} invoice ${r.cino}`).join('; ');
    // the same invoice twice for the same amount under one reference: M3 booked the money twice
    const seen = receipts.length > 1 ? new Set<string>() : undefined;
    const doubled = seen
      ? receipts.find((r) => {
          const k = `${r.cino}/${r.inyr}/${r.cents}`;
          if (seen.has(k)) return true;
          seen.add(k);
          return false;
        })
      : undefined;
    const foreign = receipts.some((r) => r.currency !== local);
    const converted = foreign ? receipts.map((r) => receiptLocalCents(input, ix, r)) : receipts.map((r) => r.cents ?? undefined);
    if (converted.some((c) => c === undefined)) {
      legA.set(t.transactionId, { ...base(), status: 'exception', exceptionClass: 'invalid_source', owner: 'm3', paytraceCents: amount, m3Refs, reason: `a receipt for reference ${references.join('/')} has no amount or no rate to ${local}`, suggestedFix: 'Check the receipt and the invoice rate (ARAT) in M3', fixKind: 'review' });
      continue;
    }
    const m3Cents = (converted as number[]).reduce((a, b) => a + b, 0);
    if (doubled && receipts.length > 1 && m3Cents !== amount) {
      legA.set(t.transactionId, {
        ...base(),
        status: 'exception',
        exceptionClass: 'duplicate',
        owner: 'm3',
        paytraceCents: amount,
        m3Cents,
        differenceCents: m3Cents - amount,
        m3Refs,
        reason: `M3 holds ${receipts.length} receipts for reference ${references[0]} on invoice ${doubled.cino}; PayTrace settled ${formatCents(amount)} once`,
        suggestedFix: `Reverse the duplicate receipt ${doubled.pbid}/${doubled.trno} in M3 (ARS040 negative line)`,
        fixKind: 'review',
      });
      continue;
    }
    const { cls, diff } = compare(amount, m3Cents, foreign);
    const rule = receipts.length > 1 ? 'reference-split' : 'reference';
    if (!cls) {
      // the common case (the plainest of it is confirmed in SQL first, match.ts): one literal, no spread
      legA.set(t.transactionId, {
        leg: 'A',
        key: `A:tx:${t.transactionId}`,
        batchNumber: t.batchNumber,
        settledDate: t.settledDate,
        transactionIds: String(t.transactionId),
        paymentId: payment?.id,
        currency: local,
        status: 'matched',
        rule,
        confidence: 1,
        owner: 'gateway',
        paytraceCents: amount,
        m3Cents,
        m3Refs,
        reason: `${receipts.length > 1 ? `${receipts.length} receipts carry` : 'receipt carries'} reference ${references[0]}${moved}`,
      });
    } else {
      legA.set(t.transactionId, {
        ...base(),
        status: 'exception',
        exceptionClass: cls,
        rule,
        owner: cls === 'currency_rounding' ? 'finance' : 'm3',
        paytraceCents: amount,
        m3Cents,
        differenceCents: diff,
        m3Refs,
        reason: `PayTrace settled ${formatCents(amount)} ${local}, M3 received ${formatCents(m3Cents)} ${local} for reference ${references[0]}`,
        suggestedFix:
          cls === 'currency_rounding'
            ? `Post the rounding difference of ${formatCents(diff)} ${local} to the currency-rounding account`
            : `Correct the receipt in M3 by ${formatCents(-diff)} ${local}, or refund the difference`,
        fixKind: 'review',
      });
    }
  }

  // ------------------------------------------------------------------ leg A, tolerant rules
  const open = input.receipts.filter((r) => !consumed.has(r) && r.cents !== null && r.cents > 0);
  const asDocument = (r: M3Receipt): M3Document => ({
    kind: 'invoice',
    id: r.cino,
    year: r.inyr !== undefined ? String(r.inyr) : undefined,
    customer: r.cuno ?? '',
    amount: Money.fromMinor(BigInt(r.cents ?? 0), r.currency),
    date: r.paymentDate ?? input.period.from,
    texts: r.irno ? [r.irno] : [],
  });
  const documentReceipt = new Map<M3Document, M3Receipt>();
  const documents = open.map((r) => {
    const d = asDocument(r);
    documentReceipt.set(d, r);
    return d;
  });
  const byCents = new Map<number, M3Document[]>();
  const byCustomer = new Map<string, M3Document[]>();
  for (const d of documents) {
    const cents = documentReceipt.get(d)!.cents!;
    (byCents.get(cents) ?? byCents.set(cents, []).get(cents)!).push(d);
    (byCustomer.get(d.customer) ?? byCustomer.set(d.customer, []).get(d.customer)!).push(d);
  }
  // PayTrace's customer_id is the vault profile; it counts as the M3 customer only when M3 knows a customer by that id [inferred]
  const m3Customer = (t: PtTransaction) => (t.customerId && byCustomer.has(t.customerId) ? t.customerId : undefined);
  const paymentRecord = (t: PtTransaction): PaymentRecord => ({
    id: String(t.transactionId),
    amount: Money.fromMinor(BigInt(t.cents ?? 0), local),
    date: t.settledDate ?? input.period.from,
    invoiceId: t.invoiceId,
    customer: m3Customer(t),
  });
  const stillUnmatched: PtTransaction[] = [];
  const topCandidates = (result: MatchResult) => result.candidates.slice(0, 3).map((c) => `${c.rule} ${c.confidence}: ${c.documents.map((d) => d.id).join('+')}`).join(' | ');
  for (const t of unmatched) {
    if (t.type === 'REFUND') {
      stillUnmatched.push(t);
      continue;
    }
    const record = paymentRecord(t);
    // candidates: receipts for the same amount, plus receipts of the customers those belong to (for 1:N)
    const same = (byCents.get(t.cents!) ?? []).filter((d) => !consumed.has(documentReceipt.get(d)!));
    const customers = new Set(same.map((d) => d.customer));
    const customer = m3Customer(t);
    if (customer) customers.add(customer);
    const pool = new Set(same);
    for (const c of customers) for (const d of (byCustomer.get(c) ?? []).slice(0, rules.grouping.maxCandidates)) if (!consumed.has(documentReceipt.get(d)!)) pool.add(d);
    if (!pool.size) {
      stillUnmatched.push(t);
      continue;
    }
    const result = matchPayment(rules, record, [...pool]);
    const base = { leg: 'A' as const, key: `A:tx:${t.transactionId}`, batchNumber: t.batchNumber, settledDate: t.settledDate, transactionIds: String(t.transactionId), currency: local, paytraceCents: t.cents! };
    if (result.status === 'matched' && result.best) {
      const receipts = result.best.documents.map((d) => documentReceipt.get(d)!);
      for (const r of receipts) consumed.add(r);
      const m3Cents = receipts.reduce((a, r) => a + (r.cents ?? 0), 0);
      legA.set(t.transactionId, { ...base, status: 'matched', rule: result.best.rule, confidence: result.best.confidence, owner: 'gateway', m3Cents, m3Refs: receipts.map((r) => `receipt ${r.pbid}/${r.trno} invoice ${r.cino}`).join('; '), reason: result.reason });
    } else if (result.status === 'review' || result.status === 'ambiguous') {
      legA.set(t.transactionId, { ...base, status: 'review', rule: result.best?.rule, confidence: result.best?.confidence, owner: 'finance', m3Refs: result.best?.documents.map((d) => `invoice ${d.id}`).join('; '), reason: `${result.reason} [${topCandidates(result)}]`, suggestedFix: 'Confirm or reject the proposed match', fixKind: 'review' });
    } else {
      stillUnmatched.push(t);
    }
  }

  // ------------------------------------------------------------------ leg A, N:1 (instalments)
  const leftover = stillUnmatched.filter((t) => t.type !== 'REFUND' && t.cents !== null && t.cents > 0);
  if (leftover.length) {
    const records = leftover.map(paymentRecord);
    const txOf = new Map(records.map((r, i) => [r, leftover[i]!]));
    for (const d of documents) {
      const r = documentReceipt.get(d)!;
      if (consumed.has(r)) continue;
      const pool = records.filter((p) => !legA.has(Number(p.id)) && p.amount.minor < d.amount.minor).slice(0, rules.grouping.maxCandidates);
      if (pool.length < 2) continue;
      const result = matchPaymentsToDocument(rules, pool, d);
      if (!result.best || (result.status !== 'matched' && result.status !== 'review' && result.status !== 'ambiguous')) continue;
      const status = result.status === 'matched' ? 'matched' : 'review';
      if (status === 'matched') consumed.add(r);
      for (const p of result.best.payments) {
        const t = txOf.get(p)!;
        legA.set(t.transactionId, {
          leg: 'A',
          key: `A:tx:${t.transactionId}`,
          batchNumber: t.batchNumber,
          settledDate: t.settledDate,
          transactionIds: result.best.payments.map((x) => x.id).join(','),
          currency: local,
          status,
          rule: result.best.rule,
          confidence: result.best.confidence,
          owner: 'finance',
          paytraceCents: t.cents!,
          m3Cents: r.cents!,
          m3Refs: `receipt ${r.pbid}/${r.trno} invoice ${r.cino}`,
          reason: result.reason,
          ...(status === 'review' ? { suggestedFix: 'Confirm or reject the proposed instalment match', fixKind: 'review' as const } : {}),
        });
      }
    }
  }

  // ------------------------------------------------------------------ leg A, missing in M3
  for (const t of stillUnmatched) {
    if (legA.has(t.transactionId)) continue;
    const payment = ix.paymentByTx.get(t.transactionId);
    const amount = signedCents(t)!;
    const canPost = payment?.flow === 'invoice_payment' && !!payment.ivno && payment.yea4 !== undefined && t.type !== 'REFUND';
    legA.set(t.transactionId, {
      leg: 'A',
      key: `A:tx:${t.transactionId}`,
      batchNumber: t.batchNumber,
      settledDate: t.settledDate,
      transactionIds: String(t.transactionId),
      paymentId: payment?.id,
      currency: local,
      status: 'exception',
      exceptionClass: 'missing_in_m3',
      owner: payment ? 'gateway' : 'm3',
      paytraceCents: amount,
      reason:
        (payment
          ? `PayTrace settled ${formatCents(amount)} for payment ${payment.reference} (ledger status ${payment.status}) but M3 has no receipt with that reference`
          : `PayTrace settled ${formatCents(amount)} (invoice_id "${t.invoiceId ?? ''}") and no M3 receipt matches it by reference or by the tolerant rules`) + movedNote(t),
      suggestedFix: canPost ? `Post the cash receipt for invoice ${payment.ivno}/${payment.yea4} (flow 2 receipt step)` : 'Apply the payment to the right invoice in M3 (ARS040) with the PayTrace transaction id as reference',
      fixKind: canPost ? 'auto' : 'review',
      fixAction: canPost ? 'post_receipt' : undefined,
    });
  }
  for (const t of transactions) items.push(legA.get(t.transactionId)!);

  // ------------------------------------------------------------------ receipts PayTrace never settled
  const referenceLike = (irno: string) => ix.paymentByReference.has(irno) || parseReference(rules, irno) !== undefined;
  // only the few left over are sorted (for a stable order), not every receipt
  const leftoverReceipts = input.receipts.filter((r) => !consumed.has(r) && r.irno && referenceLike(r.irno)).sort((a, b) => a.pbid - b.pbid || a.trno - b.trno);
  for (const r of leftoverReceipts) {
    if (!r.irno) continue;
    if (r.paymentDate && (r.paymentDate < input.period.from || r.paymentDate > input.period.to)) continue;
    const payment = ix.paymentByReference.get(r.irno);
    if (payment && (payment.settlementState === 'settled' || payment.paytraceTransactionId === undefined)) continue; // settled outside this period
    if (payment && ix.gl.get(payment.glKey ?? '')?.status === '90') continue; // leg C reports it as posted but not settled
    items.push({
      leg: 'A',
      key: `A:receipt:${r.pbid}/${r.trno}`,
      status: 'exception',
      exceptionClass: 'missing_in_paytrace',
      owner: 'paytrace',
      m3Refs: `receipt ${r.pbid}/${r.trno} invoice ${r.cino}`,
      paymentId: payment?.id,
      transactionIds: payment?.paytraceTransactionId !== undefined ? String(payment.paytraceTransactionId) : undefined,
      currency: r.currency,
      m3Cents: r.cents ?? undefined,
      reason: `M3 receipt ${r.pbid}/${r.trno} carries our reference ${r.irno} but no settled PayTrace transaction in the period has it${payment ? ` (PayTrace state: ${payment.settlementState ?? 'unknown'})` : ''}`,
      suggestedFix: 'Check the transaction at PayTrace; if it was voided or declined, reverse the receipt in M3',
      fixKind: 'review',
    });
  }

  // ------------------------------------------------------------------ leg B, batch ⇄ GL
  let paytraceNet = 0;
  let glTotal = 0;
  const byBatch = new Map<number, PtTransaction[]>();
  for (const t of transactions) (byBatch.get(t.batchNumber) ?? byBatch.set(t.batchNumber, []).get(t.batchNumber)!).push(t);
  for (const batch of [...input.batches].sort((a, b) => a.batchNumber - b.batchNumber)) {
    const txs = byBatch.get(batch.batchNumber) ?? [];
    const pre = input.preMatched?.batches.get(batch.batchNumber);
    const count = txs.length + (pre?.transactions ?? 0);
    let net = pre?.netCents ?? 0;
    let gl = pre?.glCents ?? 0;
    let problems = 0;
    for (const t of txs) {
      const amount = signedCents(t);
      if (amount === null) continue;
      net += amount;
      const payment = ix.paymentByTx.get(t.transactionId);
      const head = payment?.glKey ? ix.gl.get(payment.glKey) : undefined;
      // built only for an exception: most transactions need no leg-B item of their own
      const exceptionBase = () => ({ leg: 'B' as const, key: `B:tx:${t.transactionId}`, batchNumber: batch.batchNumber, settledDate: batch.settledDate, transactionIds: String(t.transactionId), paymentId: payment?.id, currency: local, paytraceCents: amount });
      if (!head || head.status !== '90' || head.debitCents === null) {
        const base = exceptionBase();
        problems++;
        const canPost = !!payment && (payment.flow === 'invoice_payment' || payment.flow === 'ecommerce_sale') && t.type !== 'REFUND';
        items.push({
          ...base,
          status: 'exception',
          exceptionClass: 'settled_but_not_posted',
          owner: payment ? 'gateway' : 'finance',
          glKey: payment?.glKey,
          reason: head ? (head.status !== '90' ? `GL batch ${head.key1} is in status ${head.status}, not posted` : `GL batch ${head.key1} is posted without a debit amount`) : payment ? `no GL batch for payment ${payment.reference}` : `transaction ${t.transactionId} was not made through the gateway: no GL posting is known for it`,
          suggestedFix: canPost ? 'Post the payment GL batch (flow GL step)' : 'Post the settlement to the card clearing account by hand (GLS840)',
          fixKind: canPost ? 'auto' : 'review',
          fixAction: canPost ? 'post_gl' : undefined,
        });
        continue;
      }
      const glCents = t.type === 'REFUND' ? -head.debitCents : head.debitCents;
      gl += glCents;
      const expected = payment?.localCents ?? amount;
      const { cls, diff } = compare(t.type === 'REFUND' ? -Math.abs(expected) : Math.abs(expected), glCents, payment?.currency !== undefined && payment.currency !== local);
      const settledVsGl = glCents - amount;
      if (cls || (settledVsGl !== 0 && Math.abs(settledVsGl) > tolerance)) {
        problems++;
        const klass = cls ?? 'amount_differs';
        items.push({ ...exceptionBase(), status: 'exception', exceptionClass: klass, owner: klass === 'currency_rounding' ? 'finance' : 'gateway', glKey: head.key1, glCents, differenceCents: cls ? diff : settledVsGl, reason: `GL batch ${head.key1} posts ${formatCents(glCents)} ${local}; PayTrace settled ${formatCents(amount)}`, suggestedFix: klass === 'currency_rounding' ? 'Post the rounding difference to the currency-rounding account' : `Correct GL batch ${head.key1} (reverse and repost)`, fixKind: 'review' });
      }
    }
    paytraceNet += net;
    glTotal += gl;
    const reported = batch.reportedNetCents;
    const base = { leg: 'B' as const, key: `B:batch:${batch.batchNumber}`, batchNumber: batch.batchNumber, settledDate: batch.settledDate, currency: local, paytraceCents: net, glCents: gl, transactionIds: `${count} transactions` };
    const chargebacks = batch.reportedChargebackCents ?? 0;
    if (reported !== undefined && reported !== net && chargebacks !== 0 && reported === net - chargebacks && !problems) {
      // the deposit is net of the chargebacks taken in the batch: explained, not an exception
      items.push({ ...base, status: 'matched', rule: 'batch-net-of-chargebacks', confidence: 1, owner: 'gateway', differenceCents: 0, reason: `batch ${batch.batchNumber}: ${count} transactions, net ${formatCents(net)} ${local}, equal in the GL; PayTrace's net ${formatCents(reported)} is after ${formatCents(chargebacks)} of chargebacks and fees (booked by the chargeback flow, CB-<case>)` });
    } else if (reported !== undefined && reported !== net) {
      items.push({ ...base, status: 'exception', exceptionClass: 'amount_differs', owner: 'paytrace', differenceCents: net - reported, reason: `batch ${batch.batchNumber} reports a net of ${formatCents(reported)} but its ${count} transactions add up to ${formatCents(net)} (reported count ${batch.reportedCount ?? '?'})`, suggestedFix: 'Export the batch again; if it still differs, raise it with PayTrace', fixKind: 'review' });
    } else if (problems) {
      items.push({ ...base, status: 'exception', exceptionClass: 'settled_but_not_posted', owner: 'gateway', differenceCents: gl - net, reason: `batch ${batch.batchNumber}: ${problems} of ${count} transactions are not posted as settled; the GL shows ${formatCents(gl)} of ${formatCents(net)}`, suggestedFix: 'See the transaction items of this batch' });
    } else {
      items.push({ ...base, status: 'matched', rule: 'batch-total', confidence: 1, owner: 'gateway', differenceCents: 0, reason: `batch ${batch.batchNumber}: ${count} transactions, net ${formatCents(net)} ${local}, equal in the GL` });
    }
  }

  // ------------------------------------------------------------------ leg C, ledger ⇄ both
  const legC: ReconItem[] = [];
  for (const p of input.payments) {
    if (p.paytraceTransactionId === undefined) continue;
    const t = ix.txById.get(p.paytraceTransactionId);
    const base = { leg: 'C' as const, key: `C:payment:${p.id}`, paymentId: p.id, transactionIds: String(p.paytraceTransactionId), currency: p.currency ?? local, glKey: p.glKey };
    if (t) {
      const amount = t.cents;
      if (amount !== null && p.cents !== null && p.currency === local && Math.abs(p.cents) !== amount) {
        legC.push({ ...base, status: 'exception', exceptionClass: 'amount_differs', owner: 'gateway', batchNumber: t.batchNumber, settledDate: t.settledDate, paytraceCents: amount, differenceCents: Math.abs(p.cents) - amount, reason: `the ledger records ${formatCents(p.cents)} for payment ${p.reference}; PayTrace settled ${formatCents(amount)}`, suggestedFix: 'Check the payment in the trace view; PayTrace is the record of what was charged', fixKind: 'review' });
      }
      continue;
    }
    if (p.settlementState === 'settled') continue; // settled in a batch outside this period
    const head = p.glKey ? ix.gl.get(p.glKey) : undefined;
    if (head?.status === '90') {
      legC.push({
        ...base,
        status: 'exception',
        exceptionClass: 'posted_but_not_settled',
        owner: 'paytrace',
        glCents: head.debitCents ?? undefined,
        reason: `GL batch ${head.key1} posts payment ${p.reference}, but PayTrace settled no transaction ${p.paytraceTransactionId} in the period (state ${p.settlementState ?? 'unknown'})`,
        suggestedFix: p.settlementState === 'pending_settlement' ? 'Wait for tonight’s settlement; it shows again if it does not settle' : `Reverse GL batch ${head.key1} if PayTrace voided or declined the transaction`,
        fixKind: 'review',
      });
    }
  }
  // sorted by item key (the payment id) for a stable order; only the differences, not every payment
  legC.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  for (const item of legC) items.push(item);

  return { items, summary: summarize(input, items, paytraceNet, glTotal) };
}

export function summarize(input: Pick<ReconInput, 'period' | 'batches' | 'transactions' | 'localCurrency' | 'preMatched'>, items: readonly ReconItem[], paytraceNetCents: number, glCents: number): ReconSummary {
  const byClass: ReconSummary['byClass'] = {};
  // transactions matched before the engine ran: one matched leg-A item each, by reference
  const preMatched = input.preMatched?.transactions ?? 0;
  const byRule: Record<string, number> = preMatched ? { reference: preMatched } : {};
  let matched = preMatched;
  let review = 0;
  let exceptions = 0;
  let autoFixes = 0;
  for (const item of items) {
    if (item.status === 'matched') matched++;
    else if (item.status === 'review') review++;
    else exceptions++;
    if (item.exceptionClass) byClass[item.exceptionClass] = (byClass[item.exceptionClass] ?? 0) + 1;
    if (item.rule && item.status === 'matched') byRule[item.rule] = (byRule[item.rule] ?? 0) + 1;
    if (item.fixKind === 'auto') autoFixes++;
  }
  return {
    period: input.period,
    batches: input.batches.length,
    transactions: input.transactions.length + preMatched,
    items: items.length + preMatched,
    matched,
    review,
    exceptions,
    byClass,
    byRule,
    autoFixes,
    paytraceNet: formatCents(paytraceNetCents),
    glPosted: formatCents(glCents),
    currency: input.localCurrency,
    balanced: review === 0 && exceptions === 0,
  };
}
