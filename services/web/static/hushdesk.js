// hushdesk: ask the server whether this login session still holds, without counting as activity.
// When it has ended (idle, maximum length, logged out or revoked) go to the login page, which
// says why (auth.login.errors.<key> in .chainlit/translations). Auditors are sent to their page;
// admins get a link to theirs. Loaded by index.html from this server only.
(function () {
  "use strict";
  var STATUS = "/hushdesk/session";
  var timer = null;
  // Links in messages: same-origin links and hosts on HUSHDESK_LINK_ALLOW_HOSTS (sent with the session
  // status) stay clickable; every other link (another host, mailto:, tel: ...) becomes inert text that
  // shows its full URL, before it can be clicked. Until the status has arrived nothing is allowed.
  var linkHosts = [];
  function hostAllowed(host) {
    host = host.toLowerCase();
    for (var i = 0; i < linkHosts.length; i++) {
      var h = linkHosts[i];
      if (h === host || (h.indexOf("*.") === 0 && host.length > h.length - 1 &&
          host.slice(host.length - (h.length - 1)) === h.slice(1))) return true;
    }
    return false;
  }
  function linkAllowed(a) {
    var url;
    try { url = new URL(a.getAttribute("href"), window.location.href); } catch (e) { return false; }
    if (url.origin === window.location.origin) return true;
    return (url.protocol === "https:" || url.protocol === "http:") && hostAllowed(url.hostname);
  }
  function makeInert(a) {
    var href = a.getAttribute("href") || "";
    try { href = decodeURI(href); } catch (e) { /* shown as written */ }
    a.removeAttribute("href");
    a.removeAttribute("target");
    a.removeAttribute("ping");
    a.setAttribute("data-hushdesk-url", href);
    a.setAttribute("title", href);
    a.className += " hushdesk-inert-link" + (a.textContent.trim() === href ? "" : " hushdesk-inert-named");
  }
  function inertLinks(root) {
    var links = (root || document).querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (!linkAllowed(links[i])) makeInert(links[i]);
    }
  }
  function watchLinks() {
    var style = document.createElement("style");
    style.textContent = ".hushdesk-inert-link{cursor:text;text-decoration:none;color:inherit}" +
      ".hushdesk-inert-named::after{content:\" <\" attr(data-hushdesk-url) \">\";word-break:break-all}";
    document.head.appendChild(style);
    inertLinks(document);
    new MutationObserver(function () {
      var started = performance.now();
      inertLinks(document);
      if (window.hushdeskStats) window.hushdeskStats.observerMs += performance.now() - started;
    }).observe(document.documentElement, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["href"] });
    // A second guard: a click that reaches a link not (yet) made inert goes nowhere.
    ["click", "auxclick"].forEach(function (type) {
      document.addEventListener(type, function (e) {
        var a = e.target && e.target.closest ? e.target.closest("a[href]") : null;
        if (a && !linkAllowed(a)) { e.preventDefault(); e.stopPropagation(); makeInert(a); }
      }, true);
    });
  }
  function later(ms) { clearTimeout(timer); timer = setTimeout(check, ms); }
  function toLogin(key) {
    window.location.assign("/login?error=" + encodeURIComponent(key || "sessionRevoked"));
  }
  function adminLink() {
    if (document.getElementById("hushdesk-admin-link")) return;
    var a = document.createElement("a");
    a.id = "hushdesk-admin-link";
    a.href = "/hushdesk/admin";
    a.textContent = "Admin / 管理";
    a.setAttribute("style", "position:fixed;bottom:8px;left:8px;z-index:1000;font:12px system-ui,sans-serif;" +
      "padding:2px 6px;border:1px solid #999;border-radius:4px;background:#fff;color:#222;text-decoration:none");
    document.body.appendChild(a);
  }
  function check() {
    var onLogin = window.location.pathname.indexOf("/login") === 0;
    if (onLogin && /[?&]error=/.test(window.location.search)) { later(1000); return; }
    fetch(STATUS, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (onLogin) {
          // Chainlit may have sent the page here itself (its own 401); the server still knows why.
          if (r.status === 401 && body.detail && body.detail !== "sessionRequired") {
            window.location.replace("/login?error=" + encodeURIComponent(body.detail));
          } else if (r.status === 200 && body.home && body.home !== "/") {
            window.location.assign(body.home);  // signed in without chat (auditors): their page
          } else { later(1000); }
          return;
        }
        // No login at all: Chainlit itself shows the login page; an ended session says why.
        if (r.status === 401 && body.detail === "sessionRequired") { later(2000); return; }
        if (r.status === 401) { toLogin(body.detail); return; }
        if (r.status !== 200) { later(5000); return; }
        if (body.home && body.home !== "/" && window.location.pathname.indexOf("/hushdesk/") !== 0) {
          window.location.assign(body.home);
          return;
        }
        if (body.link_hosts) linkHosts = body.link_hosts;
        if (body.admin) adminLink();
        later(body.check_ms || 5000);
      });
    }, function () { later(2000); });
  }
  // Chainlit 2.12's login form shows "Unable to sign in" for every failure (it looks up the HTTP
  // status text, not the answer's detail); the login page shows `?error=<key>` properly, so a
  // refused sign-in reloads it with the reason: wrong credentials, or too many attempts (429).
  var originalFetch = window.fetch;
  window.fetch = function (input, init) {
    return originalFetch.apply(this, arguments).then(function (r) {
      var url = typeof input === "string" ? input : (input && input.url) || "";
      var method = (init && init.method) || (input && input.method) || "GET";
      if (!r.ok && method.toUpperCase() === "POST" && /\/login$/.test(url.split("?")[0]) &&
          (r.status === 401 || r.status === 429)) {
        window.location.replace("/login?error=" + (r.status === 429 ? "tooManyAttempts" : "credentialsSignin"));
      }
      return r;
    });
  };
  // What the model saw of each sent message (GET /hushdesk/turns, services/web/turns.py): the values
  // masked in the staff member's own message become chips with their label (the value on hover or tap),
  // a collapsible "model saw" line shows what the model received, the reply's revealed values are marked
  // the same way, and "Something was not masked" reports a miss (POST /hushdesk/miss). The values are the
  // staff member's own, answered only to this login; nothing here is stored.
  var turns = { csrf: "", texts: {}, labels: [], byId: {}, values: [], timer: null, settle: null, tries: 0 };
  // Time spent here marking messages, for `make bench` (bench/marks.py): milliseconds and passes.
  var stats = window.hushdeskStats = { decorateMs: 0, passes: 0, observerMs: 0 };
  var CHIP_CSS = ".hushdesk-chip{display:inline-block;padding:0 6px;margin:0 1px;border-radius:9px;" +
    "font:600 0.8em/1.5 system-ui,sans-serif;background:#dbeafe;color:#1e3a8a;border:1px solid #93c5fd;" +
    "cursor:help;white-space:nowrap}" +
    ".hushdesk-chip[data-open=true]::after{content:\" \" attr(data-value);font-weight:400}" +
    ".hushdesk-revealed{border-bottom:2px dotted #2563eb;cursor:help}" +
    ".hushdesk-saw{margin:4px 0 0;font:12px/1.4 system-ui,sans-serif;color:#555;max-width:100%}" +
    ".hushdesk-saw summary{cursor:pointer;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
    ".hushdesk-saw code{white-space:pre-wrap;word-break:break-word}" +
    ".hushdesk-saw[open] .hushdesk-saw-line{display:none}" +
    ".hushdesk-miss{font:12px system-ui,sans-serif;margin-top:2px}" +
    ".hushdesk-miss button{font:inherit;padding:1px 6px;margin-right:4px;cursor:pointer}" +
    ".hushdesk-miss select,.hushdesk-miss input{font:inherit;margin:2px 4px 2px 0;max-width:100%}" +
    "@media (prefers-color-scheme: dark){.hushdesk-chip{background:#1e3a8a;color:#dbeafe;border-color:#3b82f6}" +
    ".hushdesk-saw{color:#bbb}}";
  function el(tag, props, kids) {
    var e = document.createElement(tag);
    for (var k in props) { if (Object.prototype.hasOwnProperty.call(props, k)) e.setAttribute(k, props[k]); }
    (kids || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function chip(mark) {
    var c = el("span", { "class": "hushdesk-chip", tabindex: "0", role: "button", "data-open": "false",
      "data-placeholder": mark.placeholder, "data-value": mark.value,
      title: mark.value + " (" + (turns.texts.your_value || "your value") + ")",
      "aria-label": mark.placeholder }, [mark.placeholder.slice(1, -1)]);
    function toggle(e) { e.preventDefault(); c.setAttribute("data-open", c.getAttribute("data-open") === "true" ? "false" : "true"); }
    c.addEventListener("click", toggle);
    c.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") toggle(e); });
    return c;
  }
  // Replace, in the text nodes under `root`, each value of `marks` (longest first) with what make(mark)
  // builds; values already inside a chip are left alone.
  function markText(root, marks, make) {
    var sorted = marks.slice().sort(function (a, b) { return b.value.length - a.value.length; });
    sorted.forEach(function (mark) {
      if (!mark.value) return;
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
      var nodes = [], n;
      while ((n = walker.nextNode())) {
        if (n.parentNode && n.parentNode.closest && n.parentNode.closest(".hushdesk-chip,.hushdesk-revealed,.hushdesk-saw,.hushdesk-miss")) continue;
        if (n.nodeValue.indexOf(mark.value) >= 0) nodes.push(n);
      }
      nodes.forEach(function (node) {
        var parts = node.nodeValue.split(mark.value), frag = document.createDocumentFragment();
        parts.forEach(function (part, i) {
          if (i) frag.appendChild(make(mark));
          if (part) frag.appendChild(document.createTextNode(part));
        });
        node.parentNode.replaceChild(frag, node);
      });
    });
  }
  function missForm(box, turn) {
    var t = turns.texts;
    var select = labelSelect(t);
    var picked = (window.getSelection && String(window.getSelection())) || "";
    var input = el("input", { type: "text", maxlength: "200", "aria-label": t.mask_text || "", placeholder: t.mask_text || "" });
    input.value = picked.slice(0, 200);
    var send = el("button", { type: "button", "class": "hushdesk-miss-send" }, [t.report || "Report"]);
    var cancel = el("button", { type: "button" }, [t.cancel || "Cancel"]);
    var form = el("div", { "class": "hushdesk-miss-form" }, [select, input, send, cancel]);
    box.appendChild(form);
    cancel.addEventListener("click", function () { box.removeChild(form); });
    send.addEventListener("click", function () {
      send.disabled = true;
      post("/hushdesk/miss", { turn: turn.id, label: select.value, text: input.value }).then(function (body) {
        box.removeChild(form);
        var done = el("span", { "class": "hushdesk-miss-done", role: "status" },
          [body.ok ? (body.masked ? t.reported_masked : t.reported) : (t.failed || "")]);
        box.appendChild(done);
        if (body.ok) box.querySelector(".hushdesk-miss-open").disabled = true;
      }, function () { send.disabled = false; });
    });
  }
  function post(path, body) {
    return fetch(path, { method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": turns.csrf },
      body: JSON.stringify(body) }).then(function (r) { return r.json().catch(function () { return {}; }); });
  }
  function labelSelect(t) {
    var select = el("select", { "aria-label": t.label || "label" });
    turns.labels.forEach(function (l) { select.appendChild(el("option", { value: l }, [l])); });
    select.value = "CUSTOM";
    return select;
  }
  // Check before sending: mask more of a message that waits for "send".
  function maskForm(node, turn) {
    var t = turns.texts;
    var select = labelSelect(t);
    var input = el("input", { type: "text", maxlength: "200", "aria-label": t.mask_hint || "", placeholder: t.mask_hint || "" });
    var go = el("button", { type: "button", "class": "hushdesk-mask-send" }, [t.mask || "Mask"]);
    input.addEventListener("focus", function () {
      var picked = (window.getSelection && String(window.getSelection())) || "";
      if (picked && !input.value) input.value = picked.slice(0, 200);
    });
    go.addEventListener("mousedown", function () {  // a selection made in the message, before it is lost
      var picked = (window.getSelection && String(window.getSelection())) || "";
      if (picked && !input.value) input.value = picked.slice(0, 200);
    });
    go.addEventListener("click", function () {
      if (!input.value) return;
      go.disabled = true;
      post("/hushdesk/mask", { turn: turn.id, label: select.value, text: input.value }).then(function (body) {
        go.disabled = false;
        if (!body.ok) return;
        input.value = "";
        turns.byId[turn.id] = body.turn;
        redecorate(node, body.turn);
      }, function () { go.disabled = false; });
    });
    return el("div", { "class": "hushdesk-miss hushdesk-mask" }, [el("span", {}, [(t.mask_more || "Mask more") + ": "]),
      select, input, go]);
  }
  function decorateUser(node, turn) {
    node.setAttribute("data-hushdesk-turn", turn.id);
    node.setAttribute("data-hushdesk-pending", turn.pending ? "1" : "0");
    var body = node.querySelector(".message-content") || node;
    markText(body, turn.marks, chip);
    var t = turns.texts;
    var code = el("code", {}, [turn.sent]);
    var label = turn.pending ? (t.model_will_see || "model will see") : (t.model_saw || "model saw");
    var saw = el("details", { "class": "hushdesk-saw" }, [el("summary", {}, [label + ": ",
      el("span", { "class": "hushdesk-saw-line" }, [turn.sent])]), code]);
    if (turn.pending) saw.setAttribute("open", "");
    var box;
    if (turn.pending) {
      box = maskForm(node, turn);
    } else {
      var open = el("button", { type: "button", "class": "hushdesk-miss-open" }, [t.not_masked || "Something was not masked"]);
      box = el("div", { "class": "hushdesk-miss" }, [open]);
      open.addEventListener("click", function () { if (!box.querySelector(".hushdesk-miss-form")) missForm(box, turn); });
    }
    var holder = el("div", { "class": "hushdesk-turn" }, [saw, box]);
    body.parentNode.insertBefore(holder, body.nextSibling);
  }
  // A message shown again: its new masks become chips (the old ones stay), its line and buttons rebuilt.
  function redecorate(node, turn) {
    var old = node.querySelector(".hushdesk-turn");
    if (old) old.parentNode.removeChild(old);
    decorateUser(node, turn);
  }
  function revealed(mark) {
    return el("span", { "class": "hushdesk-revealed", "data-placeholder": mark.placeholder,
      title: mark.placeholder.slice(1, -1) + " — " + (turns.texts.your_value || "your value") }, [mark.value]);
  }
  function decorate() {
    var started = performance.now();
    try { return decoratePass(); } finally { stats.decorateMs += performance.now() - started; stats.passes += 1; }
  }
  function decoratePass() {
    var pending = false;
    var users = document.querySelectorAll("[data-step-type=user_message]");
    for (var i = 0; i < users.length; i++) {
      var node = users[i];
      if (node.getAttribute("data-hushdesk-turn")) continue;
      var holder = node.closest("[id^='step-']") || node.querySelector("[id^='step-']");
      var id = holder ? holder.id.slice(5) : "";
      var turn = id && turns.byId[id];
      if (turn) decorateUser(node, turn); else pending = true;
    }
    // A message that waited (check before sending) and has been sent since: shown as sent.
    var waiting = document.querySelectorAll("[data-step-type=user_message][data-hushdesk-pending='1']");
    for (var w = 0; w < waiting.length; w++) {
      var known = turns.byId[waiting[w].getAttribute("data-hushdesk-turn")];
      if (known && !known.pending) redecorate(waiting[w], known);
      else if (!known) { var gone = waiting[w].querySelector(".hushdesk-turn"); if (gone) gone.parentNode.removeChild(gone); }
    }
    // A reply is marked once its text has stopped changing (the page's own renderer owns a streaming
    // message); only the last few can still change, so a long conversation costs no more.
    var replies = document.querySelectorAll("[data-step-type=assistant_message]");
    var settling = false;
    for (var j = Math.max(0, replies.length - 3); j < replies.length && turns.values.length; j++) {
      var reply = replies[j];
      if (reply.getAttribute("data-hushdesk-marked")) continue;
      var body = reply.querySelector(".message-content") || reply;
      var now = body.textContent;
      if (stable.get(reply) === now) {
        markText(body, turns.values, revealed);
        reply.setAttribute("data-hushdesk-marked", "1");
      } else { stable.set(reply, now); settling = true; }
    }
    if (settling) { clearTimeout(turns.settle); turns.settle = setTimeout(decorate, 700); }
    return pending;
  }
  var stable = new WeakMap();
  function loadTurns() {
    fetch("/hushdesk/turns", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.status !== 200) return null;
      return r.json();
    }).then(function (body) {
      if (!body) return;
      turns.csrf = body.csrf; turns.texts = body.texts || {}; turns.labels = body.labels || [];
      var seen = {};
      turns.values = [];
      turns.byId = {};
      (body.turns || []).forEach(function (t) {
        turns.byId[t.id] = t;
        t.marks.forEach(function (m) { if (!seen[m.placeholder] && m.value.length > 1) { seen[m.placeholder] = 1; turns.values.push(m); } });
      });
      var pending = decorate();
      if (pending && turns.tries < 6) { turns.tries += 1; later2(400 * turns.tries); }
    }, function () { /* tried again on the next message */ });
  }
  function later2(ms) { clearTimeout(turns.timer); turns.timer = setTimeout(loadTurns, ms); }
  function watchTurns() {
    var style = document.createElement("style");
    style.textContent = CHIP_CSS;
    document.head.appendChild(style);
    var lastUsers = 0, lastReplies = 0;
    new MutationObserver(function () {
      var started = performance.now();
      try { onMutation(); } finally { stats.observerMs += performance.now() - started; }
    }).observe(document.documentElement, { childList: true, subtree: true });
    function onMutation() {
      var u = document.querySelectorAll("[data-step-type=user_message]").length;
      var a = document.querySelectorAll("[data-step-type=assistant_message]").length;
      if (u !== lastUsers) { lastUsers = u; turns.tries = 0; later2(300); }
      if (a !== lastReplies) {
        lastReplies = a;
        clearTimeout(turns.settle); turns.settle = setTimeout(decorate, 700);
        if (document.querySelector("[data-hushdesk-pending='1']")) later2(500);  // sent or dropped since
      }
    }
  }
  watchLinks();
  // The login page becomes the chat without a reload: the watch is installed there too.
  if (window.location.pathname.indexOf("/hushdesk/") !== 0) watchTurns();
  check();
})();
