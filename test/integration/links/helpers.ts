import { linkServiceOf } from '../../../gateway/src/links/link-service';
import type { Stack } from '../../helpers/stack';

export interface LinkJson {
  id: string;
  url: string;
  status: string;
  statusReason?: string;
  amount: string;
  currency: string;
  invoice: { company: number; division: string; number: string; year: number; order?: string };
  customer: { number: string; name?: string };
  dueDate?: string;
  expiresAt: string;
  reused?: boolean;
  qrCode?: string;
}

/** Call the gateway's API as the H5 script does through the ION API gateway: Infor OS bearer token. */
export async function api(stack: Stack, method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: Record<string, unknown> }> {
  const bearer = token === null ? undefined : (token ?? (await stack.gateway.services.infor!.tokens.getAccessToken()));
  const res = await fetch(`${stack.gateway.url}${path}`, {
    method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function createLink(stack: Stack, request: Record<string, unknown>): Promise<LinkJson> {
  const res = await api(stack, 'POST', '/api/payment-links', request);
  if (res.status !== 201 && res.status !== 200) throw new Error(`link not created: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.links as LinkJson[])[0]!;
}

/** A fresh open USD invoice in the M3 simulator (each test its own, so tests do not share state). */
export async function newInvoice(stack: Stack, amount: string, cuno = 'C10001', currency = 'USD'): Promise<{ ivno: string; yea4: number }> {
  const res = await fetch(`${stack.infor.url}/_sim/m3/invoices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cuno, amount, currency, dudt: '20261231' }) });
  if (res.status !== 201) throw new Error(`invoice not created: ${res.status} ${await res.text()}`);
  const inv = (await res.json()) as { ivno: number | string; yea4: number };
  return { ivno: String(inv.ivno), yea4: inv.yea4 };
}

export const tokenOf = (url: string) => new URL(url).pathname.split('/').pop()!;

/**
 * The pay page as a browser gets it, then what its script asks for next: the session (M3 re-check
 * and a Protect client key). Only a page with the pay form asks.
 */
export async function openPayPage(url: string): Promise<{ status: number; html: string; clientKey?: string; csp: string | null; session?: Record<string, unknown> }> {
  const res = await fetch(url);
  const html = await res.text();
  const session = html.includes('id="pay-form"') ? ((await (await fetch(`${url}/session`)).json()) as Record<string, unknown>) : undefined;
  const clientKey = typeof session?.clientKey === 'string' ? session.clientKey : undefined;
  return { status: res.status, html, clientKey, csp: res.headers.get('content-security-policy'), session };
}

/**
 * What PayTrace's card iframe does on process(): post the card to the simulator's own tokenize
 * endpoint (the card never goes to the gateway) and get single-use Protect tokens back.
 */
export async function protectTokens(stack: Stack, clientKey: string, card = '4012000098765439'): Promise<{ hpfToken: string; encKey: string }> {
  const res = await fetch(`${stack.paytrace.url}/protect/hpf/tokenize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientKey, number: card, expiration_month: '12', expiration_year: '2030', csc: '999' }),
  });
  const body = (await res.json()) as { message: { hpf_token: string; enc_key: string } };
  if (!res.ok) throw new Error(`tokenize failed: ${JSON.stringify(body)}`);
  return { hpfToken: body.message.hpf_token, encKey: body.message.enc_key };
}

export const billing = { name: 'Pat Payer', streetAddress: '1 Main St', city: 'Spokane', state: 'WA', zip: '99201', country: 'US' };

export async function charge(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/charge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Open the page, type the card into "the iframe", pay. */
export async function payLink(stack: Stack, url: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const page = await openPayPage(url);
  if (!page.clientKey) throw new Error(`no pay form (${page.status})`);
  const tokens = await protectTokens(stack, page.clientKey);
  return charge(url, { ...tokens, billingAddress: billing, ...extra });
}

export async function linkRow(stack: Stack, id: string) {
  const links = await linkServiceOf(stack.gateway.services);
  return links.current(id);
}

export async function saleCalls(stack: Stack): Promise<number> {
  const res = await fetch(`${stack.paytrace.url}/_sim/calls?path=${encodeURIComponent('pt_protect')}&limit=1000`);
  const body = (await res.json()) as { calls?: unknown[] } | unknown[];
  return (Array.isArray(body) ? body : (body.calls ?? [])).length;
}
