"""Redaction made visible, in a real browser (Debian Chromium, Playwright) against the real app: the staff
member's own message shows each masked value as a chip with its label (the value on hover or tap), a
"model saw" line holds what the engine received, the reply's revealed values are marked, and "Something was
not masked" takes the turn out of the history, masks the missed text from then on and is audited without
text. Both languages. The engine is the fake process (the boundary); it records what it received.
"""

from __future__ import annotations

import json

import pytest

from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import accept_consent, close_context, fresh_page, login
from tests.support.engine import FakeEngine

pytestmark = pytest.mark.browser

PHONE, NAME, MISSED = "13812345678", "张伟", "蓝鲸会员"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("marks")
    engine = FakeEngine(tmp)
    app = App(tmp, engine)
    yield app, engine
    app.stop()
    engine.stop()


def _send(page, message: str, replies: int) -> None:
    page.fill("#chat-input", message)
    page.click("#chat-submit")
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-step-type=assistant_message]').length >= {replies}"
        " && document.querySelectorAll('[data-step-type=user_message][data-hushdesk-turn]').length"
        " === document.querySelectorAll('[data-step-type=user_message]').length")


def test_chips_model_saw_reveal_and_a_reported_miss(site, browser):
    app, engine = site
    page = fresh_page(browser, locale="zh-CN")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    page.get_by_role("button", name="我接受").click()
    page.wait_for_timeout(500)
    replies = page.locator("[data-step-type=assistant_message]").count()

    before = len(engine.requests())
    _send(page, f"客户{NAME}，手机{PHONE}，{MISSED}要退款 [[echo]]", replies + 1)
    [body] = engine.requests()[before:]
    assert PHONE.encode() not in body and NAME.encode() not in body

    user = page.locator("[data-step-type=user_message]").last
    chips = user.locator(".hushdesk-chip")
    assert sorted(chips.all_inner_texts()) == ["PERSON_1", "PHONE_1"]
    phone_chip = user.locator(".hushdesk-chip[data-placeholder='[PHONE_1]']")
    assert phone_chip.get_attribute("title").startswith(PHONE)
    phone_chip.click()  # tapping shows the value in place
    assert phone_chip.get_attribute("data-open") == "true"
    assert PHONE in phone_chip.evaluate("e => getComputedStyle(e, '::after').content")
    saw = user.locator(".hushdesk-saw")
    assert saw.locator("summary").inner_text().startswith("模型收到: 客户[PERSON_1]，手机[PHONE_1]")
    assert PHONE not in saw.inner_text() and MISSED in saw.inner_text()

    # The echo reply repeats the placeholders; the page shows the values, marked as the staff member's.
    page.wait_for_function("() => document.querySelectorAll('.hushdesk-revealed').length >= 2", timeout=10_000)
    reply = page.locator("[data-step-type=assistant_message]").last
    assert sorted(reply.locator(".hushdesk-revealed").all_inner_texts()) == sorted([NAME, PHONE])

    # "Something was not masked": the member number was missed; mask it from now on.
    user.locator(".hushdesk-miss-open").click()
    form = user.locator(".hushdesk-miss-form")
    form.locator("select").select_option("CUSTOM")
    form.locator("input").fill(MISSED)
    form.locator(".hushdesk-miss-send").click()
    page.wait_for_selector(".hushdesk-miss-done")
    assert "模型不会再看到这条消息" in user.locator(".hushdesk-miss-done").inner_text()

    before = len(engine.requests())
    _send(page, f"{MISSED}的订单呢 [[echo]]", replies + 2)
    [body] = engine.requests()[before:]
    sent = json.loads(body)["messages"]
    assert all(MISSED not in m["content"] for m in sent)  # the missed text never arrived again
    assert "[CUSTOM_1]" in sent[-1]["content"]
    assert all("退款" not in m["content"] for m in sent)  # the reported turn is out of the history
    last = page.locator("[data-step-type=user_message]").last
    assert last.locator(".hushdesk-chip").all_inner_texts() == ["CUSTOM_1"]

    rows = [json.loads(line) for line in app.cli("services.audit", "tail", "-n", "50", "--json").stdout.splitlines()]
    [miss] = [r for r in rows if r["kind"] == "redaction_miss_reported"]
    assert miss["outcome"] == "CUSTOM" and MISSED not in json.dumps(rows, ensure_ascii=False)
    assert all(u.startswith(app.url) for u in requested) and errors == []
    close_context(page.context)


def test_english_screen(site, browser):
    app, engine = site
    page = fresh_page(browser, locale="en-US")
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    page.wait_for_timeout(500)
    if page.get_by_role("button", name="I accept").count():  # when this test runs alone
        accept_consent(page)
    replies = page.locator("[data-step-type=assistant_message]").count()
    _send(page, "Please call Maria Gonzalez on +44 20 7946 0958", replies + 1)
    user = page.locator("[data-step-type=user_message]").last
    assert sorted(user.locator(".hushdesk-chip").all_inner_texts()) == ["PERSON_1", "PHONE_1"]
    assert user.locator(".hushdesk-saw summary").inner_text().startswith("model saw: Please call [PERSON_1] on [PHONE_1]")
    assert user.locator(".hushdesk-miss-open").inner_text() == "Something was not masked"
    close_context(page.context)


@pytest.fixture(scope="module")
def checking(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("check")
    engine = FakeEngine(tmp)
    app = App(tmp, engine, HUSHDESK_CHECK_BEFORE_SENDING="true")
    yield app, engine
    app.stop()
    engine.stop()


def test_check_before_sending_with_a_custom_mask(checking, browser):
    app, engine = checking
    page = fresh_page(browser, locale="en-US")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    accept_consent(page)
    before = len(engine.requests())
    page.fill("#chat-input", f"Member {MISSED} called from {PHONE} [[echo]]")
    page.click("#chat-submit")
    page.wait_for_selector("[data-step-type=user_message][data-hushdesk-pending='1'] .hushdesk-mask")
    user = page.locator("[data-step-type=user_message]").last
    assert user.locator(".hushdesk-saw summary").inner_text().strip() == "model will see:"  # open, the text below
    assert user.locator(".hushdesk-saw code").inner_text() == f"Member {MISSED} called from [PHONE_1] [[echo]]"
    assert len(engine.requests()) == before  # nothing reached the engine yet

    # "Mask more": select the member number in the message, mask it as CUSTOM.
    user.locator(".message-content").evaluate(
        """(e, word) => { const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
             let n; while ((n = walker.nextNode())) { const i = n.nodeValue.indexOf(word);
               if (i >= 0) { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + word.length);
                 const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); return; } } }""", MISSED)
    user.locator(".hushdesk-mask-send").click()
    page.wait_for_function("() => document.querySelectorAll('[data-step-type=user_message] .hushdesk-chip').length >= 2")
    assert sorted(user.locator(".hushdesk-chip").all_inner_texts()) == ["CUSTOM_1", "PHONE_1"]
    assert user.locator(".hushdesk-saw code").inner_text() == "Member [CUSTOM_1] called from [PHONE_1] [[echo]]"
    assert len(engine.requests()) == before

    page.get_by_role("button", name="Send to the model").click()
    page.wait_for_function("() => document.body.innerText.includes('You said')")
    page.wait_for_selector("[data-step-type=user_message][data-hushdesk-pending='0'] .hushdesk-miss-open")
    [body] = engine.requests()[before:]
    assert MISSED.encode() not in body and PHONE.encode() not in body  # the masked text never arrived
    assert json.loads(body)["messages"][-1]["content"] == "Member [CUSTOM_1] called from [PHONE_1] [[echo]]"
    assert user.locator(".hushdesk-saw summary").inner_text().startswith("model saw: Member [CUSTOM_1]")

    # "Do not send": nothing reaches the engine, nothing is audited as a turn.
    turns_before = sum(1 for line in app.cli("services.audit", "tail", "-n", "50", "--json").stdout.splitlines()
                       if json.loads(line)["kind"] == "turn")
    page.fill("#chat-input", "second thoughts")
    page.click("#chat-submit")
    page.get_by_role("button", name="Do not send").click()
    page.wait_for_function("() => document.body.innerText.includes('Not sent. The model did not receive')")
    assert len(engine.requests()) == before + 1
    assert sum(1 for line in app.cli("services.audit", "tail", "-n", "50", "--json").stdout.splitlines()
               if json.loads(line)["kind"] == "turn") == turns_before
    assert errors == []
    close_context(page.context)
