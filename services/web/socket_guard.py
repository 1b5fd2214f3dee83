"""Which Chainlit socket events a session may send: those of features this deployment has on.

Chainlit registers a handler for every feature (editing, favourites, audio, chat settings, window
messages) and checks some of them only loosely: `edit_message` runs a new turn although editing is off.
The socket guard asks `event_allowed` before any handler runs; a refused event never reaches Chainlit.
Unknown events are refused too, so a Chainlit upgrade that adds one does not open it silently.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Features", "event_allowed", "ALWAYS"]

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
