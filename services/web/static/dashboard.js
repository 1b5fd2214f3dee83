// hushdesk usage dashboard: asks /hushdesk/dashboard/data for the chosen UTC days and draws the tables
// and charts with Chart.js (served from this server: /hushdesk/static/vendor/chart.umd.min.js).
// Everything shown is an anonymized aggregate; a group with fewer than k users arrives without
// figures ("suppressed") and is shown as such. Text goes in through textContent only.
// Words come from the page (#dashboard-text, in the page's one language, from services/i18n.py).
(function () {
  "use strict";
  var DATA = "/hushdesk/dashboard/data";
  var charts = {};
  var TEXT = {};
  // The page's word for `key`, with {name} fields filled from `fields`.
  function t(key, fields) {
    var s = TEXT[key] === undefined ? key : TEXT[key];
    return s.replace(/\{(\w+)\}/g, function (m, name) {
      return fields && fields[name] !== undefined ? String(fields[name]) : m;
    });
  }
  var COLORS = { ok: "#2b8a3e", failures: "#c92a2a", refusals: "#e67700", other: "#868e96",
                 a: "#1c7ed6", b: "#ae3ec9" };

  function el(id) { return document.getElementById(id); }
  function node(tag, text, attrs) {
    var n = document.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    return n;
  }
  function int(v) { return v === null || v === undefined ? "–" : String(v); }
  function ms(v) { return v === null || v === undefined ? "–" : v.toFixed(1) + " ms"; }
  function pct(v) { return v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%"; }
  function duration(s) {
    if (s === null || s === undefined) return "–";
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (d ? d + " d " : "") + (d || h ? h + " h " : "") + m + " min";
  }
  function hidden(k) { return t("dash.suppressed", { k: k }); }
  function clear(id) { var t = el(id); while (t.firstChild) t.removeChild(t.firstChild); return t; }
  function row(table, cells, header) {
    var tr = node("tr");
    cells.forEach(function (c) {
      var td = node(header ? "th" : "td", c.text, c.attrs);
      if (c.num) td.className = "num";
      tr.appendChild(td);
    });
    table.appendChild(tr);
    return tr;
  }

  var SUMMARY = [
    ["users", int], ["turns", int], ["ok", int], ["failures", int], ["refusals", int], ["other", int],
    ["failure_rate", pct], ["refusal_rate", pct], ["prompt_tokens", int], ["completion_tokens", int],
    ["latency_p50", ms], ["latency_p95", ms], ["ttft_p50", ms], ["ttft_p95", ms]
  ];
  function value(b, key) {
    if (key.indexOf("latency_") === 0) return b.latency_ms[key.slice(8)];
    if (key.indexOf("ttft_") === 0) return b.ttft_ms[key.slice(5)];
    return b[key];
  }

  function summary(data) {
    var tb = clear("summary"), s = data.summary;
    SUMMARY.forEach(function (f) {
      var text = s.suppressed ? hidden(data.k) : f[1](value(s, f[0]));
      if (!s.suppressed && f[0] === "users" && s.users_at_least) text = "≥ " + text;
      row(tb, [{ text: t("dash." + f[0]) }, { text: text, num: true,
        attrs: { "data-figure": f[0], "data-suppressed": s.suppressed ? "1" : "0" } }]);
    });
  }

  // The knowledge base's figures of the range, suppressed with it.
  var KB = [
    ["kb_searched", "searched", int], ["kb_with_sources", "with_sources", int],
    ["kb_without_sources", "without_sources", int], ["kb_no_answer_rate", "no_answer_rate", pct],
    ["kb_latency_p50", "p50", ms], ["kb_latency_p95", "p95", ms]
  ];
  function kb(data) {
    var tb = clear("kb"), s = data.summary;
    KB.forEach(function (f) {
      var v = s.suppressed ? null : (f[1] === "p50" || f[1] === "p95" ? s.kb.latency_ms[f[1]] : s.kb[f[1]]);
      row(tb, [{ text: t("dash." + f[0]) }, { text: s.suppressed ? hidden(data.k) : f[2](v), num: true,
        attrs: { "data-figure": f[0], "data-suppressed": s.suppressed ? "1" : "0" } }]);
    });
  }

  function redactions(data) {
    var tb = clear("redactions"), r = data.redactions, labels = {}, order = [];
    if (r.suppressed) {
      row(tb, [{ text: hidden(data.k), attrs: { id: "redactions-suppressed" } }]);
      return;
    }
    r["in"].concat(r.out).forEach(function (p) { if (!(p[0] in labels)) { labels[p[0]] = 1; order.push(p[0]); } });
    if (!order.length) { row(tb, [{ text: t("dash.no_redactions") }]); return; }
    var get = function (list, label) {
      for (var i = 0; i < list.length; i++) if (list[i][0] === label) return list[i][1];
      return 0;
    };
    row(tb, [{ text: t("dash.type") }, { text: t("dash.in_messages") }, { text: t("dash.in_replies") }], true);
    order.forEach(function (label) {
      row(tb, [{ text: label }, { text: int(get(r["in"], label)), num: true, attrs: { "data-label": label, "data-dir": "in" } },
              { text: int(get(r.out, label)), num: true, attrs: { "data-label": label, "data-dir": "out" } }]);
    });
  }

  // Messages staff reported as holding a value redaction missed, by the label they chose: the range's
  // total, then each day that shows them (a day of fewer than k users shows none).
  function misses(data) {
    var tb = clear("misses"), r = data.redactions;
    if (r.suppressed) { row(tb, [{ text: hidden(data.k) }]); return; }
    var total = r.missed || [];
    if (!total.length) { row(tb, [{ text: t("dash.no_misses") }]); return; }
    row(tb, [{ text: t("dash.day") }, { text: t("dash.type") }, { text: t("dash.misses") }], true);
    total.forEach(function (p) {
      row(tb, [{ text: t("dash.all_days") }, { text: p[0] }, { text: int(p[1]), num: true,
        attrs: { "data-miss-label": p[0], "data-miss-day": "all" } }]);
    });
    data.days.forEach(function (d) {
      (d.misses || []).forEach(function (p) {
        row(tb, [{ text: d.start }, { text: p[0] }, { text: int(p[1]), num: true,
          attrs: { "data-miss-label": p[0], "data-miss-day": d.start } }]);
      });
    });
  }

  function health(data) {
    var tb = clear("health"), h = data.health;
    if (!h) { row(tb, [{ text: t("dash.not_available") }]); return; }
    row(tb, [{ text: t("dash.state") }, { text: h.state, attrs: { "data-figure": "state" } }]);
    row(tb, [{ text: t("dash.restarts") }, { text: int(h.restarts), num: true, attrs: { "data-figure": "restarts" } }]);
    if (h.recycles !== null && h.recycles !== undefined) {
      row(tb, [{ text: t("dash.recycles") }, { text: int(h.recycles), num: true, attrs: { "data-figure": "recycles" } }]);
    }
    row(tb, [{ text: t("dash.up_since") }, { text: h.up_since || "–", attrs: { "data-figure": "up_since" } }]);
    row(tb, [{ text: t("dash.uptime") }, { text: duration(h.uptime_s), attrs: { "data-figure": "uptime" } }]);
  }

  var DAY_COLUMNS = [
    ["users", int], ["turns", int], ["failures", int], ["refusals", int], ["prompt_tokens", int],
    ["completion_tokens", int], ["latency_p50", ms], ["latency_p95", ms], ["ttft_p50", ms], ["ttft_p95", ms]
  ];
  function days(data) {
    var tb = clear("days");
    row(tb, [{ text: t("dash.day") }].concat(DAY_COLUMNS.map(function (c) { return { text: t("dash.col." + c[0]) }; })), true);
    data.days.forEach(function (d) {
      var tr;
      if (d.suppressed) {
        tr = row(tb, [{ text: d.start }, { text: hidden(data.k), attrs: { colspan: String(DAY_COLUMNS.length) } }]);
      } else {
        tr = row(tb, [{ text: d.start }].concat(DAY_COLUMNS.map(function (c) {
          return { text: c[1](value(d, c[0])), num: true, attrs: { "data-figure": c[0] } };
        })));
      }
      tr.setAttribute("data-day", d.start);
      tr.setAttribute("data-suppressed", d.suppressed ? "1" : "0");
    });
  }

  function series(buckets, get) {
    return buckets.map(function (b) { return b.suppressed ? null : get(b); });
  }
  function draw(id, type, labels, datasets, options) {
    if (charts[id]) charts[id].destroy();
    var opts = { animation: false, responsive: true, maintainAspectRatio: false,
                 plugins: { legend: { display: datasets.length > 1 } }, scales: {} };
    Object.keys(options || {}).forEach(function (k) { opts[k] = options[k]; });
    charts[id] = new window.Chart(el(id), { type: type, data: { labels: labels, datasets: datasets }, options: opts });
  }
  function set(label, data, color, extra) {
    var d = { label: label, data: data, backgroundColor: color, borderColor: color };
    Object.keys(extra || {}).forEach(function (k) { d[k] = extra[k]; });
    return d;
  }
  function titled(text) { return { legend: { display: true }, title: { display: !!text, text: text } }; }

  function chartsFor(data) {
    var note = function (b) { return b.suppressed ? b.start + " *" : b.start; };
    var dayLabels = data.days.map(note);
    var hiddenDays = data.days.filter(function (d) { return d.suppressed; }).length;
    var mark = hiddenDays ? "* " + hidden(data.k) : "";
    var stacked = { x: { stacked: true }, y: { stacked: true, beginAtZero: true } };
    draw("chart-turns-day", "bar", dayLabels, [
      set(t("dash.set.answered"), series(data.days, function (b) { return b.ok; }), COLORS.ok),
      set(t("dash.set.failed"), series(data.days, function (b) { return b.failures; }), COLORS.failures),
      set(t("dash.set.refused"), series(data.days, function (b) { return b.refusals; }), COLORS.refusals),
      set(t("dash.set.cancelled"), series(data.days, function (b) { return b.other; }), COLORS.other)
    ], { scales: stacked, plugins: titled(mark) });
    if (data.hours) {
      draw("chart-turns-hour", "bar", data.hours.map(function (b) { return b.start.slice(5, 13).replace("T", " ") + "h"; }),
           [set(t("dash.set.turns"), series(data.hours, function (b) { return b.turns; }), COLORS.a)],
           { plugins: titled(data.hours.some(function (b) { return b.suppressed; }) ? t("dash.gaps", { text: hidden(data.k) }) : "") });
    } else {
      draw("chart-turns-hour", "bar", [], [], { plugins: titled(t("dash.hourly_limit")) });
    }
    draw("chart-users", "bar", dayLabels, [set(t("dash.set.users"), series(data.days, function (b) { return b.users; }), COLORS.a)],
         { plugins: titled(mark), scales: { y: { beginAtZero: true } } });
    draw("chart-tokens", "bar", dayLabels, [
      set(t("dash.set.in"), series(data.days, function (b) { return b.prompt_tokens; }), COLORS.a),
      set(t("dash.set.out"), series(data.days, function (b) { return b.completion_tokens; }), COLORS.b)
    ], { plugins: titled(mark), scales: { y: { beginAtZero: true } } });
    ["latency", "ttft"].forEach(function (m) {
      draw("chart-" + m, "line", dayLabels, [
        set("p50", series(data.days, function (b) { return b[m + "_ms"].p50; }), COLORS.a),
        set("p95", series(data.days, function (b) { return b[m + "_ms"].p95; }), COLORS.b)
      ], { plugins: titled(mark), scales: { y: { beginAtZero: true } } });
    });
    draw("chart-rates", "line", dayLabels, [
      set(t("dash.set.failure_rate"), series(data.days, function (b) { return b.failure_rate === null ? null : b.failure_rate * 100; }), COLORS.failures),
      set(t("dash.set.refusal_rate"), series(data.days, function (b) { return b.refusal_rate === null ? null : b.refusal_rate * 100; }), COLORS.refusals)
    ], { plugins: titled(mark), scales: { y: { beginAtZero: true } } });
    var r = data.redactions, labels = [];
    r["in"].concat(r.out).forEach(function (p) { if (labels.indexOf(p[0]) < 0) labels.push(p[0]); });
    var pick = function (list) {
      return labels.map(function (l) { var f = list.filter(function (p) { return p[0] === l; }); return f.length ? f[0][1] : 0; });
    };
    draw("chart-redactions", "bar", labels, [set(t("dash.in_messages"), pick(r["in"]), COLORS.a),
                                             set(t("dash.in_replies"), pick(r.out), COLORS.b)],
         { indexAxis: "y", plugins: titled(r.suppressed ? hidden(data.k) : "") });
  }

  function status(text, bad) {
    var s = el("status");
    s.textContent = text;
    s.className = bad ? "bad" : "note";
  }

  function load() {
    var from = el("from").value, to = el("to").value;
    document.body.removeAttribute("data-ready");
    status(t("dash.loading"));
    var url = DATA + "?from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to);
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.status === 401) { window.location.assign("/login?error=" + encodeURIComponent(body.detail || "sessionRevoked")); return; }
        if (!r.ok) {
          var known = body.error && TEXT["notice." + body.error] !== undefined;
          status(known ? t("notice." + body.error) : body.message || t("dash.failed"), true);
          document.body.setAttribute("data-ready", "error");
          return;
        }
        summary(body); kb(body); redactions(body); misses(body); health(body); days(body); chartsFor(body);
        var n = body.days.filter(function (d) { return d.suppressed; }).length;
        status(t("dash.loaded", { from: body.range.from, to: body.range.to, days: body.range.days, n: n, k: body.k }));
        document.body.setAttribute("data-ready", "1");
      });
    }, function () { status(t("dash.failed"), true); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("#dashboard-text [data-key]"), function (n) {
      TEXT[n.getAttribute("data-key")] = n.textContent;
    });
    if (window.Chart) {  // axis and legend text in the page's colours (light or dark)
      var style = window.getComputedStyle(document.body);
      window.Chart.defaults.color = style.color;
      window.Chart.defaults.borderColor = style.getPropertyValue("--line").trim() || window.Chart.defaults.borderColor;
    }
    el("range").addEventListener("submit", function (e) {
      e.preventDefault();
      var q = "?from=" + encodeURIComponent(el("from").value) + "&to=" + encodeURIComponent(el("to").value);
      window.history.replaceState(null, "", window.location.pathname + q);
      var sw = el("lang-switch");  // the language switch keeps the range now shown
      if (sw) {
        var u = new URL(sw.getAttribute("href"), window.location.href);
        u.searchParams.set("from", el("from").value);
        u.searchParams.set("to", el("to").value);
        sw.setAttribute("href", u.pathname + u.search);
      }
      load();
    });
    window.hushdeskDashboard = { charts: charts };
    load();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
