// The card fields inside the Protect iframe (served from the simulator's origin). Card data typed
// here goes only to this origin's /protect/hpf/tokenize; the parent page receives tokens.
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var clientKey = params.get('clientKey') || '';
  var parentOrigin = params.get('parentOrigin') || '';
  var form = document.getElementById('pt-fields');
  var number = document.getElementById('cc-number');
  var month = document.getElementById('exp-month');
  var year = document.getElementById('exp-year');
  var code = document.getElementById('cc-code');
  var status = document.getElementById('pt-status');
  var MESSAGES = {
    '35': 'Please provide a valid Credit Card Number.',
    '43': 'Please provide a valid Expiration Month.',
    '44': 'Please provide a valid Expiration Year.',
    '148': 'Please provide a valid CSC.',
  };
  var controls = {
    creditCard: { label: document.getElementById('cc-label'), inputs: [number] },
    securityCode: { label: document.getElementById('code-label'), inputs: [code] },
    expiration: { label: document.getElementById('exp-label'), inputs: [month, year] },
  };
  var styleGroups = { cc: 'creditCard', code: 'securityCode', exp: 'expiration' };

  function option(select, value, textValue) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = textValue;
    select.appendChild(o);
  }
  option(month, '', 'MM');
  for (var m = 1; m <= 12; m++) option(month, String(m).padStart(2, '0'), String(m).padStart(2, '0'));
  option(year, '', 'YYYY');
  var thisYear = new Date().getFullYear();
  for (var y = thisYear - 1; y <= thisYear + 12; y++) option(year, String(y), String(y));

  function post(message) {
    message.source = 'pt-hpf';
    window.parent.postMessage(message, parentOrigin);
  }

  function luhn(digits) {
    if (!/^\d{12,19}$/.test(digits)) return false;
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  function cardNumber() { return number.value.replace(/[\s-]/g, ''); }

  function validate() {
    var errors = [];
    function fail(codeKey, el) { errors.push({ responseCode: codeKey, description: MESSAGES[codeKey] }); el.classList.add('pt-invalid'); }
    [number, month, year, code].forEach(function (el) { el.classList.remove('pt-invalid'); });
    if (!luhn(cardNumber())) fail('35', number);
    if (!/^(0?[1-9]|1[0-2])$/.test(month.value)) fail('43', month);
    if (!/^\d{4}$/.test(year.value)) fail('44', year);
    if (code.value.trim() !== '' && !/^\d{3,4}$/.test(code.value.trim())) fail('148', code);
    return errors;
  }

  function cssName(key) { return key.replace(/^input_/, '').replace(/_/g, '-'); }

  // styles follow PayTrace's shape: { cc: {...}, code: {...}, exp: {..., type: 'dropdown'|'textbox'} };
  // keys starting with label_ style the label, the rest the inputs
  function applyStyles(styles) {
    Object.keys(styles || {}).forEach(function (group) {
      var control = controls[styleGroups[group]];
      var rules = styles[group] || {};
      if (!control) {
        if (group === 'body') Object.keys(rules).forEach(function (k) { document.body.style.setProperty(cssName(k), String(rules[k])); });
        return;
      }
      Object.keys(rules).forEach(function (key) {
        if (key === 'type') return;
        if (key.indexOf('label_') === 0) control.label.style.setProperty(cssName(key.slice(6)), String(rules[key]));
        else control.inputs.forEach(function (el) { el.style.setProperty(cssName(key), String(rules[key])); });
      });
    });
    resize();
  }

  function resize() { post({ type: 'resize', height: document.documentElement.scrollHeight }); }

  function tokenize(id) {
    fetch('/protect/hpf/tokenize', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        clientKey: clientKey,
        number: cardNumber(),
        expiration_month: month.value,
        expiration_year: year.value,
        csc: code.value.trim(),
      }),
    })
      .then(function (res) { return res.json(); })
      .then(function (answer) {
        if (answer && answer.message && answer.message.hpf_token) post({ type: 'processed', id: id, ok: true, message: answer.message });
        else post({ type: 'processed', id: id, ok: false, errors: (answer && answer.errors) || [] });
      })
      .catch(function () {
        post({ type: 'processed', id: id, ok: false, errors: [{ responseCode: '0', description: 'The card could not be sent to PayTrace Protect.' }] });
      });
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== parentOrigin || !event.data || event.data.source !== 'pt-lib') return;
    var msg = event.data;
    switch (msg.type) {
      case 'configure':
        if (msg.styles && msg.styles.exp && msg.styles.exp.type === 'textbox') {
          // free-text expiry instead of dropdowns
          [month, year].forEach(function (sel) {
            var input = document.createElement('input');
            input.id = sel.id; input.name = sel.name; input.setAttribute('aria-label', sel.getAttribute('aria-label'));
            input.placeholder = sel.id === 'exp-month' ? 'MM' : 'YYYY'; input.inputMode = 'numeric';
            sel.replaceWith(input);
            if (sel === month) month = input; else year = input;
          });
          controls.expiration.inputs = [month, year];
        }
        applyStyles(msg.styles);
        break;
      case 'style':
        applyStyles(msg.styles);
        break;
      case 'theme':
        form.className = msg.name === 'horizontal' ? 'horizontal' : '';
        resize();
        break;
      case 'label':
        if (controls[msg.control]) controls[msg.control].label.textContent = String(msg.text);
        break;
      case 'labelStyle':
        if (controls[msg.control]) Object.keys(msg.css || {}).forEach(function (k) { controls[msg.control].label.style.setProperty(cssName(k), String(msg.css[k])); });
        break;
      case 'inputStyle':
        if (controls[msg.control]) controls[msg.control].inputs.forEach(function (el) { Object.keys(msg.css || {}).forEach(function (k) { el.style.setProperty(cssName(k), String(msg.css[k])); }); });
        break;
      case 'validate':
        post({ type: 'validated', id: msg.id, errors: validate() });
        break;
      case 'process': {
        var errors = validate();
        if (errors.length) post({ type: 'processed', id: msg.id, ok: false, errors: errors });
        else tokenize(msg.id);
        break;
      }
    }
  });

  if (document.body.getAttribute('data-client-key') !== 'ok') {
    status.textContent = 'This payment form has expired. Please reload the page.';
    post({ type: 'failed', error: { responseCode: '2001', description: 'The clientKey is invalid or has expired.' } });
  } else {
    post({ type: 'ready' });
    resize();
  }
})();
