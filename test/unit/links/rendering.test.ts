import { buildConfig } from '../../../gateway/src/config';
import { renderLinkEmail } from '../../../gateway/src/links/email';
import type { LinkRow } from '../../../gateway/src/links/link-store';
import { chargeRequestSchema } from '../../../gateway/src/links/pay-service';
import { displayAmount, displayDate, escapeHtml, messagePage, payPage } from '../../../gateway/src/links/pay-page';

const link = (over: Partial<LinkRow> = {}): LinkRow => ({
  id: 'abcdefghijklmnopqrstuv',
  cono: 100,
  divi: 'AAA',
  ivno: '200001',
  yea4: 2026,
  orno: null,
  cuno: 'C10001',
  customer_name: 'Northwind <Traders> & "Co"',
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

  it('escapes everything that comes from M3 or the request', () => {
    expect(escapeHtml(`<script>alert('x')</script>&"`)).toBe('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;');
    const html = payPage({ link: link({ ivno: '<img src=x onerror=alert(1)>' }), token: 'tok"en', merchant: 'Acme <b>', protectScriptUrl: 'https://protect.paytrace.com/js/protect.min.js', clientKey: 'key"><script>' });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>');
    expect(html).toContain('data-client-key="key&quot;&gt;&lt;script&gt;"');
    expect(html).toContain('Northwind &lt;Traders&gt; &amp; &quot;Co&quot;');
    expect(html.match(/<script/g)).toHaveLength(2); // Protect and our own file, no inline script
    expect(html).toContain('<label for="zip">ZIP code</label>');
    expect(messagePage({ merchant: 'M', title: 'T<', message: 'x&y', kind: 'closed' })).toContain('<h1>T&lt;</h1>');
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
    expect(missing.success ? [] : missing.error.issues.map((i) => i.message)).toEqual(['enter the cardholder name', 'enter the billing ZIP code']);
  });
});
