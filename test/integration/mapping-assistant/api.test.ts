import { readFileSync } from 'node:fs';
import { adminModule } from '../../../gateway/src/admin/module';
import type { DetailedSuggestionResult } from '../../../gateway/src/mapping-assistant/types';
import { startStack, type Stack } from '../../helpers/stack';
import { adminCall, sessionWithRoles, type SignedIn } from '../admin/sign-in';

/**
 * The mapping assistant's admin API on a real gateway, real PostgreSQL and the Infor simulator
 * (M3 metadata from MRS001MI): suggestions, accept/reject stored per tenant, and the ranking they
 * change; roles, CSRF and bad input.
 */
let stack: Stack;
let url: string;
let admin: SignedIn;
let operator: SignedIn;
let viewer: SignedIn;
const BASE = '/admin/api/mapping-assistant';
const event = JSON.parse(readFileSync('mappings/ground-truth/samples/storefront-order-paid.json', 'utf8')) as unknown;

beforeAll(async () => {
  stack = await startStack({ modules: [adminModule()], config: { admin: { alerts: { enabled: false } } } });
  url = stack.gateway.url;
  const db = stack.gateway.services.db;
  [admin, operator, viewer] = await Promise.all([sessionWithRoles(db, ['admin']), sessionWithRoles(db, ['operator']), sessionWithRoles(db, ['viewer'])]);
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const suggestFor = async (who: SignedIn, body: unknown) => adminCall(url, who, 'POST', `${BASE}/suggest`, body);
const field = (r: DetailedSuggestionResult, name: string) => r.fields.find((f) => f.field === name)!;

it('suggests for an M3 transaction read from MRS001MI, with confidence, reason, JSONata and its preview', async () => {
  const res = await suggestFor(operator, { target: 'm3:CRS610MI/Add', sample: event });
  expect(res.status).toBe(200);
  const result = res.json as unknown as DetailedSuggestionResult;
  expect(result).toMatchObject({ target: 'm3:CRS610MI/Add', title: 'Create a new customer record', tenant: 'M3PT_TST' });
  expect(result.fields.map((f) => f.field)).toEqual(expect.arrayContaining(['CUNO', 'CUNM', 'CUA1', 'FACI'].filter((f) => f !== 'FACI').concat(['RASN'])));
  const mail = field(result, 'MAIL');
  expect(mail.candidates[0]).toMatchObject({ source: 'data.customer.email', preview: 'ap@harborpointmarine.com' });
  expect(mail.candidates[0]!.reason).toMatch(/^MAIL ≈ 'e-mail address' ← data\.customer\.email: /);
  expect(field(result, 'RASN')).toMatchObject({ abstained: true, candidates: [] });
});

it('learns from use: a rejected suggestion is ranked down, an accepted one up — stored per tenant in PostgreSQL', async () => {
  const sample = { customer: { company: 'Harbor Point Marine Supply', contact: { name: 'Dana Whitfield' } } };
  const ask = async () => (await suggestFor(operator, { target: 'm3:CRS610MI/ChgBasicData', sample, fields: ['CUNM'] })).json as unknown as DetailedSuggestionResult;
  const before = await ask();
  const ranked = (r: DetailedSuggestionResult) => field(r, 'CUNM').candidates.map((c) => c.path);
  const first = ranked(before)[0];
  // the operator may not teach; the admin does
  expect((await adminCall(url, operator, 'POST', `${BASE}/reject`, { target: 'm3:CRS610MI/ChgBasicData', decisions: [{ field: 'CUNM', source: 'customer.contact.name', path: 'customer.contact.name' }] })).status).toBe(403);
  const rejected = await adminCall(url, admin, 'POST', `${BASE}/reject`, { target: 'm3:CRS610MI/ChgBasicData', decisions: [{ field: 'CUNM', source: 'customer.contact.name', path: 'customer.contact.name' }] });
  expect(rejected).toMatchObject({ status: 200, json: { decision: 'rejected', recorded: 1, tenant: 'M3PT_TST' } });
  const accepted = await adminCall(url, admin, 'POST', `${BASE}/accept`, { target: 'm3:CRS610MI/ChgBasicData', decisions: [{ field: 'CUNM', source: 'customer.company', path: 'customer.company' }], reason: 'CRM company is the M3 customer name' });
  expect(accepted.status).toBe(200);
  const after = await ask();
  const top = field(after, 'CUNM').candidates[0]!;
  expect(top).toMatchObject({ path: 'customer.company', autoApply: true });
  expect(top.reason).toMatch(/accepted 1× in this tenant/);
  expect(ranked(after).indexOf('customer.contact.name')).not.toBe(0);
  if (first === 'customer.company') expect(top.confidence).toBeGreaterThan(field(before, 'CUNM').candidates[0]!.confidence);
  // the same M3 field in another transaction learns too, at a discount
  const elsewhere = (await suggestFor(operator, { target: 'm3:CRS610MI/Add', sample, fields: ['CUNM'] })).json as unknown as DetailedSuggestionResult;
  expect(field(elsewhere, 'CUNM').candidates[0]).toMatchObject({ path: 'customer.company' });
  expect(field(elsewhere, 'CUNM').candidates[0]!.reason).toMatch(/accepted 1× for CUNM elsewhere/);
  const rows = await stack.gateway.services.db('mapping_feedback').where({ tenant: 'M3PT_TST', field: 'CUNM' }).orderBy('id');
  expect(rows.map((r: { decision: string; path: string; actor: string }) => [r.decision, r.path, r.actor])).toEqual([
    ['rejected', 'customer.contact.name', 'operator:test-admin'],
    ['accepted', 'customer.company', 'operator:test-admin'],
  ]);
  const audit = await stack.gateway.services.db('audit_log').where({ action: 'mapping.suggestion.accepted' });
  expect(audit).toHaveLength(1);
  const listed = await adminCall(url, admin, 'GET', `${BASE}/feedback`);
  expect((listed.json.decisions as unknown[]).length).toBe(2);
});

it('PayTrace and BOD targets; money/currency/card fields are flagged and never auto-applied', async () => {
  const sale = (await suggestFor(operator, { target: 'paytrace:sale/by_customer', sample: { invoice: { open_amount: '1249.50' }, customer: { vault_id: 'C20417', email: 'ap@x.example' } } })).json as unknown as DetailedSuggestionResult;
  expect(field(sale, 'amount')).toMatchObject({ confirmRequired: 'money' });
  for (const c of field(sale, 'amount').candidates) expect(c.autoApply).toBe(false);
  const bod = await suggestFor(operator, { target: 'bod:MyPTRefundRequest', sample: { transactionId: 418823301, refund: { amount: '10.00', currency: 'USD' } } });
  expect(bod.status).toBe(200);
  expect(field(bod.json as unknown as DetailedSuggestionResult, 'Amount/@currencyID')).toMatchObject({ confirmRequired: 'currency' });
});

it('bad input gets a clear 4xx, never a 500', async () => {
  expect(await suggestFor(operator, { target: 'm3:NOPE99MI/Nothing', sample: {} })).toMatchObject({ status: 404, json: { code: 'MAPPING_TARGET_NOT_FOUND' } });
  expect(await suggestFor(operator, { target: 'ftp:somewhere', sample: {} })).toMatchObject({ status: 400, json: { code: 'ADMIN_BAD_REQUEST' } });
  expect(await suggestFor(operator, { target: 'paytrace:no/such', sample: {} })).toMatchObject({ status: 404 });
  expect(await suggestFor(operator, { target: 'bod:CustomerPartyMaster', sample: 'text' })).toMatchObject({ status: 400 });
  let deep: Record<string, unknown> = { x: 1 };
  for (let i = 0; i < 30; i++) deep = { d: deep };
  expect(await suggestFor(operator, { target: 'bod:CustomerPartyMaster', sample: deep })).toMatchObject({ status: 400, json: { code: 'MAPPING_SAMPLE_TOO_DEEP' } });
  const badExpression = await adminCall(url, admin, 'POST', `${BASE}/accept`, { target: 'paytrace:void', decisions: [{ field: 'transaction_id', source: 'payment.(' }] });
  expect(badExpression).toMatchObject({ status: 400, json: { code: 'MAPPING_EXPRESSION_INVALID' } });
  const unknownField = await adminCall(url, admin, 'POST', `${BASE}/accept`, { target: 'paytrace:void', decisions: [{ field: 'amount', source: 'x' }] });
  expect(unknownField).toMatchObject({ status: 400, json: { code: 'MAPPING_FIELD_UNKNOWN' } });
  expect((await stack.gateway.services.db('mapping_feedback').where({ target: 'paytrace:void' })).length).toBe(0);
});

it('roles and CSRF: viewers may not ask, a POST without the CSRF token is refused', async () => {
  expect(await suggestFor(viewer, { target: 'paytrace:void', sample: {} })).toMatchObject({ status: 403, json: { code: 'ADMIN_FORBIDDEN' } });
  const noToken = await adminCall(url, { ...operator, csrfToken: '' }, 'POST', `${BASE}/suggest`, { target: 'paytrace:void', sample: {} }, { 'x-csrf-token': '' });
  expect(noToken).toMatchObject({ status: 403, json: { code: 'ADMIN_CSRF' } });
  expect((await adminCall(url, undefined, 'POST', `${BASE}/suggest`, {})).status).toBe(401);
});
