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
    new MutationObserver(function () { inertLinks(document); }).observe(document.documentElement, {
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
  watchLinks();
  check();
})();
