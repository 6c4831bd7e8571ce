import { linkServiceOf } from '../../../gateway/src/links/link-service';
import { intentsOf } from '../../../gateway/src/pipeline/intents';
import { findPaymentByReference, getPayment } from '../../../gateway/src/pipeline/ledger';
import { linksModule } from '../../../gateway/src/links/module';
import { eventually } from '../../helpers/gateway';
import { simJson, startStack, type Stack } from '../../helpers/stack';
import { billing, charge, createLink, linkRow, newInvoice, openPayPage, payLink, protectTokens, saleCalls, tokenOf } from './helpers';

/**
 * The customer's side over real HTTP: the pay page, and each bad-input case of issue 6 with what
 * the customer sees and what the ledger holds. The card goes to the PayTrace simulator's
 * tokenize endpoint (what the Protect iframe does), never to the gateway.
 */
describe('pay page and charge', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      modules: [linksModule()],
      config: { queue: { retryLimit: 2, retryDelaySeconds: 0 }, paytrace: { timeoutMs: 3_000 }, links: { requestRecipients: ['ar-team@northwind.example'], supportEmail: 'ar@northwind.example', supportPhone: '+1 509 555 0100' } },
    });
  });
  afterAll(async () => {
    await stack.stop();
  });
  const db = () => stack.gateway.services.db;
  const paymentsOf = (linkId: string) => db()('payments').where('reference', 'like', `PL-${linkId}-%`).orderBy('created_at');

  it('shows the invoice with PayTrace Protect fields under a CSP that allows only us and PayTrace', async () => {
    const invoice = await newInvoice(stack, '1234.50', 'C10003');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const page = await openPayPage(link.url);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`Pay invoice ${invoice.ivno}`);
    expect(page.html).toContain('$1,234.50');
    expect(page.html).toContain('Dec 31, 2026');
    expect(page.html).toContain(`<script src="${stack.paytrace.url}/js/protect.min.js"></script>`);
    expect(page.clientKey).toBeTruthy();
    expect(page.csp).toContain(`script-src 'self' ${stack.paytrace.url}`);
    expect(page.csp).toContain(`frame-src ${stack.paytrace.url}`);
    expect(page.csp).toContain("default-src 'none'");
    expect(page.csp).not.toMatch(/unsafe-inline|\*/);
    expect(page.html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    const js = await fetch(`${stack.gateway.url}/pay/assets/pay.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('pays: the sale is for the link amount with the attempt reference, the link is paid, flow 2 posts the receipt and GL', async () => {
    const invoice = await newInvoice(stack, '310.25');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const paid = await payLink(stack, link.url, { amount: '310.25' });
    expect(paid).toMatchObject({ status: 200, body: { status: 'paid', amount: '310.25', reference: `PL-${link.id}-1` } });
    const sale = await simJson<{ calls: Array<{ body: Record<string, unknown> }> }>(stack.paytrace.url, '/_sim/calls?path=pt_protect&limit=1');
    expect(sale.calls[0]!.body).toMatchObject({ amount: '310.25', invoice_id: `PL-${link.id}-1` });
    expect((await linkRow(stack, link.id))).toMatchObject({ status: 'paid', attempts: 1, charging_attempt: null });
    const payment = await eventually(async () => {
      const p = await findPaymentByReference(db(), `PL-${link.id}-1`);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, 'flow 2 completed');
    const counts = await simJson<{ receiptsForInvoice: number; glBatchesWithKey1: number }>(stack.infor.url, `/_sim/m3/counts?cino=${invoice.ivno}&key1=${payment.gl_batch_key}`);
    expect(counts).toEqual(expect.objectContaining({ receiptsForInvoice: 1, glBatchesWithKey1: 1 }));
    const page = await openPayPage(link.url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Invoice paid');
    expect(page.html).not.toContain('Amount due');
    expect(page.html).toContain('$310.25 USD'); // the receipt: amount paid, card, reference
    expect(page.html).toMatch(/Visa ending in 5439/); // flow 2 read the transaction back with its card type
    expect(page.html).toContain(`PL-${link.id}-1`);
    expect(page.html).toMatch(/<time id="receipt-time" datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M UTC<\/time>/);
    expect(page.clientKey).toBeUndefined();
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^m3pt_payment_link_events_total\{event="paid"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^m3pt_payment_link_events_total\{event="created"\} [1-9]\d*$/m);
  });

  it('replayed submission after payment: refused, nothing charged again, one payment in the ledger', async () => {
    const invoice = await newInvoice(stack, '15.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const page = await openPayPage(link.url);
    const tokens = await protectTokens(stack, page.clientKey!);
    const body = { ...tokens, billingAddress: billing };
    expect((await charge(link.url, body)).status).toBe(200);
    const before = await saleCalls(stack);
    const replay = await charge(link.url, body);
    expect(replay).toMatchObject({ status: 409, body: { code: 'PAY_LINK_PAID', linkStatus: 'paid' } });
    expect(await saleCalls(stack)).toBe(before);
    expect(await paymentsOf(link.id)).toHaveLength(1);
  });

  it('double click: two submissions at once make one charge', async () => {
    const invoice = await newInvoice(stack, '27.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const page = await openPayPage(link.url);
    const [a, b] = [await protectTokens(stack, page.clientKey!), await protectTokens(stack, page.clientKey!)];
    const before = await saleCalls(stack);
    const results = await Promise.all([charge(link.url, { ...a, billingAddress: billing }), charge(link.url, { ...b, billingAddress: billing })]);
    // the first is charged; the other is told a payment is under way (409 before the claim, 202 after it)
    const winner = results.filter((r) => r.status === 200);
    const loser = results.filter((r) => r.status !== 200);
    expect(winner).toHaveLength(1);
    expect(loser).toHaveLength(1);
    expect([409, 202]).toContain(loser[0]!.status);
    expect(['PAY_IN_PROGRESS', 'PAY_LINK_PAID', undefined]).toContain(loser[0]!.body.code);
    if (loser[0]!.status === 202) expect(loser[0]!.body.status).toBe('confirming');
    expect((await saleCalls(stack)) - before).toBe(1);
    expect(await paymentsOf(link.id)).toHaveLength(1);
  });

  it('a submission while an earlier one is still at PayTrace is told to wait; it neither charges nor disturbs the first', async () => {
    const invoice = await newInvoice(stack, '41.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const page = await openPayPage(link.url);
    const [a, b] = [await protectTokens(stack, page.clientKey!), await protectTokens(stack, page.clientKey!)];
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: 'sale/pt_protect', latencyMs: 1500 } });
    try {
      const before = await saleCalls(stack);
      const first = charge(link.url, { ...a, billingAddress: billing });
      // the first attempt is claimed and its sale intent is pending at PayTrace
      await eventually(async () => {
        const p = await findPaymentByReference(db(), `PL-${link.id}-1`);
        return p && (await intentsOf(db(), p.id)).some((i) => i.status === 'pending');
      }, 10_000, 'first attempt at PayTrace');
      const second = await charge(link.url, { ...b, billingAddress: billing });
      expect(second).toMatchObject({ status: 202, body: { status: 'confirming', reference: `PL-${link.id}-1` } });
      expect(await first).toMatchObject({ status: 200, body: { status: 'paid' } });
      expect((await saleCalls(stack)) - before).toBe(1);
      expect(await paymentsOf(link.id)).toHaveLength(1);
    } finally {
      await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, latencyMs: 0 } });
    }
  });

  it('a changed amount in the browser is refused before any charge', async () => {
    const invoice = await newInvoice(stack, '99.99');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const before = await saleCalls(stack);
    const res = await payLink(stack, link.url, { amount: '0.01' });
    expect(res).toMatchObject({ status: 409, body: { code: 'PAY_AMOUNT_CHANGED' } });
    expect(String(res.body.message)).toContain('exactly 99.99 USD');
    expect(await saleCalls(stack)).toBe(before);
    expect(await paymentsOf(link.id)).toHaveLength(0);
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'open', attempts: 0 });
  });

  it('tampered, unknown and expired link ids get a page that says so', async () => {
    const invoice = await newInvoice(stack, '45.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const token = tokenOf(link.url);
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const bad of [flipped, `${link.id}`, 'AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', 'a.b.c', 'x'.repeat(300)]) {
      const page = await openPayPage(`${stack.gateway.url}/pay/${encodeURIComponent(bad)}`);
      expect(page.status).toBe(404);
      expect(page.html).toContain('This payment link is not valid');
    }
    const charged = await charge(`${stack.gateway.url}/pay/${flipped}`, { hpfToken: 'x'.repeat(36), encKey: 'y'.repeat(44), billingAddress: billing });
    expect(charged).toMatchObject({ status: 404, body: { code: 'LINK_INVALID' } });

    // expiry: the link's expiry moves into the past (its signature covers the expiry, so re-sign it)
    const service = await linkServiceOf(stack.gateway.services);
    const [row] = await db()('payment_links').where({ id: link.id }).update({ expires_at: new Date(Date.now() - 1000) }).returning('*');
    const expiredUrl = `${stack.gateway.url}/pay/${service.token(row)}`;
    const expired = await openPayPage(expiredUrl);
    expect(expired.status).toBe(410);
    expect(expired.html).toContain('<h1 id="title">This payment link has expired</h1>');
    expect(expired.html).toMatch(/This payment link expired on [A-Z][a-z]{2} \d{1,2}, \d{4}\. Nothing was charged\./);
    expect(expired.html).toContain('Send me a new link');
    expect(expired.html).not.toContain('not valid');
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'expired' });
    // and the old token (signed for the old expiry) no longer verifies at all
    expect((await openPayPage(link.url)).status).toBe(404);
  });

  it('a well-formed token whose link id is not in the database is an unknown link (404) on every /pay/:token route', async () => {
    const invoice = await newInvoice(stack, '46.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const [, signature] = tokenOf(link.url).split('.') as [string, string];
    // the shape of a real token (22-character id and signature), an id the database never held
    const unknown = `${'B'.repeat(22)}.${signature}`;
    const base = `${stack.gateway.url}/pay/${unknown}`;
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const page = await fetch(base);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('This payment link is not valid');
    const answers = {
      session: await fetch(`${base}/session`),
      'client-key': await fetch(`${base}/client-key`),
      charge: await post('/charge', { hpfToken: 'x'.repeat(36), encKey: 'y'.repeat(44), billingAddress: billing }),
      status: await fetch(`${base}/status`),
      receipt: await fetch(`${base}/receipt`),
      'receipt-email': await post('/receipt-email', { email: 'ap@northwind.example' }),
      'new-link-request': await post('/new-link-request', { message: 'please' }),
    };
    for (const [route, res] of Object.entries(answers)) {
      const body = (await res.json()) as { code?: string };
      expect({ route, status: res.status, code: body.code }).toEqual({ route, status: 404, code: route.startsWith('receipt') ? 'PAY_NO_RECEIPT' : 'LINK_INVALID' });
    }
    expect(await paymentsOf(link.id)).toHaveLength(0);
    expect(await db()('email_outbox').where({ link_id: link.id })).toHaveLength(0);
  });

  it('an invoice paid elsewhere cancels its link at submission, nothing charged', async () => {
    const invoice = await newInvoice(stack, '60.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const page = await openPayPage(link.url);
    const tokens = await protectTokens(stack, page.clientKey!);
    // paid in M3 meanwhile (a check at the bank): the sale through another link of ours settles it
    const other = await stack.gateway.services.infor!.m3.execute('ARS040MI', 'AddBatchHead', { PBID: '7700000001', BOPE: 'CC', DIVI: 'AAA' }, { cono: 100, divi: 'AAA' });
    expect(other).toBeDefined();
    await stack.gateway.services.infor!.m3.execute('ARS040MI', 'AddBatchLine', { PBID: '7700000001', TRNO: '1', CINO: invoice.ivno, INYR: String(invoice.yea4), CUNO: 'C10001', PYAM: '60.00', CUCD: 'USD', IRNO: 'CHECK-1' }, { cono: 100, divi: 'AAA' });
    await stack.gateway.services.infor!.m3.execute('ARS040MI', 'ControlBatch', { PBID: '7700000001', DIVI: 'AAA' }, { cono: 100, divi: 'AAA' });
    const before = await saleCalls(stack);
    const res = await charge(link.url, { ...tokens, billingAddress: billing });
    expect(res).toMatchObject({ status: 409, body: { code: 'PAY_INVOICE_ALREADY_PAID', linkStatus: 'cancelled' } });
    expect(String(res.body.message)).toContain('already paid. Nothing was charged');
    expect(await saleCalls(stack)).toBe(before);
    expect(await paymentsOf(link.id)).toHaveLength(0);
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'cancelled', status_reason: 'invoice paid elsewhere' });
  });

  it('opening a link whose invoice was paid elsewhere says so before any card is typed', async () => {
    const invoice = await newInvoice(stack, '61.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const m3 = stack.gateway.services.infor!.m3;
    const scope = { cono: 100, divi: 'AAA' };
    await m3.execute('ARS040MI', 'AddBatchHead', { PBID: '7700000002', BOPE: 'CC', DIVI: 'AAA' }, scope);
    await m3.execute('ARS040MI', 'AddBatchLine', { PBID: '7700000002', TRNO: '1', CINO: invoice.ivno, INYR: String(invoice.yea4), CUNO: 'C10001', PYAM: '61.00', CUCD: 'USD', IRNO: 'CHECK-2' }, scope);
    await m3.execute('ARS040MI', 'ControlBatch', { PBID: '7700000002', DIVI: 'AAA' }, scope);
    // the page is sent at once; the session call it makes re-checks M3 before any card field is shown
    const page = await openPayPage(link.url);
    expect(page.status).toBe(200);
    expect(page.session).toMatchObject({ status: 'refused', code: 'PAY_INVOICE_ALREADY_PAID', linkStatus: 'cancelled', message: `Invoice ${invoice.ivno} is already paid. Nothing was charged.` });
    expect(page.clientKey).toBeUndefined();
    const reloaded = await openPayPage(link.url);
    expect(reloaded.status).toBe(410);
    expect(reloaded.html).toContain(`Invoice ${invoice.ivno} is already paid, so this link was cancelled.`);
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'cancelled', status_reason: 'invoice paid elsewhere' });
  });

  it('M3 down at submission: nothing charged, the link stays payable', async () => {
    const invoice = await newInvoice(stack, '33.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const page = await openPayPage(link.url);
    const tokens = await protectTokens(stack, page.clientKey!);
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: '/M3/', outage: true } });
    let res;
    try {
      res = await charge(link.url, { ...tokens, billingAddress: billing });
    } finally {
      await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, outage: false } });
    }
    expect(res).toMatchObject({ status: 503, body: { code: 'PAY_M3_UNAVAILABLE' } });
    expect(await paymentsOf(link.id)).toHaveLength(0);
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'open', charging_attempt: null });
    expect((await charge(link.url, { ...tokens, billingAddress: billing })).status).toBe(200); // the same tokens work: they were never spent
  });

  it('decline: the reason is shown, the ledger has a declined attempt, the link can be paid again with a new reference', async () => {
    const invoice = await newInvoice(stack, '0.29');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const first = await payLink(stack, link.url);
    expect(first).toMatchObject({ status: 402, body: { status: 'declined', reference: `PL-${link.id}-1`, reason: 'bank-declined', fields: [] } });
    expect(String(first.body.message)).toBe('Your bank declined the payment without giving a reason, and no money was taken. You can try again, use another card, or call the number on the back of your card.');
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'open', attempts: 1, charging_attempt: null });
    const second = await payLink(stack, link.url);
    expect(second.body.reference).toBe(`PL-${link.id}-2`);
    const payments = await paymentsOf(link.id);
    expect(payments.map((p: { status: string; last_error_code: string }) => [p.status, p.last_error_code])).toEqual([
      ['declined', 'PAYMENT_DECLINED'],
      ['declined', 'PAYMENT_DECLINED'],
    ]);
    expect(payments[0].paytrace_transaction_id).toMatch(/^\d+$/);
  });

  it('PayTrace timeout: the customer is told to wait; the status check looks the sale up and finds it paid, never charging twice', async () => {
    const invoice = await newInvoice(stack, '77.70');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const page = await openPayPage(link.url);
    const tokens = await protectTokens(stack, page.clientKey!);
    // PayTrace takes the sale but the answer never arrives
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: 'sale/pt_protect', dropAfterCommit: true } });
    let res;
    try {
      res = await charge(link.url, { ...tokens, billingAddress: billing });
    } finally {
      await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, dropAfterCommit: false } });
    }
    expect(res).toMatchObject({ status: 202, body: { status: 'confirming' } });
    const reference = `PL-${link.id}-1`;
    const payment = (await findPaymentByReference(db(), reference))!;
    expect(payment.status).toBe('unknown');
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'open', charging_attempt: 1 });

    // a second submission meanwhile does not charge: the earlier attempt is settled first
    const before = await saleCalls(stack);
    const status = await fetch(`${link.url}/status`).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(status).toMatchObject({ status: 'paid', reference });
    expect(await saleCalls(stack)).toBe(before);
    const sale = (await intentsOf(db(), payment.id)).find((i) => i.key === `${payment.id}:sale`)!;
    expect(sale).toMatchObject({ status: 'succeeded', resolved_by: 'lookup' });
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'paid' });
    await eventually(async () => (await getPayment(db(), payment.id))?.status === 'completed', 20_000, 'flow 2 completed');
  });

  it('PayTrace timeout before it processed anything: the lookup finds nothing, the customer is asked to enter the card again', async () => {
    const invoice = await newInvoice(stack, '88.80');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const page = await openPayPage(link.url);
    const tokens = await protectTokens(stack, page.clientKey!);
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: 'sale/pt_protect', outage: true } });
    let res;
    try {
      res = await charge(link.url, { ...tokens, billingAddress: billing });
    } finally {
      await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, outage: false } });
    }
    expect(res!.status).toBe(202);
    const reopened = await openPayPage(link.url);
    expect(reopened.status).toBe(200);
    expect(reopened.session).toMatchObject({ status: 'open', notice: 'Your last payment did not go through and nothing was charged. Please enter your card again.' });
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'open', charging_attempt: null });
    expect((await findPaymentByReference(db(), `PL-${link.id}-1`))).toMatchObject({ status: 'failed', last_error_code: 'PAY_ATTEMPT_NOT_SENT' });
    const retry = await charge(link.url, { ...(await protectTokens(stack, reopened.clientKey!)), billingAddress: billing });
    expect(retry).toMatchObject({ status: 200, body: { status: 'paid', reference: `PL-${link.id}-2` } });
  });

  it('PayTrace down when the page opens: the customer is told to come back, nothing is recorded', async () => {
    const invoice = await newInvoice(stack, '12.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: 'payment_fields', outage: true } });
    let page;
    try {
      page = await openPayPage(link.url);
    } finally {
      await simJson(stack.paytrace.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, outage: false } });
    }
    expect(page.status).toBe(200); // the page itself never waits for PayTrace
    expect(page.session).toMatchObject({ status: 'refused', code: 'PAY_UNAVAILABLE', message: 'Card payments are not available right now. Nothing was charged; please try again in a few minutes.' });
    expect(await paymentsOf(link.id)).toHaveLength(0);
    expect((await openPayPage(link.url)).clientKey).toBeTruthy();
  });

  it('refuses card data sent to the gateway and a body without Protect tokens', async () => {
    const invoice = await newInvoice(stack, '10.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const card = await charge(link.url, { cardNumber: '4012000098765439', billingAddress: billing });
    expect(card.status).toBe(400);
    const empty = await charge(link.url, { billingAddress: billing });
    expect(empty).toMatchObject({ status: 422, body: { code: 'PAY_REQUEST_INVALID' } });
    expect(await paymentsOf(link.id)).toHaveLength(0);
  });

  it('sends the page without asking M3 or PayTrace; the session call asks them', async () => {
    const invoice = await newInvoice(stack, '19.95');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const calls = async () => ({
      m3: (await simJson<{ calls: unknown[] }>(stack.infor.url, '/_sim/calls?path=OIS350MI&limit=1000')).calls.length,
      keys: (await simJson<{ calls: unknown[] }>(stack.paytrace.url, '/_sim/calls?path=payment_fields&limit=1000')).calls.length,
    });
    // the flows still working on earlier events (a new invoice's Sync.Invoice reads it with OIS350MI) finish first,
    // so each call counted in the window is the page's own (one such call made this test fail once under a full run)
    await eventually(async () => Number((await db()('inbox').whereIn('status', ['received', 'processing']).count<Array<{ count: string }>>({ count: '*' }))[0]!.count) === 0, 20_000, 'no trigger in flight');
    const before = await calls();
    const res = await fetch(link.url);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(await calls()).toEqual(before); // first paint: the link row only
    expect(html).toContain('class="card-fields skeleton"');
    expect(html).toContain('>Checking your invoice…</button>');
    expect(html).toContain('<a href="mailto:ar@northwind.example">ar@northwind.example</a>');
    const session = (await (await fetch(`${link.url}/session`)).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ status: 'open', clientKey: expect.any(String) });
    const after = await calls();
    expect(after.m3).toBeGreaterThan(before.m3);
    expect(after.keys).toBe(before.keys + 1);
  });

  it('103 (approved, then voided for the address): the payer is told the billing address did not match, at the address fields', async () => {
    const invoice = await newInvoice(stack, '0.62');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const res = await payLink(stack, link.url);
    expect(res).toMatchObject({ status: 402, body: { status: 'declined', reason: 'address-did-not-match', fields: ['street', 'zip'] } });
    expect(String(res.body.message)).toMatch(/^Your bank could not confirm the billing address, so the payment was cancelled at once and no money was taken\./);
    expect(String(res.body.message)).not.toMatch(/Approved and completed/);
    expect(await linkRow(stack, link.id)).toMatchObject({ status: 'open', charging_attempt: null });
    const csc = await createLink(stack, { invoiceNumber: (await newInvoice(stack, '0.63')).ivno, invoiceYear: invoice.yea4 });
    const both = await payLink(stack, csc.url);
    expect(both.body).toMatchObject({ status: 'declined', reason: 'address-and-security-code-did-not-match', fields: ['street', 'zip', 'card'] });
  });

  it('checks the billing address with the address rules before charging: field by field, regions and postal formats per country', async () => {
    const invoice = await newInvoice(stack, '23.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const before = await saleCalls(stack);
    const bad = await payLink(stack, link.url, { billingAddress: { name: 'Pat Payer', streetAddress: '1 Main St', zip: '9920', state: 'Atlantis', country: 'US' } });
    expect(bad).toMatchObject({ status: 422, body: { code: 'PAY_ADDRESS_INVALID' } });
    expect(bad.body.fieldErrors).toEqual([
      { field: 'state', message: 'Choose the state of the billing address.' },
      { field: 'zip', message: '9920 is not a valid ZIP code for United States of America.' },
    ]);
    const empty = await payLink(stack, link.url, { billingAddress: { name: '', zip: '', country: 'US' } });
    expect(empty.body.fieldErrors).toEqual(expect.arrayContaining([{ field: 'name', message: 'Enter the name on the card.' }, { field: 'zip', message: 'Enter the billing ZIP or postal code.' }]));
    expect(await saleCalls(stack)).toBe(before);
    // a Canadian card holder: the province by name, the postal code in its own format
    const ok = await payLink(stack, link.url, { billingAddress: { name: 'Pat Payer', streetAddress: '40 King Street West', city: 'Toronto', state: 'Ontario', zip: 'm5h1a1', country: 'CA' } });
    expect(ok).toMatchObject({ status: 200, body: { status: 'paid' } });
    const sale = await simJson<{ calls: Array<{ body: { billing_address: Record<string, unknown> } }> }>(stack.paytrace.url, '/_sim/calls?path=pt_protect&limit=1');
    expect(sale.calls[0]!.body.billing_address).toMatchObject({ state: 'ON', zip: 'M5H 1A1', country: 'CA' });
  });

  it('receipt: the fragment after paying, e-mailed to the address M3 has (up to five times), only for a paid link', async () => {
    const invoice = await newInvoice(stack, '42.42', 'C10002');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const early = await fetch(`${link.url}/receipt-email`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ap@globex.example' }) });
    expect(early.status).toBe(404);
    expect((await payLink(stack, link.url)).status).toBe(200);
    // right after the charge the brand may not be known yet (the sale answer masks the number to its last four)
    expect(await (await fetch(`${link.url}/receipt`)).text()).toMatch(/(Visa|Card) ending in 5439/);
    await eventually(async () => (await findPaymentByReference(db(), `PL-${link.id}-1`))?.status === 'completed', 20_000, 'flow 2 completed');
    const fragment = await (await fetch(`${link.url}/receipt`)).text();
    expect(fragment).toContain('value="billing@globex.example"'); // CRS610MI MAIL of C10002, prefilled
    expect(fragment).toContain('$42.42 USD');
    const send = (body: unknown, type = 'application/json') => fetch(`${link.url}/receipt-email`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
    expect((await send({ email: 'ap@globex.example' }, 'text/plain')).status).toBe(415);
    expect((await send({ email: 'not an address' })).status).toBe(422);
    const sent = await send({ email: 'ap@globex.example' });
    expect(sent.status).toBe(202);
    const row = await eventually(async () => db()('email_outbox').where({ link_id: link.id, kind: 'receipt', status: 'captured' }).first(), 10_000, 'receipt delivered');
    expect(row.subject).toBe(`Receipt: $42.42 USD paid to Northwind Supply Co. for invoice ${invoice.ivno}`);
    for (const fact of ['Amount paid: $42.42 USD', 'Card: Visa ending in 5439', `Reference: PL-${link.id}-1`, 'Paid on: ', ' UTC', 'ar@northwind.example']) expect(row.text).toContain(fact);
    for (let i = 0; i < 4; i++) expect((await send({ email: 'ap@globex.example' })).status).toBe(202);
    expect((await send({ email: 'ap@globex.example' })).status).toBe(429);
  });

  it('"send me a new link" on an expired link: kept once, repeats counted, operators e-mailed; an open link needs none', async () => {
    const invoice = await newInvoice(stack, '55.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const ask = (url: string, body: unknown) => fetch(`${url}/new-link-request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await ask(link.url, {})).status).toBe(409);
    const service = await linkServiceOf(stack.gateway.services);
    const [row] = await db()('payment_links').where({ id: link.id }).update({ expires_at: new Date(Date.now() - 1000) }).returning('*');
    const url = `${stack.gateway.url}/pay/${service.token(row)}`;
    expect((await ask(url, { email: 'nope' })).status).toBe(422);
    const first = await ask(url, { email: 'ap@acme.example', note: 'Please send it <today>' });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ status: 'requested', repeated: false, message: 'Thank you. Northwind Supply Co. has your request and will send you a new link.' });
    expect(await (await ask(url, {})).json()).toMatchObject({ repeated: true });
    const requests = await db()('link_requests').where({ link_id: link.id });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 'open', asked: 2, link_status: 'expired', contact_email: 'ap@acme.example', note: 'Please send it <today>' });
    const mail = await eventually(async () => db()('email_outbox').where({ link_id: link.id, kind: 'link-request', status: 'captured' }).first(), 10_000, 'operators told');
    expect(mail.to_address).toBe('ar-team@northwind.example');
    expect(mail.text).toContain(`Invoice: ${invoice.ivno}`);
    expect(mail.html).toContain('Please send it &lt;today&gt;');
    expect(await db()('email_outbox').where({ link_id: link.id, kind: 'link-request' })).toHaveLength(1);
  });

  it('renews a Protect key on request, a few times per link, not without end', async () => {
    const invoice = await newInvoice(stack, '31.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const keys = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const body = (await (await fetch(`${link.url}/client-key`)).json()) as { status: string; clientKey: string };
      expect(body.status).toBe('open');
      keys.add(body.clientKey);
    }
    expect(keys.size).toBe(6);
    const refused = await fetch(`${link.url}/client-key`);
    expect(refused.status).toBe(429);
  });
});
