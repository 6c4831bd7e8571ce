/**
 * The exactly-once audit after a chaos or scale-out run: every event's effect is counted in the
 * simulators (the outside world's own records), and every trigger in the inbox is finished.
 * Returns the violations as readable lines, so a failing run says what went wrong where.
 */
import type { Payment } from '../../gateway/src/pipeline/ledger';
import { eventually } from '../helpers/gateway';
import type { SharedWorld } from './harness';
import type { EcommerceOrder, InvoicePayment, RefundAsk } from './load';

export interface Expectations {
  /** orders whose notification tells the truth: one M3 order, card reference, GL batch each */
  orders: EcommerceOrder[];
  /** orders that claim another amount than PayTrace charged: failed, no M3 effect */
  mismatched: EcommerceOrder[];
  invoicePayments: InvoicePayment[];
  /** refunds; for an invoice payment's refund M3 also gets a reversing receipt */
  refunds: RefundAsk[];
  /** sales the storefront/pay page made: the gateway must not add any */
  salesMade: number;
}

export interface AuditSummary {
  payments: Record<string, number>;
  m3Orders: number;
  receipts: number;
  glBatches: number;
  paytraceSales: number;
  paytraceRefunds: number;
  paytraceVoids: number;
  syncBods: number;
  /** unconfirmed batch orders left when a gateway died during AddBatchHead (not orders) */
  orphanBatchHeads: number;
}

/** Wait until no trigger is waiting or running and no job is queued (the system is at rest). */
export async function waitUntilSettled(world: SharedWorld, timeoutMs: number): Promise<void> {
  const db = world.database.db;
  await eventually(
    async () => {
      const open = await db('inbox').whereIn('status', ['received', 'processing']).count<Array<{ count: string }>>('* as count');
      const jobs = await db.raw(`select count(*)::int as n from pgboss.job where state in ('created','retry','active') and name <> 'dead-letters'`);
      return Number(open[0]!.count) === 0 && (jobs.rows[0] as { n: number }).n === 0;
    },
    timeoutMs,
    'every trigger processed and no job left',
  );
}

export async function audit(world: SharedWorld, expected: Expectations): Promise<{ violations: string[]; summary: AuditSummary }> {
  const db = world.database.db;
  const violations: string[] = [];
  const diagnose: string[] = [];
  let orphanBatchHeads = 0;
  const m3 = world.infor.state().m3;
  const orders = [...m3.orders.values()];
  const batchOrders = [...m3.batchOrders.values()];
  const glBatches = [...m3.glBatches.values()];
  const transactions = [...world.paytrace.context.state.transactions.values()];
  const ionMessages = world.infor.state().inbox;

  const count = <T>(items: T[], predicate: (item: T) => boolean) => items.reduce((n, item) => n + (predicate(item) ? 1 : 0), 0);
  const payments = new Map((await db<Payment>('payments').select('*')).map((p) => [p.reference, p]));
  const glByKey = new Map<string, number>();
  for (const b of glBatches) glByKey.set(b.key1, (glByKey.get(b.key1) ?? 0) + 1);

  const expectCompleted = (reference: string): Payment | undefined => {
    const p = payments.get(reference);
    if (!p) violations.push(`${reference}: no payment in the ledger (lost)`);
    else if (p.status !== 'completed') violations.push(`${reference}: status ${p.status} (${p.last_error_code ?? ''} ${p.last_error ?? ''})`);
    return p?.status === 'completed' ? p : undefined;
  };
  const expectOneGl = (p: Payment) => {
    const n = p.gl_batch_key ? (glByKey.get(p.gl_batch_key) ?? 0) : 0;
    if (n !== 1) violations.push(`${p.reference}: ${n} GL batches under KEY1 ${p.gl_batch_key}`);
    const batch = glBatches.find((b) => b.key1 === p.gl_batch_key);
    if (batch && (batch.debitCents !== batch.creditCents || batch.status !== '90')) violations.push(`${p.reference}: GL batch ${batch.key1} not balanced/updated (${batch.debitCents}/${batch.creditCents}, status ${batch.status})`);
  };
  const expectAnnounced = (p: Payment) => {
    const bods = ionMessages.filter((m) => m.documentName === 'Sync.MyPTPayment' && m.parameterRequest.documentId === p.id);
    const distinct = new Set(bods.map((m) => m.id));
    if (distinct.size !== 1) violations.push(`${p.reference}: ${distinct.size} distinct Sync.MyPTPayment BODs at ION (expected 1)`);
  };

  // flow 1: one M3 order per CUOR, one card reference, one GL batch, one BOD
  for (const order of expected.orders) {
    const p = expectCompleted(`ECOM-100-${order.orderId}`);
    const n = count(orders, (o) => o.cuor === order.orderId);
    if (n !== 1) {
      violations.push(`order ${order.orderId}: ${n} M3 orders with this CUOR`);
      diagnose.push(order.orderId);
    }
    // a second confirmed batch order would be a second order; an unconfirmed one is what a kill
    // during AddBatchHead leaves (its number never reached us, and MI cannot list batch heads by CUOR)
    const heads = batchOrders.filter((o) => o.fields.CUOR === order.orderId);
    const confirmed = heads.filter((h) => h.orno).length;
    if (confirmed !== 1) violations.push(`order ${order.orderId}: ${confirmed} confirmed OIS100MI batch orders with this CUOR`);
    orphanBatchHeads += heads.length - confirmed;
    if (!p) continue;
    if (p.paytrace_transaction_id !== String(order.transactionId)) violations.push(`order ${order.orderId}: ledger has PayTrace transaction ${p.paytrace_transaction_id}, expected ${order.transactionId}`);
    const refs = count(m3.cardTransactions, (c) => c.kind === 'AddCCRefNo' && c.orno === p.orno);
    if (refs !== 1) violations.push(`order ${order.orderId}: ${refs} CRCCINMI card references on ${p.orno}`);
    expectOneGl(p);
    expectAnnounced(p);
  }
  // amount claimed ≠ amount charged: failed for that business reason, nothing in M3
  for (const order of expected.mismatched) {
    const p = payments.get(`ECOM-100-${order.orderId}`);
    if (p?.status !== 'failed' || p.last_error_code !== 'ECOMMERCE_AMOUNT_MISMATCH') violations.push(`mismatched order ${order.orderId}: ${p?.status} ${p?.last_error_code} (expected failed ECOMMERCE_AMOUNT_MISMATCH)`);
    const n = count(orders, (o) => o.cuor === order.orderId) + count(batchOrders, (o) => o.fields.CUOR === order.orderId);
    if (n !== 0) violations.push(`mismatched order ${order.orderId}: ${n} M3 orders`);
  }
  // flow 2: one cash receipt per payment (by IRNO = our reference), one GL batch, invoice closed
  for (const inv of expected.invoicePayments) {
    const p = expectCompleted(inv.reference);
    const n = count(m3.receipts, (r) => r.irno === inv.reference);
    if (n !== 1) violations.push(`${inv.reference}: ${n} cash receipts with IRNO = reference`);
    const onInvoice = count(m3.receipts, (r) => r.cino === inv.ivno && r.amountCents > 0);
    if (onInvoice !== 1) violations.push(`invoice ${inv.ivno}: ${onInvoice} positive receipts`);
    if (!p) continue;
    expectOneGl(p);
    expectAnnounced(p);
  }
  // flow 4: one money movement at PayTrace per refund (a refund transaction, or the void of the sale)
  const originalsByTx = new Map<number, RefundAsk[]>();
  for (const ask of expected.refunds) originalsByTx.set(ask.originalTransactionId, [...(originalsByTx.get(ask.originalTransactionId) ?? []), ask]);
  for (const [original, asks] of originalsByTx) {
    const sale = transactions.find((t) => t.id === original);
    const refundTxs = transactions.filter((t) => t.type === 'REFUND' && t.originalTransactionId === original && t.status !== 'voided');
    const refundPayments = asks.map((a) => payments.get(`REFUND-${a.refundId}`));
    const voided = sale?.status === 'voided';
    if (voided) {
      if (asks.length !== 1 || refundTxs.length !== 0) violations.push(`sale ${original}: voided, and ${refundTxs.length} refunds for ${asks.length} requests`);
    } else if (refundTxs.length !== asks.length) {
      violations.push(`sale ${original}: ${refundTxs.length} PayTrace refunds for ${asks.length} refund requests`);
    }
    const ledgerTxs = new Set(refundPayments.map((p) => p?.paytrace_transaction_id).filter(Boolean));
    for (const t of refundTxs) if (!ledgerTxs.has(String(t.id))) violations.push(`sale ${original}: PayTrace refund ${t.id} is in no refund payment of ours`);
    for (const ask of asks) {
      const p = expectCompleted(`REFUND-${ask.refundId}`);
      if (!p) continue;
      expectOneGl(p);
      expectAnnounced(p);
      if (p.ivno) {
        const n = count(m3.receipts, (r) => r.irno === p.reference);
        if (n !== 1) violations.push(`${p.reference}: ${n} reversing receipts (expected 1)`);
      }
    }
  }
  // PayTrace charges: only the ones the storefront and the pay page made
  const sales = count(transactions, (t) => t.type === 'SALE');
  if (sales !== expected.salesMade) violations.push(`PayTrace has ${sales} sales; ${expected.salesMade} were made (the gateway must charge nothing here)`);

  // nothing lost: every trigger finished; the only parked ones are the expected business failures
  const dead = await db('inbox').where({ status: 'dead' }).select('kind', 'error_code', 'dedupe_key');
  const expectedDead = new Set(expected.mismatched.map((o) => o.webhookId));
  for (const row of dead as Array<{ kind: string; error_code: string; dedupe_key: string }>) {
    if (!(row.kind === 'ecommerce.order.paid' && row.error_code === 'ECOMMERCE_AMOUNT_MISMATCH' && expectedDead.has(row.dedupe_key))) {
      violations.push(`inbox ${row.kind} ${row.dedupe_key} parked: ${row.error_code}`);
    }
  }
  const notDone = await db('inbox').whereNotIn('status', ['done', 'dead']).select('kind', 'status', 'dedupe_key');
  for (const row of notDone as Array<{ kind: string; status: string; dedupe_key: string }>) violations.push(`inbox ${row.kind} ${row.dedupe_key} is ${row.status}`);
  const letters = await db('dead_letters').select('queue', 'error_code');
  for (const l of letters as Array<{ queue: string; error_code: string }>) {
    if (l.error_code !== 'ECOMMERCE_AMOUNT_MISMATCH') violations.push(`dead letter on ${l.queue}: ${l.error_code}`);
  }

  // what the gateway did for a doubled order, to tell why
  for (const orderId of diagnose.slice(0, 3)) {
    const p = payments.get(`ECOM-100-${orderId}`);
    const intents = p ? await db('intents').where({ payment_id: p.id }).orderBy('id').select('key', 'status', 'attempts', 'error_code', 'created_at', 'updated_at') : [];
    const inbox = await db('inbox').where({ aggregate_key: `order:${orderId}` }).select('id', 'status', 'received_at', 'processed_at', 'error_code');
    const calls = await fetch(`${world.infor.url}/_sim/calls?path=OIS100MI&limit=5000`).then((r) => r.json() as Promise<{ calls?: Array<{ at: string; path: string; status?: number; body?: unknown }> }>);
    const heads = batchOrders.filter((b) => b.fields.CUOR === orderId).map((b) => b.tempOrno);
    const mine = (calls.calls ?? []).filter((c) => JSON.stringify(c).includes(orderId) || heads.some((h) => JSON.stringify(c).includes(h)));
    violations.push(`  diagnosis ${orderId}: heads ${heads.join(',')}; intents ${JSON.stringify(intents)}; inbox ${JSON.stringify(inbox)}; M3 calls ${JSON.stringify(mine.map((c) => [c.at, c.path.replace(/^.*m3api-rest/, ''), c.status, c.body]))}`);
  }

  const expectedCuors = new Set([...expected.orders, ...expected.mismatched].map((o) => o.orderId));
  const byStatus: Record<string, number> = {};
  for (const p of payments.values()) byStatus[`${p.flow}:${p.status}`] = (byStatus[`${p.flow}:${p.status}`] ?? 0) + 1;
  return {
    violations,
    summary: {
      payments: byStatus,
      m3Orders: count(orders, (o) => expectedCuors.has(o.cuor)),
      receipts: m3.receipts.length,
      glBatches: glBatches.length,
      paytraceSales: sales,
      paytraceRefunds: count(transactions, (t) => t.type === 'REFUND'),
      paytraceVoids: count(transactions, (t) => t.status === 'voided'),
      syncBods: count(ionMessages, (m) => m.documentName === 'Sync.MyPTPayment'),
      orphanBatchHeads,
    },
  };
}

export interface OrderEffects {
  /** storefront orders whose whole effect is in M3 once: one order, one card reference, one posted GL batch */
  complete: number;
  /** no M3 order at all: the event was lost */
  lost: string[];
  /** an M3 order but not everything after it (card reference or posted GL batch missing): stopped half way */
  incomplete: string[];
  /** more than one order, card reference or GL batch for one storefront order */
  doubled: string[];
}

/**
 * The flow-1 part of the audit, from the simulators' records alone, so it judges any engine doing
 * the job (the gateway or a peer): per storefront order the M3 orders with its CUOR, the card
 * references on that order, and the GL batches whose description names it (`… ECOM-100-<order>`).
 */
export function orderEffects(world: SharedWorld, orders: Array<Pick<EcommerceOrder, 'orderId'>>): OrderEffects {
  const m3 = world.infor.state().m3;
  const byCuor = new Map<string, string[]>();
  for (const o of m3.orders.values()) byCuor.set(o.cuor, [...(byCuor.get(o.cuor) ?? []), o.orno]);
  const refsByOrno = new Map<string, number>();
  for (const c of m3.cardTransactions) if (c.kind === 'AddCCRefNo') refsByOrno.set(c.orno, (refsByOrno.get(c.orno) ?? 0) + 1);
  const glByOrder = new Map<string, Array<{ status: string }>>();
  for (const b of m3.glBatches.values()) {
    const named = /ECOM-\d+-(\S+)/.exec(b.desc)?.[1];
    if (named) glByOrder.set(named, [...(glByOrder.get(named) ?? []), b]);
  }
  const result: OrderEffects = { complete: 0, lost: [], incomplete: [], doubled: [] };
  for (const { orderId } of orders) {
    const ornos = byCuor.get(orderId) ?? [];
    const refs = ornos.reduce((n, orno) => n + (refsByOrno.get(orno) ?? 0), 0);
    const gl = glByOrder.get(orderId) ?? [];
    if (ornos.length === 0) result.lost.push(orderId);
    else if (ornos.length > 1 || refs > 1 || gl.length > 1) result.doubled.push(orderId);
    else if (refs === 0 || gl.length === 0 || gl[0]!.status !== '90') result.incomplete.push(orderId);
    else result.complete++;
  }
  return result;
}
