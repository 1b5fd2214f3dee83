"""The web layer around Chainlit: routes and pages, the session and socket guards, security headers,
the patched front-end copy and token coalescing.

Public surface: `routes` (hushdesk's own HTTP routes), `SessionGuard` (cookie check on every HTTP
request), `SocketGuard` (checks every socket.io event), `SecurityMiddleware` (CSP and headers),
`ensure_frontend` (Chainlit's front end without outbound requests) and `Coalescer` (tokens into frames).
"""

from .coalesce import Coalescer
from .frontend import FRONTEND_DIR, FrontendError, ensure_frontend, served_refusal
from .routes import routes
from .security import SecurityMiddleware
from .session_guard import SessionGuard
from .socket_guard import ChatSockets, Features, SocketGuard, event_allowed

__all__ = [
    "ChatSockets", "Coalescer", "FRONTEND_DIR", "Features", "FrontendError", "SecurityMiddleware", "SessionGuard",
    "SocketGuard", "ensure_frontend", "event_allowed", "routes", "served_refusal",
]
