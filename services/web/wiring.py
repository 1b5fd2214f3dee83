"""The HTTP side of the app, put in place once at start: our middleware outermost, Chainlit's CORS
narrowed, FastAPI's API browser removed, our routes ahead of Chainlit's catch-all page route; the
sign-in callback's glue (`sign_in`) and the start-up refusals (`start_refusal`).

`secure_http(app, sio, runtime)` takes the ASGI app and socket.io server the UI framework built; it
imports no UI, so it is tested over plain FastAPI apps.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Awaitable, MutableMapping

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from ..auth.sessions import tokens_from_headers
from ..auth.signin import LoginRefused
from ..errors import HushdeskError
from .routes import routes
from .security import SecurityMiddleware
from .session_guard import LOGIN_ATTEMPT, SessionGuard

if TYPE_CHECKING:
    from ..auth.users import User
    from ..runtime import Runtime
    from .socket_guard import SocketGuard

__all__ = ["prepare_environment", "secure_http", "sign_in", "log_out", "login_address", "start_refusal", "API_BROWSER", "MAX_SOCKET_MESSAGE"]

log = logging.getLogger("hushdesk.app")

API_BROWSER = ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")
# Engine.IO drops the connection on a message over its buffer (1 MB by default), losing it silently;
# take up to 8 MB so an oversized message reaches the turn and gets a clear refusal.
MAX_SOCKET_MESSAGE = 8 * 2**20


def prepare_environment(settings: Any, auth_secret: str, environ: MutableMapping[str, str]) -> None:
    """Set the UI framework's environment before it is imported: its login-token secret from our key file
    (never a default), the public URL OAuth redirects are built from (never the request's Host header),
    and no setting that would make it persist message text."""
    if settings.public_url:
        environ["CHAINLIT_URL"] = settings.public_url
    environ["CHAINLIT_AUTH_SECRET"] = auth_secret
    for name in ("DATABASE_URL", "LITERAL_API_KEY"):  # either one silently turns on persistence of messages
        if environ.pop(name, None) is not None:
            log.warning("%s was set and has been ignored: hushdesk never persists messages.", name)


def secure_http(app: Any, sio: Any, runtime: "Runtime", project: Any = None) -> None:
    """Session guard and our headers and origin check outermost; CORS narrowed; our routes first;
    the framework's login cookie (`project.user_session_timeout`) no longer-lived than a session may be."""
    settings = runtime.settings
    if project is not None:  # the server enforces both session limits anyway
        project.user_session_timeout = int(settings.session_max_seconds)
    allowed = settings.allowed_origins
    app.user_middleware = [
        Middleware(CORSMiddleware, allow_origins=sorted(allowed), allow_credentials=True,
                   allow_methods=["*"], allow_headers=["*"]) if m.cls is CORSMiddleware else m
        for m in app.user_middleware
    ]
    app.add_middleware(SessionGuard, registry=runtime.sessions, public_url=settings.public_url)
    app.add_middleware(SecurityMiddleware, allowed_origins=allowed, secure_cookies=settings.secure_cookies,
                       samesite=settings.cookie_samesite)
    # Socket.IO's own check: same origin only unless others are allowed (then ours refuses the rest).
    sio.eio.cors_allowed_origins = "*" if allowed else None
    sio.eio.max_http_buffer_size = MAX_SOCKET_MESSAGE
    # FastAPI's API browser and schema are not for staff: gone, so /docs and /openapi.json are not served.
    app.docs_url = app.redoc_url = app.openapi_url = None
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in API_BROWSER]
    app.router.routes[0:0] = routes(runtime)  # ahead of the framework's catch-all page route


async def sign_in(runtime: "Runtime", check: Awaitable["User | None"], groups: tuple[str, ...] = ()
                  ) -> tuple["User", dict] | None:
    """Run a credential check and start a session: the user and the metadata its login token carries
    (with the identity provider's `groups`, when it gave any), or None. A throttled or locked sign-in marks
    the request so the session guard answers 429 instead of 401. Never lets an exception out (the UI
    framework would log all of it)."""
    try:
        user = await check
        metadata = None if user is None else await runtime.signin.begin_session(user)
        if metadata is not None and groups:
            metadata = {**metadata, "groups": list(groups)}
        return None if user is None or metadata is None else (user, metadata)
    except LoginRefused:
        attempt = LOGIN_ATTEMPT.get()
        if attempt is not None:
            attempt.refused = True
        return None
    except HushdeskError as exc:
        log.error("sign-in could not be checked: %s", exc.outcome)
        return None
    except Exception as exc:  # noqa: BLE001
        log.error("sign-in could not be checked: %s", type(exc).__name__)
        return None


async def log_out(runtime: "Runtime", guard: "SocketGuard", headers: Any) -> None:
    """End the session of the request's token (audited) and its sockets now, not at the watch's next tick."""
    token = tokens_from_headers(headers)
    if not token:
        return
    try:
        await runtime.signin.logout(token)
    except HushdeskError as exc:
        log.error("logout could not be recorded: %s", exc.outcome)
    await guard.end_token(token)


def login_address() -> str | None:
    """The client address of the password sign-in being handled (for the per-address back-off)."""
    attempt = LOGIN_ATTEMPT.get()
    return attempt.address if attempt is not None else None


def start_refusal(*, root_path: str, oauth: bool, public_url: str | None) -> str | None:
    """Why the app must not start with these framework settings, or None."""
    if root_path:
        # The session guard, our routes and the page's script assume the app is served at /.
        return "--root-path is not supported; serve hushdesk at / (a proxy may map a host name to it)."
    if oauth and not public_url:
        return ("HUSHDESK_PUBLIC_URL is required when OAuth is configured (redirects are built from it, never "
                "from the request's Host header).")
    return None
