/**
 * @jest-environment ./test/unit/m3-extensions/jsdom-environment.js
 */
import { linksModule } from '../../../gateway/src/links/module';
import { startStack, type Stack } from '../../helpers/stack';
import { startFakeH5, type IonAnswer, type IonCall } from '../../unit/m3-extensions/h5-runtime';

/**
 * The built H5 script against the real gateway (the ION API gateway's part played by a fetch that
 * strips the suite context and adds the user's Infor OS token): the answers and refusals M3 users see.
 */
describe('H5 script against the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ modules: [linksModule()] });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const ionApi = (withToken = true) => async (call: IonCall): Promise<IonAnswer> => {
    const token = withToken ? await stack.gateway.services.infor!.tokens.getAccessToken() : undefined;
    const res = await fetch(`${stack.gateway.url}${call.url.replace('/M3PAYTRACE', '')}`, {
      method: call.method,
      headers: { ...call.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: call.data === undefined ? undefined : JSON.stringify(call.data),
    });
    const text = await res.text();
    const answer = { status: res.status, data: text ? (JSON.parse(text) as unknown) : undefined };
    if (!res.ok) throw answer;
    return answer;
  };

  it('OIS300: the selected order gets the link of its open invoice', async () => {
    const h5 = startFakeH5({ program: 'OIS300', columns: { ORNO: ['1000000001'] }, ionApi: ionApi() });
    try {
      h5.button()!.click();
      await h5.settle();
      const dialog = h5.dialogs[0]!;
      expect(dialog.title).toBe('Payment link for invoice 200001');
      expect(dialog.content.querySelector('.m3pt-amount')!.textContent).toBe('$1,250.00');
      expect(dialog.content.querySelector<HTMLInputElement>('.m3pt-url')!.value).toMatch(new RegExp(`^${stack.gateway.url}/pay/`));
      expect(dialog.content.querySelector<HTMLImageElement>('.m3pt-qr')!.src).toMatch(/^data:image\/svg\+xml;base64,/);
    } finally {
      h5.close();
    }
  });

  it("OIS350: a paid invoice and a EUR invoice are refused in the gateway's words", async () => {
    const h5 = startFakeH5({ program: 'OIS350', columns: { IVNO: ['200003', '200004'], YEA4: ['2026', '2026'] }, ionApi: ionApi() });
    try {
      h5.button()!.click();
      await h5.settle();
      expect(h5.messageDialogs).toEqual([
        {
          dialogType: 'Error',
          header: 'No payment link was created',
          message: 'invoice 200003: Invoice 200003 has nothing left to pay (open amount 0.00 USD).\ninvoice 200004: Invoice 200004 is in EUR; payment links are for USD invoices only (PayTrace charges in USD).',
        },
      ]);
    } finally {
      h5.close();
    }
  });

  it('a call without a valid token is explained as missing access', async () => {
    const h5 = startFakeH5({ program: 'OIS350', columns: { IVNO: ['200005'], YEA4: ['2026'] }, ionApi: ionApi(false) });
    try {
      h5.button()!.click();
      await h5.settle();
      expect(h5.messageDialogs[0]!.message).toMatch(/^invoice 200005: /);
      expect(h5.messageDialogs[0]!.message).toMatch(/token|not allowed/i);
    } finally {
      h5.close();
    }
  });
});
