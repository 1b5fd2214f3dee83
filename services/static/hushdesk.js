// hushdesk: ask the server whether this login session still holds, without counting as activity.
// When it has ended (idle, maximum length, logged out or revoked) go to the login page, which
// says why (auth.login.errors.<key> in .chainlit/translations). Auditors are sent to their page;
// admins get a link to theirs. Loaded by index.html from this server only.
(function () {
  "use strict";
  var STATUS = "/hushdesk/session";
  var timer = null;
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
    if (window.location.pathname.indexOf("/login") === 0) { later(1000); return; }
    fetch(STATUS, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.status === 401) { toLogin(body.detail); return; }
        if (r.status !== 200) { later(5000); return; }
        if (body.home && body.home !== "/" && window.location.pathname.indexOf("/hushdesk/") !== 0) {
          window.location.assign(body.home);
          return;
        }
        if (body.admin) adminLink();
        later(body.check_ms || 5000);
      });
    }, function () { later(2000); });
  }
  check();
})();
