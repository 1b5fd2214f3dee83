// hushdesk usage dashboard: asks /hushdesk/dashboard/data for the chosen UTC days and draws the tables
// and charts with Chart.js (served from this server: /hushdesk/static/vendor/chart.umd.min.js).
// Everything shown is an anonymized aggregate; a group with fewer than k users arrives without
// figures ("suppressed") and is shown as such. Text goes in through textContent only.
(function () {
  "use strict";
  var DATA = "/hushdesk/dashboard/data";
  var charts = {};
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
  function hidden(k) { return "suppressed (< " + k + " users) / 已隐藏（少于 " + k + " 位用户）"; }
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
    ["users", "Distinct active users / 活跃用户", int],
    ["turns", "Turns / 对话轮次", int],
    ["ok", "Answered / 已回答", int],
    ["failures", "Failed / 失败", int],
    ["refusals", "Refused (input rejected, reply blocked) / 拒绝", int],
    ["other", "Cancelled / 取消", int],
    ["failure_rate", "Failure rate / 失败率", pct],
    ["refusal_rate", "Refusal rate / 拒绝率", pct],
    ["prompt_tokens", "Tokens in / 输入词元", int],
    ["completion_tokens", "Tokens out / 输出词元", int],
    ["latency_p50", "Latency p50 / 延迟 p50", ms],
    ["latency_p95", "Latency p95 / 延迟 p95", ms],
    ["ttft_p50", "Time to first token p50 / 首词元 p50", ms],
    ["ttft_p95", "Time to first token p95 / 首词元 p95", ms]
  ];
  function value(b, key) {
    if (key.indexOf("latency_") === 0) return b.latency_ms[key.slice(8)];
    if (key.indexOf("ttft_") === 0) return b.ttft_ms[key.slice(5)];
    return b[key];
  }

  function summary(data) {
    var t = clear("summary"), s = data.summary;
    SUMMARY.forEach(function (f) {
      var text = s.suppressed ? hidden(data.k) : f[2](value(s, f[0]));
      if (!s.suppressed && f[0] === "users" && s.users_at_least) text = "≥ " + text;
      row(t, [{ text: f[1] }, { text: text, num: true,
        attrs: { "data-figure": f[0], "data-suppressed": s.suppressed ? "1" : "0" } }]);
    });
  }

  function redactions(data) {
    var t = clear("redactions"), r = data.redactions, labels = {}, order = [];
    if (r.suppressed) {
      row(t, [{ text: hidden(data.k), attrs: { id: "redactions-suppressed" } }]);
      return;
    }
    r["in"].concat(r.out).forEach(function (p) { if (!(p[0] in labels)) { labels[p[0]] = 1; order.push(p[0]); } });
    if (!order.length) { row(t, [{ text: "No redactions in this range / 此期间无脱敏" }]); return; }
    var get = function (list, label) {
      for (var i = 0; i < list.length; i++) if (list[i][0] === label) return list[i][1];
      return 0;
    };
    row(t, [{ text: "type / 类型" }, { text: "in messages / 消息中" }, { text: "in replies / 回复中" }], true);
    order.forEach(function (label) {
      row(t, [{ text: label }, { text: int(get(r["in"], label)), num: true, attrs: { "data-label": label, "data-dir": "in" } },
              { text: int(get(r.out, label)), num: true, attrs: { "data-label": label, "data-dir": "out" } }]);
    });
  }

  function health(data) {
    var t = clear("health"), h = data.health;
    if (!h) { row(t, [{ text: "Not available / 不可用" }]); return; }
    row(t, [{ text: "State / 状态" }, { text: h.state, attrs: { "data-figure": "state" } }]);
    row(t, [{ text: "Restarts / 重启次数" }, { text: int(h.restarts), num: true, attrs: { "data-figure": "restarts" } }]);
    if (h.recycles !== null && h.recycles !== undefined) {
      row(t, [{ text: "Planned recycles / 计划重启" }, { text: int(h.recycles), num: true, attrs: { "data-figure": "recycles" } }]);
    }
    row(t, [{ text: "Up since (UTC) / 启动时间" }, { text: h.up_since || "–", attrs: { "data-figure": "up_since" } }]);
    row(t, [{ text: "Uptime / 运行时间" }, { text: duration(h.uptime_s), attrs: { "data-figure": "uptime" } }]);
  }

  var DAY_COLUMNS = [
    ["users", "users / 用户", int], ["turns", "turns / 轮次", int], ["failures", "failed / 失败", int],
    ["refusals", "refused / 拒绝", int], ["prompt_tokens", "tokens in / 输入", int],
    ["completion_tokens", "tokens out / 输出", int], ["latency_p50", "latency p50", ms],
    ["latency_p95", "latency p95", ms], ["ttft_p50", "TTFT p50", ms], ["ttft_p95", "TTFT p95", ms]
  ];
  function days(data) {
    var t = clear("days");
    row(t, [{ text: "day (UTC) / 日期" }].concat(DAY_COLUMNS.map(function (c) { return { text: c[1] }; })), true);
    data.days.forEach(function (d) {
      var tr;
      if (d.suppressed) {
        tr = row(t, [{ text: d.start }, { text: hidden(data.k), attrs: { colspan: String(DAY_COLUMNS.length) } }]);
      } else {
        tr = row(t, [{ text: d.start }].concat(DAY_COLUMNS.map(function (c) {
          return { text: c[2](value(d, c[0])), num: true, attrs: { "data-figure": c[0] } };
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
      set("answered / 已回答", series(data.days, function (b) { return b.ok; }), COLORS.ok),
      set("failed / 失败", series(data.days, function (b) { return b.failures; }), COLORS.failures),
      set("refused / 拒绝", series(data.days, function (b) { return b.refusals; }), COLORS.refusals),
      set("cancelled / 取消", series(data.days, function (b) { return b.other; }), COLORS.other)
    ], { scales: stacked, plugins: titled(mark) });
    if (data.hours) {
      draw("chart-turns-hour", "bar", data.hours.map(function (b) { return b.start.slice(5, 13).replace("T", " ") + "h"; }),
           [set("turns / 轮次", series(data.hours, function (b) { return b.turns; }), COLORS.a)],
           { plugins: titled(data.hours.some(function (b) { return b.suppressed; }) ? "gaps: " + hidden(data.k) : "") });
    } else {
      draw("chart-turns-hour", "bar", [], [], { plugins: titled("Hourly view for ranges up to 31 days / 仅限 31 天以内") });
    }
    draw("chart-users", "bar", dayLabels, [set("users / 用户", series(data.days, function (b) { return b.users; }), COLORS.a)],
         { plugins: titled(mark), scales: { y: { beginAtZero: true } } });
    draw("chart-tokens", "bar", dayLabels, [
      set("in / 输入", series(data.days, function (b) { return b.prompt_tokens; }), COLORS.a),
      set("out / 输出", series(data.days, function (b) { return b.completion_tokens; }), COLORS.b)
    ], { plugins: titled(mark), scales: { y: { beginAtZero: true } } });
    ["latency", "ttft"].forEach(function (m) {
      draw("chart-" + m, "line", dayLabels, [
        set("p50", series(data.days, function (b) { return b[m + "_ms"].p50; }), COLORS.a),
        set("p95", series(data.days, function (b) { return b[m + "_ms"].p95; }), COLORS.b)
      ], { plugins: titled(mark), scales: { y: { beginAtZero: true } } });
    });
    draw("chart-rates", "line", dayLabels, [
      set("failure % / 失败率", series(data.days, function (b) { return b.failure_rate === null ? null : b.failure_rate * 100; }), COLORS.failures),
      set("refusal % / 拒绝率", series(data.days, function (b) { return b.refusal_rate === null ? null : b.refusal_rate * 100; }), COLORS.refusals)
    ], { plugins: titled(mark), scales: { y: { beginAtZero: true } } });
    var r = data.redactions, labels = [];
    r["in"].concat(r.out).forEach(function (p) { if (labels.indexOf(p[0]) < 0) labels.push(p[0]); });
    var pick = function (list) {
      return labels.map(function (l) { var f = list.filter(function (p) { return p[0] === l; }); return f.length ? f[0][1] : 0; });
    };
    draw("chart-redactions", "bar", labels, [set("in messages / 消息中", pick(r["in"]), COLORS.a),
                                             set("in replies / 回复中", pick(r.out), COLORS.b)],
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
    status("Loading… / 加载中…");
    var url = DATA + "?from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to);
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.status === 401) { window.location.assign("/login?error=" + encodeURIComponent(body.detail || "sessionRevoked")); return; }
        if (!r.ok) {
          status(body.message || "The dashboard could not be loaded. / 无法加载。", true);
          document.body.setAttribute("data-ready", "error");
          return;
        }
        summary(body); redactions(body); health(body); days(body); chartsFor(body);
        var n = body.days.filter(function (d) { return d.suppressed; }).length;
        status(body.range.from + " – " + body.range.to + " (UTC), " + body.range.days + " days; " +
               n + " suppressed (< " + body.k + " users).");
        document.body.setAttribute("data-ready", "1");
      });
    }, function () { status("The dashboard could not be loaded. / 无法加载。", true); });
  }

  function start() {
    el("range").addEventListener("submit", function (e) {
      e.preventDefault();
      var q = "?from=" + encodeURIComponent(el("from").value) + "&to=" + encodeURIComponent(el("to").value);
      window.history.replaceState(null, "", window.location.pathname + q);
      load();
    });
    window.hushdeskDashboard = { charts: charts };
    load();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
