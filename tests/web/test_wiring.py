"""The web wiring over a real FastAPI app and socket.io server (the objects Chainlit builds), without
Chainlit: middleware order and effect, the API browser gone, our routes first, the socket limits, the
framework's environment, and the start-up refusals."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import socketio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse
from starlette.testclient import TestClient

from services.auth.sessions import SessionRegistry, SessionStore
from services.config import load_settings
from services.ops.bootstrap import ensure_initialised
from services.web.wiring import (API_BROWSER, MAX_SOCKET_MESSAGE, prepare_environment, secure_http,
                                 start_refusal)
from tests.support.process import free_port


@dataclass
class Project:
    user_session_timeout: int = 1296000  # Chainlit's default: 15 days


def _site(tmp: Path, **env: str):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp / "data"), "HUSHDESK_ENGINE": "external",
                              "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{free_port()}/v1", **env}, dotenv=False)
    keys, engine, _ = ensure_initialised(settings)
    registry = SessionRegistry(SessionStore(engine, keys.pepper), keys.auth_secret,
                               idle_seconds=settings.session_idle_seconds, max_seconds=settings.session_max_seconds)
    runtime = SimpleNamespace(settings=settings, sessions=registry, keys=keys)  # what the wiring reads
    app = FastAPI()  # as Chainlit builds it: CORS open to all, a catch-all page route last
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"],
                       allow_headers=["*"])

    @app.get("/{full_path:path}")
    async def page(full_path: str):
        return HTMLResponse("<html>chat page</html>")

    sio = socketio.AsyncServer(async_mode="asgi")
    project = Project()
    secure_http(app, sio, runtime, project)
    return app, sio, project, settings, engine


def test_the_wiring_puts_our_guard_headers_and_routes_in_front(tmp_path: Path) -> None:
    app, sio, project, settings, engine = _site(tmp_path)
    try:
        with TestClient(app) as client:
            for path in API_BROWSER:
                response = client.get(path)
                assert "openapi" not in response.text.lower() and "swagger" not in response.text.lower()
            css = client.get("/hushdesk/static/pages.css")  # our route, ahead of the catch-all page
            assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
            page = client.get("/")
            assert "default-src 'self'" in page.headers["content-security-policy"]
            assert client.get("/hushdesk/admin").status_code == 401  # the session guard's verdict is required
            cross = client.get("/", headers={"Origin": "https://evil.example"})
            assert cross.headers.get("access-control-allow-origin") is None  # CORS narrowed to none
    finally:
        engine.dispose()
    assert sio.eio.max_http_buffer_size == MAX_SOCKET_MESSAGE and sio.eio.cors_allowed_origins is None
    assert project.user_session_timeout == int(settings.session_max_seconds)


def test_the_framework_environment_has_our_secret_and_never_persistence(caplog) -> None:
    environ = {"DATABASE_URL": "postgresql://secret-host/db", "LITERAL_API_KEY": "lk-123"}
    with caplog.at_level(logging.WARNING):
        prepare_environment(SimpleNamespace(public_url="https://desk.example"), "k" * 40, environ)
    assert environ == {"CHAINLIT_AUTH_SECRET": "k" * 40, "CHAINLIT_URL": "https://desk.example"}
    assert "secret-host" not in caplog.text and "lk-123" not in caplog.text
    assert "DATABASE_URL was set and has been ignored" in caplog.text
    bare: dict[str, str] = {}
    prepare_environment(SimpleNamespace(public_url=None), "k" * 40, bare)
    assert bare == {"CHAINLIT_AUTH_SECRET": "k" * 40}


def test_start_refusals() -> None:
    assert start_refusal(root_path="", oauth=False, public_url=None) is None
    assert start_refusal(root_path="", oauth=True, public_url="https://desk.example") is None
    assert "--root-path" in start_refusal(root_path="/desk", oauth=False, public_url=None)
    assert "HUSHDESK_PUBLIC_URL" in start_refusal(root_path="", oauth=True, public_url=None)


def test_sign_in_carries_the_identity_providers_groups_in_the_token_metadata() -> None:
    import asyncio

    from services.web.wiring import sign_in

    user = SimpleNamespace(name="sam")

    async def begin_session(u):  # the session store's answer (its own tests cover it)
        return {"role": "staff", "sid": "s" * 24, "login_at": 1.0}

    runtime = SimpleNamespace(signin=SimpleNamespace(begin_session=begin_session))

    async def check():
        return user

    with_groups = asyncio.run(sign_in(runtime, check(), ("logistics", "support")))
    without = asyncio.run(sign_in(runtime, check()))
    assert with_groups == (user, {"role": "staff", "sid": "s" * 24, "login_at": 1.0, "groups": ["logistics", "support"]})
    assert without == (user, {"role": "staff", "sid": "s" * 24, "login_at": 1.0})
