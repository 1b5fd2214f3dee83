"""Clients of a running App without a browser: HTTP login and requests, Chainlit's socket.io protocol, the
audit rows as the command line shows them, consent written straight into the store."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import datetime, timezone

import httpx
import socketio

from services.auth.signin import consent_version
from services.auth.users import UserStore
from services.config import load_settings
from services.keys import load_keys
from services.store import open_store
from tests.support.app import STAFF, App


def http_login(app: App, user: str, password: str) -> httpx.Response:
    return httpx.post(app.url + "/login", data={"username": user, "password": password},
                      headers={"Origin": app.url}, timeout=30)


def token_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.cookies["access_token"]


def audit_rows(app: App) -> list[dict]:
    out = app.cli("services.audit", "tail", "-n", "200", "--json").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def give_consent(app: App, user: str) -> None:
    settings = load_settings(app.env, dotenv=False)
    engine = open_store(settings, load_keys(settings, create=False))
    try:
        UserStore(engine).set_consent(user, consent_version(settings))
    finally:
        engine.dispose()


class Socket:
    """Chainlit's websocket protocol, spoken by python-socketio."""

    def __init__(self, app: App, token: str) -> None:
        self.app, self.token = app, token
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[str] = []
        self.client.on("*", self._any)

    async def _any(self, event, *args):
        self.events.append(event)

    async def connect(self) -> None:
        await self.client.connect(
            self.app.url, socketio_path="/ws/socket.io", transports=["websocket"], wait_timeout=10,
            headers={"Cookie": f"access_token={self.token}", "Origin": self.app.url},
            auth={"clientType": "webapp", "sessionId": str(uuid.uuid4()), "threadId": None, "userEnv": "{}",
                  "chatProfile": None})
        await self.client.emit("connection_successful")
        await asyncio.sleep(0.5)

    async def say(self, text: str) -> None:
        await self.client.emit("client_message", {"message": {
            "id": str(uuid.uuid4()), "threadId": "", "name": STAFF, "type": "user_message", "output": text,
            "createdAt": datetime.now(timezone.utc).isoformat()}, "fileReferences": None})


def run_async(make_coroutine) -> None:
    """Run a coroutine in its own thread: Playwright's sync API holds this thread's event loop."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(make_coroutine())).result()


async def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


class Target:
    """What Socket needs of an app: its URL (a proxy's, or one process's)."""

    def __init__(self, url: str) -> None:
        self.url = url


async def chat_once(url: str, token: str, text: str, timeout: float = 20.0) -> list[str]:
    """Open a chat at `url`, send one message; the texts of the messages that came back (the reply, or a
    notice)."""
    sock = Socket(Target(url), token)
    texts: list[str] = []
    done = asyncio.Event()

    async def message(step):
        if step.get("type") in ("assistant_message",) and step.get("output"):
            texts.append(step["output"])

    sock.client.on("new_message", message)
    sock.client.on("update_message", message)
    sock.client.on("task_end", lambda *a: done.set())
    await sock.connect()
    done.clear()  # the chat start's own task_end
    try:
        await sock.say(text)
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        await sock.client.disconnect()
    return texts
