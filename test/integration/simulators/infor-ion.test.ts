import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { startInforTestClient, type InforTestClient } from './infor-client';

/** ION IMS hub: BODs from the gateway in, BODs to the gateway out (to a small real receiver) */

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  parameters?: Record<string, unknown>;
  payload?: string;
}

/** a stand-in for the gateway's IMS endpoints: records what ION sends, answers `status` */
class ImsReceiver {
  received: Received[] = [];
  status = 201;
  #server?: Server;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (async () => {
          const entry: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
          if (req.method === 'POST') {
            const form = await new Response(new Uint8Array(Buffer.concat(chunks)), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
            const params = form.get('ParameterRequest');
            const payload = form.get('MessagePayload');
            entry.parameters = JSON.parse(typeof params === 'string' ? params : await (params as Blob).text()) as Record<string, unknown>;
            entry.payload = typeof payload === 'string' ? payload : await (payload as Blob).text();
          }
          this.received.push(entry);
          if (req.url === '/ims/service/protocol') {
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: 'v3', messageMethod: 'multipartMessage', hasDiscovery: false }));
          } else {
            res.writeHead(req.method === 'POST' ? this.status : 200).end();
          }
        })();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}/ims`;
  }

  posts(): Received[] {
    return this.received.filter((r) => r.method === 'POST');
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }
}

let c: InforTestClient;
let receiver: ImsReceiver;
beforeAll(async () => {
  c = await startInforTestClient();
  receiver = new ImsReceiver();
  await receiver.start();
});
afterAll(async () => {
  await c.sim.close();
  await receiver.stop();
});
beforeEach(async () => {
  await c.sim_('POST', '/reset');
  c.sim.setGatewayImsUrl(undefined);
  receiver.received = [];
  receiver.status = 201;
});

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

describe('IMS inbound (gateway → ION)', () => {
  async function send(version: 'v2' | 'v3', parts: { parameters?: unknown; payload?: string }, token?: string): Promise<Response> {
    const form = new FormData();
    if (parts.parameters !== undefined) form.append('ParameterRequest', new Blob([JSON.stringify(parts.parameters)], { type: 'application/json' }));
    if (parts.payload !== undefined) form.append('MessagePayload', new Blob([parts.payload], { type: 'application/octet-stream' }));
    return fetch(`${c.imsBase}/${version}/multipartMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token ?? (await c.token())}`, accept: 'application/json' },
      body: form,
    });
  }
  const parameters = { documentName: 'Sync.PaymentTransaction', messageId: 'msg-1', fromLogicalId: 'lid://infor.ims.m3paytrace', toLogicalId: 'lid://default', encoding: 'NONE', characterSet: 'UTF-8', accountingEntity: '100_AAA' };
  const bod = '<SyncPaymentTransaction xmlns="http://schema.infor.com/InforOAGIS/2"/>';

  it('accepts a multipart BOD with 201 (v2) / 202 (v3) and keeps it for inspection', async () => {
    expect((await send('v2', { parameters, payload: bod })).status).toBe(201);
    expect((await send('v3', { parameters: { ...parameters, messageId: 'msg-2' }, payload: bod })).status).toBe(202);
    const { messages } = (await c.sim_('GET', '/ion/messages')).body as { messages: { id: string; documentName: string; payload: string; version: string }[] };
    expect(messages.map((m) => [m.id, m.documentName, m.version])).toEqual([
      ['msg-1', 'Sync.PaymentTransaction', 'v2'],
      ['msg-2', 'Sync.PaymentTransaction', 'v3'],
    ]);
    expect(messages[0].payload).toBe(bod);
  });

  it.each([
    ['missing ParameterRequest', { payload: bod }, 400, /ParameterRequest is missing/],
    ['missing MessagePayload', { parameters }, 400, /MessagePayload is missing/],
    ['documentName with a space and a slash', { parameters: { ...parameters, documentName: 'Sync Invoice/../x' }, payload: bod }, 400, /documentName/],
    ['no documentName', { parameters: { ...parameters, documentName: undefined }, payload: bod }, 400, /documentName/],
    ['missing fromLogicalId', { parameters: { ...parameters, fromLogicalId: undefined }, payload: bod }, 400, /fromLogicalId is missing/],
    ['fromLogicalId of another connection point', { parameters: { ...parameters, fromLogicalId: 'lid://infor.ims.other' }, payload: bod }, 403, /does not match/],
    ['ParameterRequest not JSON object', { parameters: 'just text', payload: bod }, 400, /not a JSON object/],
  ])('%s → refused, nothing kept', async (_name, parts, status, error) => {
    const res = await send('v2', parts);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(error);
    expect(((await c.sim_('GET', '/ion/messages')).body as { messages: unknown[] }).messages).toEqual([]);
  });

  it('refuses a non-multipart body, and any call without a valid token', async () => {
    const res = await fetch(`${c.imsBase}/v2/multipartMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await c.token()}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect((await send('v2', { parameters, payload: bod }, 'not-a-token')).status).toBe(401);
    expect((await fetch(`${c.imsBase}/ping`)).status).toBe(401);
  });

  it('ping, and acceptedDocuments for the configured logical id (412 for another)', async () => {
    const auth = { authorization: `Bearer ${await c.token()}` };
    expect((await fetch(`${c.imsBase}/ping`, { headers: auth })).status).toBe(200);
    const accepted = await fetch(`${c.imsBase}/v3/${encodeURIComponent('lid://infor.ims.m3paytrace')}/acceptedDocuments`, { headers: auth });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual(expect.arrayContaining([{ documentName: 'Sync.PaymentTransaction' }]));
    expect((await fetch(`${c.imsBase}/v3/${encodeURIComponent('lid://infor.ims.nope')}/acceptedDocuments`, { headers: auth })).status).toBe(412);
  });
});

describe('IMS outbound (ION → gateway)', () => {
  it('pushes Sync.Invoice when an invoice is created, as multipart with X-TenantId and an Infor OS bearer token', async () => {
    expect((await c.sim_('PUT', '/ion/target', { url: receiver.url })).body).toEqual({ url: receiver.url, tenantId: 'M3PT_TST' });
    const created = await c.sim_('POST', '/m3/invoices', { cuno: 'C10001', amount: '420.00', orno: '1000000001' });
    expect(created.status).toBe(201);
    const ivno = String((created.body as { ivno: number }).ivno);
    await c.sim.ionIdle();
    expect(receiver.posts()).toHaveLength(1);
    const [push] = receiver.posts();
    expect(push.path).toBe('/ims/service/v2/multipartMessage');
    expect(push.headers['x-tenantid']).toBe('M3PT_TST');
    expect(push.headers.authorization).toMatch(/^Bearer ey/);
    expect(push.parameters).toMatchObject({ documentName: 'Sync.Invoice', fromLogicalId: 'lid://infor.m3.m3', accountingEntity: '100_AAA', documentId: ivno });
    const doc = parser.parse(push.payload ?? '') as Record<string, Record<string, Record<string, unknown>>>;
    const sync = doc.SyncInvoice;
    expect(sync['@xmlns']).toBe('http://schema.infor.com/InforOAGIS/2');
    expect(sync.ApplicationArea.Sender).toMatchObject({ LogicalID: 'lid://infor.m3.m3', ComponentID: 'M3BE' });
    expect(sync.ApplicationArea.BODID).toMatch(/^[0-9a-f-]{36}$/);
    const data = sync.DataArea as unknown as { Sync: { AccountingEntityID: string }; Invoice: { InvoiceHeader: Record<string, unknown> } };
    expect(data.Sync.AccountingEntityID).toBe('100_AAA');
    const header = data.Invoice.InvoiceHeader as { DocumentID: { ID: { '#text': number | string } }; TotalAmount: { '#text': number | string; '@currencyID': string } };
    expect(String(header.DocumentID.ID['#text'])).toBe(ivno);
    expect(header.TotalAmount).toMatchObject({ '@currencyID': 'USD' });
    expect(Number(header.TotalAmount['#text']).toFixed(2)).toBe('420.00');
    // the new invoice is an M3 invoice like the others
    expect((await c.v1Record('OIS350MI/GetInvHead', { YEA4: String(new Date().getUTCFullYear()), IVNO: ivno })).RAFC).toBe('420.00');
    await c.sim.ionIdle();
    const outbox = (await c.sim_('GET', '/ion/outbox')).body as { documents: { status: string; attempts: number }[] };
    expect(outbox.documents).toEqual([expect.objectContaining({ status: 'delivered', attempts: 1 })]);
  });

  it('pushes Sync.CustomerPartyMaster when CRS610MI adds or changes a customer', async () => {
    c.sim.setGatewayImsUrl(receiver.url);
    await c.v1('CRS610MI/ChgBasicData', { CUNO: 'C10002', CUNM: 'Globex & Sons' });
    await c.v1('CRS610MI/Add', { CUTM: 'C10001', CUNM: 'Stark Industries', CUA1: '10880 Malibu Point', TOWN: 'Malibu', CSCD: 'US' });
    await c.sim.ionIdle();
    const docs = receiver.posts().map((p) => parser.parse(p.payload ?? '') as { SyncCustomerPartyMaster: { DataArea: { CustomerPartyMaster: { Name: string; PartyIDs: { ID: { '#text': string } } } } } });
    expect(docs.map((d) => [d.SyncCustomerPartyMaster.DataArea.CustomerPartyMaster.PartyIDs.ID['#text'], d.SyncCustomerPartyMaster.DataArea.CustomerPartyMaster.Name])).toEqual([
      ['C10002', 'Globex & Sons'],
      ['C10005', 'Stark Industries'],
    ]);
    expect(receiver.posts().every((p) => p.parameters?.documentName === 'Sync.CustomerPartyMaster')).toBe(true);
  });

  it('keeps a failed delivery and delivers it on redeliver; documents created before a target wait for it', async () => {
    await c.sim_('POST', '/m3/invoices', { cuno: 'C10002', amount: '10.00' });
    expect(((await c.sim_('GET', '/ion/outbox')).body as { documents: { status: string }[] }).documents).toEqual([expect.objectContaining({ status: 'pending' })]);
    receiver.status = 503;
    await c.sim_('PUT', '/ion/target', { url: receiver.url });
    await c.sim.ionIdle();
    const failed = ((await c.sim_('GET', '/ion/outbox')).body as { documents: { status: string; lastError: string; attempts: number }[] }).documents[0];
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(/^HTTP 503/);
    receiver.status = 201;
    expect((await c.sim_('POST', '/ion/redeliver')).body).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(receiver.posts()).toHaveLength(2);
    expect((await c.sim_('POST', '/ion/redeliver')).body).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(receiver.posts()).toHaveLength(2); // a delivered document is not sent again
  });

  it('a push to an unreachable target fails and is kept', async () => {
    const dead = new ImsReceiver();
    await dead.start();
    const url = dead.url;
    await dead.stop();
    c.sim.setGatewayImsUrl(url);
    await c.sim_('POST', '/ion/push', { documentName: 'Sync.Invoice', xml: '<SyncInvoice/>' });
    const [doc] = ((await c.sim_('GET', '/ion/outbox')).body as { documents: { status: string; lastError: string }[] }).documents;
    expect(doc.status).toBe('failed');
    expect(doc.lastError).toBeTruthy();
  });

  it('/_sim/ion/push sends an arbitrary BOD; bad requests are 400', async () => {
    c.sim.setGatewayImsUrl(receiver.url);
    const res = await c.sim_('POST', '/ion/push', { documentName: 'Sync.ReceivableTransaction', xml: '<SyncReceivableTransaction/>', accountingEntity: '100_AAA', documentId: 'R1' });
    expect(res.status).toBe(202);
    expect(receiver.posts()[0].parameters).toMatchObject({ documentName: 'Sync.ReceivableTransaction', documentId: 'R1' });
    expect(receiver.posts()[0].payload).toBe('<SyncReceivableTransaction/>');
    expect((await c.sim_('POST', '/ion/push', { documentName: 'bad name', xml: '<x/>' })).status).toBe(400);
    expect((await c.sim_('POST', '/ion/push', { documentName: 'Sync.X' })).status).toBe(400);
    expect((await c.sim_('PUT', '/ion/target', { url: 'ftp://x' })).status).toBe(400);
  });

  it('test-connection calls the target ping and protocol', async () => {
    c.sim.setGatewayImsUrl(receiver.url);
    const res = (await c.sim_('POST', '/ion/test-connection')).body as Record<string, { status: number; body: string }> & { ok: boolean };
    expect(res.ok).toBe(true);
    expect(JSON.parse(res['/service/protocol'].body)).toEqual({ version: 'v3', messageMethod: 'multipartMessage', hasDiscovery: false });
    expect(receiver.received.map((r) => r.path)).toEqual(['/ims/service/ping', '/ims/service/protocol']);
  });

  it('/_sim/m3/invoices refuses bad input', async () => {
    expect((await c.sim_('POST', '/m3/invoices', { cuno: 'NOPE', amount: '1.00' })).status).toBe(400);
    expect((await c.sim_('POST', '/m3/invoices', { cuno: 'C10001', amount: 12.5 })).status).toBe(400);
    expect((await c.sim_('POST', '/m3/invoices', { cuno: 'C10001', amount: '1.005' })).status).toBe(400);
    expect((await c.sim_('POST', '/m3/invoices', { cuno: 'C10001', amount: '1.00', currency: 'JPY' })).status).toBe(400);
    expect((await c.sim_('POST', '/m3/invoices', { cuno: 'C10001', amount: '1.00', ivno: 300001 })).status).toBe(201);
    expect((await c.sim_('POST', '/m3/invoices', { cuno: 'C10001', amount: '1.00', ivno: 300001 })).status).toBe(409);
  });
});
