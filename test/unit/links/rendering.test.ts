import { buildConfig } from '../../../gateway/src/config';
import { addressFormRules, checkBillingAddress } from '../../../gateway/src/links/billing-address';
import { renderLinkEmail, renderReceiptEmail } from '../../../gateway/src/links/email';
import type { LinkRow } from '../../../gateway/src/links/link-store';
import { chargeRequestSchema } from '../../../gateway/src/links/pay-service';
import { closedPage, contactBlock, displayAmount, displayDate, escapeHtml, messagePage, payPage, receiptSection, type Merchant } from '../../../gateway/src/links/pay-page';
import { displayInstant } from '../../../gateway/src/links/receipt';
import { shippedRules } from '../domain/helpers';

const link = (over: Partial<LinkRow> = {}): LinkRow => ({
  id: 'abcdefghijklmnopqrstuv',
  cono: 100,
  divi: 'AAA',
  ivno: '200001',
  yea4: 2026,
  orno: null,
  cuno: 'C10001',
  customer_name: 'Northwind <Traders> & "Co"',
  customer_email: 'ap@northwind.example',
  amount: '1234567.50',
  currency: 'USD',
  due_date: '20260214',
  status: 'open',
  status_reason: null,
  expires_at: new Date('2026-12-10T09:00:00Z'),
  attempts: 0,
  charging_attempt: null,
  charging_since: null,
  paid_payment_id: null,
  created_by: 'tester',
  created_at: new Date('2026-11-26T09:00:00Z'),
  updated_at: new Date('2026-11-26T09:00:00Z'),
  ...over,
});

describe('pay page and e-mail rendering', () => {
  it('formats exact amounts and M3 dates for people', () => {
    expect(displayAmount('1234567.50', 'USD')).toBe('$1,234,567.50');
    expect(displayAmount('0.29', 'USD')).toBe('$0.29');
    expect(displayAmount('999.00', 'USD')).toBe('$999.00');
    expect(displayAmount('12.5', 'EUR')).toBe('EUR 12.50');
    expect(displayDate('20260214')).toBe('Feb 14, 2026');
    expect(displayDate('garbage')).toBe('garbage');
  });

  const merchant = (over: Partial<Merchant> = {}): Merchant => ({ merchantName: 'Acme <b>', supportContact: 'your account manager', timeZone: 'America/Chicago', ...over });

  it('escapes everything that comes from M3 or the request, and hands the script data that cannot run', async () => {
    expect(escapeHtml(`<script>alert('x')</script>&"`)).toBe('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;');
    const address = addressFormRules((await shippedRules()).address);
    const html = payPage({ link: link({ ivno: '<img src=x onerror=alert(1)>' }), token: 'tok"en', merchant: merchant(), protectScriptUrl: 'https://protect.paytrace.com/js/protect.min.js', address, cardMessages: { '35': '</script><script>alert(1)</script>' }, protectKeyMaxAgeSeconds: 600 });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>');
    expect(html).toContain('data-token="tok&quot;en"');
    expect(html).toContain('Northwind &lt;Traders&gt; &amp; &quot;Co&quot;');
    expect(html.match(/<script src=/g)).toHaveLength(2); // Protect and our own file
    expect(html.match(/<script/g)).toHaveLength(3); // and one JSON block, which a browser never runs
    expect(html).toContain('<script type="application/json" id="page-data">');
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)');
    expect(html).toContain('<label for="zip" id="zip-label">ZIP code</label>');
    expect(html).toContain('<option value="US" selected>United States of America</option>');
    expect(html).toContain('<option value="WA">Washington</option>');
    for (const id of ['name', 'street', 'country', 'city', 'state', 'zip', 'card']) expect(html).toContain(`<p class="field-error" id="${id}-error" hidden></p>`);
    expect(messagePage({ merchant: merchant(), title: 'T<', message: 'x&y', kind: 'invalid' })).toContain('<h1 id="title">T&lt;</h1>');
  });

  it('says how to reach the merchant: e-mail and phone as links when configured, else who to ask', () => {
    expect(contactBlock(merchant({ merchantName: 'Northwind Supply Co.' }))).toBe('<p class="contact" id="contact">Questions about this invoice? Contact your account manager at Northwind Supply Co.</p>');
    const both = contactBlock(merchant({ merchantName: 'Northwind', supportEmail: 'ar@northwind.example', supportPhone: '+1 (509) 555-0100' }));
    expect(both).toContain('<a href="mailto:ar@northwind.example">ar@northwind.example</a>');
    expect(both).toContain('<a href="tel:+15095550100">+1 (509) 555-0100</a>');
    const closed = closedPage({ merchant: merchant(), link: link({ status: 'expired' }), token: 't', kind: 'expired', message: 'gone', emailPrefill: 'a"@b.example' });
    expect(closed).toContain('<h1 id="title">This payment link has expired</h1>');
    expect(closed).toContain('value="a&quot;@b.example"');
    expect(closed).toContain('Send me a new link');
  });

  it('renders receipts with the time in a named zone, the card by brand and last four, never more of it', () => {
    expect(displayInstant('2026-12-04T16:15:00.000Z', 'America/Chicago')).toBe('Dec 4, 2026, 10:15 AM CST');
    expect(displayInstant('2026-07-04T16:15:00.000Z', 'UTC')).toBe('Jul 4, 2026, 4:15 PM UTC');
    const receipt = { invoice: '200001', customerName: null, amount: '1250.00', currency: 'USD', paidAt: '2026-12-04T16:15:00.000Z', reference: 'PL-x-1', transactionId: '1000001', card: { brand: 'Visa', last4: '5439' } };
    const section = receiptSection(receipt, merchant(), 'ap@x.example');
    expect(section).toContain('$1,250.00 USD');
    expect(section).toContain('<time id="receipt-time" datetime="2026-12-04T16:15:00.000Z">Dec 4, 2026, 10:15 AM CST</time>');
    expect(section).toContain('Visa ending in 5439');
    const mail = renderReceiptEmail(buildConfig({ links: { merchantName: 'Northwind', timeZone: 'America/Chicago' } }), receipt, 'ap@x.example');
    expect(mail.text).toContain('Paid on: Dec 4, 2026, 10:15 AM CST');
    expect(mail.text).toContain('Card: Visa ending in 5439');
  });

  it('checks a billing address with the address rules: known country, region codes, postal format per country', async () => {
    const rules = (await shippedRules()).address;
    expect(checkBillingAddress(rules, { name: 'P', zip: '99201-1234', state: 'wa', country: 'us' })).toEqual({ address: { name: 'P', zip: '99201-1234', state: 'WA', country: 'US' }, problems: [] });
    expect(checkBillingAddress(rules, { name: 'P', zip: '12', country: 'CA', state: 'Ontario' }).problems).toEqual([{ field: 'zip', message: '12 is not a valid Postal code for Canada.' }]);
    expect(checkBillingAddress(rules, { name: 'P', zip: '10117', country: 'DE' }).problems).toEqual([]); // no region table, free format
    expect(checkBillingAddress(rules, { name: 'P', zip: '10117', country: 'ZZ' }).problems).toEqual([{ field: 'country', message: 'Choose the country of the billing address.' }]);
    expect(checkBillingAddress(rules, { name: 'P', zip: '99201', country: 'US' }).problems).toEqual([{ field: 'state', message: 'Choose the state of the billing address.' }]);
  });

  it('renders the link e-mail as HTML and text with the same facts', () => {
    const config = buildConfig({ links: { merchantName: 'Northwind Supply Co.', supportContact: 'ar@northwind.example' } });
    const url = 'https://pay.example.com/pay/abcdefghijklmnopqrstuv.SIGNATURESIGNATURESIGN';
    const mail = renderLinkEmail(config, link(), url, 'ap@customer.example');
    expect(mail.subject).toBe('Invoice 200001 from Northwind Supply Co.: $1,234,567.50 to pay');
    expect(mail.to).toBe('ap@customer.example');
    for (const fact of ['200001', '$1,234,567.50', 'Feb 14, 2026', 'Dec 10, 2026', 'ar@northwind.example']) expect(mail.text).toContain(fact);
    expect(mail.text).toContain(`\n${url}\n`);
    expect(mail.html).toContain(`href="${url}"`);
    expect(mail.html).toContain('Dear Northwind &lt;Traders&gt; &amp; &quot;Co&quot;,');
  });

  it('accepts Protect tokens and an address, never card fields', () => {
    const ok = chargeRequestSchema.safeParse({ hpfToken: 'a'.repeat(36), encKey: 'b'.repeat(44), billingAddress: { name: 'Pat', zip: '99201' } });
    expect(ok.success && ok.data.billingAddress.country).toBe('US');
    expect(chargeRequestSchema.safeParse({ hpfToken: 'a'.repeat(36), encKey: 'b'.repeat(44), cardNumber: '4012000098765439', billingAddress: { name: 'Pat', zip: '99201' } }).success).toBe(false);
    expect(chargeRequestSchema.safeParse({ hpfToken: 'a'.repeat(36), encKey: 'b'.repeat(44), billingAddress: { name: 'Pat', zip: '99201', csc: '999' } }).success).toBe(false);
    const missing = chargeRequestSchema.safeParse({ hpfToken: 'a'.repeat(36), encKey: 'b'.repeat(44), billingAddress: { name: '', zip: '' } });
    expect(missing.success ? [] : missing.error.issues.map((i) => i.message)).toEqual(['Enter the name on the card.', 'Enter the billing ZIP or postal code.']);
    expect(chargeRequestSchema.safeParse({ method: 'ach', hpfToken: 'a'.repeat(36), encKey: 'b'.repeat(44), billingAddress: { name: 'Pat', zip: '99201' } }).success).toBe(false); // not yet: the ACH seam
  });
});
