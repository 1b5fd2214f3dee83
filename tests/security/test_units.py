"""Unit-level parts of the attack pass: the socket event table and one-line, content-free library logs."""

from __future__ import annotations

import logging

import pytest

from services.logs import FixedText, configure_logging
from services.web.socket_guard import ALWAYS, Features, event_allowed

# Every socket event Chainlit 2.12 registers, and the feature that must be on for it.
CHAINLIT_EVENTS = {
    "connection_successful": None, "client_message": None, "stop": None, "clear_session": None,
    "edit_message": "edit_message", "message_favorite": "favorites", "fetch_favorites": "favorites",
    "audio_start": "audio", "audio_chunk": "audio", "audio_end": "audio",
    "chat_settings_change": "chat_settings", "chat_settings_edit": "chat_settings",
    "window_message": "window_message",
}


@pytest.mark.parametrize("event, switch", sorted(CHAINLIT_EVENTS.items()))
def test_an_event_passes_only_when_its_feature_is_on(event, switch):
    off = Features()
    if switch is None:
        assert event in ALWAYS and event_allowed(event, off)
        return
    assert not event_allowed(event, off)
    assert event_allowed(event, Features(**{switch: True}))
    others = [f for f in ("edit_message", "favorites", "audio", "chat_settings", "window_message") if f != switch]
    assert not event_allowed(event, Features(**{f: True for f in others}))


def test_every_registered_chainlit_event_is_in_the_table():
    from chainlit.server import sio  # registers Chainlit's handlers

    registered = set(sio.handlers["/"]) - {"connect", "disconnect"}
    assert registered <= set(CHAINLIT_EVENTS), registered - set(CHAINLIT_EVENTS)
    assert not event_allowed("some_future_event", Features(True, True, True, True, True))


def test_library_records_keep_only_their_template_and_one_line(caplog):
    configure_logging("INFO")
    record = logging.LogRecord("chainlit", logging.WARNING, __file__, 1,
                               "OAuth provider %s returned error: %s", ("generic", "x\nFORGED line"), None)
    try:
        raise ValueError("customer 13812345678")
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    assert FixedText().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert text == "OAuth provider [omitted] returned error: [omitted] (ValueError)"
    assert "\n" not in text and "13812345678" not in text and "FORGED" not in text
    bare = logging.LogRecord("chainlit", logging.ERROR, __file__, 1, "Error creating user: a\r\nb", None, None)
    FixedText().filter(bare)
    assert bare.getMessage() == "Error creating user: a\\x0d\\x0ab"
