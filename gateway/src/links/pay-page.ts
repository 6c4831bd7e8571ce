import type { LinkRow } from './link-store';
import { isoDate } from './link-service';

/**
 * The customer's pages, rendered on the server with every value escaped. No inline script or
 * style (the CSP forbids them): behaviour is in /pay/assets/pay.js, looks in /pay/assets/pay.css,
 * and the page hands its data to the script through data- attributes.
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

function layout(title: string, merchant: string, body: string, extraHead = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ${escapeHtml(merchant)}</title>
<link rel="stylesheet" href="/pay/assets/pay.css">
${extraHead}</head>
<body>
<header class="brand"><span class="merchant">${escapeHtml(merchant)}</span><span class="secure" aria-label="Secure payment">Secure payment</span></header>
<main id="main">
${body}
</main>
<footer><p>Card details are entered in secure fields provided by PayTrace, the card processor; ${escapeHtml(merchant)} never sees them.</p></footer>
</body>
</html>`;
}

function invoiceSummary(link: LinkRow): string {
  return `<dl class="invoice">
  <div><dt>Invoice</dt><dd id="invoice-number">${escapeHtml(link.ivno)}</dd></div>
  ${link.customer_name ? `<div><dt>Customer</dt><dd>${escapeHtml(link.customer_name)}</dd></div>` : ''}
  ${link.due_date ? `<div><dt>Due date</dt><dd id="due-date">${escapeHtml(displayDate(link.due_date))}</dd></div>` : ''}
  <div class="total"><dt>Amount due</dt><dd id="amount">${escapeHtml(displayAmount(link.amount, link.currency))}</dd></div>
</dl>`;
}

export interface PayPageInput {
  link: LinkRow;
  token: string;
  merchant: string;
  protectScriptUrl: string;
  clientKey: string;
  /** a message to show above the form (e.g. an earlier attempt that did not go through) */
  notice?: string;
}

export function payPage(input: PayPageInput): string {
  const { link } = input;
  const state = (name: string, label: string, autocomplete: string, extra = '') =>
    `<label for="${name}">${label}</label><input id="${name}" name="${name}" autocomplete="${autocomplete}" ${extra}>`;
  return layout(
    `Pay invoice ${link.ivno}`,
    input.merchant,
    `<h1>Pay invoice ${escapeHtml(link.ivno)}</h1>
${invoiceSummary(link)}
<div id="notice" class="notice" role="status" aria-live="polite"${input.notice ? '' : ' hidden'}>${escapeHtml(input.notice ?? '')}</div>
<form id="pay-form" novalidate
  data-token="${escapeHtml(input.token)}"
  data-client-key="${escapeHtml(input.clientKey)}"
  data-amount="${escapeHtml(link.amount)}"
  data-currency="${escapeHtml(link.currency)}">
  <fieldset>
    <legend>Card</legend>
    <div id="pt_hpf_form" class="card-fields" aria-label="Card number, expiry and security code"></div>
  </fieldset>
  <fieldset>
    <legend>Billing address</legend>
    <div class="field">${state('name', 'Name on card', 'cc-name', 'required maxlength="50"')}</div>
    <div class="field">${state('street', 'Street address', 'address-line1', 'maxlength="50"')}</div>
    <div class="row">
      <div class="field">${state('city', 'City', 'address-level2', 'maxlength="50"')}</div>
      <div class="field small">${state('state', 'State', 'address-level1', 'maxlength="2"')}</div>
      <div class="field small">${state('zip', 'ZIP code', 'postal-code', 'required maxlength="10" inputmode="numeric"')}</div>
    </div>
  </fieldset>
  <div id="errors" class="errors" role="alert" hidden></div>
  <button id="pay-button" type="submit" disabled>Pay ${escapeHtml(displayAmount(link.amount, link.currency))}</button>
</form>
<section id="result" class="result" role="status" aria-live="polite" tabindex="-1" hidden></section>
<script src="${escapeHtml(input.protectScriptUrl)}"></script>
<script src="/pay/assets/pay.js"></script>`,
  );
}

/** Paid, expired, cancelled, superseded, invalid, unavailable: a page that says so and what to do. */
export function messagePage(input: { merchant: string; title: string; message: string; link?: LinkRow; kind: 'paid' | 'closed' | 'invalid' | 'unavailable' | 'confirming' }): string {
  return layout(
    input.title,
    input.merchant,
    `<h1>${escapeHtml(input.title)}</h1>
${input.link ? invoiceSummary(input.link) : ''}
<section id="result" class="result ${input.kind}" role="status" tabindex="-1"><p>${escapeHtml(input.message)}</p></section>`,
  );
}
