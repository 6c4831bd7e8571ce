/* The pay page's behaviour: PayTrace Protect fields, one submission at a time, clear results.
 * The card is typed into PayTrace's iframe; this script only ever sees Protect's tokens. */
(function () {
  'use strict';
  var form = document.getElementById('pay-form');
  if (!form) return;
  var button = document.getElementById('pay-button');
  var errors = document.getElementById('errors');
  var notice = document.getElementById('notice');
  var result = document.getElementById('result');
  var token = form.getAttribute('data-token');
  var instance = null;
  var busy = false;
  var label = button.textContent;

  function show(el, text) { el.textContent = text; el.hidden = !text; }
  function setBusy(on, text) {
    busy = on;
    button.disabled = on || !instance;
    button.textContent = on ? text || 'Processing…' : label;
    form.setAttribute('aria-busy', on ? 'true' : 'false');
  }
  function done(kind, text) {
    form.hidden = true;
    show(notice, '');
    result.className = 'result ' + kind;
    show(result, text);
    result.focus();
  }
  function value(id) { return document.getElementById(id).value.trim(); }

  window.PTPayment.setup({
    styles: { cc: { font_size: '16px', padding: '8px', border_radius: '6px' }, code: { font_size: '16px', padding: '8px', border_radius: '6px', width: '6em' }, exp: { font_size: '16px', type: 'dropdown' } },
    authorization: { clientKey: form.getAttribute('data-client-key') }
  }).then(function (i) {
    instance = i;
    button.disabled = false;
    form.setAttribute('data-ready', 'true');
  }, function () {
    show(errors, 'Card payments are not available right now. Please reload the page in a few minutes.');
  });

  function poll(attempt) {
    fetch('/pay/' + encodeURIComponent(token) + '/status', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (body) { handle(body, attempt); }, function () { retryPoll(attempt); });
  }
  function retryPoll(attempt) { setTimeout(function () { poll(attempt + 1); }, Math.min(2000 * (attempt + 1), 10000)); }

  function handle(body, attempt) {
    if (body.status === 'paid') return done('paid', body.message + ' Reference ' + body.reference + '.');
    if (body.status === 'confirming') { setBusy(true, 'Confirming…'); show(notice, body.message); return retryPoll(attempt || 0); }
    setBusy(false);
    if (body.status === 'declined' || body.status === 'open') { show(errors, body.message || ''); return; }
    if (body.linkStatus && body.linkStatus !== 'open') return done('closed', body.message);
    show(errors, body.message || 'Something went wrong. Nothing was charged; please try again.');
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy || !instance) return; // a double click sends one payment
    show(errors, '');
    var missing = [];
    if (!value('name')) missing.push('Enter the name on the card.');
    if (!value('zip')) missing.push('Enter the billing ZIP code.');
    window.PTPayment.validate(function (fieldErrors) {
      fieldErrors = fieldErrors || [];
      var messages = missing.concat(fieldErrors.map(function (e) { return e.description; }));
      if (messages.length) { show(errors, messages.join(' ')); return; }
      setBusy(true);
      instance.process().then(function (r) {
        return fetch('/pay/' + encodeURIComponent(token) + '/charge', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            hpfToken: r.message.hpf_token,
            encKey: r.message.enc_key,
            amount: form.getAttribute('data-amount'),
            billingAddress: { name: value('name'), streetAddress: value('street') || undefined, city: value('city') || undefined, state: value('state') || undefined, zip: value('zip'), country: 'US' }
          })
        }).then(function (res) { return res.json(); });
      }).then(function (body) { handle(body, 0); }, function (err) {
        setBusy(false);
        var list = err && err.errors ? err.errors.map(function (e) { return e.description; }).join(' ') : '';
        show(errors, list || 'We could not reach the payment service. Nothing was charged; please try again.');
      });
    });
  });
})();
