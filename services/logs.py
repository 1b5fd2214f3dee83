"""Logging set-up: our loggers at the configured level; libraries that log request bodies kept quiet."""

from __future__ import annotations

import logging
import re

__all__ = ["configure_logging", "QUIET_LOGGERS", "FixedText"]

# These log request options or bodies (message text) at DEBUG: never let them below WARNING.
QUIET_LOGGERS = ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "urllib3", "literalai",
                 "engineio", "socketio", "uvicorn.access")


# Libraries that log what a request carried (a provider's error text, an exception's message): their
# records keep the fixed message template only.
FIXED_LOGGERS = ("chainlit", "uvicorn.error", "fastapi", "starlette")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _one_line(text: str) -> str:
    """`text` with line breaks and other controls written as \\xNN: it can never start a log line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class FixedText(logging.Filter):
    """Keep a library's message template, never its arguments or traceback (which may hold request
    text), and escape line breaks and other controls so nothing can forge a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            try:
                record.msg = str(record.msg) % tuple("[omitted]" for _ in args)
            except (TypeError, ValueError, KeyError):
                record.msg = str(record.msg)
            record.args = None
        if record.exc_info:
            record.msg = f"{record.msg} ({record.exc_info[0].__name__ if record.exc_info[0] else 'error'})"
            record.exc_info = None
            record.exc_text = None
        record.msg = _one_line(str(record.msg))
        return True


class _OneLine(logging.Filter):
    """Every record, ours included, is one line: controls in its text are escaped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _CONTROL.search(message):
            record.msg, record.args = _one_line(message), None
        return True


def configure_logging(level: str) -> None:
    """Send hushdesk logs to stderr at `level`; pin content-logging libraries to WARNING."""
    root = logging.getLogger()
    if not root.handlers:  # under Chainlit its handler is already there; never log twice
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    for handler in root.handlers:
        if not any(isinstance(f, _OneLine) for f in handler.filters):
            handler.addFilter(_OneLine())
    for name in FIXED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, FixedText) for f in logger.filters):
            logger.addFilter(FixedText())
    logging.getLogger("hushdesk").setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
