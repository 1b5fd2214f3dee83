"""hushdesk's Chainlit app: the only module that imports chainlit. Thin: every decision is in services/.

Start it with `make run`, or `chainlit run app.py --host H --port P` once set-up has run.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from services.config import load_settings
from services.errors import HushdeskError, ReplyBlocked
from services.logs import configure_logging
from services.runtime import Runtime

log = logging.getLogger("hushdesk.app")


def _open_runtime() -> Runtime:
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        return Runtime.open(settings)
    except HushdeskError as exc:
        # A missing, malformed or wrong key or setting stops the app with a message naming it.
        print(f"hushdesk cannot start: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None


runtime = _open_runtime()
# Chainlit signs its login tokens with this; it comes from our key file, never from a default.
os.environ["CHAINLIT_AUTH_SECRET"] = runtime.keys.auth_secret
for _name in ("DATABASE_URL", "LITERAL_API_KEY"):
    # Either one silently turns on Chainlit persistence of message text.
    if os.environ.pop(_name, None) is not None:
        log.warning("%s was set and has been ignored: hushdesk never persists messages.", _name)

import chainlit as cl  # noqa: E402  (after the secret is in place)
import chainlit.server  # noqa: E402
from chainlit.auth.cookie import get_token_from_cookies  # noqa: E402
from chainlit.auth.jwt import decode_jwt  # noqa: E402

from services.frontend import FRONTEND_DIR, FrontendError, ensure_frontend  # noqa: E402
from services.http_security import SecurityMiddleware  # noqa: E402


def _check_frontend() -> None:
    """Serve only the copy without external requests; Chainlit chose its build before this module ran."""
    try:
        built = ensure_frontend(Path.cwd())
    except (FrontendError, OSError):
        print(f"hushdesk cannot start: {FrontendError.default_message}", file=sys.stderr)
        raise SystemExit(2) from None
    if Path(chainlit.server.build_dir).resolve() != built.resolve():
        # Missing or outdated when Chainlit started, so it fell back to its own build (which loads
        # Google Fonts and jsdelivr). Now rebuilt: a restart serves it.
        print(f"hushdesk cannot start: its frontend copy ({FRONTEND_DIR}) was missing or outdated and has "
              "been rebuilt; start hushdesk again (`make run` does this before starting).", file=sys.stderr)
        raise SystemExit(2)


_check_frontend()


def _secure_http() -> None:
    """Our headers and origin check outermost; Chainlit's CORS (any origin, with credentials) narrowed."""
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware

    allowed = runtime.settings.allowed_origins
    app = chainlit.server.app
    app.user_middleware = [
        Middleware(CORSMiddleware, allow_origins=sorted(allowed), allow_credentials=True,
                   allow_methods=["*"], allow_headers=["*"]) if m.cls is CORSMiddleware else m
        for m in app.user_middleware
    ]
    app.add_middleware(SecurityMiddleware, allowed_origins=allowed,
                       secure_cookies=runtime.settings.secure_cookies)
    # Socket.IO's own check: same origin only unless others are allowed (then ours refuses the rest).
    chainlit.server.sio.eio.cors_allowed_origins = "*" if allowed else None


_secure_http()

CHAT_ROLES = ("staff", "admin")
DEMO_NOTICE = ("**Demo model.** No model is configured (HUSHDESK_MODEL_PATH), so hushdesk serves a tiny "
               "generated model whose replies are random noise. 演示模型：回复为随机文本。")
UNSAFE_ERROR = "Something went wrong. Please try again."


@cl.on_app_startup
async def _startup() -> None:
    await runtime.start()


@cl.on_app_shutdown
async def _shutdown() -> None:
    await runtime.stop()


@cl.password_auth_callback
async def _password_login(username: str, password: str) -> cl.User | None:
    try:
        user = await runtime.login(username, password)
    except HushdeskError as exc:
        log.error("login could not be checked: %s", exc.outcome)
        return None
    if user is None:
        return None
    return cl.User(identifier=user.name, metadata={"role": user.role})


@cl.on_logout
async def _logout(request, response) -> None:
    token = get_token_from_cookies(dict(request.cookies))
    if not token:
        return
    try:
        user = decode_jwt(token)
        await runtime.logout(user.identifier, (user.metadata or {}).get("role"))
    except Exception as exc:  # a forged or expired cookie logs out quietly
        log.info("logout without a valid token: %s", type(exc).__name__)


@cl.on_chat_start
async def _chat_start() -> None:
    user = cl.user_session.get("user")
    role = (user.metadata or {}).get("role", "") if user else ""
    conv = runtime.conversation(cl.user_session.get("id"), user.identifier if user else "", role)
    cl.user_session.set("conversation", conv)
    if runtime.demo:
        await cl.Message(content=DEMO_NOTICE, author="hushdesk").send()


@cl.on_chat_end
async def _chat_end() -> None:
    conv = cl.user_session.get("conversation")
    if conv is not None:
        conv.clear()


@cl.on_message
async def _on_message(message: cl.Message) -> None:
    conv = cl.user_session.get("conversation")
    if conv is None or conv.role not in CHAT_ROLES:
        await cl.Message(content="Your role cannot use the chat.", author="hushdesk").send()
        return
    reply = cl.Message(content="")
    try:
        result = await runtime.chat.turn(conv, message.content or "", reply.stream_token)
    except HushdeskError as exc:
        await cl.Message(content=exc.message, author="hushdesk").send()
        return
    except Exception as exc:  # never show str(exc): it may hold message text
        log.error("message handling failed: %s", type(exc).__name__)
        await cl.Message(content=UNSAFE_ERROR, author="hushdesk").send()
        return
    if isinstance(result.error, ReplyBlocked):
        # Whatever streamed before the blocked value is replaced by the notice, on screen too.
        reply.content = result.error.message
        reply.author = "hushdesk"
        if reply.streaming:
            await reply.send()
        else:
            await cl.Message(content=result.error.message, author="hushdesk").send()
        return
    if reply.streaming:
        await reply.send()
    if result.error is not None:
        await cl.Message(content=result.error.message, author="hushdesk").send()
