"""Logging set-up: our loggers at the configured level; libraries that log request bodies kept quiet."""

from __future__ import annotations

import logging

__all__ = ["configure_logging", "QUIET_LOGGERS"]

# These log request options or bodies (message text) at DEBUG: never let them below WARNING.
QUIET_LOGGERS = ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "urllib3", "literalai",
                 "engineio", "socketio", "uvicorn.access")


def configure_logging(level: str) -> None:
    """Send hushdesk logs to stderr at `level`; pin content-logging libraries to WARNING."""
    root = logging.getLogger()
    if not root.handlers:  # under Chainlit its handler is already there; never log twice
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    logging.getLogger("hushdesk").setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
