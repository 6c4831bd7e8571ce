/**
 * IMS round trip with a real gateway (real PostgreSQL, pg-boss) and the ION hub simulator:
 * hub → gateway /ims → inbox (dedupe by BODID, stored once) + the job of the flow that owns the
 * noun → run → done; duplicates; unknown noun and a flow's business refusal → ConfirmBOD back to
 * ION and the row `rejected`; hostile documents kept as `rejected` and answered 4xx; IMS auth;
 * gateway → hub. Two small flow definitions of its own take Sync.Invoice and Sync.CustomerPartyMaster.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseBod } from '../../../gateway/src/infor/bod';
import { inforModule } from '../../../gateway/src/infor/module';
import { rulesModule } from '../../../gateway/src/runtime/rules-module';
import { flowsModule } from '../../../gateway/src/triggers/module';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { signInAsUser } from '../../helpers/infor-users';
import { startInforFixture, type InforFixture } from './infor-fixture';

const SAMPLES = path.resolve(__dirname, '..', '..', '..', 'ion-bods', 'samples');

let fx: InforFixture;
let gw: TestGateway;
let dir: string;

/** Test flows: an invoice becomes a ledger row we can read back; a customer named REJECT is refused. */
const INVOICE_FLOW = `version: 1
id: test-invoice
name: Test invoice
triggers:
  - type: bod
    document: Sync.Invoice
    event:
      ivno: noun.id.value
      amount: noun.totalAmount.value
      currency: noun.totalAmount.currency
      entity: envelope.accountingEntityId
      bodId: envelope.bodId
steps:
  - id: payment
    type: ledger.open-payment
    input:
      flow: '"invoice_payment"'
      reference: '"TEST-INV-" & event.ivno & "-" & event.bodId'
      status: '"received"'
      fields: { ivno: event.ivno, amount: event.amount, currency: event.currency, divi: '$substringAfter(event.entity, "_")' }
`;
const CUSTOMER_FLOW = `version: 1
id: test-customer
name: Test customer
triggers:
  - type: bod
    document: Sync.CustomerPartyMaster
steps:
  - id: accepted
    type: flow.require
    config: { code: BOD_INVALID_VALUE }
    onError: { deadLetter: false }
    input:
      condition: '$not($contains(event.name, "REJECT"))'
      message: '"customer " & event.id.value & " cannot be synced"'
`;

interface InboxRow {
  id: string;
  kind: string;
  dedupe_key: string;
  status: string;
  error_code: string | null;
  flow_id: string | null;
  payload: { xml: string; parameters: Record<string, unknown>; refused?: { bytesKept: number; complete: boolean } };
}
interface HubMessage {
  documentName: string;
  fromLogicalId: string;
  payload: string;
  parameterRequest: Record<string, unknown>;
}

beforeAll(async () => {
  fx = await startInforFixture();
  dir = mkdtempSync(path.join(tmpdir(), 'ims-'));
  const ionapiFile = path.join(dir, 'sandbox.ionapi');
  await fx.sim.writeIonapiFile(ionapiFile);
  // the shipped rules, and only the test flows (the shipped ones would own these documents)
  const rules = path.join(dir, 'rules');
  mkdirSync(path.join(rules, 'flows'), { recursive: true });
  const shipped = path.resolve(__dirname, '..', '..', '..', 'mappings');
  for (const name of readdirSync(shipped).filter((n) => n.endsWith('.yaml'))) copyFileSync(path.join(shipped, name), path.join(rules, name));
  writeFileSync(path.join(rules, 'flows', 'test-invoice.yaml'), INVOICE_FLOW);
  writeFileSync(path.join(rules, 'flows', 'test-customer.yaml'), CUSTOMER_FLOW);
  gw = await startTestGateway({ config: { infor: { ionapiFile }, rules: { dir: rules } }, modules: [rulesModule(), inforModule(), flowsModule()] });
  fx.sim.setGatewayImsUrl(`${gw.url}/ims`);
});

afterAll(async () => {
  await gw?.stop();
  await fx?.sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const inbox = (where: Record<string, string>) => gw.database.db<InboxRow>('inbox').where(where);
const hubMessages = async () => (await fx.simGet<{ messages: HubMessage[] }>('/ion/messages')).messages;

async function push(documentName: string, xml: string): Promise<{ status: string; lastError?: string }> {
  return fx.simPost('/ion/push', { documentName, xml });
}

async function imsPost(body: FormData, token?: string | null): Promise<Response> {
  const bearer = token === null ? undefined : (token ?? (await fx.tokens().getAccessToken()));
  return fetch(`${gw.url}/ims/service/v2/multipartMessage`, { method: 'POST', body, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
}

function form(xml: string, documentName = 'Sync.Invoice'): FormData {
  const f = new FormData();
  f.append('ParameterRequest', new Blob([JSON.stringify({ documentName, fromLogicalId: 'lid://infor.m3.m3', toLogicalId: 'lid://default' })], { type: 'application/json' }), 'ParameterRequest.json');
  f.append('MessagePayload', new Blob([xml], { type: 'application/octet-stream' }), 'MessagePayload.xml');
  return f;
}

test('ION Desk "Test": ping and protocol answer with a valid Infor OS token', async () => {
  const result = await fx.simPost<{ ok: boolean }>('/ion/test-connection');
  expect(result.ok).toBe(true);
  const token = await fx.tokens().getAccessToken();
  const protocol = await fetch(`${gw.url}/ims/service/protocol`, { headers: { authorization: `Bearer ${token}` } });
  expect(await protocol.json()).toEqual({ version: 'v3', messageMethod: 'multipartMessage', hasDiscovery: false });
});

test('hub → gateway: an invoice created in M3 arrives as Sync.Invoice, is stored, acknowledged and handled', async () => {
  const invoice = await fx.simPost<{ ivno: number | string }>('/m3/invoices', { cuno: 'C10001', amount: '321.09' });
  // the hub pushes in the background: wait until ION has delivered it (a 2xx from the gateway)
  await fx.sim.ionIdle();
  const outbox = await fx.simGet<{ documents: Array<{ documentName: string; status: string; documentId: string }> }>('/ion/outbox');
  const doc = outbox.documents.find((d) => d.documentName === 'Sync.Invoice' && d.documentId === String(invoice.ivno));
  expect(doc?.status).toBe('delivered');
  const row = await eventually(async () => (await inbox({ source: 'ion', kind: 'Sync.Invoice' }).andWhere('status', 'done').orderBy('id', 'desc').first()) ?? undefined, 15_000, 'the invoice handled');
  const handled = await gw.database.db('payments').where('reference', 'like', `TEST-INV-${invoice.ivno}-%`).first();
  expect(handled).toMatchObject({ amount: '321.0900', currency: 'USD', divi: 'AAA' });
  expect(handled.reference).toBe(`TEST-INV-${invoice.ivno}-${row.dedupe_key}`);
  expect(row).toMatchObject({ flow_id: 'test-invoice' });
});

test('a redelivered BOD (same BODID) answers 2xx and creates no second job', async () => {
  const xml = readFileSync(path.join(SAMPLES, 'Sync.Invoice.xml'), 'utf8');
  const bodId = parseBod(xml).envelope.bodId;
  expect((await push('Sync.Invoice', xml)).status).toBe('delivered');
  expect((await push('Sync.Invoice', xml)).status).toBe('delivered');
  const rows = await inbox({ source: 'ion', dedupe_key: bodId });
  expect(rows).toHaveLength(1);
  await eventually(async () => (await inbox({ id: rows[0]!.id }).first())?.status === 'done', 15_000, 'processed');
  const jobs = await gw.database.db.raw(`select count(*)::int as n from pgboss.job where name = 'test-invoice' and data->'payload'->>'inboxId' = ?`, [rows[0]!.id]);
  expect(jobs.rows[0].n).toBe(1);
  expect(await gw.database.db('payments').where('reference', 'like', `%-${bodId}`)).toHaveLength(1);
});

test('unknown noun: accepted and kept, then rejected with a ConfirmBOD to ION', async () => {
  const xml = readFileSync(path.join(SAMPLES, 'Sync.Invoice.xml'), 'utf8')
    .replace(/SyncInvoice/g, 'SyncPurchaseOrder')
    .replace(/<(\/?)Invoice>/g, '<$1PurchaseOrder>')
    .replace('6f1d3c2a-9b7e-4c1a-8d55-0e2f4a9b1c77', '11111111-2222-4333-8444-555555555555');
  expect((await push('Sync.PurchaseOrder', xml)).status).toBe('delivered');
  const row = await eventually(async () => (await inbox({ source: 'ion', dedupe_key: '11111111-2222-4333-8444-555555555555' }).andWhere('status', 'rejected').first()) ?? undefined, 15_000, 'rejected');
  expect(row.error_code).toBe('BOD_UNKNOWN_NOUN');
  // the hub's /_sim/ion/push trims the document; everything else arrives byte for byte
  expect(row.payload.xml).toBe(xml.trim());
  const confirm = await eventually(async () => (await hubMessages()).find((m) => m.documentName === 'Confirm.BOD' && m.payload.includes('11111111-2222-4333-8444-555555555555')), 15_000, 'ConfirmBOD');
  expect(confirm.fromLogicalId).toBe('lid://infor.ims.m3paytrace');
  const bod = parseBod(confirm.payload);
  expect(bod.model).toMatchObject({ outcome: 'Rejected', original: { bodId: '11111111-2222-4333-8444-555555555555' }, messages: [{ reasonCode: 'BOD_UNKNOWN_NOUN' }] });
});

test("a flow's business refusal rejects the BOD with a ConfirmBOD carrying the code", async () => {
  await fx.m3().execute('CRS610MI', 'ChgBasicData', { CUNO: 'C10003', CUNM: 'Initech REJECT' });
  const row = await eventually(
    async () => (await inbox({ source: 'ion', kind: 'Sync.CustomerPartyMaster' }).andWhere('status', 'rejected').first()) ?? undefined,
    15_000,
    'customer rejected',
  );
  expect(row.error_code).toBe('BOD_INVALID_VALUE');
  const confirm = await eventually(async () => (await hubMessages()).find((m) => m.documentName === 'Confirm.BOD' && m.payload.includes(row.dedupe_key)), 15_000, 'ConfirmBOD');
  expect(parseBod(confirm.payload).model).toMatchObject({ messages: [{ reasonCode: 'BOD_INVALID_VALUE', description: 'customer C10003 cannot be synced' }] });
});

test('a ConfirmBOD from ION is recorded, never answered with another ConfirmBOD', async () => {
  const xml = readFileSync(path.join(SAMPLES, 'Confirm.BOD.xml'), 'utf8');
  const before = (await hubMessages()).filter((m) => m.documentName === 'Confirm.BOD').length;
  expect((await push('Confirm.BOD', xml)).status).toBe('delivered');
  const row = await eventually(async () => (await inbox({ source: 'ion', dedupe_key: 'a3e0b6d4-51c2-4f0e-9d7a-6c8b2f1e0d99' }).andWhere('status', 'done').first()) ?? undefined, 15_000, 'confirm recorded');
  expect(row.kind).toBe('Confirm.BOD');
  expect((await hubMessages()).filter((m) => m.documentName === 'Confirm.BOD')).toHaveLength(before);
});

describe('hostile or broken documents: 4xx, classified, and kept in the inbox', () => {
  const base = () => readFileSync(path.join(SAMPLES, 'Sync.Invoice.xml'), 'utf8');

  test.each([
    ['XXE / DOCTYPE', () => base().replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'), 400, 'BOD_DOCTYPE_REFUSED'],
    ['wrong namespace', () => base().replace('http://schema.infor.com/InforOAGIS/2', 'urn:not-infor'), 400, 'BOD_WRONG_NAMESPACE'],
    ['missing BODID', () => base().replace(/<BODID>[^<]*<\/BODID>/, ''), 400, 'BOD_MISSING_FIELD'],
    ['deep nesting', () => base().replace('<Name>Acme Supply Co &amp; Sons</Name>', `<Name>${'<a>'.repeat(3000)}${'</a>'.repeat(3000)}</Name>`), 400, 'BOD_TOO_DEEP'],
    ['not XML', () => 'hello', 400, 'BOD_MALFORMED_XML'],
  ])('%s', async (_name, make, status, code) => {
    const xml = make();
    const response = await imsPost(form(xml));
    expect(response.status).toBe(status);
    const problem = (await response.json()) as { code: string; errorClass: string };
    expect(problem).toMatchObject({ code, errorClass: 'business' });
    const row = await inbox({ source: 'ion', error_code: code }).orderBy('id', 'desc').first();
    expect(row?.status).toBe('rejected');
    expect(row?.payload.xml).toBe(xml);
  });

  test('a comment before the root naming the InforOAGIS namespace does not make a root in another namespace a BOD', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><!-- <SyncInvoice xmlns="http://schema.infor.com/InforOAGIS/2"> -->${base().replace(/^<\?xml[^>]*\?>/, '').replace('http://schema.infor.com/InforOAGIS/2', 'urn:evil')}`;
    const response = await imsPost(form(xml));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('BOD_WRONG_NAMESPACE');
  });

  test('invalid UTF-8 in a document declared UTF-8 is refused, not silently repaired', async () => {
    const good = Buffer.from(base(), 'utf8');
    const at = good.indexOf('Acme');
    const bytes = Buffer.concat([good.subarray(0, at), Buffer.from([0xc3, 0x28]), good.subarray(at)]);
    const f = new FormData();
    f.append('ParameterRequest', new Blob([JSON.stringify({ documentName: 'Sync.Invoice' })], { type: 'application/json' }), 'ParameterRequest.json');
    f.append('MessagePayload', new Blob([bytes], { type: 'application/octet-stream' }), 'MessagePayload.xml');
    const response = await imsPost(f);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('BOD_ENCODING_INVALID');
  });

  test('card data in a BOD: refused with a ConfirmBOD naming BOD_CARD_DATA_REFUSED, only a masked copy kept', async () => {
    const bodId = '22222222-3333-4444-8555-666666666666';
    const xml = base()
      .replace('6f1d3c2a-9b7e-4c1a-8d55-0e2f4a9b1c77', bodId)
      .replace('<Name>Acme Supply Co &amp; Sons</Name>', '<Name>Acme</Name><CreditCard><Number>4242424242424242</Number><CSC>123</CSC></CreditCard>');
    const response = await imsPost(form(xml));
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('BOD_CARD_DATA_REFUSED');
    expect(problem.detail).not.toContain('4242424242424242');
    const row = await eventually(async () => (await inbox({ source: 'ion', error_code: 'BOD_CARD_DATA_REFUSED' }).andWhere('status', 'rejected').first()) ?? undefined, 15_000, 'refused row');
    expect(row.payload.xml).not.toContain('4242424242424242');
    expect(row.payload.xml).not.toMatch(/<CSC>123</);
    expect(row.payload.xml).toContain('<Number>[CARD ****4242]</Number><CSC>[REDACTED]</CSC>');
    expect(row.dedupe_key).toMatch(/^refused:sha256:/);
    const confirm = await eventually(async () => (await hubMessages()).find((m) => m.documentName === 'Confirm.BOD' && m.payload.includes(bodId)), 15_000, 'ConfirmBOD');
    expect(parseBod(confirm.payload).model).toMatchObject({ outcome: 'Rejected', original: { bodId }, messages: [{ reasonCode: 'BOD_CARD_DATA_REFUSED' }] });
    // nothing else of the document went anywhere
    expect(await gw.database.db('payments').where('reference', 'like', `%${bodId}%`).first()).toBeUndefined();
    expect(JSON.stringify(gw.logs)).not.toContain('4242424242424242');
  });

  test('a 10 MB body: 413, and the start of it is kept', async () => {
    const xml = base().replace('<DataArea>', `<DataArea><!--${'x'.repeat(10 * 1024 * 1024)}-->`);
    const response = await imsPost(form(xml));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe('BOD_TOO_LARGE');
    const row = await inbox({ source: 'ion', error_code: 'BOD_TOO_LARGE' }).first();
    expect(row?.status).toBe('rejected');
    expect(row?.payload.refused).toMatchObject({ complete: false });
    expect(row?.payload.xml.startsWith('<?xml')).toBe(true);
  });

  test('the hub sees the refusal as a failed delivery (it keeps the document for redelivery)', async () => {
    const result = await push('Sync.Invoice', base().replace('http://schema.infor.com/InforOAGIS/2', 'urn:hub-wrong'));
    expect(result.status).toBe('failed');
    expect(result.lastError).toMatch(/HTTP 400/);
  });

  test('a request without the MessagePayload part', async () => {
    const f = new FormData();
    f.append('ParameterRequest', new Blob(['{}'], { type: 'application/json' }));
    const response = await imsPost(f);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('IMS_PART_MISSING');
  });
});

describe('IMS authentication', () => {
  test('no token → 401', async () => {
    const response = await imsPost(form('<x/>'), null);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('INFOR_TOKEN_MISSING');
  });

  test("a user's ID token (audience = a web client) → 401", async () => {
    const { idToken } = await signInAsUser(fx.sim, 'admin');
    const response = await imsPost(form('<x/>'), idToken);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'INFOR_TOKEN_INVALID', reason: 'for another audience' });
  });

  test('a forged token → 401', async () => {
    const token = await fx.tokens().getAccessToken();
    const [h, p] = token.split('.') as [string, string];
    const response = await imsPost(form('<x/>'), `${h}.${p}.${Buffer.from('forged').toString('base64url')}`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('INFOR_TOKEN_INVALID');
  });
});

test('gateway → hub: IonClient.sendBod posts ParameterRequest + MessagePayload, ION keeps it', async () => {
  const xml = readFileSync(path.join(SAMPLES, 'Sync.MyPTPayment.xml'), 'utf8');
  const sent = await gw.services.infor!.ion.sendBod({ documentName: 'Sync.MyPTPayment', xml, messageId: '0d5c7e2b-3f91-4a8c-b6e4-1a2b3c4d5e6f', accountingEntity: '100_AAA', documentId: 'pay_01JD8X4Q2M6T' });
  expect(sent.status).toBe(201);
  const message = (await hubMessages()).find((m) => m.documentName === 'Sync.MyPTPayment');
  expect(message).toBeDefined();
  expect(message!.payload).toBe(xml);
  expect(message!.parameterRequest).toMatchObject({ messageId: sent.messageId, fromLogicalId: 'lid://infor.ims.m3paytrace', toLogicalId: 'lid://default', accountingEntity: '100_AAA' });
  expect(gw.services.connectors.snapshot().ion!.status).toBe('ok');
});
