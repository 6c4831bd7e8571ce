import type { Knex } from 'knex';
import type { M3Executor } from '../../infor/m3-programs/executor';
import { getInvoice } from '../../infor/m3-programs/invoices';
import type { IngestInput } from '../../pipeline/pipeline';
import type { InvoiceEvent } from './invoice-event';

/** The trigger a flow names to receive the invoices the scheduled pull finds. */
export const INVOICE_PULL = 'm3-invoice-pull';

const today = (now: Date) => now.toISOString().slice(0, 10).replace(/-/g, '');

/**
 * For tenants without the Sync.Invoice document flow: the open invoices of the division invoiced
 * since the high-water mark (ARS200MI LstInvByDivi, AAC0=1, IVDT from the mark's day on; each
 * head read with OIS350MI GetInvHead for its currency, open amount and due date) become
 * events of the flow that owns the trigger. The inbox key is the invoice, so an invoice is queued
 * by the pull once however often it is seen; the mark moves to the newest invoice date seen.
 * The first pull starts today (it does not link the open invoices of the past).
 */
export async function pullNewInvoices(
  deps: { db: Knex; m3: M3Executor; store: (input: IngestInput) => Promise<{ duplicate: boolean } | undefined> },
  scope: { cono: number; divi: string },
  now = new Date(),
): Promise<{ seen: number; queued: number; since: string }> {
  const mark = await deps.db('invoice_pull_marks').where(scope).first<{ last_invoice_date: string } | undefined>();
  const since = mark?.last_invoice_date ?? today(now);
  const { records } = await deps.m3.execute('ARS200MI', 'LstInvByDivi', { FDIV: scope.divi, TDIV: scope.divi, AAC0: '1', IVDT: since }, { ...scope, maxrecs: 0 });
  let queued = 0;
  let newest = since;
  for (const r of records) {
    if (!r.CINO || !r.INYR || !r.CUNO) continue;
    const ivdt = r.IVDT ?? '';
    if (ivdt < since) continue;
    if (ivdt > newest) newest = ivdt;
    // the list has no currency or open amount on every release: read the head (OIS350MI GetInvHead)
    const divi = r.DIVI || scope.divi;
    const head = await getInvoice(deps.m3, { cono: scope.cono, divi }, Number(r.INYR), r.CINO);
    if (!head?.currency) continue;
    const total = head.totalAmount;
    const event: InvoiceEvent = {
      triggerId: `pull-${scope.cono}-${divi}-${r.INYR}-${r.CINO}`,
      cono: scope.cono,
      divi,
      yea4: Number(r.INYR),
      ivno: r.CINO,
      cuno: r.CUNO,
      currency: head.currency,
      totalAmount: total,
      openAmount: head.openAmount,
      creditNote: total.trim().startsWith('-'),
      paymentTerms: r.TEPY || null,
      invoiceDate: /^\d{8}$/.test(ivdt) ? ivdt : null,
      dueDate: /^\d{8}$/.test(head.dueDate) ? head.dueDate : null,
      orno: head.orno ?? null,
      source: 'ois350-pull',
    };
    const stored = await deps.store({ source: 'invoice-pull', dedupeKey: `${event.cono}:${event.divi}:${event.yea4}:${event.ivno}`, kind: 'invoice.new', payload: event, correlationId: `invoice-pull-${event.ivno}` });
    if (stored && !stored.duplicate) queued++;
  }
  await deps.db('invoice_pull_marks')
    .insert({ ...scope, last_invoice_date: newest })
    .onConflict(['cono', 'divi'])
    .merge({ last_invoice_date: newest, updated_at: deps.db.fn.now() });
  return { seen: records.length, queued, since };
}
