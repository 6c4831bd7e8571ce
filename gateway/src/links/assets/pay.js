/* The pay page's behaviour. The page arrives at once; this script then asks the gateway for what
 * the card form waits for (M3's re-check of the invoice, a PayTrace Protect key), shows errors next
 * to their fields, renews an old Protect key without losing what the payer typed, and shows the
 * receipt after paying. The card is typed into PayTrace's iframe: this script only sees Protect's
 * tokens. Every text from the server is set as text, never as markup (the receipt fragment is the
 * gateway's own escaped HTML). */
(function () {
  'use strict';

  function $(id) { return document.getElementById(id); }
  function show(el, text) { if (!el) return; el.textContent = text || ''; el.hidden = !text; }
  function post(url, body) {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { json.httpStatus = json.httpStatus || res.status; return json; }); });
  }
  function getJson(url) {
    return fetch(url, { headers: { accept: 'application/json' } }).then(function (res) { return res.json(); });
  }

  /* Times are shown in the payer's own zone as well as the merchant's (the server wrote that one). */
  function localizeTimes(root) {
    var times = (root || document).querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var t = times[i];
      var d = new Date(t.getAttribute('datetime'));
      if (isNaN(d.getTime())) continue;
      var local = d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
      if (local !== t.textContent) { t.title = t.textContent; t.textContent = local; }
    }
  }

  /* ---------------------------------------------------------------- receipt: print and e-mail */
  function wireReceipt(root) {
    localizeTimes(root);
    var print = $('print-receipt');
    if (print) print.addEventListener('click', function () { window.print(); });
    var form = $('receipt-email-form');
    var token = (document.querySelector('[data-token]') || {}).getAttribute ? document.querySelector('[data-token]').getAttribute('data-token') : '';
    if (!form || !token) return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var input = $('receipt-email');
      var error = $('receipt-email-error');
      var status = $('receipt-email-status');
      var email = input.value.trim();
      show(error, ''); input.removeAttribute('aria-invalid'); status.textContent = '';
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        show(error, 'Enter an e-mail address such as name@example.com.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      status.textContent = 'Sending…';
      post('/pay/' + encodeURIComponent(token) + '/receipt-email', { email: email }).then(function (body) {
        if (body.status === 'queued') { status.textContent = body.message; return; }
        status.textContent = '';
        show(error, body.detail || body.title || 'The receipt could not be sent. Please try again.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }, function () { status.textContent = 'The receipt could not be sent. Check your connection and try again.'; });
    });
  }

  /* ---------------------------------------------------------------- closed link: ask for a new one */
  function wireRequest() {
    var form = $('new-link-form');
    if (!form) return;
    var token = form.getAttribute('data-token');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var input = $('request-email');
      var error = $('request-email-error');
      var status = $('request-status');
      var button = $('new-link-button');
      var email = input.value.trim();
      show(error, ''); input.removeAttribute('aria-invalid');
      if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        show(error, 'Enter an e-mail address such as name@example.com, or leave it empty.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      button.disabled = true;
      status.textContent = 'Sending your request…';
      post('/pay/' + encodeURIComponent(token) + '/new-link-request', { email: email, note: $('request-note').value.trim() || undefined }).then(function (body) {
        button.disabled = false;
        if (body.status === 'requested') { status.textContent = body.message; button.textContent = 'Request sent'; button.disabled = true; return; }
        status.textContent = '';
        var first = body.errors && body.errors[0];
        show(error, (first && first.message) || body.detail || 'The request could not be sent. Please contact us instead.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }, function () { button.disabled = false; status.textContent = 'The request could not be sent. Check your connection and try again.'; });
    });
  }

  wireRequest();
  if ($('paid-page')) { wireReceipt(document); var r = $('receipt'); if (r) r.focus(); }

  /* ---------------------------------------------------------------- the pay form */
  var form = $('pay-form');
  if (!form) return;
  var data = JSON.parse(($('page-data') || {}).textContent || '{}');
  var rules = data.address || {};
  var cardMessages = data.cardMessages || {};
  var button = $('pay-button');
  var errors = $('errors');
  var notice = $('notice');
  var result = $('result');
  var token = form.getAttribute('data-token');
  var base = '/pay/' + encodeURIComponent(token);
  var keyMaxAgeMs = Number(form.getAttribute('data-key-max-age') || 600) * 1000;
  var payLabel = button.getAttribute('data-label');
  var instance = null;
  var keyLoadedAt = 0;
  var busy = false;
  var ORDER = ['card', 'name', 'street', 'country', 'city', 'state', 'zip'];

  function waiting(text) { button.disabled = true; button.textContent = text; form.setAttribute('aria-busy', 'true'); }
  function ready() { busy = false; button.disabled = !instance; button.textContent = instance ? payLabel : button.textContent; form.setAttribute('aria-busy', 'false'); }
  function setBusy(text) { busy = true; waiting(text); }
  function value(id) { var el = $(id); return el ? el.value.trim() : ''; }

  /* errors next to their fields: aria-invalid + aria-describedby, the first one focused */
  function controlOf(field) { return field === 'card' ? $('pt_hpf_form') : $(field); }
  function clearErrors() {
    show(errors, '');
    for (var i = 0; i < ORDER.length; i++) {
      var control = controlOf(ORDER[i]);
      show($(ORDER[i] + '-error'), '');
      if (control) control.removeAttribute('aria-invalid');
    }
  }
  function fieldError(field, message) {
    var control = controlOf(field);
    var holder = $(field + '-error');
    if (!control || !holder) return false;
    if (message) show(holder, message);
    control.setAttribute('aria-invalid', 'true');
    var described = (control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (described.indexOf(field + '-error') < 0) described.push(field + '-error');
    control.setAttribute('aria-describedby', described.join(' '));
    return true;
  }
  /* list: [{field, message}]; a message for several fields is shown once, at the first of them */
  function showFieldErrors(list, summary) {
    list.sort(function (a, b) { return ORDER.indexOf(a.field) - ORDER.indexOf(b.field); });
    var first = null;
    var said = {};
    for (var i = 0; i < list.length; i++) {
      var shown = fieldError(list[i].field, said[list[i].message] ? '' : list[i].message);
      if (shown) { said[list[i].message] = true; if (!first) first = list[i].field; }
    }
    if (summary) show(errors, summary);
    if (first) controlOf(first).focus();
    else if (summary) errors.focus();
  }

  /* ---------------------------------------------------------------- address: country, region, postal */
  function labelsOf(country) { return (rules.labels || {})[country] || (rules.labels || {})['default'] || { region: 'Region', postal: 'Postal code' }; }
  function regionControl(country) {
    var current = $('state');
    var regions = (rules.regions || {})[country];
    var wanted = regions ? 'SELECT' : 'INPUT';
    var key = regions ? country : '';
    if (current.tagName === wanted && (current.getAttribute('data-country') || '') === key) return;
    var next = document.createElement(wanted.toLowerCase());
    next.id = 'state';
    next.name = 'state';
    next.setAttribute('autocomplete', 'address-level1');
    next.setAttribute('data-country', key);
    if (regions) {
      var blank = document.createElement('option');
      blank.value = '';
      blank.textContent = 'Choose…';
      next.appendChild(blank);
      for (var i = 0; i < regions.length; i++) {
        var option = document.createElement('option');
        option.value = regions[i][0];
        option.textContent = regions[i][1];
        next.appendChild(option);
      }
    } else {
      next.maxLength = 50;
    }
    current.parentNode.replaceChild(next, current);
    next.addEventListener('input', function () { fieldCleared('state'); });
  }
  function countryChanged() {
    var country = value('country');
    var labels = labelsOf(country);
    $('state-label').textContent = labels.region;
    $('zip-label').textContent = labels.postal;
    regionControl(country);
    var zip = $('zip');
    zip.setAttribute('inputmode', country === 'US' ? 'numeric' : 'text');
  }
  function postalProblem(country, text) {
    var format = (rules.postal || {})[country] || (rules.postal || {})['default'];
    var labels = labelsOf(country);
    if (!text) return 'Enter the ' + labels.postal + ' of the billing address.';
    if (!format) return '';
    var cleaned = text.replace(/\s+/g, ' ').trim().toUpperCase();
    var ok = new RegExp('^(?:' + format.pattern + ')$', 'u').test(cleaned);
    return ok || !format.required ? '' : cleaned + ' is not a valid ' + labels.postal + '.';
  }
  function addressProblems() {
    var list = [];
    var country = value('country');
    if (!value('name')) list.push({ field: 'name', message: 'Enter the name as it is on the card.' });
    if (!value('street')) list.push({ field: 'street', message: 'Enter the street address of the card\u2019s billing address.' });
    if (!country) list.push({ field: 'country', message: 'Choose the country of the billing address.' });
    if ((rules.regionRequired || []).indexOf(country) >= 0 && !value('state')) list.push({ field: 'state', message: 'Choose the ' + labelsOf(country).region.toLowerCase() + ' of the billing address.' });
    var postal = postalProblem(country, value('zip'));
    if (postal) list.push({ field: 'zip', message: postal });
    return list;
  }
  function fieldCleared(field) {
    var control = controlOf(field);
    if (control && control.getAttribute('aria-invalid')) { control.removeAttribute('aria-invalid'); show($(field + '-error'), ''); }
  }
  $('country').addEventListener('change', function () { countryChanged(); fieldCleared('country'); fieldCleared('zip'); });
  ['name', 'street', 'city', 'state', 'zip'].forEach(function (id) { var el = $(id); if (el) el.addEventListener('input', function () { fieldCleared(id); }); });
  countryChanged();

  /* ---------------------------------------------------------------- Protect: set up, renew */
  var STYLES = { cc: { font_size: '16px', padding: '8px', border_radius: '6px' }, code: { font_size: '16px', padding: '8px', border_radius: '6px', width: '6em' }, exp: { font_size: '16px', type: 'dropdown' } };
  function setupProtect(clientKey) {
    waiting('Loading secure card fields…');
    var container = $('pt_hpf_form');
    var skeleton = container.querySelectorAll('.skeleton-line');
    for (var i = 0; i < skeleton.length; i++) skeleton[i].parentNode.removeChild(skeleton[i]);
    return window.PTPayment.setup({ styles: STYLES, authorization: { clientKey: clientKey } }).then(function (made) {
      instance = made;
      keyLoadedAt = Date.now();
      container.classList.remove('skeleton');
      container.removeAttribute('aria-busy');
      form.setAttribute('data-ready', 'true');
      ready();
    });
  }
  /* A new Protect key means new card fields: everything else the payer typed stays. */
  function renewKey(why) {
    instance = null;
    form.removeAttribute('data-ready');
    waiting('Renewing the secure card fields…');
    return getJson(base + '/client-key').then(function (body) {
      if (body.status !== 'open') throw new Error(body.message || 'no key');
      return setupProtect(body.clientKey);
    }).then(function () {
      showFieldErrors([{ field: 'card', message: why + ' Please enter your card details again; the rest of the form is kept.' }]);
    }, function (err) {
      busy = false;
      waiting('Reload the page to pay');
      show(errors, (err && err.message && err.message !== 'no key' ? err.message + ' ' : '') + 'The secure card fields could not be renewed. Please reload the page. Nothing was charged.');
      errors.focus();
    });
  }

  /* ---------------------------------------------------------------- outcomes */
  function showPaid() {
    return fetch(base + '/receipt', { headers: { accept: 'text/html' } }).then(function (res) {
      if (!res.ok) throw new Error('no receipt');
      return res.text();
    }).then(function (fragment) {
      form.hidden = true;
      show(notice, '');
      var summary = document.querySelector('dl.invoice');
      if (summary) summary.hidden = true;
      $('title').textContent = 'Invoice paid';
      result.className = 'result paid';
      result.innerHTML = fragment; /* the gateway's own escaped HTML */
      result.hidden = false;
      wireReceipt(result);
      $('receipt').focus();
    }, function () { location.reload(); });
  }

  var polls = 0;
  function poll() {
    setTimeout(function () {
      getJson(base + '/status').then(handle, poll);
    }, Math.min(2000 * (++polls), 10000));
  }

  function handle(body) {
    if (body.status === 'paid') return showPaid();
    if (body.status === 'confirming') { setBusy('Confirming your payment…'); show(notice, body.message); return poll(); }
    if (body.status === 'open' && body.clientKey) { if (body.notice) show(notice, body.notice); return setupProtect(body.clientKey); }
    ready();
    if (body.linkStatus && body.linkStatus !== 'open') { location.reload(); return; }
    if (body.status === 'declined') {
      if (body.fields && body.fields.length) return showFieldErrors(body.fields.map(function (f) { return { field: f, message: body.message }; }));
      return showFieldErrors([], body.message);
    }
    if (body.fieldErrors && body.fieldErrors.length) return showFieldErrors(body.fieldErrors, body.code === 'PAY_CARD_DETAILS_REFUSED' ? '' : body.message);
    if (body.code === 'PAY_CARD_DETAILS_REFUSED') return renewKey('The card details could not be used.');
    showFieldErrors([], body.message || 'Something went wrong. Nothing was charged; please try again.');
  }

  function loadSession() {
    waiting('Checking your invoice…');
    show(errors, '');
    getJson(base + '/session').then(function (body) {
      if (body.status === 'refused' && body.code === 'PAY_UNAVAILABLE') {
        show(errors, body.message);
        button.disabled = false;
        button.textContent = 'Try again';
        button.onclick = function (e) { e.preventDefault(); button.onclick = null; loadSession(); };
        return;
      }
      return handle(body);
    }, function () {
      show(errors, 'We could not reach the payment service. Check your connection; nothing was charged.');
      button.disabled = false;
      button.textContent = 'Try again';
      button.onclick = function (e) { e.preventDefault(); button.onclick = null; loadSession(); };
    });
  }

  function protectErrors(list) {
    var out = [];
    for (var i = 0; i < (list || []).length; i++) out.push({ field: 'card', message: cardMessages[String(list[i].responseCode)] || list[i].description || 'Check the card details.' });
    return out;
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy || !instance) return; /* a double click sends one payment */
    clearErrors();
    if (Date.now() - keyLoadedAt > keyMaxAgeMs) { renewKey('The secure card fields were open a long time and had to be renewed.'); return; }
    var problems = addressProblems();
    window.PTPayment.validate(function (cardErrors) {
      var all = protectErrors(cardErrors).concat(problems);
      if (all.length) return showFieldErrors(all);
      setBusy('Processing…');
      instance.process().then(function (r) {
        return post(base + '/charge', {
          hpfToken: r.message.hpf_token,
          encKey: r.message.enc_key,
          amount: form.getAttribute('data-amount'),
          billingAddress: { name: value('name'), streetAddress: value('street') || undefined, city: value('city') || undefined, state: value('state') || undefined, zip: value('zip'), country: value('country') }
        });
      }).then(handle, function (err) {
        busy = false;
        var known = protectErrors(err && err.errors).filter(function (e, i) { return cardMessages[String(err.errors[i].responseCode)]; });
        if (known.length) { ready(); return showFieldErrors(known); }
        if (err && err.errors) return renewKey('The secure card fields had expired.');
        ready();
        showFieldErrors([], 'We could not reach the payment service. Nothing was charged; please try again.');
      });
    });
  });

  loadSession();
})();
