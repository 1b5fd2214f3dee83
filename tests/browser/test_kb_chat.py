"""Answers with sources in a real browser (Debian Chromium, Playwright) against the real app: a staff member
asks a question the knowledge base answers, sees the reply, its sources named under it and each `[n]`
linked to an element holding the document's title and its redacted passage; the document's phone number
and name are never on screen nor sent to the engine; the chat settings' switch turns the knowledge base off.

The engine is the fake process (the boundary); its `[[echo]]` reply repeats the question, so a question
ending in `[1]` gets a reply that cites source 1.
"""

from __future__ import annotations

import json

import pytest

from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import accept_consent, assistant_texts, close_context, fresh_page, login
from tests.support.documents import docx_file
from tests.support.engine import FakeEngine

pytestmark = pytest.mark.browser

PHONE, NAME = "13912345678", "张伟"
RETURNS = "退货请联系客服主管张伟，电话 13912345678。收货后七天内可以申请退货退款，退款在三个工作日内原路返回。"
QUESTION = "退货退款多久能到账？"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kb-chat")
    engine = FakeEngine(tmp)
    # One short document makes every word of the question that it lacks (the `[[echo]]` marker) weigh
    # heavily in the answerability score: the threshold is lowered here, retrieval quality is not the point.
    app = App(tmp, engine, HUSHDESK_KB_NO_ANSWER_BELOW="0.05")
    doc = docx_file(app.dir / "returns.docx", [("h1", "退货政策"), ("p", RETURNS)])
    app.cli("services.kb", "add", doc.name, "--collection", "support")
    app.cli("services.kb", "grant", "support", "role:staff")
    yield app, engine
    app.stop()
    engine.stop()


def _ask(page, question: str, count: int) -> str:
    page.fill("#chat-input", question)
    page.click("#chat-submit")
    page.wait_for_function(
        f"() => Array.from(document.querySelectorAll('[data-step-type=assistant_message]'))"
        f".filter(e => e.innerText.includes('You said')).length >= {count}")
    page.wait_for_timeout(800)  # the sources line and elements arrive with the finished message
    return assistant_texts(page)[-1]


def test_an_answer_with_its_sources_and_the_switch(site, browser):
    app, engine = site
    page = fresh_page(browser, locale="en-US")
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    accept_consent(page)

    before = len(engine.requests())
    shown = _ask(page, f"[[echo]] {QUESTION} [1]", 1)
    assert QUESTION in shown and "Sources:" in shown and "退货政策" in shown
    [body] = engine.requests()[before:]
    assert PHONE.encode() not in body and NAME.encode() not in body
    system = json.loads(body)["messages"][0]["content"]
    assert "[1] " in system and "［PHONE_1］" in system

    # Each [1] in the last reply links to the source's element; opening it shows title and passage.
    message = page.locator("[data-step-type=assistant_message]").last
    links = message.locator("a.element-link")
    assert links.count() >= 2 and set(links.all_inner_texts()) == {"[1]"}
    links.first.click()
    page.wait_for_selector("#side-view-content")
    side = page.inner_text("#side-view-content")
    assert "退货政策" in side and "三个工作日" in side and "PHONE_1" in side and "PERSON_1" in side
    body_text = page.inner_text("body")
    assert PHONE not in body_text and NAME not in body_text

    # The chat settings: knowledge off, then the same question gets no search and no sources.
    page.click("#chat-settings-open-modal")
    switch = page.locator("#kb")
    assert switch.get_attribute("aria-checked") == "true"
    switch.click()
    assert switch.get_attribute("aria-checked") == "false"
    page.click("#confirm")
    page.wait_for_timeout(500)
    before = len(engine.requests())
    shown = _ask(page, f"[[echo]] {QUESTION} [1]", 2)
    assert "Sources:" not in shown
    assert page.locator("[data-step-type=assistant_message]").last.locator("a.element-link").count() == 0
    [body] = engine.requests()[before:]
    assert "［PHONE_1］" not in json.loads(body)["messages"][0]["content"]
    assert PHONE not in page.inner_text("body")
    close_context(page.context)
    log = app.stop()
    assert PHONE.encode() not in log and QUESTION.encode() not in log and "三个工作日".encode() not in log
