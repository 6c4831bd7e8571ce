import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { watchChargebackReports } from '../../../gateway/src/triggers/chargeback/watch';
import { replayDeadLetters } from '../../../gateway/src/pipeline/dead-letter-actions';
import { adminModule } from '../../../gateway/src/admin/module';
import { evaluateRules } from '../../../gateway/src/admin/alerts';
import { findPaymentByReference, getPayment, type Payment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { handOverChargedInvoice, simJson, type Stack, startStack } from '../../helpers/stack';
import { adminCall, sessionWithRoles } from '../admin/sign-in';

/** The text a PDF draws (pdf-lib writes Helvetica text as hex strings in Flate-compressed content streams). */
function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  const raw = pdf.toString('latin1');
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      content = m[1]!;
    }
    for (const t of content.matchAll(/<([0-9A-Fa-f]*)> Tj/g)) out.push(Buffer.from(t[1]!, 'hex').toString('latin1'));
  }
  return out.join('\n');
}

/**
 * Flow 5: chargebacks, end to end through the simulators — PayTrace raises a dispute on a settled
 * sale, the gateway takes it from POST /api/chargebacks or the portal's report, reopens the invoice
 * in M3, posts the chargeback and its fee to the GL once, and reapplies when the case is won.
 */
describe('flow 5: chargeback → receipt reversal in M3 + GL (+ fee); won → reapplied', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ modules: [adminModule()], config: { admin: { alerts: { enabled: false } }, queue: { retryLimit: 3, retryDelaySeconds: 0 }, flows: { chargebackApiCallers: ['M3SRVADM'] } as never } });
    token = await stack.gateway.services.infor!.tokens.getAccessToken();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const db = () => stack.gateway.services.db;

  async function settledInvoicePayment(amount: string): Promise<Payment & { ivno: string }> {
    const invoice = await simJson<{ ivno: number }>(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10001', amount } });
    const payment = await handOverChargedInvoice(stack, { ivno: String(invoice.ivno), cuno: 'C10001', amount });
    const done = await eventually(async () => {
      const p = await getPayment(db(), payment.id);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, 'invoice paid');
    await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST', body: {} });
    return done as Payment & { ivno: string };
  }

  async function post(path: string, body: unknown, init: { auth?: string; type?: string } = {}) {
    const res = await fetch(`${stack.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': init.type ?? 'application/json', authorization: init.auth ?? `Bearer ${token}` },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const raise = (transactionId: string | null | undefined, extra: Record<string, unknown> = {}) =>
    simJson<{ caseNumber: string; amountCents: number; feeCents: number; respondBy: string }>(stack.paytrace.url, '/_sim/chargebacks', { body: { transactionId: Number(transactionId), ...extra } });
  const report = async () => (await fetch(`${stack.paytrace.url}/_sim/chargebacks/report.csv`)).text();
  const counts = (q: string) => simJson<{ receiptsForInvoice: number | null; receiptsWithIrno: number | null; glBatchesWithKey1: number | null }>(stack.infor.url, `/_sim/m3/counts?${q}`);
  const caseOf = (caseNumber: string, status: string) =>
    eventually(async () => {
      const c = await db()('chargebacks').where({ case_number: caseNumber }).first();
      return c?.status === status ? c : undefined;
    }, 20_000, `case ${caseNumber} ${status}`);
  const posting = (reference: string) =>
    eventually(async () => {
      const p = await findPaymentByReference(db(), reference);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, `${reference} completed`);
  const inboxDone = (caseNumber: string, stage: string) =>
    eventually(async () => {
      const row = await db()('inbox').where({ source: 'chargeback', dedupe_key: `${caseNumber}:${stage}` }).first();
      return row && ['done', 'rejected', 'dead'].includes(row.status) ? row : undefined;
    }, 40_000, `notice ${caseNumber}:${stage} processed`);

  it('received → lost over the API: the invoice is reopened and the chargeback and fee are posted once', async () => {
    const paid = await settledInvoicePayment('240.00');
    const cb = await raise(paid.paytrace_transaction_id, { amount: '240.00', fee: '25.00' });
    const notice = { caseNumber: cb.caseNumber, transactionId: paid.paytrace_transaction_id, amount: '240.00', fee: '25.00', stage: 'received', reasonCode: '13.1', respondBy: cb.respondBy.slice(0, 10) };
    const first = await post('/api/chargebacks', notice);
    expect(first).toMatchObject({ status: 202, body: { caseNumber: cb.caseNumber, stage: 'received', duplicate: false } });
    expect((await post('/api/chargebacks', notice)).body).toMatchObject({ duplicate: true });

    const booked = await posting(`CB-${cb.caseNumber}`);
    expect(booked).toMatchObject({ flow: 'chargeback', parent_payment_id: paid.id, amount: '240.0000', ivno: paid.ivno, receipt_ref: `CB-${cb.caseNumber}` });
    expect(booked.gl_batch_key).toMatch(/^PTC/);
    expect(await counts(`cino=${paid.ivno}&irno=CB-${cb.caseNumber}&key1=${booked.gl_batch_key}`)).toEqual(expect.objectContaining({ receiptsForInvoice: 2, receiptsWithIrno: 1, glBatchesWithKey1: 1 }));
    const invoice = (await simJson<Array<{ ivno: number; open: string }>>(stack.infor.url, '/_sim/m3/invoices')).find((i) => String(i.ivno) === paid.ivno);
    expect(invoice?.open).toBe('240.00'); // reopened
    const gl = (await simJson<{ m3: { glBatches: Array<{ key1: string; debitCents: number; creditCents: number; lines: unknown[] }> } }>(stack.infor.url, '/_sim/state')).m3.glBatches.find((b) => b.key1 === booked.gl_batch_key);
    expect(gl).toMatchObject({ debitCents: 26500, creditCents: 26500 });
    expect(gl?.lines).toHaveLength(3); // loss, fee, clearing
    expect((await getPayment(db(), paid.id))?.ledger_state).toBe('charged_back');
    const c = await caseOf(cb.caseNumber, 'received');
    expect(c).toMatchObject({ payment_id: paid.id, fee: '25.0000', source: 'api' });
    const events = await db()('outbound_events').where({ type: 'chargeback.received' }).select('payload');
    expect(JSON.stringify(events)).toContain(cb.caseNumber);
    const messages = JSON.stringify(await simJson(stack.infor.url, '/_sim/ion/messages'));
    expect(messages).toContain('ChargedBack');

    await post('/api/chargebacks', { ...notice, stage: 'lost' });
    await caseOf(cb.caseNumber, 'lost');
    await inboxDone(cb.caseNumber, 'lost');
    expect(await counts(`cino=${paid.ivno}&key1=${booked.gl_batch_key}`)).toEqual(expect.objectContaining({ receiptsForInvoice: 2, glBatchesWithKey1: 1 }));
    expect(await findPaymentByReference(db(), `CBW-${cb.caseNumber}`)).toBeUndefined();
    const view = await fetch(`${stack.gateway.url}/api/chargebacks/${cb.caseNumber}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await view.json()).toMatchObject({ caseNumber: cb.caseNumber, status: 'lost', postings: [{ reference: `CB-${cb.caseNumber}`, status: 'completed' }] });
  });

  it('received → won through the portal report: one case for a report imported twice, the payment reapplied', async () => {
    const paid = await settledInvoicePayment('99.95');
    const cb = await raise(paid.paytrace_transaction_id);
    const csv = await report();
    expect(csv).not.toMatch(/\d{13,19}/); // masked in the export
    const first = await post('/api/chargebacks/reports', csv, { type: 'text/csv' });
    expect(first.status).toBe(200);
    expect(first.body.accepted).toEqual(expect.arrayContaining([expect.objectContaining({ caseNumber: cb.caseNumber, stage: 'received' })]));
    const again = await post('/api/chargebacks/reports', csv, { type: 'text/csv' });
    expect(again.body.duplicates).toEqual(expect.arrayContaining([expect.objectContaining({ caseNumber: cb.caseNumber })]));
    expect(again.body.accepted).toEqual([]);
    const booked = await posting(`CB-${cb.caseNumber}`);
    expect(await db()('chargebacks').where({ case_number: cb.caseNumber }).count<[{ count: string }]>({ count: '*' })).toEqual([{ count: '1' }]);

    await simJson(stack.paytrace.url, `/_sim/chargebacks/${cb.caseNumber}/stage`, { body: { stage: 'won' } });
    const third = await post('/api/chargebacks/reports', await report(), { type: 'text/csv' });
    expect(third.body.accepted).toEqual(expect.arrayContaining([expect.objectContaining({ caseNumber: cb.caseNumber, stage: 'won' })]));
    const won = await posting(`CBW-${cb.caseNumber}`);
    expect(won.gl_batch_key).toMatch(/^PTW/);
    await caseOf(cb.caseNumber, 'won');
    expect(await counts(`cino=${paid.ivno}&key1=${won.gl_batch_key}`)).toEqual(expect.objectContaining({ receiptsForInvoice: 3, glBatchesWithKey1: 1 }));
    expect(await counts(`key1=${booked.gl_batch_key}`)).toEqual(expect.objectContaining({ glBatchesWithKey1: 1 }));
    const invoice = (await simJson<Array<{ ivno: number; open: string }>>(stack.infor.url, '/_sim/m3/invoices')).find((i) => String(i.ivno) === paid.ivno);
    expect(invoice?.open).toBe('0.00');
    expect((await getPayment(db(), paid.id))?.ledger_state).toBe('chargeback_won');
    // the settlement batch is net of the chargeback (amount + the default 15.00 fee)
    const batch = (await simJson<{ batches: Array<{ chargebacksDebited?: string[] }> }>(stack.paytrace.url, '/_sim/state')).batches;
    expect(batch.some((b) => b.chargebacksDebited?.includes(cb.caseNumber))).toBe(false); // not settled again yet
    await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST', body: {} });
    const exported = await stack.gateway.services.paytrace!.exportBatches(new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000));
    expect(exported.batches.some((b) => b.raw.chargeback_count === 1 && Number(b.raw.chargeback_amount) === 114.95)).toBe(true);
  });

  it('a report row for a transaction that is not ours goes to review, with nothing posted', async () => {
    const csv = 'Case Number,Transaction ID,Chargeback Amount,Status,Reply By Date\r\nCBX-404,987654321,50.00,Received,12/31/2026\r\n';
    const res = await post('/api/chargebacks/reports', csv, { type: 'text/csv' });
    expect(res.body).toMatchObject({ accepted: [{ line: 2, caseNumber: 'CBX-404', stage: 'received' }] });
    const row = await inboxDone('CBX-404', 'received');
    expect(row).toMatchObject({ status: 'rejected', error_code: 'CHARGEBACK_TRANSACTION_UNKNOWN' });
    expect(await caseOf('CBX-404', 'review')).toMatchObject({ payment_id: null });
    expect(await findPaymentByReference(db(), 'CB-CBX-404')).toBeUndefined();
    expect(await db()('dead_letters').where('error_code', 'CHARGEBACK_TRANSACTION_UNKNOWN').count<[{ count: string }]>({ count: '*' })).toEqual([{ count: '0' }]);
    // an operator handles it by hand and closes it, with a reason (audited); only review cases close by hand
    const operator = await sessionWithRoles(db(), ['operator']);
    expect((await adminCall(stack.gateway.url, operator, 'POST', '/admin/api/chargebacks/CBX-404/close', { outcome: 'accepted', reason: '' })).status).toBe(400);
    const closed = await adminCall(stack.gateway.url, operator, 'POST', '/admin/api/chargebacks/CBX-404/close', { outcome: 'accepted', reason: 'a terminal sale outside the gateway; booked by hand' });
    expect(closed).toMatchObject({ status: 200, json: { caseNumber: 'CBX-404', status: 'accepted' } });
    expect(await db()('audit_log').where({ action: 'chargeback.closed', subject_id: 'CBX-404' }).first()).toMatchObject({ reason: 'a terminal sale outside the gateway; booked by hand' });
    expect((await adminCall(stack.gateway.url, operator, 'POST', '/admin/api/chargebacks/CBX-404/close', { outcome: 'won', reason: 'again' })).json).toMatchObject({ code: 'CHARGEBACK_NOT_IN_REVIEW' });
  });

  it('alerts before the response deadline, once per case, and resolves when the evidence is in', async () => {
    const paid = await settledInvoicePayment('12.34');
    const cb = await raise(paid.paytrace_transaction_id, { respondInDays: 2 });
    await post('/api/chargebacks', { caseNumber: cb.caseNumber, transactionId: paid.paytrace_transaction_id, amount: '12.34', respondBy: cb.respondBy.slice(0, 10) });
    await posting(`CB-${cb.caseNumber}`);
    const settings = stack.gateway.services.config.admin.alerts;
    const fire = () => evaluateRules(db(), settings, { connectors: stack.gateway.services.connectors, pollerEnabled: false, startedAt: new Date() });
    const firing = (await fire()).filter((f) => f.rule === 'chargeback_deadline' && f.key === `chargeback_deadline:${cb.caseNumber}`);
    expect(firing).toHaveLength(1);
    expect(firing[0]!.message).toMatch(/respond within \d+ h/);
    await post('/api/chargebacks', { caseNumber: cb.caseNumber, transactionId: paid.paytrace_transaction_id, amount: '12.34', stage: 'evidence_submitted' });
    await caseOf(cb.caseNumber, 'evidence_submitted');
    expect((await fire()).some((f) => f.key === `chargeback_deadline:${cb.caseNumber}`)).toBe(false);
  });

  it('a lost answer from M3 in the middle of the GL posting: looked up, never posted twice', async () => {
    const paid = await settledInvoicePayment('77.00');
    const cb = await raise(paid.paytrace_transaction_id, { fee: '0' });
    // the first GL line is written, then the connection drops: the retry reads the batch back
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: 'GLS840MI/AddBatchLine', dropAfterCommit: 1 } });
    await post('/api/chargebacks', { caseNumber: cb.caseNumber, transactionId: paid.paytrace_transaction_id, amount: '77.00', fee: '0.00' });
    const booked = await posting(`CB-${cb.caseNumber}`);
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, dropAfterCommit: null } });
    expect(await counts(`cino=${paid.ivno}&irno=CB-${cb.caseNumber}&key1=${booked.gl_batch_key}`)).toEqual(expect.objectContaining({ receiptsForInvoice: 2, receiptsWithIrno: 1, glBatchesWithKey1: 1 }));
    const gl = (await simJson<{ m3: { glBatches: Array<{ key1: string; lines: unknown[]; debitCents: number }> } }>(stack.infor.url, '/_sim/state')).m3.glBatches.find((b) => b.key1 === booked.gl_batch_key);
    expect(gl).toMatchObject({ debitCents: 7700 });
    expect(gl?.lines).toHaveLength(2); // no fee line, and no line twice
    const intent = await db()('intents').where({ key: `${booked.id}:gl` }).first();
    expect(intent).toMatchObject({ status: 'succeeded' });
    expect(intent.attempts).toBeGreaterThanOrEqual(2); // the drop really happened
    // a replayed notice job does nothing new
    const row = await db()('inbox').where({ source: 'chargeback', dedupe_key: `${cb.caseNumber}:received` }).first();
    await stack.gateway.services.pipeline!.work('chargeback', { inboxId: row.id }, { attempt: 1, maxAttempts: 3, queue: 'chargeback' } as never);
    expect(await counts(`cino=${paid.ivno}&key1=${booked.gl_batch_key}`)).toEqual(expect.objectContaining({ receiptsForInvoice: 2, glBatchesWithKey1: 1 }));
  });

  it('refuses hostile and wrong input with registered codes, never a 500', async () => {
    const paid = await settledInvoicePayment('10.00');
    // a full card number in any column: the file is refused and not stored
    const pan = 'Case Number,Transaction ID,Chargeback Amount,Notes\r\nCBP-1,1000001,10.00,card 4111 1111 1111 1111\r\n';
    const refused = await post('/api/chargebacks/reports', pan, { type: 'text/csv' });
    expect(refused).toMatchObject({ status: 422, body: { code: 'CHARGEBACK_REPORT_CARD_DATA' } });
    expect(JSON.stringify(refused.body)).not.toContain('4111');
    expect(await db()('inbox').whereRaw(`payload::text like '%4111%'`).first()).toBeUndefined();
    // a required column missing; a file that is not CSV; a body that is not text/csv
    expect((await post('/api/chargebacks/reports', 'Case,Amount\r\n1,2\r\n', { type: 'text/csv' })).body).toMatchObject({ code: 'CHARGEBACK_REPORT_INVALID' });
    expect((await post('/api/chargebacks/reports', 'Case Number,Transaction ID,Chargeback Amount\r\n"unterminated,1,2\r\n', { type: 'text/csv' })).body).toMatchObject({ code: 'CHARGEBACK_REPORT_INVALID' });
    expect((await post('/api/chargebacks/reports', { not: 'csv' })).status).toBe(415);
    // bad rows are listed, good ones imported; formula-looking and oversized cells do not break anything
    const mixed = `Case Number,Transaction ID,Chargeback Amount,Status,Reason Description\r\nCBM-1,${paid.paytrace_transaction_id},"$1,0.00",Received,x\r\nCBM-2,abc,-5,Whatever,"=HYPERLINK(""x"")"\r\nCBM-3,${paid.paytrace_transaction_id},10.001,Received,y\r\n`;
    const res = await post('/api/chargebacks/reports', mixed, { type: 'text/csv' });
    expect(res.status).toBe(200);
    expect((res.body.invalid as Array<{ line: number }>).map((r) => r.line)).toEqual([2, 3, 4]);
    // the API: field errors, and a case number reused for another transaction or amount
    const bad = await post('/api/chargebacks', { caseNumber: 'bad case!', transactionId: 'x', amount: '0.00', stage: 'maybe' });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['amount', 'caseNumber', 'stage', 'transactionId']);
    const cb = await raise(paid.paytrace_transaction_id);
    expect((await post('/api/chargebacks', { caseNumber: cb.caseNumber, transactionId: paid.paytrace_transaction_id, amount: '10.00' })).status).toBe(202);
    expect(await post('/api/chargebacks', { caseNumber: cb.caseNumber, transactionId: paid.paytrace_transaction_id, amount: '9.00', stage: 'lost' })).toMatchObject({ status: 409, body: { code: 'CHARGEBACK_CASE_CONFLICT' } });
    // callers: no token, a forged one; unknown case
    expect((await post('/api/chargebacks', {}, { auth: '' })).status).toBe(401);
    expect((await post('/api/chargebacks', {}, { auth: 'Bearer forged.token.value' })).status).toBe(401);
    const missing = await fetch(`${stack.gateway.url}/api/chargebacks/NOPE`, { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(404);
  });

  it('the operator app: cases deadline first, manual entry, report upload, and the evidence PDF', async () => {
    const operator = await sessionWithRoles(db(), ['operator']);
    const paid = await settledInvoicePayment('321.00');
    const cb = await raise(paid.paytrace_transaction_id, { respondInDays: 1, reasonCode: '13.1', reason: 'Merchandise not received' });
    const entered = await adminCall(stack.gateway.url, operator, 'POST', '/admin/api/chargebacks', { caseNumber: cb.caseNumber, transactionId: paid.paytrace_transaction_id, amount: '321.00', reasonCode: '13.1', reason: 'Merchandise not received', respondBy: cb.respondBy.slice(0, 10) });
    expect(entered).toMatchObject({ status: 202, json: { caseNumber: cb.caseNumber, duplicate: false } });
    await posting(`CB-${cb.caseNumber}`);
    const uploaded = await adminCall(stack.gateway.url, operator, 'POST', '/admin/api/chargebacks/reports', { csv: await report(), fileName: 'chargebacks.csv' });
    expect(uploaded.status).toBe(200);
    expect(uploaded.json.duplicates).toEqual(expect.arrayContaining([expect.objectContaining({ caseNumber: cb.caseNumber })]));
    const list = await adminCall(stack.gateway.url, operator, 'GET', '/admin/api/chargebacks');
    const cases = list.json.cases as Array<{ caseNumber: string; status: string; hoursLeft: number | null }>;
    expect(cases[0]).toMatchObject({ caseNumber: cb.caseNumber, status: 'received' }); // the nearest deadline first
    expect((list.json.summary as { dueSoon: number }).dueSoon).toBeGreaterThanOrEqual(1);

    const res = await fetch(`${stack.gateway.url}/admin/api/chargebacks/${cb.caseNumber}/evidence.pdf`, { headers: { cookie: operator.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    for (const expected of [`Chargeback ${cb.caseNumber}`, 'Merchandise not received', '321.00', paid.reference, 'Approval code', 'AVS result', 'CSC result', `${paid.ivno} / 2026`, 'C10001', 'Customer and address (CRS610MI)']) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/VISA ending \d{4}/);
    expect(text).not.toMatch(/\d{13,19}/);
    // a case in review has nothing to assemble
    expect((await adminCall(stack.gateway.url, operator, 'GET', '/admin/api/chargebacks/CBX-404/evidence.pdf')).json).toMatchObject({ code: 'CHARGEBACK_EVIDENCE_UNAVAILABLE' });
  });

  it('the watched folder: a report is imported and moved to done/, a file with a card number is deleted', async () => {
    const paid = await settledInvoicePayment('45.00');
    const cb = await raise(paid.paytrace_transaction_id);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-cb-'));
    const old = new Date(Date.now() - 60_000);
    writeFileSync(path.join(dir, 'portal.csv'), await report());
    writeFileSync(path.join(dir, 'pan.csv'), 'Case Number,Transaction ID,Chargeback Amount,Card Number\r\nCBP-2,1000001,10.00,4111111111111111\r\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a report');
    for (const f of ['portal.csv', 'pan.csv']) utimesSync(path.join(dir, f), old, old);
    const watcher = watchChargebackReports(stack.gateway.services, dir, 3_600_000);
    try {
      expect(await watcher.scan()).toBe(1);
    } finally {
      await watcher.stop();
    }
    await posting(`CB-${cb.caseNumber}`);
    expect(readdirSync(path.join(dir, 'done')).some((f) => f.endsWith('-portal.csv'))).toBe(true);
    expect(existsSync(path.join(dir, 'pan.csv'))).toBe(false);
    const refused = readdirSync(path.join(dir, 'refused'));
    expect(refused).toEqual([expect.stringMatching(/-pan\.csv\.error\.txt$/)]); // the card data is gone, only the note stays
    expect(readFileSync(path.join(dir, 'refused', refused[0]!), 'utf8')).toMatch(/^CHARGEBACK_REPORT_CARD_DATA/);
    expect(existsSync(path.join(dir, 'notes.txt'))).toBe(true);
  });

  it('a case won while its booking is a dead letter waits for it; replayed in order, each effect once', async () => {
    const paid = await settledInvoicePayment('60.00');
    const cb = await raise(paid.paytrace_transaction_id, { fee: '5.00' });
    const notice = { caseNumber: cb.caseNumber, transactionId: paid.paytrace_transaction_id, amount: '60.00', fee: '5.00' };
    // GLS840MI is down for longer than the retries: the booking parks after reversing the receipt
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: 'GLS840MI', outage: true } });
    await post('/api/chargebacks', notice);
    const bookingRow = await inboxDone(cb.caseNumber, 'received');
    expect(bookingRow).toMatchObject({ status: 'dead' });
    const dead = await eventually(async () => db()('dead_letters').where({ queue: 'chargeback', status: 'open' }).whereRaw(`payload->>'inboxId' = ?`, [String(bookingRow.id)]).first(), 10_000, 'booking parked');
    expect(await counts(`irno=CB-${cb.caseNumber}`)).toEqual(expect.objectContaining({ receiptsWithIrno: 1 }));
    await post('/api/chargebacks', { ...notice, stage: 'won' });
    const wonRow = await inboxDone(cb.caseNumber, 'won');
    expect(wonRow).toMatchObject({ status: 'dead', error_code: 'CHARGEBACK_BOOKING_PENDING' });
    expect(await findPaymentByReference(db(), `CBW-${cb.caseNumber}`)).toBeUndefined();

    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, outage: null } });
    const services = stack.gateway.services;
    await replayDeadLetters(db(), services.queue, { ids: [String(dead.id)], actor: 'test', reason: 'GL is back' });
    const booked = await posting(`CB-${cb.caseNumber}`).catch(async (err: Error) => {
      throw new Error(`${err.message} ${JSON.stringify({ p: await findPaymentByReference(db(), `CB-${cb.caseNumber}`), inbox: await db()('inbox').where({ source: 'chargeback' }).whereLike('dedupe_key', `${cb.caseNumber}%`).select('id', 'status', 'error_code', 'error'), dl: await db()('dead_letters').where({ queue: 'chargeback' }).select('id', 'status', 'error_code', 'payload') })}`);
    });
    const wonDead = await db()('dead_letters').where({ queue: 'chargeback', status: 'open' }).whereRaw(`payload->>'inboxId' = ?`, [String(wonRow.id)]).first();
    await replayDeadLetters(db(), services.queue, { ids: [String(wonDead.id)], actor: 'test', reason: 'booking done' });
    const won = await posting(`CBW-${cb.caseNumber}`);
    expect(await counts(`cino=${paid.ivno}&irno=CB-${cb.caseNumber}&key1=${booked.gl_batch_key}`)).toEqual(expect.objectContaining({ receiptsForInvoice: 3, receiptsWithIrno: 1, glBatchesWithKey1: 1 }));
    expect(await counts(`irno=CBW-${cb.caseNumber}&key1=${won.gl_batch_key}`)).toEqual(expect.objectContaining({ receiptsWithIrno: 1, glBatchesWithKey1: 1 }));
    await caseOf(cb.caseNumber, 'won');
  }, 90_000);
});
