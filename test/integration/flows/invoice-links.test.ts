import { addCashReceipt } from '../../../gateway/src/infor/m3-programs/receipts';
import { dismissReview, invoiceLinkSummary, invoiceTracesByNumber, listReviews, retryReview } from '../../../gateway/src/links/invoice-links';
import { linksModule } from '../../../gateway/src/links/module';
import type { InboxRow } from '../../../gateway/src/pipeline/inbox';
import { INVOICE_PULL, pullNewInvoices } from '../../../gateway/src/triggers/invoice-links/pull';
import { INVOICE_LINK_REMINDER, queueDueReminders } from '../../../gateway/src/triggers/invoice-links/reminders';
import { eventually } from '../../helpers/gateway';
import { payLink } from '../links/helpers';
import { simJson, startStack, type Stack } from '../../helpers/stack';

/**
 * Issue 22: a new invoice published by M3 through ION (Sync.Invoice) gets its payment link and
 * one e-mail when the rules say so; the same BOD again, a credit note, a customer not opted in
 * do nothing; a customer without an e-mail address lands on the review list; reminders go while
 * the invoice is open and stop once it is paid — also when it was paid in M3 by cheque.
 */
describe('invoice-links: Sync.Invoice → one link, one e-mail', () => {
  let stack: Stack;
  const scope = { cono: 100, divi: 'AAA' };
  const DAY = 86_400_000;

  beforeAll(async () => {
    // reminders are handed over by the test (queueDueReminders with a chosen "now"), not by a timer
    stack = await startStack({ config: { queue: { retryLimit: 2, retryDelaySeconds: 0 }, flows: { invoiceLinkReminderIntervalSeconds: 0, customerPullIntervalSeconds: 0 } }, modules: [linksModule()] });
    const m3 = stack.gateway.services.infor!.m3;
    // C10001 opts in by its CUSEXT flag (A230 = Y); C10002 is not opted in
    await m3.execute('CUSEXTMI', 'AddFieldValue', { FILE: 'OCUSMA', PK01: 'C10001', A230: 'Y' }, scope);
    // a customer without an e-mail address, opted in too (the customer-group opt-in is in the unit tests:
    // the simulator's CRS610MI Add/ChgBasicData take no CUCL)
    await m3.execute('CRS610MI', 'Add', { CUNO: 'C20001', CUNM: 'No Mail Hardware', CUTM: 'TEMPLATE', CUA1: '1 Quiet Lane', TOWN: 'Peoria', ECAR: 'IL', PONO: '61602', CSCD: 'US' }, scope);
    await m3.execute('CUSEXTMI', 'AddFieldValue', { FILE: 'OCUSMA', PK01: 'C20001', A230: '1' }, scope);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const db = () => stack.gateway.services.db;
  const newInvoice = (cuno: string, amount: string) => simJson<{ ivno: number; yea4: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno, amount } });
  const invoiceInbox = (ivno: number) =>
    eventually(async () => {
      const row = await db()<InboxRow>('inbox').where({ source: 'ion', kind: 'Sync.Invoice', aggregate_key: `invoice:100:AAA:${new Date().getUTCFullYear()}:${ivno}` }).first();
      return row && ['done', 'rejected', 'dead'].includes(row.status) ? row : undefined;
    }, 20_000, `Sync.Invoice of ${ivno} handled`);
  const linksOf = (ivno: number) => db()('payment_links').where({ ivno: String(ivno) });
  const emailsOf = async (ivno: number) => db()('email_outbox').whereIn('link_id', (await linksOf(ivno)).map((l: { id: string }) => l.id)).orderBy('created_at');

  it('an invoice of an opted-in customer → one link and one e-mail to the address in M3; the same BOD again → nothing new', async () => {
    const invoice = await newInvoice('C10001', '412.50');
    const row = await invoiceInbox(invoice.ivno);
    expect(row).toMatchObject({ status: 'done', flow_id: 'invoice-links' });

    const links = await linksOf(invoice.ivno);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ status: 'open', amount: '412.50', currency: 'USD', cuno: 'C10001', created_by: 'flow:invoice-links', customer_email: 'ap@acme.example' });
    const emails = await emailsOf(invoice.ivno);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ to_address: 'ap@acme.example', kind: 'link', requested_by: 'flow:invoice-links' });
    expect(emails[0].text).toContain('/pay/');
    expect(emails[0].text).toContain('412.50');
    // delivered by the outbox (captured in sandbox)
    await eventually(async () => (await db()('email_outbox').where({ id: emails[0].id }).first())?.status === 'captured', 10_000, 'e-mail captured');

    const record = await db()('invoice_links').where({ ivno: String(invoice.ivno) }).first();
    expect(record).toMatchObject({ status: 'linked', link_id: links[0].id, email: 'ap@acme.example', email_id: emails[0].id, total_amount: '412.50', open_amount: '412.50' });
    const reminders = await db()('invoice_link_reminders').where({ invoice_link_id: record.id }).orderBy(['kind', 'days']);
    expect(reminders.map((r: { kind: string; days: number }) => `${r.kind}:${r.days}`)).toEqual(['after_due:1', 'after_due:7', 'before_expiry:3']);

    // ION delivers the very same document again (same BODID): stopped at the inbox
    const again = await fetch(`${stack.infor.url}/_sim/ion/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentName: 'Sync.Invoice', xml: (row.payload as { xml: string }).xml }) });
    expect(again.ok).toBe(true);
    // the same invoice in a new BOD (another BODID, e.g. M3 re-publishing it): handled, and already linked
    const resent = (row.payload as { xml: string }).xml.replace(/<BODID>[^<]+<\/BODID>/, '<BODID>7d0c4f1e-0000-4000-8000-00000000a001</BODID>');
    await fetch(`${stack.infor.url}/_sim/ion/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentName: 'Sync.Invoice', xml: resent }) });
    await eventually(async () => (await db()('inbox').where({ source: 'ion', dedupe_key: '7d0c4f1e-0000-4000-8000-00000000a001' }).first())?.status === 'done', 20_000, 'the re-published BOD handled');
    expect(await db()('inbox').where({ source: 'ion', dedupe_key: row.dedupe_key })).toHaveLength(1);
    expect(await linksOf(invoice.ivno)).toHaveLength(1);
    expect(await emailsOf(invoice.ivno)).toHaveLength(1);
  });

  it('the scheduled ARS200MI pull (tenants without the document flow) queues each new invoice once, and links nothing twice', async () => {
    const services = stack.gateway.services;
    const deps = { db: db(), m3: services.infor!.m3, store: (input: Parameters<NonNullable<typeof services.pipeline>['ingest']>[1]) => services.pipeline!.ingestClaim(INVOICE_PULL, input) };
    // ION holds its documents for a while (no target): the pull finds the invoice first
    stack.infor.setGatewayImsUrl(undefined);
    const invoice = await newInvoice('C10001', '57.25');
    const first = await pullNewInvoices(deps, scope);
    expect(first.queued).toBeGreaterThanOrEqual(1); // today's open invoices, this one included
    expect((await pullNewInvoices(deps, scope)).queued).toBe(0); // the high-water mark and the inbox: nothing twice
    await eventually(async () => {
      const rows = await db()('inbox').where({ source: 'invoice-pull' });
      return rows.length && rows.every((r: { status: string }) => r.status === 'done');
    }, 20_000, 'the pulled invoices handled');
    expect(await linksOf(invoice.ivno)).toHaveLength(1);
    expect(await emailsOf(invoice.ivno)).toHaveLength(1);
    // then ION delivers the Sync.Invoice it held: the invoice is linked already, nothing new
    stack.infor.setGatewayImsUrl(`${stack.gateway.url}/ims`);
    await invoiceInbox(invoice.ivno);
    expect(await linksOf(invoice.ivno)).toHaveLength(1);
    expect(await emailsOf(invoice.ivno)).toHaveLength(1);
    expect(await db()('invoice_pull_marks').where(scope).first()).toMatchObject({ last_invoice_date: new Date().toISOString().slice(0, 10).replace(/-/g, '') });
  });

  it('a credit note → nothing; a customer not opted in → nothing', async () => {
    const credit = await newInvoice('C10001', '-75.00');
    expect((await invoiceInbox(credit.ivno)).status).toBe('done');
    const plain = await newInvoice('C10002', '99.00');
    expect((await invoiceInbox(plain.ivno)).status).toBe('done');
    for (const ivno of [credit.ivno, plain.ivno]) {
      expect(await linksOf(ivno)).toHaveLength(0);
      expect(await db()('invoice_links').where({ ivno: String(ivno) })).toHaveLength(0);
    }
  });

  it('an opted-in customer without an e-mail address → a review item (INVOICE_LINK_NO_EMAIL), no link, no e-mail', async () => {
    const invoice = await newInvoice('C20001', '150.00');
    const row = await invoiceInbox(invoice.ivno);
    expect(row.status).toBe('done');
    const record = await db()('invoice_links').where({ ivno: String(invoice.ivno) }).first();
    expect(record).toMatchObject({ status: 'needs_review', review_code: 'INVOICE_LINK_NO_EMAIL', cuno: 'C20001', link_id: null });
    expect(record.review_reason).toContain('no e-mail address');
    expect(await linksOf(invoice.ivno)).toHaveLength(0);
    const reviews = await listReviews(db());
    expect(reviews.find((r) => r.invoice.number === String(invoice.ivno))).toMatchObject({ status: 'needs_review', code: 'INVOICE_LINK_NO_EMAIL', customer: 'C20001', amount: '150.00' });

    // the AR clerk adds the address in M3 and retries from the review list: one link, one e-mail
    await stack.gateway.services.infor!.m3.execute('CRS610MI', 'ChgBasicData', { CUNO: 'C20001', MAIL: 'ap@nomail.example' }, scope);
    const retried = await retryReview(db(), stack.gateway.services.pipeline, String(record.id), 'operator:test', 'address added in CRS610');
    await eventually(async () => (await db()('inbox').where({ id: retried.inboxId }).first())?.status === 'done', 20_000, 'the retry handled');
    expect(await db()('invoice_links').where({ id: record.id }).first()).toMatchObject({ status: 'linked', email: 'ap@nomail.example', review_code: null, retries: 1 });
    expect(await linksOf(invoice.ivno)).toHaveLength(1);
    expect(await emailsOf(invoice.ivno)).toHaveLength(1);
    // a second retry is refused: the item is no longer waiting
    await expect(retryReview(db(), stack.gateway.services.pipeline, String(record.id), 'operator:test')).rejects.toMatchObject({ code: 'INVOICE_LINK_REVIEW_CLOSED' });

    // another invoice of a customer without an address: the clerk dismisses it (collected another way); the item is closed for good
    await stack.gateway.services.infor!.m3.execute('CRS610MI', 'Add', { CUNO: 'C20002', CUNM: 'Cash Only Ltd', CUTM: 'TEMPLATE', CUA1: '2 Quiet Lane', TOWN: 'Peoria', ECAR: 'IL', PONO: '61602', CSCD: 'US' }, scope);
    await stack.gateway.services.infor!.m3.execute('CUSEXTMI', 'AddFieldValue', { FILE: 'OCUSMA', PK01: 'C20002', A230: 'Y' }, scope);
    const cashOnly = await newInvoice('C20002', '19.99');
    await invoiceInbox(cashOnly.ivno);
    const item = await db()('invoice_links').where({ ivno: String(cashOnly.ivno) }).first();
    await expect(dismissReview(db(), String(item.id), 'operator:test', 'collected in cash')).resolves.toMatchObject({ status: 'dismissed', reviewedBy: 'operator:test' });
    await expect(dismissReview(db(), String(item.id), 'operator:test', 'again')).rejects.toMatchObject({ code: 'INVOICE_LINK_REVIEW_CLOSED' });
    await expect(dismissReview(db(), '999999', 'operator:test', 'none')).rejects.toMatchObject({ code: 'INVOICE_LINK_REVIEW_NOT_FOUND' });
    expect(await db()('audit_log').where({ action: 'invoice-link.dismiss', subject_id: String(item.id) })).toHaveLength(1);
    expect((await listReviews(db(), 'dismissed')).map((r) => r.invoice.number)).toContain(String(cashOnly.ivno));

    // the invoice's trace: the automatic record, its link and e-mail, the runs that made them
    const [trace, ...more] = await invoiceTracesByNumber(db(), String(invoice.ivno));
    expect(more).toHaveLength(0);
    expect(trace.automatic).toMatchObject({ status: 'linked', email: 'ap@nomail.example' });
    expect(trace.links).toEqual([expect.objectContaining({ automatic: true, status: 'open', created_by: 'flow:invoice-links' })]);
    expect(trace.emails).toEqual([expect.objectContaining({ kind: 'link', to_address: 'ap@nomail.example' })]);
    expect(trace.runs.map((r: { source: string; status: string }) => `${r.source}:${r.status}`)).toEqual(['ion:done', 'review:done']);
  });

  it('reminders: sent once while the invoice is open; none once it is paid in M3 by cheque (and the rest are cancelled)', async () => {
    const m3 = stack.gateway.services.infor!.m3;
    const open = await newInvoice('C10001', '220.00');
    const cheque = await newInvoice('C10001', '330.00');
    const card = await newInvoice('C10001', '440.00');
    await invoiceInbox(open.ivno);
    await invoiceInbox(cheque.ivno);
    await invoiceInbox(card.ivno);
    // the third is paid by card through the link in its e-mail (pay page, PayTrace, flow 2)
    const url = /(http\S+\/pay\/\S+)/.exec((await emailsOf(card.ivno))[0].text)![1]!;
    expect((await payLink(stack, url)).status).toBe(200);
    await eventually(async () => (await db()('payment_links').where({ ivno: String(card.ivno) }).first())?.status === 'paid', 20_000, 'the link paid');
    // the second is paid by cheque, booked in M3 (ARS040), not through the link
    await addCashReceipt(m3, scope, { pbid: 990001, paymentType: 'CH', invoice: { ivno: String(cheque.ivno), yea4: cheque.yea4 }, cuno: 'C10001', amount: '330.00', currency: 'USD', reference: 'CHEQUE-4471', paymentDate: '20260110' });

    // 2 days after the due date (30 days out): the before-expiry and after-due-1 reminders of both are due
    const store = (input: Parameters<NonNullable<typeof stack.gateway.services.pipeline>['ingest']>[1]) => stack.gateway.services.pipeline!.ingestClaim(INVOICE_LINK_REMINDER, input);
    const later = new Date(Date.now() + 33 * DAY);
    const first = await queueDueReminders({ db: db(), store }, later);
    expect(first.queued).toBeGreaterThanOrEqual(6);
    const settled = async (ivno: number) =>
      eventually(async () => {
        const rows = await db()('inbox').where({ source: 'schedule', kind: INVOICE_LINK_REMINDER }).whereRaw(`payload->>'ivno' = ?`, [String(ivno)]);
        return rows.length && rows.every((r: { status: string }) => r.status === 'done') ? rows : undefined;
      }, 20_000, `reminders of ${ivno} handled`);
    await settled(open.ivno);
    await settled(cheque.ivno);
    await settled(card.ivno);

    const reminderMails = async (ivno: number) => (await emailsOf(ivno)).filter((e: { kind: string }) => e.kind === 'reminder');
    expect(await reminderMails(open.ivno)).toHaveLength(2);
    expect(await reminderMails(cheque.ivno)).toHaveLength(0);
    expect(await reminderMails(card.ivno)).toHaveLength(0);
    expect(await db()('invoice_links').where({ ivno: String(card.ivno) }).first()).toMatchObject({ status: 'paid', paid_how: 'link' });
    const paid = await db()('invoice_links').where({ ivno: String(cheque.ivno) }).first();
    expect(paid).toMatchObject({ status: 'paid', paid_how: 'elsewhere' });
    const left = await db()('invoice_link_reminders').where({ invoice_link_id: paid.id });
    expect(left.every((r: { status: string }) => r.status === 'cancelled')).toBe(true);

    // the schedule runs again at the same moment: nothing is due twice
    expect((await queueDueReminders({ db: db(), store }, later)).queued).toBe(0);
    // a week later the open invoice gets its after-due-7 reminder; the paid one nothing
    const week = await queueDueReminders({ db: db(), store }, new Date(Date.now() + 40 * DAY));
    expect(week.queued).toBe(4); // the after-due-7 reminders of the four open, linked invoices
    await eventually(async () => (await reminderMails(open.ivno)).length === 3, 20_000, 'the third reminder');
    expect(await reminderMails(cheque.ivno)).toHaveLength(0);

    const summary = await invoiceLinkSummary(db(), { from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) });
    expect(summary).toMatchObject({ linkedAutomatically: 6, paidElsewhere: 1, needsReview: 0, paidThroughLink: 1 });
    expect(summary.daysToPay.automatic).toEqual({ invoices: 1, averageDays: expect.stringMatching(/^\d+\.\d$/) });
  });
});
