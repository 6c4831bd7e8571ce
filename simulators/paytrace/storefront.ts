/**
 * The demo storefront of the sandbox: it charges PayTrace's documented test Visa at a PayTrace
 * simulator, as a real storefront would before it tells the gateway. Only for simulators (the card
 * is the simulator's own test card; the gateway never sees it).
 */
const TEST_CARD = { number: '4012000098765439', expiration_month: '12', expiration_year: '2030', csc: '999' };

export async function storefrontCharge(baseUrl: string, amount: string, invoiceId: string): Promise<number> {
  const tokenRes = await fetch(`${baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password&username=demo123&password=demo123' });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  const res = await fetch(`${baseUrl}/v1/transactions/sale/keyed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-integrator-id': '9TEST0000001' },
    body: JSON.stringify({ amount, credit_card: TEST_CARD, invoice_id: invoiceId, integrator_id: '9TEST0000001' }),
  });
  const body = (await res.json()) as { success?: boolean; transaction_id?: number; status_message?: string };
  if (!body.success || !body.transaction_id) throw new Error(`the demo storefront's charge failed: ${body.status_message ?? res.status}`);
  return body.transaction_id;
}
