"""The socket guard over a real socket.io server (python-socketio under uvicorn) and a real socket.io
client, without a browser or Chainlit: sessions in a real SQLCipher store, time from a controllable clock.

The chat framework's session objects are the one double here (`Chats`, the `ChatSockets` boundary that
app.py adapts to Chainlit's WebsocketSession); the server, the client, the protocol and the registry are real.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import socketio
import uvicorn

from services.auth.sessions import SessionRegistry, SessionStore
from services.auth.users import UserStore
from services.config import load_settings
from services.ops.bootstrap import ensure_initialised
from services.web.socket_guard import Features, SocketGuard
from tests.support.process import free_port, make_token

SECRET = "s" * 40
PEPPER = bytes(range(32))


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Chats:
    """Stand-in for the framework's chat sessions: which token each socket signed in with, and the
    turns cancelled (a real running task per socket, as Chainlit keeps one)."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.by_id: dict[str, tuple[str, str]] = {}
        self.dropped: list[str] = []
        self.turns: dict[str, asyncio.Task] = {}

    def token_of(self, sid: str) -> str | None:
        return self.tokens.get(sid)

    def by_session_id(self, session_id: str) -> tuple[str | None, str | None] | None:
        return self.by_id.get(session_id)

    async def drop(self, session_id: str) -> None:
        self.dropped.append(session_id)
        self.by_id.pop(session_id, None)

    def cancel_turn(self, sid: str) -> None:
        task = self.turns.get(sid)
        if task is not None and not task.done():
            task.cancel()


class Site:
    """A socket.io server with the chat's events registered, then guarded, on a free port."""

    def __init__(self, tmp: Path, features: Features = Features()) -> None:
        settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp / "data"), "HUSHDESK_ENGINE": "external",
                                  "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{free_port()}/v1"}, dotenv=False)
        _, self.engine, _ = ensure_initialised(settings)
        self.clock = Clock()
        self.ended: list[tuple[str, str]] = []
        self.registry = SessionRegistry(SessionStore(self.engine, PEPPER), SECRET, idle_seconds=60, max_seconds=3600,
                                        clock=self.clock, on_end=lambda c, reason: self.ended.append((c.user, reason)))
        self.registry.load()
        self.chats = Chats()
        self.received: list[tuple[str, Any]] = []
        self.sio = socketio.AsyncServer(async_mode="asgi")
        sio = self.sio

        @sio.on("connect")
        async def connect(sid, environ, auth=None):
            token = environ.get("HTTP_COOKIE", "").partition("access_token=")[2]
            self.chats.tokens[sid] = token
            if isinstance(auth, dict) and auth.get("sessionId"):
                self.chats.by_id[auth["sessionId"]] = (token, sid)

        @sio.on("disconnect")
        async def disconnect(sid, *reason):
            return None

        for name in ("client_message", "edit_message", "audio_start", "some_future_event"):
            sio.on(name, self._handler(name))
        self.guard = SocketGuard(self.registry, features, self.chats, interval=0.05)
        self.guard.install(sio)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def _handler(self, name: str):
        async def handler(sid, data=None):
            self.received.append((name, data))
            if name == "client_message":  # a turn that runs until it is cancelled
                self.chats.turns[sid] = asyncio.current_task()
                try:
                    await asyncio.sleep(30)
                except asyncio.CancelledError:
                    self.received.append(("cancelled", sid))
                    raise
        return handler

    def token(self, user: str = "clerk", role: str = "staff") -> str:
        users = UserStore(self.engine)
        if users.get(user) is None:
            users.provision(user, role, "test")
        return make_token(SECRET, user, self.registry.begin(user, role))

    async def serve(self):
        server = uvicorn.Server(uvicorn.Config(socketio.ASGIApp(self.sio), host="127.0.0.1", port=self.port,
                                               log_level="warning", lifespan="off"))
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        return server, task

    async def client(self, token: str | None, session_id: str | None = None) -> tuple[socketio.AsyncClient, str | None]:
        """A connected client, or (client, the refusal's message)."""
        client = socketio.AsyncClient(reconnection=False)
        reasons: list[str] = []
        client.on("connect_error", lambda data=None: reasons.append(str(data)))
        headers = {"Cookie": f"access_token={token}"} if token else {}
        try:
            await client.connect(self.url, headers=headers, transports=["websocket"],
                                 auth={"sessionId": session_id} if session_id else None, wait_timeout=5)
        except socketio.exceptions.ConnectionError as exc:
            await until(lambda: bool(reasons), 1.0)
            return client, " ".join(reasons) or str(exc)
        return client, None


def run(site: Site, scenario) -> Any:
    async def main():
        server, task = await site.serve()
        site.guard.start()
        try:
            return await scenario()
        finally:
            site.guard.stop()
            server.should_exit = True
            await task
    try:
        return asyncio.run(main())
    finally:
        site.engine.dispose()


async def until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


def test_connect_needs_an_active_session_of_a_chat_role(tmp_path: Path) -> None:
    site = Site(tmp_path)

    async def scenario():
        refusals = {}
        for label, token in (("none", None), ("forged", make_token("x" * 40, "clerk", {"role": "staff", "sid": "a" * 24})),
                             ("auditor", site.token("audrey", "auditor"))):
            client, refused = await site.client(token)
            refusals[label] = refused
            await client.disconnect()
        client, refused = await site.client(site.token())
        connected = client.connected
        await client.disconnect()
        return refusals, refused, connected

    refusals, staff_refused, connected = run(site, scenario)
    assert refusals["none"] is not None and refusals["forged"] is not None
    assert refusals["auditor"] is not None  # a role that does not chat
    assert staff_refused is None and connected


def test_events_of_features_that_are_off_never_reach_the_handler(tmp_path: Path) -> None:
    site = Site(tmp_path, Features(audio=True))

    async def scenario():
        client, _ = await site.client(site.token())
        for name in ("edit_message", "some_future_event", "audio_start"):
            await client.emit(name, {"x": 1})
        await until(lambda: ("audio_start", {"x": 1}) in site.received)
        await asyncio.sleep(0.2)
        await client.disconnect()
        return [name for name, _ in site.received]

    received = run(site, scenario)
    assert received == ["audio_start"]  # editing is off and unknown events are refused


def test_an_idle_session_ends_its_socket_and_turn_and_is_reported_once(tmp_path: Path) -> None:
    site = Site(tmp_path)

    async def scenario():
        client, _ = await site.client(site.token())
        await client.emit("client_message", "first")
        await until(lambda: ("client_message", "first") in site.received)
        site.clock.now += 61  # idle past the limit: the watch (and any event) finds it ended
        await client.emit("client_message", "after the limit")
        ended = await until(lambda: not client.connected)
        await asyncio.sleep(0.3)  # more watch ticks: still reported once
        return ended, list(site.received), list(site.ended)

    ended, received, reported = run(site, scenario)
    assert ended
    assert ("client_message", "after the limit") not in received  # refused before the handler
    assert any(name == "cancelled" for name, _ in received)  # the running turn was cancelled
    assert reported == [("clerk", "idle")]


def test_sessions_ended_elsewhere_are_swept_and_a_logout_ends_its_sockets_at_once(tmp_path: Path) -> None:
    site = Site(tmp_path)

    async def scenario():
        ann, bob = site.token("ann"), site.token("bob")
        a, _ = await site.client(ann)
        b, _ = await site.client(bob)
        await asyncio.to_thread(site.registry.end_user, "ann", "ended_by_admin")  # another admin, the CLI
        swept = await until(lambda: not a.connected)
        still = b.connected
        await site.guard.end_token(bob)  # a logout
        logged_out = await until(lambda: not b.connected)
        return swept, still, logged_out

    swept, still, logged_out = run(site, scenario)
    assert swept and still and logged_out


def test_a_live_sign_ins_chat_session_cannot_be_taken_over(tmp_path: Path) -> None:
    site = Site(tmp_path)

    async def scenario():
        first_token = site.token("ann")
        first, _ = await site.client(first_token, session_id="chat-1")
        other, refused = await site.client(site.token("ann"), session_id="chat-1")  # a second sign-in
        first_still = first.connected
        site.clock.now += 61  # the first sign-in ends; its leftover chat session may now be reused
        await until(lambda: not first.connected)
        again, refused_again = await site.client(site.token("ann"), session_id="chat-1")
        return refused, first_still, refused_again, list(site.chats.dropped)

    refused, first_still, refused_again, dropped = run(site, scenario)
    assert refused is not None and first_still
    assert refused_again is None and dropped == ["chat-1"]
