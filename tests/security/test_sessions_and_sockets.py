"""The attack pass, kept as tests: sessions, sockets, logout, OAuth redirects, logs and API docs.

Each test repeats one attempt from the security review (issue 11) against the real app process
(`chainlit run app.py`), the fake engine process (it records what it received and how each stream
ended) and Chainlit's websocket protocol spoken by python-socketio. The OAuth provider is configured
but never contacted: the attempts stop at hushdesk's own redirects. Each failed before its fix.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import socketio

from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.engine import FakeEngine
from tests.support.process import free_port
from tests.support.sockets import Socket, audit_rows, give_consent, http_login, run_async, token_of, wait_for

pytestmark = pytest.mark.browser

PHONE = "13812345678"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attack")
    engine = FakeEngine(tmp, delay=0.03)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    app = App(tmp, engine, port=port, HUSHDESK_PUBLIC_URL=public,
              OAUTH_GENERIC_CLIENT_ID="hushdesk", OAUTH_GENERIC_CLIENT_SECRET="never-used-secret",
              OAUTH_GENERIC_AUTH_URL="http://127.0.0.1:9/authorize",
              OAUTH_GENERIC_TOKEN_URL="http://127.0.0.1:9/token",
              OAUTH_GENERIC_USER_INFO_URL="http://127.0.0.1:9/userinfo", OAUTH_GENERIC_SCOPES="openid")
    give_consent(app, STAFF)
    yield app, engine
    app.stop()
    engine.stop()


class Recording(Socket):
    """A socket that keeps what the server sent, not only the event names."""

    def __init__(self, app: App, token: str, session_id: str | None = None) -> None:
        super().__init__(app, token)
        self.session_id = session_id or str(uuid.uuid4())
        self.received: list[tuple[str, object]] = []

    async def _any(self, event, *args):
        self.events.append(event)
        self.received.append((event, args[0] if args else None))

    async def connect(self) -> None:
        await self.client.connect(
            self.app.url, socketio_path="/ws/socket.io", transports=["websocket"], wait_timeout=10,
            headers={"Cookie": f"access_token={self.token}", "Origin": self.app.url},
            auth={"clientType": "webapp", "sessionId": self.session_id, "threadId": None, "userEnv": "{}",
                  "chatProfile": None})
        await self.client.emit("connection_successful")
        await asyncio.sleep(0.5)

    def text(self) -> str:
        """Everything streamed or sent as message content so far."""
        out = []
        for event, data in self.received:
            if isinstance(data, dict):
                out.append(str(data.get("token") or data.get("output") or ""))
        return "".join(out)


# Item 8: a logout with cookie A and Bearer B ---------------------------------------------------


def test_logout_with_a_cookie_and_a_different_bearer_is_refused(site):
    app, _ = site
    a = token_of(http_login(app, STAFF, STAFF_PASSWORD))
    b = token_of(http_login(app, STAFF, STAFF_PASSWORD))
    r = httpx.post(app.url + "/logout", headers={"Authorization": f"Bearer {b}", "Origin": app.url},
                   cookies={"access_token": a}, timeout=10)
    assert r.status_code == 400 and r.json() == {"detail": "ambiguousCredentials"}
    # Refused, not half done: neither was ended, and each can still be ended on its own.
    for token in (a, b):
        assert httpx.get(app.url + "/user", cookies={"access_token": token}, timeout=10).status_code == 200
        r = httpx.post(app.url + "/logout", headers={"Origin": app.url}, cookies={"access_token": token}, timeout=10)
        assert r.status_code == 200
        assert httpx.get(app.url + "/user", cookies={"access_token": token}, timeout=10).status_code == 401


# Item 10: API docs, Host header, log injection -------------------------------------------------


def test_api_docs_and_schema_are_not_served(site):
    app, _ = site
    for path in ("/openapi.json", "/docs", "/redoc"):
        r = httpx.get(app.url + path, timeout=10)
        assert '"openapi"' not in r.text and "swagger" not in r.text.lower() and "redoc" not in r.text.lower()


def test_oauth_redirects_come_from_the_public_url_not_the_host_header(site):
    app, _ = site
    r = httpx.get(app.url + "/auth/oauth/generic", headers={"Host": "evil.example"}, timeout=10)
    assert r.status_code in (302, 307), r.status_code
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["redirect_uri"] == [f"{app.url}/auth/oauth/generic/callback"]
    # The provider's error answer: back to this server's login page, whatever Host said.
    r = httpx.get(app.url + "/auth/oauth/generic/callback", params={"error": "x"},
                  headers={"Host": "evil.example"}, timeout=10)
    assert r.status_code in (302, 303, 307)
    assert r.headers["location"] == f"{app.url}/login?error=oauthSignin"


def test_an_oauth_error_text_cannot_forge_a_log_line(site):
    app, _ = site
    forged = "x\n2026-12-05 07:00:00 INFO hushdesk.runtime: admin signed in FORGEDLINE"
    for host in ("evil.example", urlsplit(app.url).netloc):
        r = httpx.get(app.url + "/auth/oauth/generic/callback", params={"error": forged, "state": "s"},
                      headers={"Host": host}, timeout=10)
        assert r.status_code in (302, 303, 307)
    time.sleep(0.5)
    log = app.log_path.read_bytes()
    assert b"FORGEDLINE" not in log and b"admin signed in" not in log
    assert b"provider_error" in log  # a fixed code says what happened


def test_oauth_without_a_public_url_refuses_to_start(tmp_path):
    engine = FakeEngine(tmp_path)
    try:
        with pytest.raises(Exception):
            App(tmp_path, engine, OAUTH_GENERIC_CLIENT_ID="x", OAUTH_GENERIC_CLIENT_SECRET="y",
                OAUTH_GENERIC_AUTH_URL="http://127.0.0.1:9/a", OAUTH_GENERIC_TOKEN_URL="http://127.0.0.1:9/t",
                OAUTH_GENERIC_USER_INFO_URL="http://127.0.0.1:9/u", OAUTH_GENERIC_SCOPES="openid")
        log = (tmp_path / "server.log").read_text()
        assert "HUSHDESK_PUBLIC_URL is required" in log
    finally:
        engine.stop()


# Item 7: events of features that are off -------------------------------------------------------


def test_edit_message_is_refused_while_editing_is_off(site):
    app, engine = site
    token = token_of(http_login(app, STAFF, STAFF_PASSWORD))

    async def scenario():
        sock = Recording(app, token)
        await sock.connect()
        before, turns = len(engine.requests()), sum(r["kind"] == "turn" for r in audit_rows(app))
        for event, payload in (
                ("edit_message", {"message": {"id": str(uuid.uuid4()), "threadId": "", "type": "user_message",
                                              "output": "edited [[echo]]", "createdAt": "2026-12-05T00:00:00Z"}}),
                ("window_message", {"data": "x"}), ("chat_settings_change", {"a": 1}),
                ("audio_start", None), ("fetch_favorites", None)):
            await sock.client.emit(event, payload)
        await asyncio.sleep(1.5)
        assert len(engine.requests()) == before
        assert sum(r["kind"] == "turn" for r in audit_rows(app)) == turns
        assert sock.client.connected  # refused events do not end the session; chat goes on
        await sock.say("hello after the refused events")
        assert await wait_for(lambda: len(engine.requests()) == before + 1)
        await sock.client.disconnect()

    run_async(scenario)


# Item 6: a second sign-in reusing the first tab's chat session id ------------------------------


def test_a_second_sign_in_cannot_take_over_the_first_tabs_chat_session(site):
    app, engine = site
    first = token_of(http_login(app, STAFF, STAFF_PASSWORD))
    second = token_of(http_login(app, STAFF, STAFF_PASSWORD))

    async def scenario():
        tab = Recording(app, first)
        await tab.connect()
        await tab.say(f"my number is {PHONE} [[echo]]")
        assert await wait_for(lambda: PHONE in tab.text())
        await asyncio.sleep(1.0)  # the reply has finished
        intruder = Recording(app, second, session_id=tab.session_id)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await intruder.connect()
        # The first tab still works, and its conversation (its vault) is intact: a second number is
        # [PHONE_2], and the first is still known as [PHONE_1].
        before = len(engine.requests())
        await tab.say(f"and 13912345678, not {PHONE} [[echo]]")
        assert await wait_for(lambda: len(engine.requests()) == before + 1)
        sent = json.loads(engine.requests()[before])["messages"][-1]["content"]
        assert "and [PHONE_2], not [PHONE_1]" in sent
        assert await wait_for(lambda: f"and 13912345678, not {PHONE}" in tab.text())
        await tab.client.disconnect()

    run_async(scenario)


# Item 5: a reply stops when its session ends ---------------------------------------------------


@pytest.mark.parametrize("how", ["logout", "end-sessions"])
def test_ending_a_session_cancels_its_turn_at_the_engine(site, how):
    app, engine = site
    token = token_of(http_login(app, STAFF, STAFF_PASSWORD))

    async def scenario():
        sock = Recording(app, token)
        await sock.connect()
        ends = len(engine.ends())
        await sock.say("tell me everything [[long]]")
        assert await wait_for(lambda: "word" in sock.text())  # streaming (400 tokens, 12 s in all)
        if how == "logout":
            r = httpx.post(app.url + "/logout", headers={"Origin": app.url}, cookies={"access_token": token},
                           timeout=10)
            assert r.status_code == 200
        else:
            await asyncio.to_thread(app.cli, "services.auth", "end-sessions", STAFF)
        assert await wait_for(lambda: len(engine.ends()) > ends, timeout=4)
        assert engine.ends()[ends:] == ["cut"]  # generation stopped, not finished
        assert await wait_for(lambda: not sock.client.connected, timeout=3)

    run_async(scenario)
    turns = [r for r in audit_rows(app) if r["kind"] == "turn"]
    assert turns[-1]["outcome"] == "cancelled"


# Item 9: a typed placeholder never aliases a vault entry --------------------------------------


def test_a_typed_placeholder_shape_is_not_the_vaults_placeholder(site):
    app, engine = site
    token = token_of(http_login(app, STAFF, STAFF_PASSWORD))

    async def scenario():
        sock = Recording(app, token)
        await sock.connect()
        before = len(engine.requests())
        await sock.say(f"the customer wrote [PHONE_1] and gave {PHONE} [[echo]]")
        assert await wait_for(lambda: "You said" in sock.text() and PHONE in sock.text())
        sent = json.loads(engine.requests()[before:][0])["messages"][-1]["content"]
        # The real number is [PHONE_1]; the typed shape reached the model escaped, as another text.
        assert sent.count("[PHONE_1]") == 1 and "\uff3bPHONE_1\uff3d" in sent and PHONE not in sent
        await asyncio.sleep(0.5)
        shown = sock.text()
        # Only the real value is revealed; the typed shape stays as typed (escaped).
        assert f"wrote \uff3bPHONE_1\uff3d and gave {PHONE}" in shown and f"wrote {PHONE}" not in shown
        await sock.client.disconnect()

    run_async(scenario)
