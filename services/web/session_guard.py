"""Every HTTP call checked against the session registry, as plain ASGI middleware (no chainlit import).

- A request carrying a login token (cookie or Bearer) gets its `Verdict` in `scope["state"]`
  (`hushdesk_verdict`); an active one counts as activity, except the browser's own status poll.
- On a protected path (Chainlit's API: `/user`, `/project/…`, `/auth/jwt`, `/set-session-cookie`,
  `/feedback`, `/mcp`; and ours under `/hushdesk/`) a token that is not active gets 401
  `{"detail": "<login error key>"}`; `/auth/jwt` therefore cannot extend a session past its limits.
  The cookie is left alone, so the login page's script can ask why the session ended. Pages, assets and the login routes pass, so a stale cookie never blocks
  the way back to the login page.
- Role rules for Chainlit's own routes: only chat roles reach `/project/…` (auditors never see chat).
- A logout whose credentials could be read two ways (cookie A and Bearer B) is refused with 400
  `{"detail": "ambiguousCredentials"}`: it never answers 200 while ending neither.
- OAuth routes (`/auth/oauth/…`) see the configured public URL (`HUSHDESK_PUBLIC_URL`) as their host and
  scheme, never the request's `Host` header, so the provider's `redirect_uri` and every redirect point
  there. A provider's `?error=` answer is turned into the login page's fixed `oauthSignin` here, and
  logged as a fixed code: its text (attacker-controlled) never reaches a log.
- A password sign-in (`POST /login`) gets a `LoginAttempt` in `LOGIN_ATTEMPT` holding the client
  address for the back-off; when the sign-in callback marks it refused (back-off or lockout),
  Chainlit's 401 becomes 429 `{"detail": "tooManyAttempts"}`, which the login page shows.
"""

from __future__ import annotations

import contextvars
import json
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from typing import Any, Awaitable, Callable, MutableMapping

from ..roles import CHAT_ROLES
from ..auth.sessions import AMBIGUOUS, SessionRegistry, tokens_from_headers

__all__ = ["SessionGuard", "LoginAttempt", "LOGIN_ATTEMPT", "STATUS_PATH", "protected"]

log = logging.getLogger("hushdesk.guard")

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]



@dataclass
class LoginAttempt:
    """One password sign-in request: where it came from, and whether the callback refused it."""

    address: str | None
    refused: bool = False


LOGIN_ATTEMPT: contextvars.ContextVar[LoginAttempt | None] = contextvars.ContextVar("hushdesk_login", default=None)
STATUS_PATH = "/hushdesk/session"
_PROTECTED = ("/user", "/project/", "/auth/jwt", "/set-session-cookie", "/feedback", "/mcp", "/hushdesk/")
_OPEN = ("/hushdesk/static/", "/project/translations")  # the login page needs its translations
# A monitor's probes carry no session (a stale cookie must not turn them into 401s, and the metrics' bearer
# token is not a login token); exact paths only.
_PROBES = frozenset({"/hushdesk/health", "/hushdesk/ready", "/metrics"})


def _open(path: str) -> bool:
    return path in _PROBES or path.startswith(_OPEN)


def protected(path: str) -> bool:
    """Whether a path needs an active session when a token is presented."""
    if _open(path):
        return False
    return path in ("/user", "/auth/jwt", "/set-session-cookie", "/feedback", "/mcp") or path.startswith(
        ("/project/", "/hushdesk/"))


class SessionGuard:
    """See the module docstring. A session a check ends is audited by the registry's `on_end`."""

    def __init__(self, app: ASGIApp, *, registry: SessionRegistry, public_url: str | None = None) -> None:
        self.app = app
        self.registry = registry
        self.public_url = public_url
        parts = urlsplit(public_url) if public_url else None
        self._public_host = parts.netloc.encode("ascii") if parts else None
        self._public_scheme = parts.scheme if parts else None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith("/auth/oauth/"):
            if self._public_host is None:  # the app refuses to start with OAuth and no public URL
                await _deny(send, 404, "notFound")
                return
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in scope.get("headers", ()) if k.lower() != b"host"]
            scope["headers"].append((b"host", self._public_host))
            scope["scheme"] = self._public_scheme
            if path.endswith("/callback") and "error" in parse_qs(scope.get("query_string", b"").decode("latin-1")):
                log.warning("oauth sign-in failed: provider_error")
                await _redirect(send, f"{self.public_url}/login?error=oauthSignin")
                return
        if path == "/login" and scope.get("method") == "POST":
            await self._login(scope, receive, send)
            return
        token = tokens_from_headers(scope.get("headers", ()))
        if path == "/logout" and token == AMBIGUOUS:
            # A cookie and a Bearer token that differ (or two of either): which one to end is unclear,
            # so neither is ended silently; the caller is told to send one.
            await _deny(send, 400, "ambiguousCredentials")
            return
        verdict = None
        if token is not None and path != "/logout" and not _open(path):
            verdict = self.registry.check(token, touch=path != STATUS_PATH and protected(path))
            scope.setdefault("state", {})["hushdesk_verdict"] = verdict
        if protected(path) and token is not None and verdict is not None and not verdict.ok:
            # The cookie is left in place: the login page's script asks why the session ended.
            await _deny(send, 401, verdict.login_error)
            return
        if (path.startswith("/project/") and verdict is not None and verdict.claims is not None
                and verdict.claims.role not in CHAT_ROLES):
            await _deny(send, 403, "forbidden")
            return
        await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Any, send: Any) -> None:
        client = scope.get("client")
        attempt = LoginAttempt(client[0] if client else None)
        LOGIN_ATTEMPT.set(attempt)
        replaced = False

        async def wrapped(message: MutableMapping[str, Any]) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and attempt.refused and message["status"] == 401:
                replaced = True
                await _deny(send, 429, "tooManyAttempts")
                return
            if replaced:
                return  # Chainlit's own 401 body
            await send(message)

        await self.app(scope, receive, wrapped)


async def _redirect(send: Any, location: str) -> None:
    headers = [(b"location", location.encode("ascii")), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 302, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _deny(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
