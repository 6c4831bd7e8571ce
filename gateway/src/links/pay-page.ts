import type { Config } from '../config';
import type { PayerField } from '../domain/status-map';
import type { AddressFormRules } from './billing-address';
import type { LinkRow } from './link-store';
import { isoDate } from './link-service';
import { cardText, displayInstant, type Receipt } from './receipt';

/**
 * The customer's pages, rendered on the server with every value escaped. No inline script or
 * style (the CSP forbids them): behaviour is in /pay/assets/pay.js, looks in /pay/assets/pay.css,
 * and the page hands its data to the script through data- attributes and one JSON block that is
 * data, not script (type application/json, `<` escaped).
 *
 * The pay page is sent at once from the link row: the slow parts (M3's re-check of the invoice,
 * PayTrace's Protect key) are fetched by the page afterwards, while a skeleton shows where the
 * card fields will be and the Pay button says what it waits for.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** "Dec 10, 2026" from yyyyMMdd; the raw text when it is not a date. */
export function displayDate(m3Date: string | null): string {
  const iso = isoDate(m3Date);
  if (!iso) return m3Date ?? '';
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function displayAmount(amount: string, currency: string): string {
  // amount is exact decimal text; only the thousands separators are added
  const [whole, cents = '00'] = amount.split('.');
  return `${currency === 'USD' ? '$' : `${currency} `}${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents.padEnd(2, '0')}`;
}

/** What every page shows about the merchant: the name, the logo when configured, how to reach them. */
export type Merchant = Pick<Config['links'], 'merchantName' | 'merchantLogoUrl' | 'supportContact' | 'supportEmail' | 'supportPhone' | 'timeZone'>;

function layout(title: string, merchant: Merchant, body: string, extraHead = ''): string {
  const logo = merchant.merchantLogoUrl ? `<img class="logo" src="${escapeHtml(merchant.merchantLogoUrl)}" alt="" height="32">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ${escapeHtml(merchant.merchantName)}</title>
<link rel="stylesheet" href="/pay/assets/pay.css">
${extraHead}</head>
<body>
<header class="brand"><span class="merchant">${logo}<span>${escapeHtml(merchant.merchantName)}</span></span><span class="secure">Secure payment</span></header>
<main id="main">
${body}
</main>
<footer><p>Card details are entered in secure fields provided by PayTrace, the card processor; ${escapeHtml(merchant.merchantName)} never sees them.</p></footer>
</body>
</html>`;
}

/** How to reach the merchant: their e-mail and phone when configured, else who to ask. */
export function contactBlock(merchant: Merchant): string {
  const ways: string[] = [];
  if (merchant.supportEmail) ways.push(`<a href="mailto:${escapeHtml(merchant.supportEmail)}">${escapeHtml(merchant.supportEmail)}</a>`);
  if (merchant.supportPhone) ways.push(`<a href="tel:${escapeHtml(merchant.supportPhone.replace(/[^+\d]/g, ''))}">${escapeHtml(merchant.supportPhone)}</a>`);
  const who = ways.length ? `${escapeHtml(merchant.merchantName)}: ${ways.join(' · ')}` : `${escapeHtml(merchant.supportContact)} at ${escapeHtml(merchant.merchantName)}`;
  return `<p class="contact" id="contact">Questions about this invoice? Contact ${who}${who.endsWith('.') ? '' : '.'}</p>`;
}

function invoiceSummary(link: LinkRow, amountLabel = 'Amount due'): string {
  return `<dl class="invoice">
  <div><dt>Invoice</dt><dd id="invoice-number">${escapeHtml(link.ivno)}</dd></div>
  ${link.customer_name ? `<div><dt>Customer</dt><dd>${escapeHtml(link.customer_name)}</dd></div>` : ''}
  ${link.due_date ? `<div><dt>Due date</dt><dd id="due-date">${escapeHtml(displayDate(link.due_date))}</dd></div>` : ''}
  <div class="total"><dt>${escapeHtml(amountLabel)}</dt><dd id="amount">${escapeHtml(displayAmount(link.amount, link.currency))}</dd></div>
</dl>`;
}

/** Data for the script, as a JSON block the browser never runs. */
function pageData(data: unknown): string {
  return `<script type="application/json" id="page-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`;
}

export interface PayPageInput {
  link: LinkRow;
  token: string;
  merchant: Merchant;
  protectScriptUrl: string;
  address: AddressFormRules;
  /** the payer's words for Protect's field errors (status map error keys), by response code */
  cardMessages: Record<string, string>;
  protectKeyMaxAgeSeconds: number;
}

function field(name: PayerField | string, label: string, control: string, hint = ''): string {
  return `<div class="field" id="${name}-field"><label for="${name}" id="${name}-label">${escapeHtml(label)}</label>${hint}${control}<p class="field-error" id="${name}-error" hidden></p></div>`;
}

function input(name: string, autocomplete: string, extra = ''): string {
  return `<input id="${name}" name="${name}" autocomplete="${autocomplete}" ${extra}>`;
}

export function payPage(input_: PayPageInput): string {
  const { link, address } = input_;
  const labels = address.labels[address.defaultCountry] ?? address.labels.default!;
  const regions = address.regions[address.defaultCountry];
  const countryOptions = address.countries.map(([code, name]) => `<option value="${escapeHtml(code)}"${code === address.defaultCountry ? ' selected' : ''}>${escapeHtml(name)}</option>`).join('');
  const regionControl = regions
    ? `<select id="state" name="state" autocomplete="address-level1" data-country="${escapeHtml(address.defaultCountry)}"><option value="">Choose…</option>${regions.map(([code, name]) => `<option value="${escapeHtml(code)}">${escapeHtml(name)}</option>`).join('')}</select>`
    : input('state', 'address-level1', 'maxlength="50"');
  return layout(
    `Pay invoice ${link.ivno}`,
    input_.merchant,
    `<h1 id="title">Pay invoice ${escapeHtml(link.ivno)}</h1>
${invoiceSummary(link)}
<div id="notice" class="notice" role="status" aria-live="polite" hidden></div>
<form id="pay-form" novalidate aria-busy="true"
  data-token="${escapeHtml(input_.token)}"
  data-amount="${escapeHtml(link.amount)}"
  data-currency="${escapeHtml(link.currency)}"
  data-key-max-age="${input_.protectKeyMaxAgeSeconds}">
  <fieldset>
    <legend>Card</legend>
    <div id="pt_hpf_form" class="card-fields skeleton" tabindex="-1" role="group" aria-labelledby="card-label" aria-describedby="card-error">
      <span class="skeleton-line"></span><span class="skeleton-line short"></span><span class="skeleton-line"></span>
    </div>
    <span id="card-label" class="visually-hidden">Card number, expiry date and security code</span>
    <p class="field-error" id="card-error" hidden></p>
  </fieldset>
  <fieldset>
    <legend>Billing address</legend>
    ${field('name', 'Name on card', input('name', 'cc-name', 'required maxlength="50"'))}
    ${field('street', 'Street address', input('street', 'address-line1', 'required maxlength="50"'))}
    ${field('country', 'Country', `<select id="country" name="country" autocomplete="country">${countryOptions}</select>`)}
    <div class="row">
      ${field('city', 'City', input('city', 'address-level2', 'maxlength="50"'))}
      ${field('state', labels.region, regionControl)}
      ${field('zip', labels.postal, input('zip', 'postal-code', 'required maxlength="10"'))}
    </div>
  </fieldset>
  <div id="errors" class="errors" role="alert" tabindex="-1" hidden></div>
  <button id="pay-button" type="submit" disabled data-label="Pay ${escapeHtml(displayAmount(link.amount, link.currency))}">Checking your invoice…</button>
</form>
<section id="result" class="result" role="status" aria-live="polite" tabindex="-1" hidden></section>
${contactBlock(input_.merchant)}
${pageData({ address, cardMessages: input_.cardMessages })}
<script src="${escapeHtml(input_.protectScriptUrl)}"></script>
<script src="/pay/assets/pay.js"></script>`,
  );
}

/** The receipt section: on the paid page, and fetched by the pay page right after paying. */
export function receiptSection(receipt: Receipt, merchant: Merchant, emailPrefill: string | null): string {
  return `<section id="receipt" class="receipt" tabindex="-1" aria-labelledby="receipt-title">
<h2 id="receipt-title">Payment received. Thank you.</h2>
<dl class="invoice receipt-facts">
  <div class="total"><dt>Amount paid</dt><dd id="receipt-amount">${escapeHtml(displayAmount(receipt.amount, receipt.currency))} ${escapeHtml(receipt.currency)}</dd></div>
  <div><dt>Paid on</dt><dd><time id="receipt-time" datetime="${escapeHtml(receipt.paidAt)}">${escapeHtml(displayInstant(receipt.paidAt, merchant.timeZone))}</time></dd></div>
  <div><dt>Card</dt><dd id="receipt-card">${escapeHtml(cardText(receipt.card))}</dd></div>
  <div><dt>Invoice</dt><dd>${escapeHtml(receipt.invoice)}</dd></div>
  <div><dt>Reference</dt><dd id="receipt-reference">${escapeHtml(receipt.reference)}</dd></div>
  ${receipt.transactionId ? `<div><dt>PayTrace transaction</dt><dd>${escapeHtml(receipt.transactionId)}</dd></div>` : ''}
  <div><dt>Paid to</dt><dd>${escapeHtml(merchant.merchantName)}</dd></div>
</dl>
<p class="actions no-print"><button type="button" id="print-receipt" class="secondary">Print receipt</button></p>
<form id="receipt-email-form" class="no-print inline-form" novalidate>
  <div class="field"><label for="receipt-email">E-mail this receipt to</label><input id="receipt-email" name="email" type="email" autocomplete="email" maxlength="254" value="${escapeHtml(emailPrefill ?? '')}" aria-describedby="receipt-email-error"><p class="field-error" id="receipt-email-error" hidden></p></div>
  <button type="submit" class="secondary">Send receipt</button>
  <p id="receipt-email-status" class="form-status" role="status" aria-live="polite"></p>
</form>
</section>`;
}

/** The page of a paid link: the receipt, not the amount due. */
export function receiptPage(input: { merchant: Merchant; link: LinkRow; token: string; receipt: Receipt; emailPrefill: string | null }): string {
  return layout(
    `Invoice ${input.link.ivno} paid`,
    input.merchant,
    `<h1 id="title">Invoice paid</h1>
<div id="paid-page" data-token="${escapeHtml(input.token)}"></div>
${receiptSection(input.receipt, input.merchant, input.emailPrefill)}
${contactBlock(input.merchant)}
<script src="/pay/assets/pay.js"></script>`,
  );
}

export type ClosedKind = 'expired' | 'cancelled' | 'superseded';

const CLOSED_TITLES: Record<ClosedKind, string> = {
  expired: 'This payment link has expired',
  cancelled: 'This payment link was cancelled',
  superseded: 'This payment link was replaced',
};

/** An expired, cancelled or replaced link: says which, who to contact, and offers to ask for a new link. */
export function closedPage(input: { merchant: Merchant; link: LinkRow; token: string; kind: ClosedKind; message: string; emailPrefill: string | null; requested?: boolean }): string {
  return layout(
    CLOSED_TITLES[input.kind],
    input.merchant,
    `<h1 id="title">${escapeHtml(CLOSED_TITLES[input.kind])}</h1>
${invoiceSummary(input.link)}
<section id="result" class="result closed ${input.kind}" role="status" tabindex="-1"><p>${escapeHtml(input.message)}</p></section>
${newLinkForm(input.token, input.emailPrefill)}
${contactBlock(input.merchant)}
<script src="/pay/assets/pay.js"></script>`,
  );
}

function newLinkForm(token: string, emailPrefill: string | null): string {
  return `<form id="new-link-form" class="request" novalidate data-token="${escapeHtml(token)}">
  <h2>Ask for a new link</h2>
  <p>We will tell the team that sends invoices; they will send you a new payment link.</p>
  <div class="field"><label for="request-email">Send the new link to</label><input id="request-email" name="email" type="email" autocomplete="email" maxlength="254" value="${escapeHtml(emailPrefill ?? '')}" aria-describedby="request-email-error"><p class="field-error" id="request-email-error" hidden></p></div>
  <div class="field"><label for="request-note">Message (optional)</label><textarea id="request-note" name="note" maxlength="500" rows="2"></textarea></div>
  <button type="submit" id="new-link-button">Send me a new link</button>
  <p id="request-status" class="form-status" role="status" aria-live="polite"></p>
</form>`;
}

/** Invalid links, unavailable payments, a payment still being confirmed: a page that says so and what to do. */
export function messagePage(input: { merchant: Merchant; title: string; message: string; link?: LinkRow; kind: 'invalid' | 'unavailable' | 'confirming' }): string {
  return layout(
    input.title,
    input.merchant,
    `<h1 id="title">${escapeHtml(input.title)}</h1>
${input.link ? invoiceSummary(input.link) : ''}
<section id="result" class="result ${input.kind}" role="status" tabindex="-1"><p>${escapeHtml(input.message)}</p></section>
${contactBlock(input.merchant)}`,
  );
}
