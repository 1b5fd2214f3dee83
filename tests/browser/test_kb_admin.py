"""The knowledge-base admin pages in a real browser (Debian Chromium, Playwright) against the real app:
an admin creates a collection and uploads two files through the page's script, seeing a progress bar and
a result per file; the upload control is reached by keyboard; staff get 403.
"""

from __future__ import annotations

import pytest

from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import close_context, fresh_page, login
from tests.support.documents import write_all
from tests.support.engine import FakeEngine

pytestmark = pytest.mark.browser

PHONE = "13812345678"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kb-admin")
    engine = FakeEngine(tmp)
    app = App(tmp, engine)
    yield app
    app.stop()
    engine.stop()


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    return write_all(tmp_path_factory.mktemp("kb-docs"))


def signed_in(browser, app: App, user: str, password: str, **context_options):
    page = fresh_page(browser, **context_options)
    login(page, app.url, user, password)
    page.wait_for_selector("#chat-input")
    return page


def test_an_admin_uploads_two_files_and_sees_progress_and_results(site, browser, docs):
    page = signed_in(browser, site, "admin", site.admin_password, locale="en-US")
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto(site.url + "/hushdesk/admin")
    page.click("#kb-link")
    page.wait_for_selector("#create-name")
    page.fill("#create-name", "policies")
    page.click("#create-submit")
    page.wait_for_selector("#upload-files")
    assert page.inner_text("#notice") == "Collection created."
    page.set_input_files("#upload-files", [str(docs["md"]), str(docs["pdf"])])
    page.click("#upload-submit")
    page.wait_for_selector("#upload-list[data-done=true]")
    rows = page.locator("#upload-list li")
    assert rows.count() == 2
    for i, name in enumerate(("shipping.md", "returns.pdf")):
        row = page.locator(f"#upload-{i}")
        assert row.get_attribute("data-state") == "done" and row.get_attribute("data-status") == "added"
        assert row.locator(".upload-name").inner_text() == name
        assert row.locator("progress").evaluate("p => p.value") == 100
        assert row.locator("progress").get_attribute("aria-label") == f"Upload progress of {name}"
        assert row.locator(".upload-status").inner_text().startswith("Added: ")
    assert "PERSON 1, PHONE 1" in page.inner_text("#upload-0 .upload-status")
    # The same two again: unchanged; the page was never left (the script did the posting).
    page.set_input_files("#upload-files", [str(docs["md"]), str(docs["pdf"])])
    page.click("#upload-submit")
    page.wait_for_function("() => [...document.querySelectorAll('#upload-list li')].every("
                           "li => li.getAttribute('data-status') === 'unchanged')")
    assert page.locator("#upload-1 .upload-status").inner_text().startswith("Unchanged")
    page.click("#kb-refresh a")
    page.wait_for_selector("#documents")
    table = page.inner_text("#documents")
    assert "shipping.md" in table and "returns.pdf" in table and PHONE not in page.content()
    # Search shows the redacted passage.
    page.fill("#search-q", "配送时间")
    page.click("#search-submit")
    page.wait_for_selector("#hits")
    assert "[PHONE_1]" in page.inner_text("#hits") and PHONE not in page.content()
    assert all(u.startswith(site.url) for u in seen), [u for u in seen if not u.startswith(site.url)]
    close_context(page.context)


def test_the_upload_control_is_reached_by_keyboard(site, browser):
    page = signed_in(browser, site, "admin", site.admin_password, locale="en-US")
    page.goto(site.url + "/hushdesk/admin/kb")
    page.fill("#create-name", "keyboard")
    page.keyboard.press("Enter")  # the create form submits by keyboard
    page.wait_for_selector("#upload-files")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    order = []
    for _ in range(20):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.id"))
        if order[-1] == "upload-submit":
            break
    assert order[:2] == ["upload-files", "upload-submit"], order
    close_context(page.context)


def test_staff_get_403_on_the_pages(site, browser):
    page = signed_in(browser, site, STAFF, STAFF_PASSWORD)
    for path in ("/hushdesk/admin/kb", "/hushdesk/admin/kb/collection?name=policies"):
        response = page.goto(site.url + path)
        assert response.status == 403, path
    close_context(page.context)
