"""Timestamps for the UI framework's messages without blocking the event loop.

Chainlit 2.12 calls `time.sleep(0.001)` at the start of every `Message` and `Step` it builds, on the
event loop, so that two messages never share a creation time (the page and any data layer order
them by `createdAt`). Under load that is a millisecond of the whole server's time, several times a
turn: with 100 staff sending at once the last message waited behind a hundred such sleeps. app.py
swaps the framework's `time` for `NO_SLEEP` in those two modules and its `utc_now` for `strict_utc_now`,
which keeps the guarantee the sleep bought (strictly increasing creation times in this process)
without waiting (`unblock`). Nothing here imports the UI framework.
"""

from __future__ import annotations

import threading
import time as _time
from datetime import datetime, timedelta, timezone
from types import ModuleType, SimpleNamespace

__all__ = ["NO_SLEEP", "strict_utc_now", "unblock"]

_lock = threading.Lock()
_last: datetime | None = None
_TICK = timedelta(microseconds=1)


def strict_utc_now() -> str:
    """The current UTC time as the framework writes it (`2026-12-05T15:20:00.123456Z`), strictly later
    than any earlier call in this process (a microsecond later when the clock has not moved)."""
    global _last
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with _lock:
        if _last is not None and now <= _last:
            now = _last + _TICK
        _last = now
    return now.isoformat(timespec="microseconds") + "Z"


def _no_sleep(seconds: float) -> None:
    """Does not wait (the framework's only use is the ordering pause above)."""


# The `time` module as those two modules see it: everything of `time`, except that `sleep` returns at once.
NO_SLEEP = SimpleNamespace(**{name: getattr(_time, name) for name in dir(_time) if not name.startswith("__")})
NO_SLEEP.sleep = _no_sleep


def unblock(*modules: ModuleType) -> None:
    """Give each module `NO_SLEEP` as its `time` and `strict_utc_now` as its `utc_now`. Raises
    RuntimeError when a module no longer has both (the framework changed: look again, do not guess)."""
    for module in modules:
        if not isinstance(module, ModuleType) or getattr(module, "time", None) not in (_time, NO_SLEEP) \
                or not callable(getattr(module, "utc_now", None)):
            raise RuntimeError(f"{getattr(module, '__name__', module)!r} no longer sleeps as expected")
        module.time, module.utc_now = NO_SLEEP, strict_utc_now  # type: ignore[attr-defined]
