"""Debian Chromium driven by Playwright: launching it, and the page steps the browser tests share.

The `browser` fixture (tests/conftest.py) launches it; it fails, never skips, when Chromium
is missing (`make test` installs Debian's chromium package).
"""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    """Fail the test when Debian's Chromium is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")


def fresh_page(browser, timeout_ms: int = 20_000, **context_options):
    """A page in a new browser context (its own cookies); close it with `page.context.close()`."""
    page = browser.new_context(**context_options).new_page()
    page.set_default_timeout(timeout_ms)
    return page


def assistant_texts(page) -> list[str]:
    """The assistant messages' text, without the "Clear my conversation" button under replies."""
    return page.eval_on_selector_all(
        "[data-step-type=assistant_message]",
        "els => els.map(e => e.innerText.replace('Clear my conversation', '').trim())")


def login(page, url, user, password):
    page.goto(url + "/login")
    page.fill("#email", user)
    page.fill("#password", password)
    page.click("button[type=submit]")


def accept_consent(page):
    """Accept the first-login consent notice (shown until accepted)."""
    page.get_by_role("button", name="I accept").click()
    page.wait_for_function("() => document.body.innerText.includes('acceptance has been recorded')")
