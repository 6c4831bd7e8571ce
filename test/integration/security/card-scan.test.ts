import { readFileSync } from 'node:fs';
import path from 'node:path';
import { linksModule } from '../../../gateway/src/links/module';
import { findPaymentByReference, getPayment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { handOverChargedInvoice, simJson, type Stack, startStack } from '../../helpers/stack';

/**
 * Card data at every door: flows run for real (an invoice paid with the sandbox test card at the
 * PayTrace simulator, then refunded), and card numbers and CSCs are thrown at every door — JSON
 * bodies, query strings, paths, the correlation and request id headers, a BOD through /ims. Then
 * every table of the gateway's database (pg-boss's included) and every log line are scanned:
 * no card number and no CSC anywhere.
 */
const PANS = ['4242424242424242', '4012000098765439', '5499740000000057', '371449635392376'];
const CSC = '9731';

describe('no card data in any table or log after every door was tried', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ modules: [linksModule()], config: { queue: { retryLimit: 1, retryDelaySeconds: 0 } } });
    token = await stack.gateway.services.infor!.tokens.getAccessToken();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const send = (pathAndQuery: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: BodyInit } = {}) =>
    fetch(`${stack.gateway.url}${pathAndQuery}`, {
      method: init.method ?? (init.body !== undefined || init.raw ? 'POST' : 'GET'),
      headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    });

  it('refuses card data at every door and keeps none of it', async () => {
    // a real flow first: an invoice paid with the test card at PayTrace, settled, then refunded
    const charged = await handOverChargedInvoice(stack, { ivno: '200002', cuno: 'C10001', amount: '120.00' });
    const paid = await eventually(async () => {
      const p = await getPayment(stack.gateway.services.db, charged.id);
      return p?.status === 'completed' ? p : undefined;
    }, 20_000, 'invoice paid');
    await simJson(stack.paytrace.url, '/_sim/settle', { method: 'POST', body: {} });
    const pan = PANS[0]!;
    // the refund request carries a card number as its correlation id: replaced, the refund still runs
    const refund = await send('/api/refunds', { body: { refundId: 'RMA-SCAN', originalTransactionId: paid.paytrace_transaction_id, amount: '20.00' }, headers: { 'x-correlation-id': pan, 'x-request-id': PANS[1]! } });
    expect(refund.status).toBe(202);
    expect(refund.headers.get('x-correlation-id')).not.toBe(pan);
    await eventually(async () => (await findPaymentByReference(stack.gateway.services.db, 'REFUND-RMA-SCAN'))?.status === 'completed', 20_000, 'refund done');

    const doors: Array<[string, Response]> = [
      ['refund body', await send('/api/refunds', { body: { refundId: 'RMA-CARD', originalTransactionId: 1, amount: '1.00', card: { number: pan }, csc: CSC } })],
      ['refund id', await send('/api/refunds', { body: { refundId: pan, originalTransactionId: 1, amount: '1.00' } })],
      ['link body', await send('/api/payment-links', { body: { invoiceNumber: PANS[2], invoiceYear: 2026 } })],
      ['storefront event', await send('/events/ecommerce', { body: { type: 'order.paid', data: { card_number: PANS[3], cvv: CSC } } })],
      ['query', await send(`/api/recon/runs/00000000-0000-4000-8000-000000000000/items?status=${pan}`)],
      ['path', await send(`/api/refunds/${pan}`)],
      ['pay page', await send('/pay/AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA/charge', { body: { cardNumber: pan, csc: CSC } })],
    ];
    for (const [door, res] of doors) {
      expect({ door, refused: res.status >= 400 && res.status < 500 }).toEqual({ door, refused: true });
      expect(await res.text()).not.toContain(pan);
    }
    const bod = readFileSync(path.resolve(__dirname, '..', '..', '..', 'ion-bods', 'samples', 'Sync.Invoice.xml'), 'utf8')
      .replace('6f1d3c2a-9b7e-4c1a-8d55-0e2f4a9b1c77', '33333333-3333-4333-8333-333333333333')
      .replace('<Name>Acme Supply Co &amp; Sons</Name>', `<Name>Acme</Name><CreditCard><Number>${pan}</Number><CSC>${CSC}</CSC></CreditCard><Note>paid by ${PANS[1]}</Note>`);
    const form = new FormData();
    form.append('ParameterRequest', new Blob([JSON.stringify({ documentName: 'Sync.Invoice', note: PANS[2] })], { type: 'application/json' }), 'ParameterRequest.json');
    form.append('MessagePayload', new Blob([bod]), 'MessagePayload.xml');
    const ims = await send('/ims/service/v2/multipartMessage', { raw: form, headers: { 'x-correlation-id': PANS[3]! } });
    expect(ims.status).toBe(422);
    await eventually(async () => (await stack.gateway.services.db('inbox').where({ error_code: 'BOD_CARD_DATA_REFUSED', status: 'rejected' }).first()) ?? undefined, 15_000, 'BOD refused');
    await stack.infor.ionIdle();

    // every table of the database, every row as text
    const db = stack.gateway.services.db;
    const tables = (await db.raw(`select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`)).rows as Array<{ table_schema: string; table_name: string }>;
    expect(tables.length).toBeGreaterThan(20);
    const found: string[] = [];
    let rows = 0;
    for (const t of tables) {
      const dump = (await db.raw(`select t::text as row from "${t.table_schema}"."${t.table_name}" t`)).rows as Array<{ row: string }>;
      rows += dump.length;
      for (const { row } of dump) {
        for (const p of PANS) if (row.includes(p)) found.push(`${t.table_schema}.${t.table_name}: ${p}`);
        if (new RegExp(`(csc|cvv)[^0-9]{0,12}${CSC}`, 'i').test(row)) found.push(`${t.table_schema}.${t.table_name}: CSC`);
      }
    }
    expect(rows).toBeGreaterThan(50);
    const logs = JSON.stringify(stack.gateway.logs);
    for (const p of PANS) if (logs.includes(p)) found.push(`logs: ${p}`);
    if (new RegExp(`(csc|cvv)[^0-9]{0,12}${CSC}`, 'i').test(logs)) found.push('logs: CSC');
    expect(found).toEqual([]);
  });
});
