/**
 * Every BOD that crosses ION in a running product validates against our XSDs in ion-bods/ — the
 * schemas an ION admin loads into the Data Catalog, so a schema that refuses them would make ION
 * refuse real traffic:
 *  - what the simulator pushes as M3 (Sync.Invoice, Sync.CustomerPartyMaster, modelled on real M3
 *    BODs: FiscalYear, PaymentTerm/Term, listID attributes, Address@type, PaymentMethodCode, …);
 *  - what the gateway emits (Sync.MyPTPayment for a payment and its void, Confirm.BOD accepting one
 *    document and rejecting another), each with the versionID of its sample.
 * Validated with libxml2's xmllint (from npm, test/helpers/xsd.ts), as test/unit/infor/ion-bods.test.ts does for the samples.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getPayment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { handOverChargedInvoice, simJson, type Stack, startStack } from '../../helpers/stack';
import { validateAgainstXsd } from '../../helpers/xsd';

const ROOT = path.resolve(__dirname, '..', '..', '..', 'ion-bods');
const catalog = JSON.parse(readFileSync(path.join(ROOT, 'catalog.json'), 'utf8')) as { documents: Array<{ documentName: string; schema: string; sample: string }> };
const entryOf = (documentName: string) => catalog.documents.find((d) => d.documentName === documentName);


const rootVersion = (xml: string) => /^(?:<\?xml[^>]*\?>\s*)?<\w+[^>]*\sversionID="([^"]+)"/.exec(xml)?.[1];

interface Document {
  documentName: string;
  xml: string;
}

let stack: Stack;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bods-validate-'));
  stack = await startStack({ config: { queue: { retryLimit: 2, retryDelaySeconds: 0 } } });
});
afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** an MI call as any M3 client makes it, through the ION API with the .ionapi service account */
async function m3(path: string, fields: Record<string, string>): Promise<void> {
  const i = stack.infor.ionapi;
  const token = await fetch(i.pu + i.ot, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: i.saak, password: i.sask, client_id: i.ci, client_secret: i.cs }),
  });
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const res = await fetch(`${i.iu}/${i.ti}/M3/m3api-rest/v2/execute/${path}?${new URLSearchParams(fields).toString()}`, { headers: { authorization: `Bearer ${accessToken}` } });
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
}

async function expectValid(doc: Document, index: number): Promise<void> {
  const entry = entryOf(doc.documentName);
  if (!entry) throw new Error(`${doc.documentName} has no schema in ion-bods/catalog.json`);
  const [verdict] = await validateAgainstXsd(entry.schema, [{ name: `${index}-${doc.documentName}.xml`, xml: doc.xml }]);
  if (!verdict?.valid) throw new Error(`${doc.documentName} fails its XSD ${entry.schema}:\n${verdict?.errors.join('\n')}\n${doc.xml}`);
}

test('every BOD the simulator pushes as M3 validates against our XSDs', async () => {
  // M3 publishes Sync.Invoice for a new invoice and Sync.CustomerPartyMaster when CRS610 changes a customer
  await simJson(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10001', amount: '318.40', orno: '1000000001' } });
  await simJson(stack.infor.url, '/_sim/m3/invoices', { body: { cuno: 'C10003', amount: '99.00', currency: 'EUR' } });
  await m3('CRS610MI/ChgBasicData', { CUNO: 'C10002', CUNM: 'Globex Retail & Sons <TX>' });
  await m3('CRS610MI/Add', { CUTM: 'TEMPLATE', CUNM: 'New Web Shopper', CUA1: '1 Elm Street', TOWN: 'Portland', PONO: '97201', CSCD: 'US' });
  await stack.infor.ionIdle();
  const { ion } = await simJson<{ ion: { outbox: Document[] } }>(stack.infor.url, '/_sim/state');
  const pushed = ion.outbox.filter((d) => d.documentName === 'Sync.Invoice' || d.documentName === 'Sync.CustomerPartyMaster');
  expect(pushed.map((d) => d.documentName).sort()).toEqual(['Sync.CustomerPartyMaster', 'Sync.CustomerPartyMaster', 'Sync.Invoice', 'Sync.Invoice']);
  // the constructs real M3 BODs carry and our schemas used to refuse are really there
  const xml = pushed.map((d) => d.xml).join('\n');
  for (const construct of ['<FiscalYear>', '<Term>', 'PaymentMethodCode listID=', 'Address type="text"', 'CountryCode listID=', 'PaymentTermCode listID=', '&amp;']) expect(xml).toContain(construct);
  for (const [i, d] of pushed.entries()) await expectValid(d, i);
});

test('every BOD the gateway emits validates against our XSDs and carries the versionID of its sample', async () => {
  // a pay-page charge handed to flow 2: M3 receipt, GL, and Sync.MyPTPayment to ION
  const payment = await handOverChargedInvoice(stack, { ivno: '200005', cuno: 'C10002', amount: '75.50' });
  await eventually(async () => (await getPayment(stack.gateway.services.db, payment.id))?.status === 'completed', 20_000, 'payment completed');

  // M3 asks for its refund (ConfirmationCode Always): the gateway confirms the document and voids the unsettled sale
  const request = readFileSync(path.join(ROOT, 'samples/Process.MyPTRefundRequest.xml'), 'utf8')
    .replace('<BODID>c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e0f</BODID>', '<BODID>6a1d2c0e-7b3f-4e55-9c1d-0f2e3a4b5c6d</BODID>')
    .replace('<OriginalTransactionID>1184212</OriginalTransactionID>', `<OriginalTransactionID>${payment.paytrace_transaction_id}</OriginalTransactionID>`)
    .replace('<Amount currencyID="USD">149.99</Amount>', '<Amount currencyID="USD">75.50</Amount>');
  await simJson(stack.infor.url, '/_sim/ion/push', { body: { documentName: 'Process.MyPTRefundRequest', xml: request } });

  // a document the gateway has no handler for (ConfirmationCode OnError): rejected with a ConfirmBOD
  const purchaseOrder = `<?xml version="1.0" encoding="UTF-8"?>
<SyncPurchaseOrder xmlns="http://schema.infor.com/InforOAGIS/2" releaseID="9.2" versionID="2.14.3">
  <ApplicationArea><Sender><LogicalID>lid://infor.m3.m3</LogicalID><ComponentID>M3BE</ComponentID><ConfirmationCode>OnError</ConfirmationCode></Sender>
    <CreationDateTime>2026-03-10T09:33:09.770Z</CreationDateTime><BODID>0b61d005-7e42-41e8-bf47-13039b8bd10d</BODID></ApplicationArea>
  <DataArea><Sync><AccountingEntityID>100_AAA</AccountingEntityID><ActionCriteria><ActionExpression actionCode="Replace"/></ActionCriteria></Sync>
    <PurchaseOrder><PurchaseOrderHeader><DocumentID><ID accountingEntity="100_AAA">4000001</ID></DocumentID></PurchaseOrderHeader></PurchaseOrder></DataArea>
</SyncPurchaseOrder>`;
  await simJson(stack.infor.url, '/_sim/ion/push', { body: { documentName: 'Sync.PurchaseOrder', xml: purchaseOrder } });

  const emitted = await eventually(async () => {
    const { messages } = await simJson<{ messages: Array<{ documentName: string; payload: string }> }>(stack.infor.url, '/_sim/ion/messages');
    const docs = messages.map((m) => ({ documentName: m.documentName, xml: m.payload }));
    const payments = docs.filter((d) => d.documentName === 'Sync.MyPTPayment');
    const confirms = docs.filter((d) => d.documentName === 'Confirm.BOD');
    // the refund request's success and the purchase order's refusal (earlier tests' documents may be refused too)
    const confirmed = confirms.some((d) => d.xml.includes('BODSuccessMessage')) && confirms.some((d) => d.xml.includes('Sync.PurchaseOrder'));
    return payments.length >= 2 && confirmed ? docs : undefined;
  }, 30_000, 'a payment and a void announced, one document accepted and one rejected');

  const payments = emitted.filter((d) => d.documentName === 'Sync.MyPTPayment');
  expect(payments.map((d) => /<Status>\s*<Code>(\w+)<\/Code>/.exec(d.xml)?.[1])).toEqual(expect.arrayContaining(['Voided']));
  const confirms = emitted.filter((d) => d.documentName === 'Confirm.BOD').map((d) => d.xml).join('\n');
  expect(confirms).toContain('BODSuccessMessage');
  expect(confirms).toContain('BODFailureMessage');
  expect(new Set(emitted.map((d) => d.documentName))).toEqual(new Set(['Sync.MyPTPayment', 'Confirm.BOD']));
  for (const [i, d] of emitted.entries()) await expectValid(d, i + 100);
  for (const doc of emitted) {
    const sampleVersion = rootVersion(readFileSync(path.join(ROOT, entryOf(doc.documentName)!.sample), 'utf8'));
    const version = rootVersion(doc.xml);
    expect(version).toEqual(expect.any(String));
    if (sampleVersion) expect(version).toBe(sampleVersion);
  }
});
