"""A real browser (Debian Chromium driven by Playwright) against the real app process.

The engine is the fake OpenAI-compatible process (streaming with a small delay per token so the
stream is visible); everything else is real: Chainlit, login against the encrypted store, the turn,
the audit rows. The test never skips: `make test` installs Chromium, and a missing one fails.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, FakeEngine, base_env, free_port, stop_process, wait_http
from tests.fakes.engine import DEFAULT_REPLY, ID_VALUE

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = "13812345678"
CANARY = "quincecanary"
STAFF, STAFF_PASSWORD = "clerk", "correct horse battery staple"


class App:
    """The app running as `chainlit run app.py` in a scratch directory."""

    def __init__(self, tmp: Path, engine: FakeEngine, *, users: tuple[tuple[str, str, str], ...] = (),
                 port: int | None = None, **env: str) -> None:
        self.dir = tmp / "site"
        self.dir.mkdir()
        (self.dir / "app.py").symlink_to(ROOT / "app.py")
        shutil.copytree(ROOT / ".chainlit", self.dir / ".chainlit")
        shutil.copy(ROOT / "chainlit.md", self.dir / "chainlit.md")
        self.data = tmp / "data"
        self.env = base_env(self.data, HUSHDESK_ENGINE="external", HUSHDESK_ENGINE_URL=engine.base_url,
                            HUSHDESK_MODEL_NAME="fake-model", HUSHDESK_LOG_LEVEL="DEBUG",
                            HUSHDESK_OUTPUT_POLICY="CN_ID=block", **env)
        boot = self.cli("services.ops.bootstrap")
        self.admin_password = re.search(r"with password: (\S+)", boot.stdout).group(1)
        for name, role, password in ((STAFF, "staff", STAFF_PASSWORD), *users):
            self.cli("services.auth", "add", name, "--role", role, "--password-stdin", stdin=password + "\n")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "server.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "chainlit"), "run", "app.py", "--host", "127.0.0.1",
             "--port", str(self.port), "--headless"],
            cwd=self.dir, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.url + "/login", timeout=60, proc=self.proc)

    def cli(self, module: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", module, *args], cwd=self.dir, env=self.env,
                                input=stdin, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result

    def stop(self) -> bytes:
        """Stop the server with SIGTERM as an operator would; return everything it logged."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                stop_process(self.proc)
        self.log.close()
        return self.log_path.read_bytes()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    engine = FakeEngine(tmp, delay=0.03)
    app = App(tmp, engine)
    yield app, engine
    app.stop()
    engine.stop()


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


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


def _get(url: str, **headers: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}


def _ws_handshake(port: int, origin: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall((f"GET /ws/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                      f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {origin}\r\n\r\n").encode())
        return conn.recv(200).split(b"\r\n", 1)[0]


def test_headers_and_foreign_origins(site):
    # Runs before the login test below, which stops the app at its end.
    app, _ = site
    status, headers = _get(app.url + "/login")
    assert status == 200
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no other host anywhere in the policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    # Our own origin is fine; any other is refused, over HTTP and on the websocket.
    assert _get(app.url + "/login", Origin=app.url)[0] == 200
    status, headers = _get(app.url + "/login", Origin="http://evil.example")
    assert status == 403 and "access-control-allow-origin" not in headers
    assert _get(app.url + "/ws/socket.io/?EIO=4&transport=polling", Origin="http://evil.example")[0] == 403
    assert b" 101 " not in _ws_handshake(app.port, "http://evil.example") + b" "
    assert b" 101 " in _ws_handshake(app.port, app.url) + b" "
    # Our static files: a fixed list, nothing else reachable through that route.
    assert _get(app.url + "/hushdesk/static/fonts.css")[0] == 200
    assert _get(app.url + "/hushdesk/static/fonts/inter-latin-400-normal.woff2")[0] == 200
    for path in ("/hushdesk/static/..%2F..%2Fapp.py", "/hushdesk/static/../sessions.py", "/hushdesk/static/x.py"):
        assert _get(app.url + path)[0] == 404


def test_login_chat_stream_logout(site, browser):
    app, engine = site
    page = browser.new_page()
    page.set_default_timeout(20_000)
    # Every request the page makes, from login to logout, must stay on this machine.
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    login(page, app.url, STAFF, "wrong password, surely")
    page.wait_for_timeout(1000)
    assert "/login" in page.url  # refused

    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    accept_consent(page)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "access_token")
    session_id = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==="))["metadata"]["sid"]
    before = len(engine.requests())
    page.fill("#chat-input", f"客户的手机是{PHONE}，{CANARY}，请查询订单状态")
    page.click("#chat-submit")

    # Watch the reply grow: several distinct partial lengths before it is complete.
    seen: list[int] = []
    for _ in range(400):
        texts = assistant_texts(page)
        if texts:
            if not seen or len(texts[-1]) != seen[-1]:
                seen.append(len(texts[-1]))
            if texts[-1].strip() == DEFAULT_REPLY.strip():
                break
        page.wait_for_timeout(20)
    assert assistant_texts(page)[-1].strip() == DEFAULT_REPLY.strip()
    assert len([n for n in seen if n < len(DEFAULT_REPLY.strip())]) >= 3, seen

    sent = engine.requests()[before:]
    assert len(sent) == 1
    assert PHONE.encode() not in sent[0] and b"[PHONE_1]" in sent[0]

    # A reply holding PII is redacted before it reaches the screen.
    page.fill("#chat-input", "please repeat the details [[pii]]")
    page.click("#chat-submit")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-step-type=assistant_message]'))"
        ".some(e => e.innerText.includes('ORD'))")
    page.wait_for_timeout(500)
    shown = assistant_texts(page)[-1]
    assert "13912345678" not in shown and "alice.wong@example.com" not in shown
    assert "[PHONE_2]" in shown and "[EMAIL_1]" in shown  # [PHONE_1] is the earlier number

    # Where the reply repeats the staff member's own placeholder, their screen shows their value
    # again; the engine still only ever sees the placeholder.
    before = len(engine.requests())
    page.fill("#chat-input", f"please repeat {PHONE} [[echo]]")
    page.click("#chat-submit")
    page.wait_for_function(
        f"() => Array.from(document.querySelectorAll('[data-step-type=assistant_message]'))"
        f".some(e => e.innerText.includes('{PHONE}'))")
    sent = engine.requests()[before:]
    assert len(sent) == 1 and PHONE.encode() not in sent[0] and b"[PHONE_1]" in sent[0]

    # A reply holding a label the policy blocks is replaced on screen by the fixed notice.
    page.fill("#chat-input", "read me the ID on file [[id]]")
    page.click("#chat-submit")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-step-type=assistant_message]'))"
        ".some(e => e.innerText.includes('withheld'))")
    page.wait_for_timeout(500)
    shown = assistant_texts(page)[-1]
    assert ID_VALUE not in shown and "Before anything else" not in shown and "withheld" in shown

    page.click("#user-nav-button")
    page.get_by_role("menuitem", name="Logout").click()
    page.wait_for_url("**/login")
    assert not [c for c in page.context.cookies() if c["name"].startswith("access_token")]

    # The same page, still recorded: an admin signs in, opens the admin page and signs out there.
    login(page, app.url, "admin", app.admin_password)
    page.wait_for_selector("#chat-input")
    page.wait_for_selector("#hushdesk-admin-link")
    page.click("#hushdesk-admin-link")
    page.wait_for_selector("#users")
    page.click("#signout")
    page.wait_for_url("**/login")
    page.close()
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith(("data:", "blob:"))}
    assert requested and hosts == {"127.0.0.1"}, sorted(u for u in requested if "127.0.0.1" not in u)
    assert any(u.endswith(".woff2") for u in requested)  # the Inter font, from this server
    # The page's own inline scripts run (the policy allows them by hash, also when gzipped).
    assert not [m for m in console if "Content Security Policy" in m]

    rows = [json.loads(line) for line in app.cli("services.audit", "tail", "-n", "20", "--json")
            .stdout.splitlines() if line.strip()]
    kinds = [r["kind"] for r in rows]
    assert kinds.count("login_failed") == 1 and kinds.count("login") == 2
    assert kinds.count("turn") == 4 and kinds.count("logout") == 2 and kinds.count("consent") == 1
    turns = [r for r in rows if r["kind"] == "turn"]
    assert turns[0]["outcome"] == "ok" and turns[0]["redactions_in"] in ({"PHONE": 1}, '{"PHONE":1}')

    log = app.stop()
    for needle in (PHONE, CANARY, "13912345678", STAFF_PASSWORD, "请查询订单状态"):
        assert needle.encode() not in log, f"{needle!r} reached the server log"
    # The store, its WAL and the signed checkpoints hold no PII, no raw user name, session id or token.
    files = [p for p in app.data.iterdir() if p.name.startswith(("audit.db", "audit-checkpoints"))]
    assert {p.name for p in files} >= {"audit.db", "audit.db-wal", "audit-checkpoints.jsonl"}
    for path in files:
        blob = path.read_bytes()
        for needle in (PHONE, CANARY, STAFF, session_id, token, "13912345678", "alice.wong@example.com"):
            assert needle.encode() not in blob, (needle, path.name)
