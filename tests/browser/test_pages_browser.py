"""The admin page in a real browser (Debian Chromium, Playwright): keyboard use, dark mode, language, width.

The real app as `tests/support/app.py` starts it; an admin signs in and opens /hushdesk/admin.
"""

from __future__ import annotations

import pytest

from tests.support.app import App
from tests.support.browser import close_context, fresh_page, login
from tests.support.engine import FakeEngine

pytestmark = pytest.mark.browser

ADD_USER_FIELDS = ["add-name", "add-role", "add-password", "add-submit"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    engine = FakeEngine(tmp)
    app = App(tmp, engine)
    yield app
    app.stop()
    engine.stop()


def admin_page(browser, app: App, **context_options):
    page = fresh_page(browser, **context_options)
    login(page, app.url, "admin", app.admin_password)
    page.wait_for_selector("#chat-input")
    page.goto(app.url + "/hushdesk/admin")
    page.wait_for_selector("#users")
    return page


def focused(page) -> dict:
    """The focused element's id (or class), and whether a focus outline is drawn around it."""
    return page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
        return {id: e.id || e.className, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                visible: r.width > 0 && r.height > 0 && r.bottom > 0};
    }""")


def test_the_admin_page_is_usable_by_keyboard(site, browser):
    page = admin_page(browser, site, locale="en-US")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["id"] == "skip" and first["visible"] and first["outline"], first
    page.keyboard.press("Enter")  # the skip link moves focus to the content, past the header
    assert page.evaluate("() => document.activeElement.id") == "main"
    order = []
    for _ in range(80):
        page.keyboard.press("Tab")
        now = focused(page)
        order.append(now["id"])
        if now["id"] in ADD_USER_FIELDS:
            assert now["outline"] and now["visible"], now
        if now["id"] == ADD_USER_FIELDS[-1]:
            break
    assert "lang-switch" not in order and "signout" not in order  # skipped the header
    assert order.index("end-all") < order.index("add-name")
    assert order[-len(ADD_USER_FIELDS):] == ADD_USER_FIELDS, order
    # Typing and submitting by keyboard alone adds a user.
    page.focus("#add-name")
    page.keyboard.type("kb.user")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("violet harbour lantern quietly")
    page.keyboard.press("Enter")
    page.wait_for_selector("#notice")
    assert page.inner_text("#notice") == "User created." and "kb.user" in page.inner_text("#users")
    close_context(page.context)


def test_dark_mode_and_light_mode_apply(site, browser):
    backgrounds = {}
    for scheme in ("light", "dark"):
        page = admin_page(browser, site, color_scheme=scheme)
        backgrounds[scheme] = page.evaluate(
            "() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]")
        close_context(page.context)
    assert backgrounds["light"] == ["rgb(255, 255, 255)", "rgb(31, 35, 40)"]
    assert backgrounds["dark"] == ["rgb(21, 24, 28)", "rgb(230, 232, 235)"]


def test_language_from_the_browser_and_the_switch(site, browser):
    page = admin_page(browser, site, locale="zh-CN")
    assert page.inner_text("h1") == "hushdesk — 管理" and page.get_attribute("html", "lang") == "zh-CN"
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("h1") == "hushdesk — Administration"
    page.goto(site.url + "/hushdesk/dashboard")  # the choice is kept for the other pages
    page.wait_for_selector("body[data-ready='1']")
    assert page.inner_text("h1") == "hushdesk — Usage dashboard"
    assert page.inner_text("#summary tr:first-child td:first-child") == "Distinct active users"
    page.click("#lang-switch")
    page.wait_for_selector("body[data-ready='1']")
    assert page.inner_text("#summary tr:first-child td:first-child") == "活跃用户" and page.inner_text("#apply") == "显示"
    close_context(page.context)


@pytest.mark.parametrize("width", [768, 1280])
def test_readable_on_a_tablet_and_a_laptop(site, browser, width):
    page = admin_page(browser, site, viewport={"width": width, "height": 900})
    # The page itself never scrolls sideways; the users table scrolls inside its own box when it must.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("() => getComputedStyle(document.querySelector('#users').parentElement).overflowX") == "auto"
    page.goto(site.url + "/hushdesk/dashboard")
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    close_context(page.context)
