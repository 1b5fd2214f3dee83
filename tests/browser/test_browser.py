"""A real browser (Debian Chromium driven by Playwright) against the real app process.

The engine is the fake OpenAI-compatible process (streaming with a small delay per token so the
stream is visible); everything else is real: Chainlit, login against the encrypted store, the turn,
the audit rows. The test never skips: `make test` installs Chromium, and a missing one fails.
"""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import accept_consent, assistant_texts, close_context, login
from tests.support.engine import FakeEngine
from tests.support.engine_server import DEFAULT_REPLY, ID_VALUE

pytestmark = pytest.mark.browser

PHONE = "13812345678"
CANARY = "quincecanary"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    engine = FakeEngine(tmp, delay=0.03)
    app = App(tmp, engine)
    yield app, engine
    app.stop()
    engine.stop()


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
    close_context(page.context)
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
