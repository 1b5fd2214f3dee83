// hushdesk knowledge base, one collection's page: sends each chosen file on its own to
// /hushdesk/admin/kb/upload with XMLHttpRequest (upload progress events), one at a time, and shows a
// progress bar and the server's result per file. Without this script the form posts all files at once.
// Words come from the page (#kb-text, in the page's language); text goes in through textContent only.
(function () {
  "use strict";
  var URL = "/hushdesk/admin/kb/upload";
  var TEXT = {};
  function t(key, fields) {
    var s = TEXT[key] === undefined ? key : TEXT[key];
    return s.replace(/\{(\w+)\}/g, function (m, name) {
      return fields && fields[name] !== undefined ? String(fields[name]) : m;
    });
  }
  function node(tag, text, attrs) {
    var n = document.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    return n;
  }

  // One list item per file: name, a progress bar, a status line.
  function item(list, file, index) {
    var li = node("li", null, { "class": "upload", id: "upload-" + index, "data-state": "waiting" });
    var name = node("span", file.name, { "class": "upload-name" });
    var bar = node("progress", null, { max: "100", value: "0", "aria-label": t("kb.js.progress", { name: file.name }) });
    var status = node("span", t("kb.js.waiting"), { "class": "upload-status" });
    li.appendChild(name); li.appendChild(bar); li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  function finish(row, ok, message) {
    row.li.setAttribute("data-state", ok ? "done" : "refused");
    row.status.className = "upload-status " + (ok ? "ok" : "bad");
    row.status.textContent = message;
    row.bar.value = 100;
  }

  function send(form, file, row) {
    return new Promise(function (resolve) {
      var max = parseInt(form.getAttribute("data-max-bytes"), 10);
      if (file.size > max) {  // the server refuses it too; this spares sending it
        finish(row, false, form.getAttribute("data-too-large"));
        resolve(false);
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", URL + "?lang=" + encodeURIComponent(document.documentElement.lang));
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("X-Filename", encodeURIComponent(file.name));
      xhr.setRequestHeader("X-Collection", encodeURIComponent(form.getAttribute("data-collection")));
      xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf.value);
      row.li.setAttribute("data-state", "sending");
      row.status.textContent = t("kb.js.sending");
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        row.bar.value = Math.round(e.loaded / e.total * 100);
        if (e.loaded === e.total) row.status.textContent = t("kb.js.processing");
      };
      xhr.upload.onload = function () { row.status.textContent = t("kb.js.processing"); };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (body && typeof body.message === "string") {
          if (body.ok) row.li.setAttribute("data-status", body.status);
          finish(row, !!body.ok, body.message);
          resolve(!!body.ok);
        } else {
          finish(row, false, t("kb.js.failed"));
          resolve(false);
        }
      };
      xhr.onerror = xhr.onabort = function () { finish(row, false, t("kb.js.failed")); resolve(false); };
      xhr.send(file);
    });
  }

  function start() {
    var form = document.getElementById("upload");
    var input = document.getElementById("upload-files");
    var section = document.getElementById("upload-results");
    var list = document.getElementById("upload-list");
    if (!form || !input || !list) return;
    Array.prototype.forEach.call(document.querySelectorAll("#kb-text [data-key]"), function (n) {
      TEXT[n.getAttribute("data-key")] = n.textContent;
    });
    form.addEventListener("submit", function (e) {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length || !window.XMLHttpRequest) return;  // the plain form post
      e.preventDefault();
      var button = document.getElementById("upload-submit");
      button.disabled = true;
      while (list.firstChild) list.removeChild(list.firstChild);
      section.hidden = false;
      var rows = files.map(function (f, i) { return item(list, f, i); });
      var chain = Promise.resolve();
      files.forEach(function (f, i) { chain = chain.then(function () { return send(form, f, rows[i]); }); });
      chain.then(function () {
        button.disabled = false;
        input.value = "";
        list.setAttribute("data-done", "true");
        // The documents table is the server's: reload it after a moment, keeping the results visible.
        var refresh = document.getElementById("kb-refresh");
        if (refresh) refresh.hidden = false;
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
