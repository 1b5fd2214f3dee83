"""Response headers and origin checks for the web app, as plain ASGI middleware (no chainlit import).

- A request (HTTP or websocket) carrying an `Origin` that is neither this server's own nor one of
  `HUSHDESK_ALLOWED_ORIGINS` is refused: 403, or the websocket is closed (policy violation).
- Every HTTP response gets a Content-Security-Policy allowing nothing from another host (inline scripts
  only by the hash of each one in the page served), `X-Frame-Options: DENY`,
  `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`; responses other than static
  assets get `Cache-Control: no-store`.
- Cookies set by the app are `HttpOnly`, and `Secure` when `HUSHDESK_SECURE_COOKIES` is on (serve over
  HTTPS, directly or behind a TLS proxy); the login cookie gets `SameSite=HUSHDESK_COOKIE_SAMESITE`
  (strict by default).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from typing import Awaitable, Callable, MutableMapping, Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_CSP = (
    "default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_FIXED = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


def csp_for(html: bytes | None) -> bytes:
    """The Content-Security-Policy for a response; inline scripts of `html` allowed by their hash."""
    hashes = ""
    if html:
        for body in _INLINE_SCRIPT.findall(html):
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            hashes += f" 'sha256-{digest}'"
    return _CSP.format(scripts=hashes).encode()


def _decoded(start: Message, body: bytes) -> bytes | None:
    """The page as the browser will read it: Chainlit gzips larger responses (inner middleware)."""
    encoding = next((v for k, v in start.get("headers", ()) if k.lower() == b"content-encoding"), b"")
    if encoding.strip().lower() != b"gzip":
        return body
    try:
        return gzip.decompress(body)
    except (OSError, EOFError):
        return None  # an unreadable page gets a policy with no inline script allowed


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return None


class SecurityMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, allowed_origins: frozenset[str] = frozenset(),
                 secure_cookies: bool = False, samesite: str = "strict") -> None:
        self.app = app
        self.allowed = frozenset(o.rstrip("/").lower() for o in allowed_origins)
        self.secure = secure_cookies
        self.samesite = samesite.encode()

    def origin_ok(self, scope: Scope) -> bool:
        """No Origin (not a browser cross-origin call), this server's own, or an allowed one."""
        origin = _header(scope, b"origin")
        if origin is None:
            return True
        text = origin.decode("latin-1").rstrip("/").lower()
        if text in self.allowed:
            return True
        if text == "null" and scope["type"] == "http" and scope.get("path", "").startswith("/hushdesk/"):
            # Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` with our own pages'
            # form posts; those carry a per-session form token, and the SameSite login cookie is
            # never sent by another site's form, so they stay safe.
            return True
        host = (_header(scope, b"host") or b"").decode("latin-1").lower()
        return bool(host) and urlsplit(text).netloc == host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not self.origin_ok(scope):
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain"), *_FIXED]})
                await send({"type": "http.response.body", "body": b"Forbidden origin."})
            return
        if kind == "websocket":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith(("/assets/", "/favicon", "/logo"))
        held: list[Message] = []

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ())
                           if k.lower() not in (b"x-frame-options", b"content-security-policy")]
                headers = [(k, self._cookie(v) if k.lower() == b"set-cookie" else v) for k, v in headers]
                headers += _FIXED
                if not static:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):
                    held.append(message)  # the CSP needs the page's inline scripts: wait for the body
                    return
                message["headers"].append((b"content-security-policy", csp_for(None)))
                await send(message)
                return
            if held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body"):
                    return
                start, *bodies = held
                held.clear()
                page = b"".join(b.get("body", b"") for b in bodies)
                start["headers"].append((b"content-security-policy", csp_for(_decoded(start, page))))
                await send(start)
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, wrapped)

    def _cookie(self, value: bytes) -> bytes:
        if value.startswith(b"access_token"):
            # The login cookie's SameSite (Chainlit sets lax); the OAuth state cookie must stay lax,
            # since the identity provider's redirect back is a cross-site navigation.
            value = re.sub(rb"(?i);\s*samesite=[a-z]+", b"", value) + b"; SameSite=" + self.samesite
        parts = [p.strip().lower() for p in value.split(b";")]
        if b"httponly" not in parts:
            value += b"; HttpOnly"
        if self.secure and b"secure" not in parts:
            value += b"; Secure"
        return value
