import { linksModule } from '../../../gateway/src/links/module';
import { eventually } from '../../helpers/gateway';
import { simJson, startStack, type Stack } from '../../helpers/stack';
import { api, createLink, newInvoice, type LinkJson } from './helpers';

/**
 * POST /api/payment-links and friends, as the H5 script calls them through the ION API gateway:
 * real gateway, real PostgreSQL, the M3 simulator answering OIS350MI.
 */
describe('payment links API', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ modules: [linksModule()], config: { queue: { retryLimit: 2, retryDelaySeconds: 0 } } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('creates a link for an open invoice with its open amount, due date and customer, and gives the same live link again', async () => {
    const first = await api(stack, 'POST', '/api/payment-links', { company: 100, division: 'AAA', invoiceNumber: '200002', invoiceYear: 2026 });
    expect(first.status).toBe(201);
    const link = (first.body.links as LinkJson[])[0]!;
    expect(link).toMatchObject({ status: 'open', amount: '300.00', currency: 'USD', invoice: { company: 100, division: 'AAA', number: '200002', year: 2026 }, customer: { number: 'C10001' }, reused: false });
    expect(link.url).toMatch(new RegExp(`^${stack.gateway.url}/pay/[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}$`));
    expect(link.id).toHaveLength(22);
    expect(link.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(link.qrCode!.split(',')[1]!, 'base64').toString('utf8')).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);

    const again = await api(stack, 'POST', '/api/payment-links', { invoiceNumber: '200002', invoiceYear: 2026 });
    expect(again.status).toBe(200);
    expect((again.body.links as LinkJson[])[0]).toMatchObject({ id: link.id, url: link.url, reused: true });

    const read = await api(stack, 'GET', `/api/payment-links/${link.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: link.id, status: 'open', amount: '300.00' });
  });

  it('resolves an order (OIS300) to its open invoice', async () => {
    const res = await api(stack, 'POST', '/api/payment-links', { orderNumber: '1000000001' });
    expect(res.status).toBe(201);
    expect(res.body.links).toEqual([expect.objectContaining({ amount: '1250.00', invoice: expect.objectContaining({ number: '200001', order: '1000000001' }) })]);
  });

  it('refuses an invoice that is already paid, with the reason in plain words', async () => {
    const res = await api(stack, 'POST', '/api/payment-links', { invoiceNumber: '200003', invoiceYear: 2026 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'LINK_INVOICE_PAID', errorClass: 'business' });
    expect(String(res.body.detail)).toMatch(/200003 has nothing left to pay/);
    const order = await api(stack, 'POST', '/api/payment-links', { orderNumber: '1000000002' });
    expect(order.status).toBe(409);
    expect(order.body.code).toBe('LINK_ORDER_NOT_INVOICED');
  });

  it('refuses a non-USD invoice, an unknown invoice or order, and a malformed request', async () => {
    const eur = await api(stack, 'POST', '/api/payment-links', { invoiceNumber: '200004', invoiceYear: 2026 });
    expect(eur).toMatchObject({ status: 422, body: { code: 'LINK_CURRENCY_NOT_SUPPORTED' } });
    expect(String(eur.body.detail)).toContain('EUR');
    expect(await api(stack, 'POST', '/api/payment-links', { invoiceNumber: '999999', invoiceYear: 2026 })).toMatchObject({ status: 404, body: { code: 'LINK_INVOICE_NOT_FOUND' } });
    expect(await api(stack, 'POST', '/api/payment-links', { orderNumber: '1999999999' })).toMatchObject({ status: 404, body: { code: 'LINK_ORDER_NOT_FOUND' } });
    const bad = await api(stack, 'POST', '/api/payment-links', { invoiceNumber: '200001', amount: '1.00' });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('LINK_REQUEST_INVALID');
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'invoiceYear' })]));
  });

  it('needs an Infor OS bearer token', async () => {
    const res = await api(stack, 'POST', '/api/payment-links', { invoiceNumber: '200001', invoiceYear: 2026 }, null);
    expect(res.status).toBe(401);
    const forged = await api(stack, 'POST', '/api/payment-links', { invoiceNumber: '200001', invoiceYear: 2026 }, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    expect(forged.status).toBe(401);
  });

  it('takes the API suite\'s target-endpoint API key, and audits the M3 user the H5 script names', async () => {
    const keyed = await startStack({ modules: [linksModule()], config: { links: { apiSuiteKey: 'suite-key-0123456789' } } });
    try {
      const call = (key: string, headers: Record<string, string> = {}, invoiceNumber = '200005') =>
        fetch(`${keyed.gateway.url}/api/payment-links`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-m3pt-api-key': key, ...headers }, body: JSON.stringify({ invoiceNumber, invoiceYear: 2026 }) });
      const ok = await call('suite-key-0123456789', { 'x-m3-user': 'maria', 'x-infor-identity2': 'f0e1d2c3-person' });
      expect(ok.status).toBe(201);
      const audit = await keyed.gateway.services.db('audit_log').where({ action: 'payment-link.create' }).first();
      expect(audit.actor).toBe('m3:MARIA'); // the M3 user, not the suite
      expect(((await ok.json()) as { links: Array<{ id: string }> }).links).toHaveLength(1);
      // without the user header: ION's Identity2 when it sends one, else the suite itself
      expect((await call('suite-key-0123456789', { 'x-infor-identity2': 'f0e1d2c3-person' }, '200001')).status).toBe(201);
      expect((await keyed.gateway.services.db('audit_log').where({ action: 'payment-link.create' }).orderBy('id', 'desc').first()).actor).toBe('infor:f0e1d2c3-person');
      // a user header is only believed with a valid key, and must look like an M3 user id
      const bogus = await call('suite-key-0123456789', { 'x-m3-user': 'x'.repeat(40) }, '200002');
      expect(bogus.status).toBe(201);
      expect((await keyed.gateway.services.db('audit_log').where({ action: 'payment-link.create' }).orderBy('id', 'desc').first()).actor).toBe('ion-api-suite');
      expect((await call('suite-key-0123456788', { 'x-m3-user': 'MARIA' })).status).toBe(401);
      const wrong = await call('suite-key-0123456788');
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ code: 'LINK_API_KEY_INVALID' });
    } finally {
      await keyed.stop();
    }
  });

  it('says M3 is down in plain words and creates nothing', async () => {
    const invoice = await newInvoice(stack, '42.00');
    await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: '/M3/', outage: true } });
    try {
      const res = await api(stack, 'POST', '/api/payment-links', { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'LINK_M3_UNAVAILABLE', errorClass: 'transient' });
      expect(String(res.body.detail)).toMatch(/M3 did not answer .* no link was created/);
    } finally {
      await simJson(stack.infor.url, '/_sim/faults', { method: 'PUT', body: { pathPattern: null, outage: false } });
    }
    expect(await stack.gateway.services.db('payment_links').where({ ivno: invoice.ivno })).toHaveLength(0);
  });

  it('cancels an open link (audited), then refuses to cancel it again; a new request makes a new link', async () => {
    const invoice = await newInvoice(stack, '12.50');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const cancelled = await api(stack, 'POST', `/api/payment-links/${link.id}/cancel`, { reason: 'customer pays by check' });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', statusReason: 'customer pays by check' } });
    expect(await api(stack, 'POST', `/api/payment-links/${link.id}/cancel`, {})).toMatchObject({ status: 409, body: { code: 'LINK_NOT_OPEN' } });
    const audit = await stack.gateway.services.db('audit_log').where({ subject_id: link.id }).orderBy('id');
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['payment-link.create', 'payment-link.cancel']);
    const fresh = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    expect(fresh.id).not.toBe(link.id);
    expect(await api(stack, 'GET', '/api/payment-links/AAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ status: 404, body: { code: 'LINK_NOT_FOUND' } });
  });

  it('supersedes a link whose invoice now has another open amount', async () => {
    const invoice = await newInvoice(stack, '80.00');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    await stack.gateway.services.db('payment_links').where({ id: link.id }).update({ amount: '70.00' }); // as if made before a partial payment
    const next = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    expect(next).toMatchObject({ amount: '80.00', reused: false });
    expect((await api(stack, 'GET', `/api/payment-links/${link.id}`)).body).toMatchObject({ status: 'superseded' });
  });

  it('gives one link to concurrent requests for the same invoice', async () => {
    const invoice = await newInvoice(stack, '19.99');
    const results = await Promise.all([1, 2, 3, 4].map(() => createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await stack.gateway.services.db('payment_links').where({ ivno: invoice.ivno })).toHaveLength(1);
  });

  it('e-mails the link through the outbox: HTML and text, captured in sandbox', async () => {
    const invoice = await newInvoice(stack, '250.00', 'C10002');
    const link = await createLink(stack, { invoiceNumber: invoice.ivno, invoiceYear: invoice.yea4 });
    const res = await api(stack, 'POST', `/api/payment-links/${link.id}/email`, { to: 'ap@customer.example' });
    expect(res).toMatchObject({ status: 202, body: { status: 'queued', to: 'ap@customer.example' } });
    const row = await eventually(async () => {
      const r = await stack.gateway.services.db('email_outbox').where({ id: res.body.emailId }).first();
      return r?.status === 'captured' ? r : undefined;
    }, 15_000, 'e-mail captured');
    expect(row.subject).toBe(`Invoice ${invoice.ivno} from Northwind Supply Co.: $250.00 to pay`);
    expect(row.text).toContain(link.url);
    expect(row.html).toContain(`href="${link.url}"`);
    expect(row.raw).toMatch(/^To: ap@customer\.example$/m);
    expect(row.raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(await api(stack, 'POST', `/api/payment-links/${link.id}/email`, { to: 'not an address' })).toMatchObject({ status: 422, body: { code: 'LINK_EMAIL_INVALID' } });
  });
});
