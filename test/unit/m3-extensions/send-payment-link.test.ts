/**
 * @jest-environment ./test/unit/m3-extensions/jsdom-environment.js
 */
import ts from 'typescript';
import { buildH5Script, startFakeH5, type FakeH5, type IonAnswer, type IonCall } from './h5-runtime';

/**
 * The built H5 script (m3-extensions/dist/SendPaymentLink.js, compiled here with its own
 * tsconfig) in jsdom against a stand-in of the H5 client: selection, button, dialogs, and the
 * ION API gateway's answers including errors.
 */

const link = (over: Record<string, unknown> = {}) => ({
  id: 'abcdefghijklmnopqrstuv',
  url: 'https://pay.example.com/pay/abcdefghijklmnopqrstuv.SIGNATURESIGNATURESIGN',
  status: 'open',
  amount: '1250.00',
  currency: 'USD',
  invoice: { company: 100, division: 'AAA', number: '200001', year: 2026, order: '1000000001' },
  customer: { number: 'C10001', name: 'Northwind Traders' },
  dueDate: '2026-02-14',
  expiresAt: '2026-12-10T09:00:00.000Z',
  reused: false,
  qrCode: 'data:image/png;base64,iVBORw0KGgo=',
  ...over,
});
const ok = (data: unknown, status = 201): Promise<IonAnswer> => Promise.resolve({ data, status });
const fail = (status: number, data: unknown): Promise<IonAnswer> => Promise.reject({ data, status, statusText: 'error' });

describe('SendPaymentLink H5 script', () => {
  let h5: FakeH5 | undefined;
  afterEach(() => h5?.close());

  const click = async () => {
    h5!.button()!.click();
    await h5!.settle();
  };

  it('compiles to one ES5 script whose class is named like the file, with a static Init', () => {
    const js = buildH5Script();
    expect(js).toMatch(/^var SendPaymentLink = \/\*\* @class \*\/ \(function \(\) \{/m);
    expect(js).toContain('SendPaymentLink.Init = function (args)');
    // ES5 only: none of the later syntax, token by token (comments and strings skipped)
    const scanner = ts.createScanner(ts.ScriptTarget.ES5, true, ts.LanguageVariant.Standard, js);
    const newer = new Set([ts.SyntaxKind.ConstKeyword, ts.SyntaxKind.LetKeyword, ts.SyntaxKind.ClassKeyword, ts.SyntaxKind.AsyncKeyword, ts.SyntaxKind.AwaitKeyword, ts.SyntaxKind.EqualsGreaterThanToken, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateHead, ts.SyntaxKind.DotDotDotToken]);
    const found: string[] = [];
    for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) if (newer.has(kind)) found.push(scanner.getTokenText());
    expect(found).toEqual([]);
    expect(js).not.toMatch(/^\s*(import|export|require)\b/m);
  });

  it('adds the button where the script arguments say, and only on OIS300/OIS350', () => {
    h5 = startFakeH5({ program: 'OIS350', columns: {}, args: 'api=/M3PAYTRACE;top=2;left=48;width=14', ionApi: () => ok({}) });
    expect(h5.button()?.textContent).toBe('Send payment link');
    expect(h5.button()?.dataset.position).toBe('2,48,14');
    h5.close();
    h5 = startFakeH5({ program: 'CRS610', columns: {}, ionApi: () => ok({}) });
    expect(h5.button()).toBeNull();
    expect(h5.logs).toContainEqual(['warning', 'SendPaymentLink works on OIS300/B and OIS350/B, not on CRS610']);
  });

  it('OIS350: asks the gateway for the selected invoice and shows link, amount, expiry, copy, e-mail and QR', async () => {
    h5 = startFakeH5({ program: 'OIS350', columns: { IVNO: ['200001'], YEA4: ['2026'] }, ionApi: () => ok({ links: [link()] }) });
    await click();
    expect(h5.ionCalls).toEqual([
      { url: '/M3PAYTRACE/api/payment-links', method: 'POST', data: { company: 100, division: 'AAA', invoiceNumber: '200001', invoiceYear: 2026 }, headers: { 'Content-Type': 'application/json', Accept: 'application/json' } },
    ]);
    expect(h5.dialogs).toHaveLength(1);
    const dialog = h5.dialogs[0]!;
    expect(dialog.title).toBe('Payment link for invoice 200001');
    const text = (cls: string) => dialog.content.querySelector(`.m3pt-${cls}`)?.textContent;
    expect(text('amount')).toBe('$1,250.00');
    expect(text('expires')).toBe('2026-12-10');
    expect(text('due')).toBe('2026-02-14');
    expect(text('invoice')).toBe('200001 (order 1000000001)');
    expect(text('customer')).toBe('C10001 Northwind Traders');
    expect(dialog.content.querySelector<HTMLInputElement>('.m3pt-url')!.value).toBe(link().url);
    expect(dialog.content.querySelector<HTMLImageElement>('.m3pt-qr')!.src).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(h5.statusBar).toContain('Payment link ready for invoice 200001');
    expect(h5.busy).toEqual({ shown: 1, hidden: 1 });

    dialog.content.querySelector<HTMLButtonElement>('.m3pt-copy')!.click();
    await h5.settle();
    expect(h5.clipboard).toEqual([link().url]);
    expect(text('status')).toBe('Link copied.');
  });

  it('takes the year from the Year positioner (WWYEA4) when the list has no year column', async () => {
    h5 = startFakeH5({ program: 'OIS350', columns: { EXIN: ['200005'] }, fields: { WWYEA4: '2026' }, ionApi: () => ok({ links: [link({ amount: '75.50' })] }) });
    await click();
    expect(h5.ionCalls[0]!.data).toEqual({ company: 100, division: 'AAA', invoiceNumber: '200005', invoiceYear: 2026 });
  });

  it('OIS300: one request per selected order, all links in one dialog', async () => {
    h5 = startFakeH5({
      program: 'OIS300',
      columns: { ORNO: ['1000000001', '1000000007'] },
      args: 'api=/CUSTOM/m3pt/',
      ionApi: (call: IonCall) => ok({ links: [link({ id: `id-${(call.data as { orderNumber: string }).orderNumber}`, invoice: { company: 100, division: 'AAA', number: (call.data as { orderNumber: string }).orderNumber.slice(-6), year: 2026 } })] }),
    });
    await click();
    expect(h5.ionCalls.map((c) => [c.url, c.data])).toEqual([
      ['/CUSTOM/m3pt/api/payment-links', { company: 100, division: 'AAA', orderNumber: '1000000001' }],
      ['/CUSTOM/m3pt/api/payment-links', { company: 100, division: 'AAA', orderNumber: '1000000007' }],
    ]);
    expect(h5.dialogs[0]!.title).toBe('2 payment links');
    expect(h5.dialogs[0]!.content.querySelectorAll('.m3pt-link')).toHaveLength(2);
  });

  it('says what to do when nothing is selected or the column is missing, without calling the gateway', async () => {
    h5 = startFakeH5({ program: 'OIS350', columns: { IVNO: [] }, ionApi: () => ok({}) });
    await click();
    expect(h5.messageDialogs).toEqual([{ dialogType: 'Information', header: 'Send payment link', message: 'Select one or more invoices first.' }]);
    h5.close();
    h5 = startFakeH5({ program: 'OIS300', columns: { CUNO: ['C10001'] }, ionApi: () => ok({}) });
    await click();
    expect(h5.messageDialogs[0]!.message).toMatch(/no order number column \(ORNO\)/);
    h5.close();
    h5 = startFakeH5({ program: 'OIS350', columns: { IVNO: ['200001'] }, ionApi: () => ok({}) });
    await click();
    expect(h5.messageDialogs[0]!.message).toMatch(/invoice year is not known/);
    expect(h5.ionCalls).toHaveLength(0);
  });

  it("shows the gateway's own words for a refused invoice (problem JSON detail)", async () => {
    h5 = startFakeH5({
      program: 'OIS350',
      columns: { IVNO: ['200003'], YEA4: ['2026'] },
      ionApi: () => fail(409, { type: 'urn:m3-paytrace:problem:link-invoice-paid', title: 'Request cannot be processed', status: 409, code: 'LINK_INVOICE_PAID', detail: 'Invoice 200003 has nothing left to pay (open amount 0.00 USD).' }),
    });
    await click();
    expect(h5.messageDialogs).toEqual([{ dialogType: 'Error', header: 'No payment link was created', message: 'invoice 200003: Invoice 200003 has nothing left to pay (open amount 0.00 USD).' }]);
    expect(h5.busy).toEqual({ shown: 1, hidden: 1 });
    expect(h5.logs.some(([level]) => level === 'error')).toBe(true);
  });

  it.each([
    [401, undefined, /not allowed to create payment links/],
    [404, '<html>Not Found</html>', /API was not found.*ION API suite/],
    [0, undefined, /could not be reached/],
    [503, { title: 'Service problem' }, /had a problem \(HTTP 503\)/],
  ])('explains HTTP %s from the ION API gateway in plain words', async (status, data, expected) => {
    h5 = startFakeH5({ program: 'OIS350', columns: { IVNO: ['200001'], YEA4: ['2026'] }, ionApi: () => fail(status, data) });
    await click();
    expect(h5.messageDialogs[0]!.message).toMatch(expected);
  });

  it('shows the links it got and the rows that failed, side by side', async () => {
    let n = 0;
    h5 = startFakeH5({
      program: 'OIS350',
      columns: { IVNO: ['200001', '200004'], YEA4: ['2026', '2026'] },
      ionApi: () => (n++ === 0 ? ok({ links: [link()] }) : fail(422, { code: 'LINK_CURRENCY_NOT_SUPPORTED', detail: 'Invoice 200004 is in EUR; payment links are for USD invoices only (PayTrace charges in USD).' })),
    });
    await click();
    const dialog = h5.dialogs[0]!;
    expect(dialog.content.querySelectorAll('.m3pt-link')).toHaveLength(1);
    expect(dialog.content.querySelector('.m3pt-failures')!.textContent).toBe('invoice 200004: Invoice 200004 is in EUR; payment links are for USD invoices only (PayTrace charges in USD).');
  });

  it('a double click sends one request', async () => {
    let release!: (a: IonAnswer) => void;
    h5 = startFakeH5({ program: 'OIS350', columns: { IVNO: ['200001'], YEA4: ['2026'] }, ionApi: () => new Promise((resolve) => (release = resolve)) });
    h5.button()!.click();
    h5.button()!.click();
    await new Promise((resolve) => setImmediate(resolve));
    expect(h5.ionCalls).toHaveLength(1);
    release({ data: { links: [link()] }, status: 201 });
    await h5.settle();
    expect(h5.dialogs).toHaveLength(1);
  });

  it('e-mails the link: checks the address, posts it, reports the result', async () => {
    h5 = startFakeH5({
      program: 'OIS350',
      columns: { IVNO: ['200001'], YEA4: ['2026'] },
      ionApi: (call) => (call.url.endsWith('/email') ? ok({ emailId: 'e1', status: 'queued' }, 202) : ok({ links: [link()] })),
    });
    await click();
    const content = h5.dialogs[0]!.content;
    const status = () => content.querySelector('.m3pt-status')!.textContent;
    content.querySelector<HTMLButtonElement>('.m3pt-send')!.click();
    expect(status()).toBe('Enter the customer e-mail address first.');
    content.querySelector<HTMLInputElement>('.m3pt-email')!.value = 'ap@customer.example';
    content.querySelector<HTMLButtonElement>('.m3pt-send')!.click();
    await h5.settle();
    expect(h5.ionCalls[1]).toMatchObject({ url: '/M3PAYTRACE/api/payment-links/abcdefghijklmnopqrstuv/email', method: 'POST', data: { to: 'ap@customer.example' } });
    expect(status()).toBe('The link was sent to ap@customer.example.');
  });

  it('uses IonApiService.Current and the jQuery dialog on H5 clients before 2.0 (no H5ControlUtil there)', async () => {
    h5 = startFakeH5({ program: 'OIS350', version: 1.1, columns: { IVNO: ['200001'], YEA4: ['2026'] }, ionApi: () => ok({ links: [link()] }) });
    await click();
    expect(h5.dialogs).toEqual([expect.objectContaining({ api: 'jquery', title: 'Payment link for invoice 200001', dialogType: 'General' })]);
    expect(h5.dialogs[0]!.content.querySelector<HTMLInputElement>('.m3pt-url')!.value).toBe(link().url);
    h5.document.querySelector<HTMLButtonElement>('.h5-dialog-button')!.click();
    expect(h5.document.querySelector('.h5-dialog')).toBeNull();
  });

  it('on a client with neither dialog API the link is still shown, as text in a message dialog', async () => {
    h5 = startFakeH5({ program: 'OIS350', version: 1.1, dialogApi: 'none', columns: { IVNO: ['200001'], YEA4: ['2026'] }, ionApi: () => ok({ links: [link()] }) });
    await click();
    expect(h5.dialogs).toEqual([]);
    expect(h5.messageDialogs).toEqual([{ dialogType: 'Information', header: 'Payment link for invoice 200001', message: `Invoice 200001 ($1,250.00): ${link().url}` }]);
  });

  it('uses only dialog types Infor\'s samples use, and sends the M3 user for the audit log', async () => {
    h5 = startFakeH5({ program: 'OIS350', userContext: { USID: 'MARIA' }, columns: { IVNO: ['200001'], YEA4: ['2026'] }, ionApi: () => ok({ links: [link()] }) });
    await click();
    expect(h5.ionCalls[0]!.headers).toEqual({ 'Content-Type': 'application/json', Accept: 'application/json', 'X-M3-User': 'MARIA' });
    expect(h5.dialogs[0]).toMatchObject({ api: 'h5', dialogType: 'General' });
    const source = buildH5Script();
    const types = [...source.matchAll(/dialogType: '([A-Za-z]+)'/g)].map((m) => m[1]);
    expect(new Set(types)).toEqual(new Set(['Information', 'Error', 'General']));
  });
});
