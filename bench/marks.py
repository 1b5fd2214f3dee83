"""Redaction made visible: what the chips, the "model saw" line and the reply marks cost.

Server: per turn, keeping what the page shows (`ChatService._shown`) and answering the page's one
`GET /hushdesk/turns` after the message, for a conversation already 200 turns long (the worst case: the
answer holds every turn), against the turn's own input redaction of the same message, in the same run.
Messages: staff-style texts of `../shared/data/pii-public/check.jsonl` when the shared folder is present
(public text nobody here wrote), else a few of our own.

Browser: a 200-turn conversation in Debian Chromium against the real app and the fake engine process;
the page's script time per new message (Chrome's ScriptDuration, everything the page runs: Chainlit's
renderer and hushdesk.js) at messages 1-10 and 191-200, and hushdesk.js's own marking time
(`window.hushdeskStats`: its marking passes and its two DOM observers).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.public_quality import CHECK

SAMPLES = ["客户张伟，手机13812345678，订单ORD-20241103还没到，帮我查一下",
           "Customer Maria Gonzalez called from +44 20 7946 0958 about order ORD-12345678",
           "收件人李娜，地址广东省深圳市南山区科技南路18号，电话0755-88881234"]
TURNS = 200
GOAL_MS = 5.0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _messages() -> tuple[list[str], str]:
    if CHECK.is_file():
        rows = [json.loads(line) for line in CHECK.read_text(encoding="utf-8").splitlines()]
        texts = [r["text"] for r in rows if r["spans"] and 20 <= len(r["text"]) <= 400][:400]
        if texts:
            return texts, f"{len(texts)} messages with PII from ../shared/data/pii-public/check.jsonl"
    return SAMPLES * 100, "our own 3 sample messages (the shared folder was not present)"


def server() -> dict:
    from redaction import Redactor, build_detectors, load_layers
    from services.chat import ChatService, Conversation
    from services.web.turns import _turn_json
    from starlette.responses import JSONResponse

    redactor = Redactor(build_detectors(), load_layers())
    texts, source = _messages()
    redact_ms, added_ms = [], []
    for i, text in enumerate(texts):
        conv = Conversation("s" * 64, "u" * 64, "staff")
        for j in range(TURNS - 1):  # a conversation already 199 turns long
            sent = redactor.redact(SAMPLES[j % len(SAMPLES)], conv.placeholders, revealable=True).text
            ChatService._shown(conv, f"old-{j}", sent)
        t0 = time.perf_counter()
        sent = redactor.redact(text, conv.placeholders, revealable=True).text
        t1 = time.perf_counter()
        ChatService._shown(conv, f"turn-{i}", sent)
        JSONResponse({"turns": [_turn_json(s) for s in conv.shown]}).body  # what GET /hushdesk/turns answers
        t2 = time.perf_counter()
        redact_ms.append((t1 - t0) * 1000)
        added_ms.append((t2 - t1) * 1000)
        if i >= 150:
            break
    return {"source": source, "n": len(added_ms), "redact_p50": statistics.median(redact_ms),
            "added_p50": statistics.median(added_ms), "added_p95": _pct(added_ms, 0.95),
            "added_max": max(added_ms)}


def browser(block: bool = False) -> dict:
    """The 200-turn run; `block`: the same page without hushdesk.js (Chainlit's page alone, the baseline)."""
    from playwright.sync_api import sync_playwright

    from tests.support.app import STAFF, STAFF_PASSWORD, App
    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, accept_consent, login
    from tests.support.engine import FakeEngine

    tmp = Path(tempfile.mkdtemp(prefix="hushdesk-bench-marks-"))
    engine = FakeEngine(tmp)
    app = App(tmp, engine, HUSHDESK_HISTORY_TURNS="4", HUSHDESK_MESSAGES_PER_MINUTE="1000")
    early, late, ours_early, ours_late = [], [], [], []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = b.new_context(locale="en-US").new_page()
            page.set_default_timeout(30_000)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")

            def ours_ms() -> float:
                return page.evaluate("() => window.hushdeskStats ? window.hushdeskStats.decorateMs"
                                     " + window.hushdeskStats.observerMs : 0")

            def script_s() -> float:
                return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "ScriptDuration")

            login(page, app.url, STAFF, STAFF_PASSWORD)
            page.wait_for_selector("#chat-input")
            accept_consent(page)
            if block:
                page.route("**/hushdesk/static/hushdesk.js", lambda route: route.abort())
                page.reload()
                page.wait_for_selector("#chat-input")
                page.wait_for_timeout(1000)
            base = page.locator("[data-step-type=assistant_message]").count()
            for i in range(TURNS):
                measured = i < 10 or i >= TURNS - 10
                if measured:
                    page.wait_for_timeout(1000)  # let the last message settle first
                    s0, o0 = script_s(), ours_ms()
                page.fill("#chat-input", f"{SAMPLES[i % len(SAMPLES)]} (#{i}) [[echo]]")
                page.click("#chat-submit")
                page.wait_for_function(f"() => document.querySelectorAll('[data-step-type=assistant_message]').length >= {base + i + 1}")
                if measured:
                    if not block:
                        page.wait_for_function("n => document.querySelectorAll("
                                               "'[data-step-type=user_message][data-hushdesk-turn]').length >= n", arg=i + 1)
                    page.wait_for_timeout(1500)  # the reply settles and is marked
                    ms = (script_s() - s0) * 1000
                    ours = ours_ms() - o0
                    (early if i < 10 else late).append(ms)
                    (ours_early if i < 10 else ours_late).append(ours)
            b.close()
    finally:
        app.stop()
        engine.stop()
    return {"script_early": statistics.median(early), "script_late": statistics.median(late),
            "ours_early": statistics.median(ours_early), "ours_late": statistics.median(ours_late),
            "ours_late_max": max(ours_late)}


def run() -> dict:
    result = server()
    try:
        page = browser()
        bare = browser(block=True)
        result.update(page)
        result["bare_early"], result["bare_late"] = bare["script_early"], bare["script_late"]
    except Exception as exc:  # the browser part needs Chromium (make test installs it)
        result["browser_error"] = type(exc).__name__
    return result


def report(r: dict) -> str:
    met = "met" if r["added_p95"] <= GOAL_MS else "MISSED"
    lines = [
        "## Redaction made visible: chips, the \"model saw\" line, reply marks",
        "",
        "`bench/marks.py`. Server: per turn, keeping what the page shows and answering the page's "
        f"`GET /hushdesk/turns` for a conversation already {TURNS} turns long (the answer holds every turn), "
        f"against the same message's input redaction; messages: {r['source']}.",
        "",
        "| figure | value | goal |",
        "|---|---|---|",
        f"| server time added per turn, p50 / p95 / max | {r['added_p50']:.2f} / {r['added_p95']:.2f} / "
        f"{r['added_max']:.2f} ms | ≤ {GOAL_MS:.0f} ms ({met}) |",
        f"| the same message's input redaction, p50 (baseline) | {r['redact_p50']:.2f} ms "
        f"(added / redaction = {r['added_p50'] / r['redact_p50']:.2f}) | |",
    ]
    if "script_early" in r:
        lines += [
            f"| page script time per new message, messages 1-10 (median) | {r['script_early']:.0f} ms | |",
            f"| page script time per new message, messages {TURNS - 9}-{TURNS} (median) | {r['script_late']:.0f} ms "
            f"({r['script_late'] / r['script_early']:.2f}× the first ten) | smooth "
            f"({'met' if r['script_late'] <= 2 * r['script_early'] else 'MISSED'}: at most 2× the first ten) |",
            f"| the same page without hushdesk.js (Chainlit alone, baseline), messages 1-10 / {TURNS - 9}-{TURNS} | "
            f"{r['bare_early']:.0f} / {r['bare_late']:.0f} ms ({r['bare_late'] / r['bare_early']:.2f}×) | |",
            f"| with hushdesk.js / without, messages {TURNS - 9}-{TURNS} | {r['script_late'] / r['bare_late']:.2f} | |",
            f"| hushdesk.js per new message (marking and its DOM observers), first ten / last ten (median) | {r['ours_early']:.1f} / "
            f"{r['ours_late']:.1f} ms (max {r['ours_late_max']:.1f}) | |",
        ]
    else:
        lines.append(f"| browser part | not run ({r.get('browser_error')}) | |")
    lines += ["", "Browser: a real 200-turn conversation in Debian Chromium against the real app and the fake "
              "engine (`[[echo]]` replies, so every reply reveals the staff member's values and is marked); "
              "script time is Chrome's ScriptDuration around each measured message, everything the page "
              "runs (Chainlit's renderer and hushdesk.js). The baseline is the same run with hushdesk.js "
              "blocked: the growth with the conversation's length is Chainlit's renderer's.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    out = run()
    print(out)
    print(report(out))
