"""The socket guard: every socket.io event is checked against the session before the chat sees it.

`SocketGuard.install(sio)` wraps the handlers already registered on a python-socketio server:
- connect: the login cookie must hold an active session of a chat role; a chat session id that belongs
  to another live sign-in is refused (before the framework would move it to this socket); a leftover of
  an ended sign-in is dropped; a socket the framework signed in with another token is refused.
- every other event: refused (and the socket ended, its running turn cancelled) once the session has
  ended; refused when it belongs to a feature this deployment has off (`event_allowed` below).
- `watch()` runs each second: syncs sessions with the store (endings from the command line, another
  admin or another process) and ends every socket whose session has ended, at once.
- `end_token(token)`: a logout ends that sign-in's sockets now, not at the next tick.
Sessions that a check finds ended are audited by the registry's own `on_end`, once. The UI framework's
session objects are reached only through `ChatSockets` (app.py adapts Chainlit's), so this module, like
all of services/, imports no UI.

Which events a session may send: those of features this deployment has on. Chainlit registers a handler for every feature (editing, favourites, audio, chat settings, window
messages) and checks some of them only loosely: `edit_message` runs a new turn although editing is off.
The socket guard asks `event_allowed` before any handler runs; a refused event never reaches Chainlit.
Unknown events are refused too, so a Chainlit upgrade that adds one does not open it silently.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

from ..auth.sessions import SessionRegistry, tokens_from_headers
from ..roles import CHAT_ROLES

__all__ = ["Features", "event_allowed", "ALWAYS", "ChatSockets", "SocketGuard"]

log = logging.getLogger("hushdesk.guard")

# Events every chat needs: the page's hello, a message, the stop button, "new chat".
ALWAYS = frozenset({"connection_successful", "client_message", "stop", "clear_session"})


@dataclass(frozen=True)
class Features:
    """The switches that decide the other events (read once from Chainlit's config by the app)."""

    edit_message: bool = False
    favorites: bool = False
    audio: bool = False
    chat_settings: bool = False  # an on_settings_update / on_settings_edit callback is registered
    window_message: bool = False  # an on_window_message callback is registered

    @classmethod
    def of(cls, features: Any, code: Any) -> "Features":
        """Read from Chainlit's `config.features` and `config.code` (duck-typed: no UI import here)."""
        return cls(edit_message=bool(features.edit_message), favorites=bool(features.favorites),
                   audio=bool(features.audio and features.audio.enabled),
                   chat_settings=bool(code.on_settings_update or code.on_settings_edit),
                   window_message=bool(code.on_window_message))


_GATED = {
    "edit_message": "edit_message",
    "message_favorite": "favorites",
    "fetch_favorites": "favorites",
    "audio_start": "audio",
    "audio_chunk": "audio",
    "audio_end": "audio",
    "chat_settings_change": "chat_settings",
    "chat_settings_edit": "chat_settings",
    "window_message": "window_message",
}


def event_allowed(name: str, features: Features) -> bool:
    """Whether a socket event may reach its handler under these features."""
    if name in ALWAYS:
        return True
    switch = _GATED.get(name)
    return switch is not None and bool(getattr(features, switch))


class ChatSockets(Protocol):
    """What the guard needs of the UI framework's chat sessions (app.py adapts Chainlit's)."""

    def token_of(self, sid: str) -> str | None:
        """The login token the framework signed this socket in with (None: no session for it)."""

    def by_session_id(self, session_id: str) -> tuple[str | None, str | None] | None:
        """(login token, socket id) of an existing chat session with this id, or None."""

    async def drop(self, session_id: str) -> None:
        """Delete an existing chat session (a leftover of an ended sign-in)."""

    def cancel_turn(self, sid: str) -> None:
        """Cancel the turn running on this socket, if any (stopped at the engine, audited `cancelled`)."""


Handler = Callable[..., Awaitable[Any]]


class SocketGuard:
    """See the module docstring. One per process; `install` once on the socket.io server."""

    def __init__(self, sessions: SessionRegistry, features: Features, chats: ChatSockets, *,
                 interval: float = 1.0) -> None:
        self.sessions = sessions
        self.features = features
        self.chats = chats
        self.interval = interval
        self.sockets: dict[str, str] = {}  # live socket id -> its login token
        self._sio: Any = None
        self._watch: asyncio.Task | None = None

    def install(self, sio: Any) -> None:
        """Wrap every handler of the default namespace (call after the framework registered them)."""
        self._sio = sio
        handlers = sio.handlers["/"]
        connect, disconnect = handlers["connect"], handlers["disconnect"]
        for name, handler in list(handlers.items()):
            if name not in ("connect", "disconnect"):
                handlers[name] = self._guarded(name, handler)
        handlers["connect"] = self._connect(connect)
        handlers["disconnect"] = self._disconnect(disconnect)

    def _connect(self, connect: Handler) -> Handler:
        async def guarded_connect(sid: str, environ: dict, auth: Any = None) -> Any:
            cookie = environ.get("HTTP_COOKIE", "")
            token = tokens_from_headers([(b"cookie", cookie.encode("latin-1", "replace"))]) if cookie else None
            verdict = self.sessions.check(token)
            if not verdict.ok:
                raise ConnectionRefusedError(verdict.login_error)
            if verdict.claims is None or verdict.claims.role not in CHAT_ROLES:
                raise ConnectionRefusedError("forbidden")
            session_id = auth.get("sessionId") if isinstance(auth, dict) else None
            existing = self.chats.by_session_id(session_id) if isinstance(session_id, str) else None
            if existing is not None and existing[0] != token:
                other_token, other_socket = existing
                if other_socket in self.sockets or self.sessions.check(other_token, touch=False).ok:
                    # Another live sign-in's chat session: refused before the framework would move it
                    # to this socket (the first tab would stay connected to nothing, its chat cleared).
                    raise ConnectionRefusedError("forbidden")
                await self.chats.drop(session_id)  # an ended sign-in's leftover: start afresh
            result = await connect(sid, environ, auth)
            signed_in_with = self.chats.token_of(sid)
            if signed_in_with is not None and signed_in_with != token:
                # The framework signed the socket in with another token than the one checked.
                await self._sio.disconnect(sid)
                raise ConnectionRefusedError("sessionRevoked")
            self.sockets[sid] = token  # type: ignore[assignment]
            return result
        return guarded_connect

    def _disconnect(self, disconnect: Handler) -> Handler:
        async def guarded_disconnect(sid: str, *_reason: Any) -> Any:
            self.sockets.pop(sid, None)
            return await disconnect(sid)
        return guarded_disconnect

    def _guarded(self, name: str, handler: Handler) -> Handler:
        allowed = event_allowed(name, self.features)

        async def event(sid: str, *args: Any) -> Any:
            if not self.sessions.check(self.sockets.get(sid)).ok:
                await self.end(sid)  # refused before the chat sees it: no engine call, no turn audited
                return None
            if not allowed:  # a feature this deployment has off: never reaches the framework
                log.info("socket event refused: %s", name)
                return None
            return await handler(sid, *args)
        return event

    async def end(self, sid: str) -> None:
        """End a socket whose session ended: cancel its running turn, then disconnect it."""
        self.sockets.pop(sid, None)
        self.chats.cancel_turn(sid)
        if self._sio is not None:
            await self._sio.disconnect(sid)

    async def end_token(self, token: str) -> None:
        """End every socket signed in with this token (a logout): its turns stop now."""
        for sid, socket_token in list(self.sockets.items()):
            if socket_token == token:
                await self.end(sid)

    async def sweep(self) -> None:
        """One watch tick: sync sessions with the store, end the sockets whose session has ended."""
        try:
            await asyncio.to_thread(self.sessions.sync)
        except Exception as exc:  # noqa: BLE001 - keep watching; the next tick retries
            log.error("session sync failed: %s", type(exc).__name__)
        for sid, token in list(self.sockets.items()):
            try:
                if not self.sessions.check(token, touch=False).ok:
                    await self.end(sid)
            except Exception as exc:  # noqa: BLE001 - one socket must not stop the watch over the others
                log.error("session watch failed for a socket: %s", type(exc).__name__)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.sweep()

    def start(self) -> None:
        """Start the watch (restarted if it ever stops with an error)."""
        self._watch = asyncio.get_running_loop().create_task(self._run())
        self._watch.add_done_callback(self._stopped)

    def _stopped(self, task: asyncio.Task) -> None:
        if task.cancelled() or self._watch is not task:
            return
        log.error("session watchdog stopped (%s); restarting it", type(task.exception()).__name__)
        self.start()

    def stop(self) -> None:
        """Stop the watch."""
        task, self._watch = self._watch, None
        if task is not None:
            task.cancel()
