"""hushdesk's Chainlit app: the only module that imports chainlit. Thin: every decision is in services/.

Start it with `make run`, or `chainlit run app.py --host H --port P` once set-up has run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from services.config import load_settings
from services.errors import HushdeskError, ReplyBlocked
from services.i18n import error_text, language, text
from services.logs import configure_logging
from services.runtime import LoginRefused, Runtime

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
if runtime.settings.public_url:
    # Chainlit builds the OAuth redirect_uri from this, never from the request's Host header.
    os.environ["CHAINLIT_URL"] = runtime.settings.public_url
# Chainlit signs its login tokens with this; it comes from our key file, never from a default.
os.environ["CHAINLIT_AUTH_SECRET"] = runtime.keys.auth_secret
for _name in ("DATABASE_URL", "LITERAL_API_KEY"):
    # Either one silently turns on Chainlit persistence of message text.
    if os.environ.pop(_name, None) is not None:
        log.warning("%s was set and has been ignored: hushdesk never persists messages.", _name)

import chainlit as cl  # noqa: E402  (after the secret is in place)
import chainlit.server  # noqa: E402
from chainlit.config import config as _chainlit_config  # noqa: E402
from chainlit.oauth_providers import get_configured_oauth_providers  # noqa: E402
from chainlit.session import WebsocketSession  # noqa: E402

from services.web.coalesce import Coalescer  # noqa: E402
from services.web.frontend import FRONTEND_DIR, FrontendError, ensure_frontend  # noqa: E402
from services.web.security import SecurityMiddleware  # noqa: E402
from services.roles import CHAT_ROLES  # noqa: E402
from services.web.session_guard import LOGIN_ATTEMPT, SessionGuard  # noqa: E402
from services.auth.sessions import Verdict, tokens_from_headers  # noqa: E402
from services.web.socket_guard import Features, event_allowed  # noqa: E402
from services.web.routes import routes as _web_routes  # noqa: E402


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


sio = chainlit.server.sio
_sockets: dict[str, str] = {}  # live websocket id -> its login token


async def _session_ended(verdict: Verdict) -> None:
    """Audit, once, a session that a check found idle or expired (or refused as revoked)."""
    claims = verdict.claims
    if claims is not None:
        try:
            await runtime.session_ended(claims.user, claims.role, claims.sid, verdict.state)
        except HushdeskError as exc:
            log.error("session end could not be audited: %s", exc.outcome)


def _secure_http() -> None:
    """Session guard and our headers and origin check outermost; Chainlit's CORS narrowed; our routes."""
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware

    settings = runtime.settings
    allowed = settings.allowed_origins
    app = chainlit.server.app
    app.user_middleware = [
        Middleware(CORSMiddleware, allow_origins=sorted(allowed), allow_credentials=True,
                   allow_methods=["*"], allow_headers=["*"]) if m.cls is CORSMiddleware else m
        for m in app.user_middleware
    ]
    app.add_middleware(SessionGuard, registry=runtime.sessions, on_end=_session_ended,
                       public_url=settings.public_url)
    app.add_middleware(SecurityMiddleware, allowed_origins=allowed, secure_cookies=settings.secure_cookies,
                       samesite=settings.cookie_samesite)
    # Socket.IO's own check: same origin only unless others are allowed (then ours refuses the rest).
    sio.eio.cors_allowed_origins = "*" if allowed else None
    # Engine.IO drops the connection on a message over its buffer (1 MB by default), losing it
    # silently; take up to 8 MB so an oversized message reaches the turn and gets a clear refusal.
    sio.eio.max_http_buffer_size = 8 * 2**20
    # FastAPI's API browser and schema are not for staff: gone, so /docs and /openapi.json are not served.
    app.docs_url = app.redoc_url = app.openapi_url = None
    app.router.routes[:] = [r for r in app.router.routes
                            if getattr(r, "path", None) not in ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")]
    # Ahead of Chainlit's catch-all page route.
    app.router.routes[0:0] = _web_routes(runtime)
    # The cookie lives no longer than a session may; the server enforces both limits anyway.
    _chainlit_config.project.user_session_timeout = int(settings.session_max_seconds)


if _chainlit_config.run.root_path:
    # The session guard, our routes and the page's script assume the app is served at /.
    print("hushdesk cannot start: --root-path is not supported; serve hushdesk at / (a proxy may "
          "map a host name to it).", file=sys.stderr)
    raise SystemExit(2)
if get_configured_oauth_providers() and not runtime.settings.public_url:
    print("hushdesk cannot start: HUSHDESK_PUBLIC_URL is required when OAuth is configured (redirects are "
          "built from it, never from the request's Host header).", file=sys.stderr)
    raise SystemExit(2)
_secure_http()


async def _end_socket(sid: str) -> None:
    """A socket whose session ended: cancel its running turn (stopped at the engine and audited as
    `cancelled`), then disconnect it."""
    _sockets.pop(sid, None)
    session = WebsocketSession.get(sid)
    task = getattr(session, "current_task", None) if session is not None else None
    if task is not None and not task.done():
        task.cancel()
    await sio.disconnect(sid)


def _features() -> Features:
    features, code = _chainlit_config.features, _chainlit_config.code
    return Features(edit_message=bool(features.edit_message), favorites=bool(features.favorites),
                    audio=bool(features.audio and features.audio.enabled),
                    chat_settings=bool(code.on_settings_update or code.on_settings_edit),
                    window_message=bool(code.on_window_message))


def _guard_socket() -> None:
    """Check the session on the websocket's connect and on every message, before Chainlit sees it;
    refuse the events of features that are off."""
    handlers = sio.handlers["/"]
    connect, disconnect = handlers["connect"], handlers["disconnect"]
    features = _features()

    async def guarded_connect(sid, environ, auth=None):
        cookie = environ.get("HTTP_COOKIE", "")
        token = tokens_from_headers([(b"cookie", cookie.encode("latin-1", "replace"))]) if cookie else None
        verdict = runtime.sessions.check(token)
        if verdict.newly_ended:
            await _session_ended(verdict)
        if not verdict.ok:
            raise ConnectionRefusedError(verdict.login_error)
        if verdict.claims is None or verdict.claims.role not in CHAT_ROLES:
            raise ConnectionRefusedError("forbidden")
        session_id = auth.get("sessionId") if isinstance(auth, dict) else None
        existing = WebsocketSession.get_by_id(session_id) if isinstance(session_id, str) else None
        if existing is not None and existing.token != token:
            if existing.socket_id in _sockets or runtime.sessions.check(existing.token, touch=False).ok:
                # Another live sign-in's chat session: refused before Chainlit would move it to this
                # socket (the first tab would stay connected to nothing, its conversation cleared).
                raise ConnectionRefusedError("forbidden")
            await existing.delete()  # an ended sign-in's leftover (same tab, signed in again): start afresh
        result = await connect(sid, environ, auth)
        session = WebsocketSession.get(sid)
        if session is not None and session.token != token:
            # Chainlit signed the socket in with another token than the one checked: refuse it.
            await sio.disconnect(sid)
            raise ConnectionRefusedError("sessionRevoked")
        _sockets[sid] = token  # type: ignore[assignment]
        return result

    async def guarded_disconnect(sid, *_reason):
        _sockets.pop(sid, None)
        return await disconnect(sid)

    def guarded(name, handler):
        allowed = event_allowed(name, features)

        async def event(sid, *args):
            verdict = runtime.sessions.check(_sockets.get(sid))
            if not verdict.ok:
                # Refused before Chainlit sees it: no engine call, no turn audited.
                if verdict.newly_ended:
                    await _session_ended(verdict)
                await _end_socket(sid)
                return None
            if not allowed:  # a feature this deployment has off: never reaches Chainlit
                log.info("socket event refused: %s", name)
                return None
            return await handler(sid, *args)
        return event

    for name, handler in list(handlers.items()):
        if name not in ("connect", "disconnect"):
            handlers[name] = guarded(name, handler)
    handlers["connect"] = guarded_connect
    handlers["disconnect"] = guarded_disconnect


_guard_socket()


async def _watchdog() -> None:
    """Each second: sync sessions with the store (endings from the command line or another admin) and
    disconnect every websocket whose session has ended, at once."""
    while True:
        await asyncio.sleep(1.0)
        try:
            await asyncio.to_thread(runtime.sessions.sync)
        except Exception as exc:  # noqa: BLE001 - keep watching; the next tick retries
            log.error("session sync failed: %s", type(exc).__name__)
        for sid, token in list(_sockets.items()):
            try:
                verdict = runtime.sessions.check(token, touch=False)
                if not verdict.ok:
                    _sockets.pop(sid, None)
                    if verdict.newly_ended:
                        await _session_ended(verdict)
                    await _end_socket(sid)
            except Exception as exc:  # noqa: BLE001 - one socket must not stop the watch over the others
                log.error("session watch failed for a socket: %s", type(exc).__name__)


def _lang() -> str:
    return language(cl.context.session.language if cl.context.session else None)


_watchdog_task: asyncio.Task | None = None


@cl.on_app_startup
async def _startup() -> None:
    global _watchdog_task
    await runtime.start()
    _watchdog_task = asyncio.create_task(_watchdog())
    _watchdog_task.add_done_callback(_watchdog_stopped)


def _watchdog_stopped(task: asyncio.Task) -> None:
    global _watchdog_task
    if task.cancelled():
        return
    log.error("session watchdog stopped (%s); restarting it", type(task.exception()).__name__)
    _watchdog_task = asyncio.get_running_loop().create_task(_watchdog())
    _watchdog_task.add_done_callback(_watchdog_stopped)


@cl.on_app_shutdown
async def _shutdown() -> None:
    if _watchdog_task is not None:
        _watchdog_task.cancel()
    await runtime.stop()


async def _signed_in(user) -> cl.User | None:
    metadata = await runtime.begin_session(user)
    return None if metadata is None else cl.User(identifier=user.name, metadata=metadata)


async def _sign_in(check) -> cl.User | None:
    """Run a credential check; a user with a new session, or None. Never lets an exception reach
    Chainlit, which would log all of it."""
    try:
        user = await check
        return None if user is None else await _signed_in(user)
    except HushdeskError as exc:
        if isinstance(exc, LoginRefused):
            attempt = LOGIN_ATTEMPT.get()
            if attempt is not None:
                attempt.refused = True  # the guard answers 429 tooManyAttempts instead of 401
        else:
            log.error("sign-in could not be checked: %s", exc.outcome)
        return None
    except Exception as exc:  # noqa: BLE001
        log.error("sign-in could not be checked: %s", type(exc).__name__)
        return None


@cl.password_auth_callback
async def _password_login(username: str, password: str) -> cl.User | None:
    attempt = LOGIN_ATTEMPT.get()
    return await _sign_in(runtime.login(username, password, attempt.address if attempt else None))


if get_configured_oauth_providers():
    @cl.oauth_callback
    async def _oauth_login(provider_id: str, token: str, raw_user_data: dict, default_user: cl.User,
                           id_token: str | None = None) -> cl.User | None:
        return await _sign_in(runtime.oauth_login(provider_id, default_user.identifier, raw_user_data))


@cl.on_logout
async def _logout(request, response) -> None:
    token = tokens_from_headers(request.scope.get("headers", ()))
    if token:
        try:
            await runtime.logout(token)
        except HushdeskError as exc:
            log.error("logout could not be recorded: %s", exc.outcome)
        for sid, socket_token in list(_sockets.items()):
            if socket_token == token:  # its turns stop now, not at the watchdog's next tick
                await _end_socket(sid)


def _actions(lang: str) -> list[cl.Action]:
    return [cl.Action(name="clear", payload={}, label=text("clear_conversation", lang))]


@cl.on_chat_start
async def _chat_start() -> None:
    user = cl.user_session.get("user")
    role = (user.metadata or {}).get("role", "") if user else ""
    conv = runtime.conversation(cl.user_session.get("id"), user.identifier if user else "", role)
    cl.user_session.set("conversation", conv)
    cl.user_session.set("shown", [])
    lang = _lang()
    if user is not None and not await runtime.has_consented(user.identifier):
        await cl.Message(content=f"**{text('consent_title', lang)}**\n\n{runtime.consent_text(lang)}",
                         author="hushdesk",
                         actions=[cl.Action(name="consent", payload={"v": runtime.consent_version},
                                            label=text("consent_accept", lang))]).send()
    else:
        cl.user_session.set("consented", True)
    if runtime.demo:
        await _show(cl.Message(content=text("demo_notice", lang), author="hushdesk", actions=_actions(lang)))


async def _show(message: cl.Message) -> None:
    """Send a message and remember it, so "Clear my conversation" can take it off the screen."""
    await message.send()
    shown = cl.user_session.get("shown")
    if shown is not None:
        shown.append(message)


@cl.action_callback("consent")
async def _consent(action: cl.Action) -> None:
    user = cl.user_session.get("user")
    if user is None or (action.payload or {}).get("v") != runtime.consent_version:
        return
    role = (user.metadata or {}).get("role", "")
    await runtime.accept_consent(user.identifier, role, (user.metadata or {}).get("sid", ""))
    cl.user_session.set("consented", True)
    await action.remove()
    await cl.Message(content=text("consent_recorded", _lang()), author="hushdesk", actions=_actions(_lang())).send()


@cl.action_callback("clear")
async def _clear(action: cl.Action) -> None:
    conv = cl.user_session.get("conversation")
    if conv is not None:
        conv.clear()
    for message in cl.user_session.get("shown") or []:
        await message.remove()
    cl.user_session.set("shown", [])
    await cl.Message(content=text("conversation_cleared", _lang()), author="hushdesk").send()


@cl.on_chat_end
async def _chat_end() -> None:
    conv = cl.user_session.get("conversation")
    if conv is not None:
        conv.clear()


@cl.on_message
async def _on_message(message: cl.Message) -> None:
    lang = _lang()
    shown = cl.user_session.get("shown")
    if shown is not None:
        shown.append(message)
    conv = cl.user_session.get("conversation")
    if conv is None or conv.role not in CHAT_ROLES:
        await cl.Message(content=text("role_cannot_chat", lang), author="hushdesk").send()
        return
    if not cl.user_session.get("consented"):
        await cl.Message(content=text("consent_required", lang), author="hushdesk").send()
        return
    reply = cl.Message(content="")
    stream = Coalescer(reply.stream_token)  # tokens go out in 50 ms slices: one process serves all
    try:
        result = await runtime.chat.turn(conv, message.content or "", stream.feed)
        await stream.close()
    except asyncio.CancelledError:  # the session ended (or staff pressed stop): the turn is audited
        stream.discard()
        raise
    except HushdeskError as exc:
        stream.discard()
        if reply.streaming:  # the turn was refused (its audit row could not be written): take it back
            await reply.remove()
        await _show(cl.Message(content=error_text(exc, lang), author="hushdesk"))
        return
    except Exception as exc:  # never show str(exc): it may hold message text
        stream.discard()
        log.error("message handling failed: %s", type(exc).__name__)
        await _show(cl.Message(content=text("unsafe_error", lang), author="hushdesk"))
        return
    if isinstance(result.error, ReplyBlocked):
        # Whatever streamed before the blocked value is replaced by the notice, on screen too.
        reply.content = error_text(result.error, lang)
        reply.author = "hushdesk"
        await _show(reply if reply.streaming else cl.Message(content=reply.content, author="hushdesk"))
        return
    if reply.streaming:
        reply.actions = _actions(lang)
        await _show(reply)
    if result.error is not None:
        await _show(cl.Message(content=error_text(result.error, lang), author="hushdesk", actions=_actions(lang)))
