"""The first run, as a newcomer sees it, in a real browser (Debian Chromium, Playwright) against the real
app with NO model configured: the runtime generates the demo model and launches the demo engine (a real
engine process), a message with a name, a phone number and an order number is redacted, the engine quotes
what it received (placeholders), the staff member's screen shows chips, the "model saw" line and their own
values back, and the turn's audit row holds counts only. The picture at the top of the README is this
test's screenshot: `make docs-picture` writes it to docs/first-run.png.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import close_context, fresh_page, login
from tests.support.engine import FakeEngine

pytestmark = [pytest.mark.browser, pytest.mark.engine]

NAME, PHONE, ORDER = "Maria Gonzalez", "+44 20 7946 0958", "ORD-20241103"
MESSAGE = f"Customer {NAME} called from {PHONE}: order {ORDER} has not arrived. Can you check?"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("first-run")
    unused = FakeEngine(tmp)  # App's signature; this app talks to the demo engine, not to it
    app = App(tmp, unused, HUSHDESK_ENGINE="transformers", HUSHDESK_ENGINE_URL="", HUSHDESK_MODEL_NAME="hushdesk-model",
              HUSHDESK_MAX_OUTPUT_TOKENS="16")
    deadline = time.monotonic() + 120
    while b"engine ready" not in app.log_path.read_bytes():  # the demo engine loads its model first
        assert time.monotonic() < deadline, "the demo engine did not become ready"
        time.sleep(0.5)
    yield app
    app.stop()
    unused.stop()


@pytest.mark.timeout(300)
def test_a_first_run_shows_what_the_model_received(site, browser, tmp_path):
    app = site
    # English: the picture must not depend on the machine having Chinese fonts (the chips and reveal in
    # Chinese are tested in test_browser_marks.py).
    page = fresh_page(browser, timeout_ms=60_000, locale="en-US", viewport={"width": 1000, "height": 760})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    page.get_by_role("button", name="I accept").click()
    page.wait_for_function("() => document.body.innerText.includes('Demo model')")  # the demo notice
    page.fill("#chat-input", MESSAGE)
    page.click("#chat-submit")
    page.wait_for_function("() => document.querySelectorAll('.hushdesk-chip').length >= 3")
    page.wait_for_function("() => document.body.innerText.includes('for a real one.)')")
    page.wait_for_function("() => document.querySelectorAll('.hushdesk-revealed').length >= 3", timeout=20_000)

    user = page.locator("[data-step-type=user_message]").last
    assert sorted(user.locator(".hushdesk-chip").all_inner_texts()) == ["ORDER_ID_1", "PERSON_1", "PHONE_1"]
    saw = user.locator(".hushdesk-saw summary").inner_text()
    assert saw.startswith("model saw: Customer [PERSON_1] called from [PHONE_1]: order [ORDER_ID_1] has not")
    reply = page.locator("[data-step-type=assistant_message]").last
    text = reply.inner_text()
    assert text.startswith("Demo engine. The model received your message as:")
    # The quote is the engine's: it got placeholders; the staff member's screen shows their values, marked.
    assert sorted(reply.locator(".hushdesk-revealed").all_inner_texts()) == sorted([NAME, PHONE, ORDER])
    assert sorted(reply.locator(".hushdesk-revealed").evaluate_all("els => els.map(e => e.dataset.placeholder)")) == \
        ["[ORDER_ID_1]", "[PERSON_1]", "[PHONE_1]"]
    row = [json.loads(line) for line in app.cli("services.audit", "tail", "-n", "5", "--json").stdout.splitlines()
           if json.loads(line)["kind"] == "turn"][-1]
    assert row["outcome"] == "ok" and row["redactions_in"] == {"ORDER_ID": 1, "PERSON": 1, "PHONE": 1}
    # The phone's digits in any grouping (not a 4-digit piece, which a 64-hex-digit hash holds by chance).
    dumped = json.dumps(row)
    assert "79460958" not in dumped.replace(" ", "") and PHONE not in dumped and NAME not in dumped
    assert row["model"] == "hushdesk-model"
    assert all(u.startswith(app.url) for u in requested)

    user.locator(".hushdesk-saw summary").click()  # open the "model saw" line for the picture
    user.locator(".hushdesk-chip[data-placeholder='[PHONE_1]']").click()
    target = Path(os.environ.get("HUSHDESK_DOCS_PICTURE") or tmp_path / "first-run.png")
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
    close_context(page.context)
