"""Faults seen from the browser: a 1 MB message gets a clear refusal (the socket stays up, nothing is
lost), and a reply that tries to render HTML or run a script is shown as text.

Real Chainlit app, real Chromium, the fake engine process (which records what reached it).
"""

from __future__ import annotations

import json

import pytest

from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import accept_consent, assistant_texts, close_context, fresh_page, login
from tests.support.engine import FakeEngine
from tests.support.engine_server import DEFAULT_REPLY

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    engine = FakeEngine(tmp, delay=0.005)
    app = App(tmp, engine)
    yield app, engine
    app.stop()
    engine.stop()


def test_a_one_megabyte_message_is_refused_clearly_and_the_chat_goes_on(site, browser):
    app, engine = site
    page = fresh_page(browser, timeout_ms=30_000)
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    accept_consent(page)
    before = len(engine.requests())
    page.evaluate("""() => {
        const box = document.querySelector('#chat-input');
        const text = '客户说：' + '很长的消息。'.repeat(175000);
        const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), 'value')?.set;
        if (setter) { setter.call(box, text); } else { box.textContent = text; }
        box.dispatchEvent(new Event('input', {bubbles: true}));
    }""")
    page.click("#chat-submit")
    page.wait_for_function("() => document.body.innerText.includes('That message is too long')")
    assert len(engine.requests()) == before
    page.fill("#chat-input", "a normal question")  # the connection survived
    page.click("#chat-submit")
    page.wait_for_function("() => document.querySelectorAll('[data-step-type=assistant_message]').length >= 4")
    page.wait_for_function(f"() => document.body.innerText.includes({json.dumps(DEFAULT_REPLY.split()[0])})")
    assert len(engine.requests()) == before + 1
    close_context(page.context)


def test_a_reply_that_tries_html_and_script_is_shown_as_text(site, browser):
    app, _ = site
    page = fresh_page(browser)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    page.fill("#chat-input", "show me something [[html]]")
    page.click("#chat-submit")
    page.wait_for_function("() => document.body.innerText.includes('alert')")
    page.wait_for_timeout(500)
    shown = assistant_texts(page)[-1]
    assert "<script>" in shown or "script" in shown  # visible as text
    assert dialogs == []  # neither the script nor the image's onerror ran
    assert page.evaluate("() => document.querySelectorAll('[data-step-type=assistant_message] script, "
                         "[data-step-type=assistant_message] img[onerror], "
                         "[data-step-type=assistant_message] iframe').length") == 0
    close_context(page.context)
