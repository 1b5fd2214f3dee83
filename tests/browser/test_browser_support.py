"""The browser fixture itself: a Chromium that hangs while closing must not hang the test run.

A `context.close()` in CI once hung until pytest-timeout ended the test at 300 s;
closes now go through a watchdog that kills Chromium, and the next page gets a fresh browser.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error

from tests.support import browser as support
from tests.support.browser import close_context, fresh_page

pytestmark = pytest.mark.browser


def test_a_close_that_hangs_is_ended_and_the_next_page_gets_a_fresh_browser(browser, monkeypatch):
    page = fresh_page(browser)
    page.set_content("<p>first</p>")
    monkeypatch.setattr(support, "CLOSE_WITHIN_S", 1.0)
    # Stands in for a close Chromium never answers: the call returns only because Chromium is killed.
    with pytest.warns(UserWarning, match="was killed"):
        support._within(lambda: page.wait_for_timeout(120_000))
    assert not page.context.browser.is_connected()
    again = fresh_page(browser)
    again.set_content("<p>second</p>")
    assert again.inner_text("p") == "second"
    close_context(again.context)


def test_a_close_that_fails_on_its_own_still_fails():
    def broken() -> None:
        raise Error("not a hang")

    with pytest.raises(Error, match="not a hang"):
        support._within(broken)


def test_only_this_runs_chromium_main_processes_are_found(browser):
    page = fresh_page(browser)
    found = support.chromium_pids()
    assert len(found) == 1  # the browser process, not its renderers or GPU helper
    close_context(page.context)
