/*
 * PayTrace Protect (simulator build). Same contract as https://protect.paytrace.com/js/protect.min.js:
 *   PTPayment.setup({ styles, authorization: { clientKey } }) -> Promise<instance>
 *   PTPayment.validate(callback(errors))          errors: [{ responseCode, description }]
 *   instance.process() / PTPayment.process()      -> Promise<{ message: { hpf_token, enc_key } }>
 *   PTPayment.getControl('creditCard'|'securityCode'|'expiration').label.text('...')
 *   instance.style({...}), PTPayment.style({...}), PTPayment.theme('horizontal'|'vertical')
 * The card fields are an iframe from this script's own origin inside <div id="pt_hpf_form">.
 */
(function (global) {
  'use strict';
  var script = document.currentScript;
  var origin = new URL(script && script.src ? script.src : location.href).origin;
  var frame = null;
  var ready = null;
  var settleReady = null;
  var pending = {};
  var seq = 0;

  function send(type, data) {
    var message = Object.assign({ source: 'pt-lib', type: type }, data || {});
    if (!ready) throw new Error('PTPayment: call PTPayment.setup() first');
    return ready.then(function () { frame.contentWindow.postMessage(message, origin); });
  }

  function request(type) {
    if (!ready) return Promise.reject(new Error('PTPayment: call PTPayment.setup() first'));
    return ready.then(function () {
      return new Promise(function (resolve) {
        var id = ++seq;
        pending[id] = resolve;
        frame.contentWindow.postMessage({ source: 'pt-lib', type: type, id: id }, origin);
      });
    });
  }

  global.addEventListener('message', function (event) {
    if (event.origin !== origin || !event.data || event.data.source !== 'pt-hpf') return;
    var msg = event.data;
    if (msg.type === 'ready' && settleReady) settleReady.resolve();
    else if (msg.type === 'failed' && settleReady) settleReady.reject(msg.error);
    else if (msg.type === 'resize' && frame) frame.style.height = msg.height + 'px';
    else if (msg.id && pending[msg.id]) {
      var resolve = pending[msg.id];
      delete pending[msg.id];
      resolve(msg);
    }
  });

  function process() {
    return request('process').then(function (msg) {
      if (msg.ok) return { message: { hpf_token: msg.message.hpf_token, enc_key: msg.message.enc_key } };
      var error = new Error((msg.errors[0] && msg.errors[0].description) || 'The card could not be processed.');
      error.errors = msg.errors;
      throw error;
    });
  }

  function style(styles) {
    return send('style', { styles: styles });
  }

  var instance = { process: process, style: style };

  function setup(options) {
    var container = document.getElementById('pt_hpf_form');
    var clientKey = options && options.authorization && options.authorization.clientKey;
    if (!container) return Promise.reject(new Error('PTPayment.setup: no element with id "pt_hpf_form"'));
    if (!clientKey) return Promise.reject(new Error('PTPayment.setup: authorization.clientKey is required'));
    if (frame && frame.parentNode) frame.parentNode.removeChild(frame);
    frame = document.createElement('iframe');
    frame.id = 'pt_hpf_iframe';
    frame.title = 'Secure card entry';
    frame.setAttribute('scrolling', 'no');
    frame.style.border = '0';
    frame.style.width = '100%';
    frame.src = origin + '/protect/hpf?clientKey=' + encodeURIComponent(clientKey) + '&parentOrigin=' + encodeURIComponent(location.origin);
    var loaded = new Promise(function (resolve, reject) { settleReady = { resolve: resolve, reject: reject }; });
    ready = loaded.then(function () {
      frame.contentWindow.postMessage({ source: 'pt-lib', type: 'configure', styles: (options && options.styles) || {} }, origin);
    });
    container.appendChild(frame);
    return ready.then(function () { return instance; });
  }

  function validate(callback) {
    return request('validate').then(function (msg) {
      if (typeof callback === 'function') callback(msg.errors);
      return msg.errors;
    });
  }

  function getControl(name) {
    return {
      label: {
        text: function (value) { send('label', { control: name, text: value }); return this; },
        css: function (css) { send('labelStyle', { control: name, css: css }); return this; },
      },
      input: {
        css: function (css) { send('inputStyle', { control: name, css: css }); return this; },
      },
    };
  }

  global.PTPayment = {
    setup: setup,
    validate: validate,
    process: process,
    getControl: getControl,
    style: style,
    theme: function (name) { return send('theme', { name: name }); },
  };
})(window);
