"""Limits that keep one user, or a crowd, from exhausting the engine; each refusal is a fixed error.

- `HUSHDESK_MESSAGES_PER_MINUTE` per user (a sliding minute; refused messages do not count);
- one turn in flight per chat session (a second message while one is answered is refused);
- `HUSHDESK_MAX_CONCURRENT_TURNS` answered at once across all sessions, with up to
  `HUSHDESK_TURN_QUEUE` waiting at most `HUSHDESK_QUEUE_WAIT_SECONDS`; beyond that, "busy". Both are
  `auto` by default and then sized for the engine (`sizes_for`): a GPU engine (vLLM) batches 64-256
  streams and an external engine is taken to be one, so they admit 128 at once with 256 waiting; the CPU
  engine answers a few at a time (4, with 16 waiting).

With several app processes on one store (`HUSHDESK_WORKERS`), the per-user limit is counted in the
store (`SharedRate`: one small write transaction a message, off the event loop) so it holds across
them, and each process admits its share of the turns at once and waiting (`sizes_for(..., workers)`).

The longest message (`HUSHDESK_MAX_INPUT_CHARS`) and reply (`HUSHDESK_MAX_OUTPUT_TOKENS`) are
enforced by the turn and the engine client. The chat service audits every refusal as a turn row
with the error's outcome.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable

from .errors import HushdeskError

__all__ = ["TurnLimiter", "LimitRefused", "RateLimited", "TurnInFlight", "Busy", "LimitSizes", "sizes_for",
           "SharedRate"]

# (turns at once, turns waiting) per engine kind when the settings say `auto`.
_SIZES = {"vllm": (128, 256), "external": (128, 256), "transformers": (4, 16)}


@dataclass(frozen=True)
class LimitSizes:
    """The effective concurrency cap and queue, and whether each came from the engine kind (auto)."""

    max_concurrent: int
    queue: int
    auto_concurrent: bool
    auto_queue: bool


def sizes_for(kind: str, max_concurrent: int | None, queue: int | None, workers: int = 1) -> LimitSizes:
    """The limits for an engine kind: the settings where given, else the kind's defaults; with several
    app processes, one process's share of them (rounded up, at least one turn at once)."""
    concurrent_default, queue_default = _SIZES.get(kind, _SIZES["transformers"])
    total_concurrent = concurrent_default if max_concurrent is None else max_concurrent
    total_queue = queue_default if queue is None else queue
    workers = max(1, workers)
    return LimitSizes(max(1, -(-total_concurrent // workers)), -(-total_queue // workers),
                      max_concurrent is None, queue is None)


class SharedRate:
    """The per-user sliding minute counted in the store, shared by every app process using it.

    `take(user_hash)` (blocking) records a message and says whether it is within `per_minute`; in one
    write transaction (BEGIN IMMEDIATE), so processes sending at once cannot both take the last one.
    Only keyed user hashes and times are kept, for a minute."""

    def __init__(self, engine: Any, per_minute: int, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self.per_minute = per_minute
        self._clock = clock

    def take(self, user: str) -> bool:
        from .store import transaction  # not at import: limits.py stays free of the store for one process

        now = self._clock()
        with transaction(self._engine, write=True) as conn:
            conn.exec_driver_sql("DELETE FROM rate_marks WHERE at <= ?", (now - 60.0,))
            sent = conn.exec_driver_sql("SELECT COUNT(*) FROM rate_marks WHERE user_hash = ?", (user,)).scalar()
            if int(sent or 0) >= self.per_minute:
                return False
            conn.exec_driver_sql("INSERT INTO rate_marks (user_hash, at) VALUES (?, ?)", (user, now))
        return True


class LimitRefused(HushdeskError):
    """A message was refused by a limit before it reached the engine."""

    outcome = "limited"
    default_message = "That message could not be sent right now. Please try again."


class RateLimited(LimitRefused):
    """The user sent more messages in the last minute than allowed."""

    outcome = "rate_limited"
    default_message = "You are sending messages too quickly. Please wait a moment and try again."


class TurnInFlight(LimitRefused):
    """The session's previous message is still being answered."""

    outcome = "turn_in_flight"
    default_message = "Please wait for the current answer before sending another message."


class Busy(LimitRefused):
    """Every slot is taken and the queue is full, or the wait was too long."""

    outcome = "busy"
    default_message = "The assistant is busy right now. Please try again in a moment."


class TurnLimiter:
    """Admission for turns: `async with limiter.admit(user_hash, session_hash): ...`."""

    def __init__(self, *, per_minute: int, max_concurrent: int, queue: int, queue_wait: float,
                 clock: Callable[[], float] = time.monotonic, shared: SharedRate | None = None) -> None:
        self.per_minute = per_minute
        self._shared = shared
        self.queue = queue
        self.queue_wait = queue_wait
        self.max_concurrent = max_concurrent
        self._clock = clock
        self._slots = asyncio.Semaphore(max_concurrent)
        self._running = 0
        self._waiting = 0
        self._sent: dict[str, deque[float]] = {}
        self._in_flight: set[str] = set()

    @property
    def waiting(self) -> int:
        """Turns now waiting for a slot."""
        return self._waiting

    @property
    def running(self) -> int:
        """Turns now holding a slot."""
        return self._running

    def _rate_ok(self, user: str) -> bool:
        now = self._clock()
        sent = self._sent.setdefault(user, deque())
        while sent and now - sent[0] >= 60.0:
            sent.popleft()
        if len(sent) >= self.per_minute:
            return False
        sent.append(now)
        if len(self._sent) > 10_000:  # forget users idle for a minute
            for key in [k for k, v in self._sent.items() if not v or now - v[-1] >= 60.0]:
                del self._sent[key]
        return True

    @asynccontextmanager
    async def admit(self, user: str, session: str) -> AsyncIterator[None]:
        """Hold a slot for one turn; raise TurnInFlight, RateLimited or Busy instead of waiting long."""
        if session in self._in_flight:
            raise TurnInFlight()
        self._in_flight.add(session)  # before the shared count's await: a second message meanwhile is refused
        try:
            if not (await asyncio.to_thread(self._shared.take, user) if self._shared is not None
                    else self._rate_ok(user)):
                raise RateLimited()
            if self._slots.locked():
                if self._waiting >= self.queue:
                    raise Busy()
                self._waiting += 1
                try:
                    await asyncio.wait_for(self._slots.acquire(), self.queue_wait)
                except TimeoutError:
                    raise Busy() from None
                finally:
                    self._waiting -= 1
            else:
                await self._slots.acquire()
            self._running += 1
            try:
                yield
            finally:
                self._running -= 1
                self._slots.release()
        finally:
            self._in_flight.discard(session)
