"""The usage dashboard in a real browser (Debian Chromium, Playwright) against the real app.

Turns with known numbers are written into the app's encrypted store through the real audit log
right after set-up, before the server starts (one writer per chain), spread over hours and days so
that some groups have fewer than k users. The page must draw its charts with the Chart.js copy
served by hushdesk, show the seeded figures, suppress the small groups, and show nothing per user.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from services.audit.remote import checkpoints_for
from services.config import load_settings
from services.keys import load_keys
from services.audit.rollups import bin_of, outcome_class, percentile_from_bins
from services.store import open_store
from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import close_context, fresh_page, login
from tests.support.dashboard import HEX64, Turn, at, seed_misses, seed_turns, user_hash
from tests.support.engine import FakeEngine

pytestmark = pytest.mark.browser

K = 5
AUDITOR, AUDITOR_PASSWORD = "ada.audit", "ledger lantern orchard"
DAY1 = date(2025, 6, 10)
DAY2 = DAY1 + timedelta(days=1)
CHARTS = ("chart-turns-day", "chart-turns-hour", "chart-users", "chart-tokens", "chart-latency", "chart-ttft",
          "chart-rates", "chart-redactions")


def seeded() -> list[Turn]:
    """Day 1: 6 users at 09h (two turns each), 3 of them at 14h; day 2: 4 users (fewer than k)."""
    turns = []
    for u in range(6):
        turns.append(Turn(at(DAY1, 9, u), u, latency_ms=800.0 + 100 * u, ttft_ms=90.0 + 5 * u))
        outcome = {0: "engine_error", 1: "rejected_input"}.get(u, "ok")
        answered = outcome == "ok"
        turns.append(Turn(at(DAY1, 9, 30 + u), u, outcome=outcome, prompt_tokens=100,
                          completion_tokens=50 if answered else None, ttft_ms=120.0 if answered else None,
                          latency_ms=2500.0 if answered else 30.0))
    for u in range(3):
        turns.append(Turn(at(DAY1, 14, u), u, redactions_in={"PHONE": 1, **({"EMAIL": 1} if u == 0 else {})},
                          redactions_out={"PHONE": 1} if u == 2 else {}))
    for u in range(4):
        turns.append(Turn(at(DAY2, 10, u), u, prompt_tokens=7, completion_tokens=3, redactions_in={"CN_ID": 2}))
    return turns


def expected(turns: list[Turn]) -> dict[str, str]:
    """The summary's figures as the page writes them."""
    answered = [t for t in turns if t.outcome == "ok"]

    def ms(values):
        bins: dict[int, int] = {}
        for v in values:
            bins[bin_of(v)] = bins.get(bin_of(v), 0) + 1
        return {q: f"{percentile_from_bins(bins, q):.1f} ms" for q in (0.5, 0.95)}

    latency, ttft = ms([t.latency_ms for t in answered]), ms([t.ttft_ms for t in answered if t.ttft_ms])
    failures = sum(outcome_class(t.outcome) == "failure" for t in turns)
    refusals = sum(outcome_class(t.outcome) == "refusal" for t in turns)
    return {
        "users": str(len({t.user for t in turns})), "turns": str(len(turns)), "ok": str(len(answered)),
        "failures": str(failures), "refusals": str(refusals), "other": "0",
        "failure_rate": f"{100 * failures / len(turns):.1f}%", "refusal_rate": f"{100 * refusals / len(turns):.1f}%",
        "prompt_tokens": str(sum(t.prompt_tokens or 0 for t in turns)),
        "completion_tokens": str(sum(t.completion_tokens or 0 for t in turns)),
        "latency_p50": latency[0.5], "latency_p95": latency[0.95], "ttft_p50": ttft[0.5], "ttft_p95": ttft[0.95],
    }


def seeded_hashes(app: App) -> list[str]:
    """The seeded users' hashes, to prove they never reach the browser."""
    keys = load_keys(load_settings(app.env, dotenv=False), create=False)
    return [user_hash(keys, u) for u in range(6)]


class SeededApp(App):
    """The app, with the seeded turns written into its store right after set-up."""

    def cli(self, module: str, *args: str, stdin: str | None = None):
        result = super().cli(module, *args, stdin=stdin)
        if module == "services.ops.bootstrap":
            settings = load_settings(self.env, dotenv=False)
            keys = load_keys(settings, create=False)
            engine = open_store(settings, keys)
            try:
                # Signed like the app's own rows: the auditor's page verifies them with checkpoints.
                seed_turns(engine, keys, seeded(), checkpoints=checkpoints_for(settings, keys))
                # Staff reported two misses on day 1 (6 users) and one on day 2 (4 users: withheld).
                seed_misses(engine, keys, [(at(DAY1, 16), 0, "PERSON"), (at(DAY1, 17), 1, "PERSON"),
                                           (at(DAY2, 16), 2, "PHONE")], checkpoints=checkpoints_for(settings, keys))
            finally:
                engine.dispose()
        return result


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dashboard")
    engine = FakeEngine(tmp)
    app = SeededApp(tmp, engine, users=((AUDITOR, "auditor", AUDITOR_PASSWORD),))
    yield app
    app.stop()
    engine.stop()


def token(app: App, user: str, password: str) -> str:
    r = httpx.post(app.url + "/login", data={"username": user, "password": password},
                   headers={"Origin": app.url}, timeout=30)
    assert r.status_code == 200, r.status_code
    return r.cookies["access_token"]


def get(app: App, path: str, tok: str | None) -> httpx.Response:
    return httpx.get(app.url + path, cookies={"access_token": tok} if tok else None, timeout=30)


def open_dashboard(page, url: str, query: str = "") -> None:
    page.goto(url + "/hushdesk/dashboard" + query)
    page.wait_for_selector("body[data-ready='1']")


def figures(page) -> dict[str, str]:
    return page.eval_on_selector_all("#summary [data-figure]",
                                     "els => Object.fromEntries(els.map(e => [e.dataset.figure, e.textContent]))")


def drawn(page) -> dict[str, int]:
    """Per chart: whether Chart.js holds an instance on it, and how many pixels it painted."""
    return page.evaluate("""ids => Object.fromEntries(ids.map(id => {
        const c = document.getElementById(id), chart = window.Chart && window.Chart.getChart(c);
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i]) painted++;
        return [id, chart ? painted : -1];
    }))""", list(CHARTS))


def test_admin_sees_the_seeded_figures_drawn_with_small_groups_suppressed(site, browser):
    app = site
    page = fresh_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, app.url, "admin", app.admin_password)
    page.wait_for_selector("#chat-input")
    page.goto(app.url + "/hushdesk/admin")
    page.click("#dashboard-link")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#from", DAY1.isoformat())
    page.fill("#to", DAY2.isoformat())
    page.click("#apply")
    page.wait_for_selector("body[data-ready='1']")
    assert page.url.endswith(f"?from={DAY1}&to={DAY2}")
    assert figures(page) == expected(seeded())
    redactions = page.eval_on_selector_all(
        "#redactions [data-label]", "els => els.map(e => [e.dataset.label, e.dataset.dir, e.textContent])")
    assert sorted(redactions) == sorted([["PHONE", "in", "3"], ["PHONE", "out", "1"], ["EMAIL", "in", "1"],
                                         ["EMAIL", "out", "0"], ["CN_ID", "in", "8"], ["CN_ID", "out", "0"]])
    misses = page.eval_on_selector_all(
        "#misses [data-miss-label]", "els => els.map(e => [e.dataset.missDay, e.dataset.missLabel, e.textContent])")
    assert sorted(misses) == sorted([["all", "PERSON", "2"], ["all", "PHONE", "1"], [str(DAY1), "PERSON", "2"]])
    day1 = page.locator(f"#days tr[data-day='{DAY1}']")
    assert day1.get_attribute("data-suppressed") == "0"
    assert day1.locator("[data-figure=users]").text_content() == "6"
    assert day1.locator("[data-figure=turns]").text_content() == "15"
    day2 = page.locator(f"#days tr[data-day='{DAY2}']")
    assert day2.get_attribute("data-suppressed") == "1" and "suppressed (< 5 users)" in day2.text_content()
    # Charts: Chart.js instances that painted their canvases; the hourly one leaves 14h (3 users) empty.
    painted = drawn(page)
    assert all(n > 200 for n in painted.values()), painted
    hourly = page.evaluate("() => Chart.getChart(document.getElementById('chart-turns-hour')).data.datasets[0].data")
    assert hourly[9] == 12 and hourly[14] is None and hourly[24 + 10] is None and hourly[0] == 0
    assert page.evaluate("() => Chart.getChart(document.getElementById('chart-turns-day')).data.datasets[0].data") == [13, None]
    # Admins get no verification or export here; health is shown; nothing per user.
    assert page.locator("#verify").count() == 0 and page.locator("#export").count() == 0
    assert page.locator("#health [data-figure=state]").text_content() in ("ready", "starting")
    assert page.locator("#health [data-figure=restarts]").text_content() == "0"
    assert re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", page.locator("#health [data-figure=up_since]").text_content())
    shown = page.content()
    assert not any(h[:16] in shown for h in seeded_hashes(app))
    assert [m.group() for m in HEX64.finditer(shown)] == [page.get_attribute("input[name=csrf]", "value")]
    # A range holding only day 2 (4 users) is withheld whole, redaction labels too.
    page.fill("#from", DAY2.isoformat())
    page.click("#apply")
    page.wait_for_selector("body[data-ready='1']")
    assert set(figures(page).values()) == {"suppressed (< 5 users)"}
    assert "suppressed (< 5 users)" in page.text_content("#redactions-suppressed")
    assert "suppressed (< 5 users)" in page.text_content("#misses") and page.locator("#misses [data-miss-label]").count() == 0
    # The same in Chinese (the language switch), then back to English.
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=zh-CN] body[data-ready='1']")
    assert set(figures(page).values()) == {"已隐藏（少于 5 位用户）"}
    assert "已隐藏（少于 5 位用户）" in page.text_content("#redactions-suppressed")
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en] body[data-ready='1']")
    # A bad range is refused with its fixed message.
    page.fill("#from", "2025-06-12")
    page.click("#apply")
    page.wait_for_selector("body[data-ready='error']")
    assert "start date must not be after the end date" in page.text_content("#status")
    hosts = {urlsplit(u).hostname for u in requested if not u.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, sorted(u for u in requested if "127.0.0.1" not in u)
    assert any(u.endswith("/hushdesk/static/vendor/chart.umd.min.js") for u in requested)
    close_context(page.context)


def test_auditor_sees_verification_and_export_on_the_dashboard(site, browser):
    app = site
    page = fresh_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, app.url, AUDITOR, AUDITOR_PASSWORD)
    page.wait_for_url("**/hushdesk/audit")
    page.click("#dashboard-link")
    page.wait_for_selector("body[data-ready='1']")
    assert "Chain verified" in page.text_content("#verify")
    assert page.get_attribute("#export", "href") == "/hushdesk/audit/export"
    open_dashboard(page, app.url, f"?from={DAY1}&to={DAY2}")
    assert figures(page) == expected(seeded())
    assert all(n > 200 for n in drawn(page).values())
    hosts = {urlsplit(u).hostname for u in requested if not u.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}
    close_context(page.context)


def test_roles_and_range_checks_on_the_dashboard_routes(site):
    app = site
    staff, admin, auditor = (token(app, STAFF, STAFF_PASSWORD), token(app, "admin", app.admin_password),
                             token(app, AUDITOR, AUDITOR_PASSWORD))
    data = f"/hushdesk/dashboard/data?from={DAY1}&to={DAY2}"
    for path in ("/hushdesk/dashboard", data):
        assert get(app, path, staff).status_code == 403, path
        assert get(app, path, None).status_code == 401, path
        assert get(app, path, admin).status_code == 200, path
        assert get(app, path, auditor).status_code == 200, path
    page = get(app, "/hushdesk/dashboard", admin)
    assert "<script>" not in page.text and "cdn" not in page.text.lower()
    assert "script-src 'self';" in page.headers["content-security-policy"]
    body = get(app, data, admin).json()
    assert body["summary"]["turns"] == len(seeded()) and body["k"] == K
    assert [d["suppressed"] for d in body["days"]] == [False, True]
    text = json.dumps(body)
    assert not HEX64.search(text) and not any(h[:16] in text for h in seeded_hashes(app))
    assert "user" not in text.replace('"users', "")
    for query, code in (("?from=2025-6-1", "badDate"), ("?from=2025-02-30", "badDate"),
                        (f"?from={DAY2}&to={DAY1}", "badRange"), ("?from=2024-01-01&to=2025-06-01", "rangeTooLong")):
        r = get(app, "/hushdesk/dashboard/data" + query, admin)
        assert r.status_code == 400 and r.json()["error"] == code, query
        assert not re.search(r"20\d\d-", r.json()["message"].replace("2000-01-01", "").replace("9998-12-31", ""))
    bad = get(app, "/hushdesk/dashboard?from=<b>2025</b>", admin)  # the page falls back to the last 7 days
    assert bad.status_code == 200 and 'id="range-error"' in bad.text and "<b>2025" not in bad.text
    vendor = httpx.get(app.url + "/hushdesk/static/vendor/chart.umd.min.js", timeout=30)
    assert vendor.status_code == 200 and vendor.headers["content-type"].startswith("text/javascript")
    assert b"sourceMappingURL" not in vendor.content
