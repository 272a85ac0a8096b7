/*! Restock back-in-stock widget, served at GET /storefront/widget.js
 *
 * Embedding (one element per product; several per page are fine, and
 * elements added later, e.g. by a single-page app, are picked up too):
 *
 *   <script src="https://restock.example/storefront/widget.js" defer></script>
 *   <div data-restock-sku="SKU-123" data-restock-locale="sv-SE"></div>
 *
 * Optional attributes on the element:
 *   data-restock-external-id="..."   sent as externalId with the subscription
 *   data-restock-when="unavailable"  ask /storefront/availability first and
 *                                    show nothing while the SKU is in stock
 * Locales: en-US, sv-SE, fi-FI, pl-PL (exact match, then language, else en-US).
 * Non-ASCII text is written as \u escapes, so the file's charset never matters.
 *
 * Content-Security-Policy: the widget needs only the Restock origin in
 *   script-src https://restock.example
 *   connect-src https://restock.example
 * No style-src, worker-src or 'unsafe-*' source: styles are one constructed
 * stylesheet adopted by each widget's shadow root, and the proof of work runs
 * in short slices on the main thread.
 *
 * Theming: custom properties set on the element or any ancestor inherit into
 * the widget's shadow root.
 *   --restock-font          font-family (default: inherited)
 *   --restock-color         text colour (default: inherited)
 *   --restock-background    widget and input background (default: transparent / Field)
 *   --restock-accent        button and focus colour (default: #1f5fbf)
 *   --restock-accent-text   text on the accent colour (default: #fff)
 *   --restock-radius        corner radius (default: 6px)
 *   --restock-border        input border colour (default: #8a8f98)
 *   --restock-error         error text and border colour (default: #b3261e)
 */
(function () {
  'use strict';

  // Captured now: document.currentScript is null once this first run is over.
  var me = document.currentScript ||
    document.querySelector('script[src*="/storefront/widget.js"]');
  var BASE = me && me.src ? me.src.replace(/\/storefront\/widget\.js(?:[?#].*)?$/, '') : '';

  // ---- proof of work (begin) ----
  // SHA-256 over bytes, and the search for the smallest n such that
  // SHA-256(challenge + ":" + n) starts with `difficulty` zero bits.
  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var W = new Int32Array(64);

  // One 64-byte block of B at offset o into the state H (Int32Array(8)).
  function compress(H, B, o) {
    var w = W, i, x, y, t1, t2,
      a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (i = 0; i < 16; i++, o += 4) w[i] = B[o] << 24 | B[o + 1] << 16 | B[o + 2] << 8 | B[o + 3];
    for (i = 16; i < 64; i++) {
      x = w[i - 15]; y = w[i - 2];
      w[i] = ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ x >>> 3) +
        ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ y >>> 10) + w[i - 7] + w[i - 16] | 0;
    }
    for (i = 0; i < 64; i++) {
      t1 = h + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) +
        (e & f ^ ~e & g) + K[i] + w[i] | 0;
      t2 = ((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + (a & b ^ a & c ^ b & c) | 0;
      h = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
    }
    H[0] = H[0] + a | 0; H[1] = H[1] + b | 0; H[2] = H[2] + c | 0; H[3] = H[3] + d | 0;
    H[4] = H[4] + e | 0; H[5] = H[5] + f | 0; H[6] = H[6] + g | 0; H[7] = H[7] + h | 0;
  }

  // Padding: 0x80, zeros, then the message length in bits (64-bit big-endian)
  // in the last 8 bytes of B[0..end).
  function pad(B, len, end, bits) {
    var hi = Math.floor(bits / 0x100000000), i;
    B[len] = 0x80;
    for (i = len + 1; i < end - 8; i++) B[i] = 0;
    B[end - 8] = hi >>> 24; B[end - 7] = hi >>> 16; B[end - 6] = hi >>> 8; B[end - 5] = hi;
    B[end - 4] = bits >>> 24; B[end - 3] = bits >>> 16; B[end - 2] = bits >>> 8; B[end - 1] = bits;
  }

  // SHA-256 of a Uint8Array; returns the digest as a Uint8Array(32).
  function sha256(m) {
    var n = m.length, end = n + 72 & ~63, B = new Uint8Array(end), H = new Int32Array(IV),
      out = new Uint8Array(32), i;
    B.set(m);
    pad(B, n, end, n * 8);
    for (i = 0; i < end; i += 64) compress(H, B, i);
    for (i = 0; i < 32; i++) out[i] = H[i >> 2] >>> (24 - (i & 3) * 8);
    return out;
  }

  // hash(n) = state after SHA-256(prefix + decimal n). The full 64-byte blocks of
  // the fixed prefix are compressed once; each n costs one or two blocks.
  function powHasher(prefix) {
    var full = prefix.length & ~63, tail = prefix.length - full, mid = new Int32Array(IV),
      B = new Uint8Array(128), H = new Int32Array(8), o;
    for (o = 0; o < full; o += 64) compress(mid, prefix, o);
    B.set(prefix.subarray(full));
    return function (n) {
      var s = '' + n, len = tail + s.length, end = len + 72 & ~63, i;
      for (i = 0; i < s.length; i++) B[tail + i] = s.charCodeAt(i);
      pad(B, len, end, (full + len) * 8);
      H.set(mid);
      compress(H, B, 0);
      if (end > 64) compress(H, B, 64);
      return H;
    };
  }

  function zeroBits(H) {
    for (var i = 0, z = 0, c; i < 8; i++) {
      c = Math.clz32(H[i]);
      z += c;
      if (c < 32) break;
    }
    return z;
  }

  // Run fn soon, after pending input: a MessageChannel is not clamped to 4 ms
  // like nested setTimeout(0).
  var queue = [], chan = null;
  function later(fn) {
    if (typeof MessageChannel !== 'function') return void setTimeout(fn, 0);
    if (!chan) {
      chan = new MessageChannel();
      chan.port1.onmessage = function () {
        var q = queue;
        queue = [];
        for (var i = 0; i < q.length; i++) q[i]();
      };
    }
    if (queue.push(fn) === 1) chan.port2.postMessage(0);
  }

  // Searches in slices of about 10 ms; calls done(n), or fail() once past the
  // deadline (ms since epoch). Returns a function that stops the search.
  function solve(challenge, difficulty, deadline, done, fail) {
    var hash = powHasher(new TextEncoder().encode(challenge + ':')), n = 0, stopped = false;
    function step() {
      if (stopped) return;
      var t = Date.now(), end;
      if (t > deadline) return fail();
      do {
        for (end = n + 256; n < end; n++) {
          if (zeroBits(hash(n)) >= difficulty) return done(n);
        }
      } while (Date.now() - t < 10);
      later(step);
    }
    later(step);
    return function () { stopped = true; };
  }
  // ---- proof of work (end) ----

  var STRINGS = {
    'en-US': {
      toggle: 'Notify me when it is back',
      email: 'Email address',
      placeholder: 'you@example.com',
      submit: 'Notify me',
      close: 'Close',
      working: 'One moment\u2026',
      inbox: 'Check your inbox to confirm.',
      done: 'Done! We will email you when it is back.',
      badEmail: 'Please check your email address.',
      consent: 'Please tick the box to give your consent.',
      tooMany: 'Too many attempts. Please try again later.',
      error: 'Something went wrong. Please try again.'
    },
    'sv-SE': {
      toggle: 'Meddela mig n\u00e4r den finns i lager igen',
      email: 'E-postadress',
      placeholder: 'du@exempel.se',
      submit: 'Meddela mig',
      close: 'St\u00e4ng',
      working: 'Ett \u00f6gonblick\u2026',
      inbox: 'Kolla din inkorg f\u00f6r att bekr\u00e4fta.',
      done: 'Klart! Vi mejlar dig n\u00e4r den finns i lager igen.',
      badEmail: 'Kontrollera din e-postadress.',
      consent: 'Kryssa i rutan f\u00f6r att ge ditt samtycke.',
      tooMany: 'F\u00f6r m\u00e5nga f\u00f6rs\u00f6k. F\u00f6rs\u00f6k igen senare.',
      error: 'N\u00e5got gick fel. F\u00f6rs\u00f6k igen.'
    },
    'fi-FI': {
      toggle: 'Ilmoita minulle, kun tuote on taas saatavilla',
      email: 'S\u00e4hk\u00f6postiosoite',
      placeholder: 'nimi@esimerkki.fi',
      submit: 'Ilmoita minulle',
      close: 'Sulje',
      working: 'Hetkinen\u2026',
      inbox: 'Vahvista tilaus s\u00e4hk\u00f6postiisi l\u00e4hetetyn viestin avulla.',
      done: 'Valmista! L\u00e4het\u00e4mme sinulle s\u00e4hk\u00f6postia, kun tuote on taas saatavilla.',
      badEmail: 'Tarkista s\u00e4hk\u00f6postiosoitteesi.',
      consent: 'Anna suostumuksesi valitsemalla ruutu.',
      tooMany: 'Liian monta yrityst\u00e4. Yrit\u00e4 my\u00f6hemmin uudelleen.',
      error: 'Jokin meni vikaan. Yrit\u00e4 uudelleen.'
    },
    'pl-PL': {
      toggle: 'Powiadom mnie, gdy produkt b\u0119dzie zn\u00f3w dost\u0119pny',
      email: 'Adres e-mail',
      placeholder: 'jan@przyklad.pl',
      submit: 'Powiadom mnie',
      close: 'Zamknij',
      working: 'Chwileczk\u0119\u2026',
      inbox: 'Sprawd\u017a skrzynk\u0119 odbiorcz\u0105, aby potwierdzi\u0107.',
      done: 'Gotowe! Wy\u015blemy Ci e-mail, gdy produkt zn\u00f3w b\u0119dzie dost\u0119pny.',
      badEmail: 'Sprawd\u017a sw\u00f3j adres e-mail.',
      consent: 'Zaznacz pole, aby wyrazi\u0107 zgod\u0119.',
      tooMany: 'Zbyt wiele pr\u00f3b. Spr\u00f3buj ponownie p\u00f3\u017aniej.',
      error: 'Co\u015b posz\u0142o nie tak. Spr\u00f3buj ponownie.'
    }
  };

  function pickLocale(tag) {
    var want = String(tag || '').trim().replace(/_/g, '-').toLowerCase(), k;
    for (k in STRINGS) if (k.toLowerCase() === want) return k;
    for (k in STRINGS) if (k.split('-')[0].toLowerCase() === want.split('-')[0]) return k;
    return 'en-US';
  }

  var CSS =
    ':host{display:block}' +
    '[hidden]{display:none!important}' +
    '.r{position:relative;font-family:var(--restock-font,inherit);line-height:1.4;' +
      'color:var(--restock-color,inherit);background:var(--restock-background,transparent);' +
      'border-radius:var(--restock-radius,6px)}' +
    'button,input{font:inherit}' +
    'button{cursor:pointer;padding:.55em 1em;border:1px solid var(--restock-accent,#1f5fbf);' +
      'border-radius:var(--restock-radius,6px);background:var(--restock-accent,#1f5fbf);' +
      'color:var(--restock-accent-text,#fff)}' +
    'button.close{background:transparent;color:var(--restock-accent,#1f5fbf)}' +
    'button:disabled{opacity:.6;cursor:progress}' +
    'form{display:grid;gap:.75em;margin-top:.75em;max-width:30em}' +
    '.field{display:grid;gap:.25em}' +
    'input[type=email]{padding:.5em .6em;border:1px solid var(--restock-border,#8a8f98);' +
      'border-radius:var(--restock-radius,6px);background:var(--restock-background,Field);' +
      'color:var(--restock-color,FieldText)}' +
    'input[aria-invalid=true]{border-color:var(--restock-error,#b3261e)}' +
    '.consent{display:flex;gap:.5em;align-items:flex-start}' +
    '.consent input{margin:.2em 0 0;width:1.1em;height:1.1em;flex:none;' +
      'accent-color:var(--restock-accent,#1f5fbf)}' +
    '.hp{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);' +
      'white-space:nowrap;opacity:0}' +
    '.actions{display:flex;gap:.5em;flex-wrap:wrap}' +
    '.status{margin:.5em 0 0}' +
    '.status:empty{margin:0}' +
    '.status.err{color:var(--restock-error,#b3261e)}' +
    ':focus-visible,input:focus{outline:2px solid var(--restock-accent,#1f5fbf);outline-offset:2px}';

  var sheet = null;
  function styleSheet() {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    return sheet;
  }

  var EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
  var uid = 0;
  function noop() {}

  function el(tag, props, parent) {
    var e = document.createElement(tag), k;
    for (k in props) {
      if (k === 'text') e.textContent = props[k];
      else e.setAttribute(k, props[k]);
    }
    if (parent) parent.appendChild(e);
    return e;
  }

  function request(path, body) {
    var init = { mode: 'cors', credentials: 'omit', headers: { Accept: 'application/json' } };
    if (body) {
      init.method = 'POST';
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(BASE + path, init);
  }

  function getJSON(path) {
    return request(path).then(function (r) {
      if (!r.ok) throw r;
      return r.json();
    });
  }

  // Reads a JSON body, or null when there is none or it does not parse.
  function bodyOf(r) {
    return r.json().catch(function () { return null; });
  }

  // The page signed up from, as the server keeps it: http(s), at most 2048 bytes
  // (a long tracking query is dropped first); none for any other page.
  function page() {
    var href = location.href;
    if (!/^https?:/.test(href)) return '';
    return href.length > 2048 ? (location.origin + location.pathname).slice(0, 2048) : href;
  }

  var seen = new WeakSet();

  function start(host) {
    if (seen.has(host) || host.shadowRoot) return;
    seen.add(host);
    var sku = (host.getAttribute('data-restock-sku') || '').trim();
    if (!sku || !host.attachShadow) return;
    var tag = ((host.getAttribute('data-restock-locale') || '').trim() ||
      document.documentElement.lang || 'en-US').replace(/_/g, '-');
    var locale = pickLocale(tag);
    var q = '?sku=' + encodeURIComponent(sku) + '&locale=' + encodeURIComponent(tag);
    if (host.getAttribute('data-restock-when') !== 'unavailable') return build(host, sku, tag, locale);
    getJSON('/storefront/availability' + q).then(function (a) {
      if (!a || a.available !== true) build(host, sku, tag, locale);
    }, function () {
      build(host, sku, tag, locale);
    });
  }

  function build(host, sku, tag, locale) {
    var shadow;
    try {
      shadow = host.attachShadow({ mode: 'open' });
    } catch (e) {
      return;
    }
    var t = STRINGS[locale], id = 'restock-' + (++uid) + '-';
    var styled = 'adoptedStyleSheets' in shadow;
    if (styled) shadow.adoptedStyleSheets = [styleSheet()];

    var root = el('div', { 'class': 'r', lang: locale }, shadow);
    var toggle = el('button', {
      type: 'button', 'aria-expanded': 'false', 'aria-controls': id + 'form', text: t.toggle
    }, root);
    var form = el('form', { id: id + 'form', novalidate: '', 'aria-describedby': id + 'status' }, root);
    form.hidden = true;
    var field = el('div', { 'class': 'field' }, form);
    el('label', { 'for': id + 'email', text: t.email }, field);
    var email = el('input', {
      id: id + 'email', type: 'email', name: 'email', required: '', autocomplete: 'email',
      placeholder: t.placeholder, 'aria-describedby': id + 'status'
    }, field);
    var consent = el('div', { 'class': 'consent' }, form);
    var box = el('input', { id: id + 'consent', type: 'checkbox', name: 'consent', required: '' }, consent);
    var consentText = el('label', { 'for': id + 'consent' }, consent);
    var hp = el('div', { 'class': 'hp', 'aria-hidden': 'true' }, form);
    if (!styled) hp.hidden = true;
    el('label', { 'for': id + 'website', text: 'Website' }, hp);
    var website = el('input', {
      id: id + 'website', type: 'text', name: 'website', tabindex: '-1', autocomplete: 'off'
    }, hp);
    var actions = el('div', { 'class': 'actions' }, form);
    var submit = el('button', { type: 'submit', text: t.submit }, actions);
    el('button', { type: 'button', 'class': 'close', text: t.close }, actions).onclick = close;
    var status = el('p', { id: id + 'status', 'class': 'status', role: 'status', 'aria-live': 'polite' }, root);

    var proof = null;      // { promise, value, failed, stop } for the current challenge
    var shownVersion = null;
    var busy = false, finished = false;

    function say(text, isError) {
      // The same words twice in a row are still announced.
      if (status.textContent === text) text += '\u00a0';
      status.textContent = text;
      status.className = isError ? 'status err' : 'status';
    }

    function showConsent(c) {
      var v = String(c.version);
      if (v === shownVersion) return;
      consentText.textContent = String(c.text || '');
      if (box.checked) box.checked = false;   // ticked for other words than these
      shownVersion = v;
    }

    // Fetches a challenge and starts solving it in the background.
    function newProof() {
      if (proof) proof.stop();
      var p = { value: null, failed: false, stop: noop };
      p.promise = getJSON('/storefront/challenge?locale=' + encodeURIComponent(tag)).then(function (c) {
        if (!c || typeof c.challenge !== 'string' || !c.consent) throw new Error('challenge');
        showConsent(c.consent);
        var expires = Date.parse(c.expiresOn);
        if (expires !== expires) expires = Infinity;
        var bits = Math.max(0, Math.min(256, Math.floor(+c.difficulty) || 0));
        return new Promise(function (resolve, reject) {
          p.stop = solve(c.challenge, bits, expires, function (n) {
            p.value = { challenge: c.challenge, nonce: String(n), version: String(c.consent.version), expires: expires };
            resolve(p.value);
          }, reject);
        });
      });
      p.promise.catch(function () { p.failed = true; });
      proof = p;
      return p;
    }

    function currentProof() {
      var p = proof;
      if (!p || p.failed || (p.value && p.value.expires - 10000 < Date.now())) p = newProof();
      return p;
    }

    function open() {
      form.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      email.focus();
      currentProof();
    }

    function close() {
      form.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      toggle.focus();
    }

    function badEmail() {
      email.setAttribute('aria-invalid', 'true');
      say(t.badEmail, true);
      email.focus();
    }

    function finish(text) {
      finished = true;
      if (proof) proof.stop();
      root.removeChild(toggle);
      root.removeChild(form);
      say(text);
      status.tabIndex = -1;
      status.focus();
    }

    // Answers to the subscription request; the proof has been spent by now.
    function answer(r) {
      proof = null;
      if (r.status === 429) return say(t.tooMany, true);
      if (r.ok) {
        return bodyOf(r).then(function (b) {
          finish(b && b.confirmationRequired === false ? t.done : t.inbox);
        });
      }
      currentProof();
      return bodyOf(r).then(function (b) {
        var onEmail = (r.status === 400 || r.status === 422) && b && Array.isArray(b.errors) &&
          b.errors.some(function (e) { return e && e.field === 'email'; });
        if (onEmail) badEmail();
        else say(t.error, true);
      });
    }

    function send(ev) {
      ev.preventDefault();
      if (busy || finished) return;
      var address = email.value.trim();
      if (!EMAIL.test(address)) return badEmail();
      email.removeAttribute('aria-invalid');
      if (!box.checked) {
        say(t.consent, true);
        return box.focus();
      }
      busy = true;
      submit.disabled = true;
      var p = currentProof();
      if (!p.value) say(t.working);
      p.promise.then(function (pv) {
        if (!box.checked) {   // the consent wording changed while waiting
          say(t.consent, true);
          return box.focus();
        }
        var body = { email: address, sku: sku, locale: tag };
        if (host.hasAttribute('data-restock-external-id')) {
          body.externalId = host.getAttribute('data-restock-external-id');
        }
        body.consentVersion = pv.version;
        body.sourcePage = page();
        body.website = website.value;
        body.proof = { challenge: pv.challenge, nonce: pv.nonce };
        return request('/storefront/subscriptions', body).then(answer, function () {
          proof = null;
          currentProof();
          say(t.error, true);
        });
      }).catch(function (e) {
        say(e && e.status === 429 ? t.tooMany : t.error, true);
      }).then(function () {
        busy = false;
        submit.disabled = false;
      });
    }

    toggle.onclick = function () {
      if (form.hidden) open();
      else close();
    };
    form.onsubmit = send;
    root.onkeydown = function (ev) {
      if (ev.key === 'Escape' && !form.hidden && !finished) {
        ev.stopPropagation();
        close();
      }
    };
  }

  function scan(node) {
    if (node.nodeType !== 1) return;
    if (node.hasAttribute('data-restock-sku')) start(node);
    var found = node.querySelectorAll('[data-restock-sku]');
    for (var i = 0; i < found.length; i++) start(found[i]);
  }

  scan(document.documentElement);
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.type === 'attributes') scan(r.target);
      for (var j = 0; j < r.addedNodes.length; j++) scan(r.addedNodes[j]);
    }
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-restock-sku'] });
})();
