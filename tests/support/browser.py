"""Debian Chromium driven by Playwright: launching it, and the page steps the browser tests share.

The `browser` fixture (tests/conftest.py) launches it; it fails, never skips, when Chromium
is missing (`make test` installs Debian's chromium package).
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    """Fail the test when Debian's Chromium is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")


# How long a context may take to close before Chromium is taken to be stuck (Playwright's close has
# no timeout of its own; one context.close() in CI hung until pytest-timeout ended it at 300 s).
CLOSE_WITHIN_S = 30.0


class Chromium:
    """The module's browser: launched once, and launched again if a stuck close had to kill it.

    Tests call `new_context` and `new_page` as on Playwright's Browser.
    """

    def __init__(self, playwright) -> None:
        self._playwright = playwright
        self._browser = self._launch()

    def _launch(self):
        return self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def _live(self):
        if not self._browser.is_connected():
            self._browser = self._launch()
        return self._browser

    def new_context(self, **options):
        return self._live().new_context(**options)

    def new_page(self, **options):
        return self._live().new_page(**options)

    def close(self) -> None:
        if self._browser.is_connected():
            _within(self._browser.close)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def chromium_pids() -> list[int]:
    """This test process's Chromium browser processes (the main ones, not their renderers)."""
    tree, found, todo = _children(), [], [os.getpid()]
    while todo:
        for pid in tree.get(todo.pop(), []):
            todo.append(pid)
            try:
                exe = os.readlink(f"/proc/{pid}/exe")
                args = Path(f"/proc/{pid}/cmdline").read_bytes()  # helpers rewrite it as one string
            except OSError:
                continue
            if "chrom" in Path(exe).name and b"--type=" not in args:
                found.append(pid)
    return found


def _kill_chromium(killed: threading.Event) -> None:
    killed.set()
    for pid in chromium_pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _within(close) -> None:
    """Run a Playwright close; if it has not returned in CLOSE_WITHIN_S, kill Chromium so it does.

    A close that needed the kill is a fault of the browser, not of the page under test: it is
    reported as a warning, and the next `new_context` launches a fresh browser.
    """
    from playwright.sync_api import Error

    killed = threading.Event()
    watchdog = threading.Timer(CLOSE_WITHIN_S, _kill_chromium, args=(killed,))
    watchdog.daemon = True
    watchdog.start()
    try:
        close()
    except Error:
        if not killed.is_set():  # a real error, not the one our kill caused
            raise
    finally:
        watchdog.cancel()
    if killed.is_set():
        warnings.warn(f"Chromium did not close within {CLOSE_WITHIN_S:.0f} s and was killed; "
                      "a fresh browser serves the rest of the module", stacklevel=3)


def close_context(context) -> None:
    """Close a browser context, never hanging the test on a stuck Chromium (see `_within`)."""
    _within(context.close)


def fresh_page(browser, timeout_ms: int = 20_000, **context_options):
    """A page in a new browser context (its own cookies); close it with `close_context(page.context)`."""
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
