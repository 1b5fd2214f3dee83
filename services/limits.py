"""Limits that keep one user, or a crowd, from exhausting the engine; each refusal is a fixed error.

- `HUSHDESK_MESSAGES_PER_MINUTE` per user (a sliding minute; refused messages do not count);
- one turn in flight per chat session (a second message while one is answered is refused);
- `HUSHDESK_MAX_CONCURRENT_TURNS` answered at once across all sessions, with up to
  `HUSHDESK_TURN_QUEUE` waiting at most `HUSHDESK_QUEUE_WAIT_SECONDS`; beyond that, "busy". Both are
  `auto` by default and then sized for the engine (`sizes_for`): a GPU engine (vLLM) batches 64-256
  streams and an external engine is taken to be one, so they admit 128 at once with 256 waiting; the CPU
  engine answers a few at a time (4, with 16 waiting).

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
from typing import AsyncIterator, Callable

from .errors import HushdeskError

__all__ = ["TurnLimiter", "LimitRefused", "RateLimited", "TurnInFlight", "Busy", "LimitSizes", "sizes_for"]

# (turns at once, turns waiting) per engine kind when the settings say `auto`.
_SIZES = {"vllm": (128, 256), "external": (128, 256), "transformers": (4, 16)}


@dataclass(frozen=True)
class LimitSizes:
    """The effective concurrency cap and queue, and whether each came from the engine kind (auto)."""

    max_concurrent: int
    queue: int
    auto_concurrent: bool
    auto_queue: bool


def sizes_for(kind: str, max_concurrent: int | None, queue: int | None) -> LimitSizes:
    """The limits for an engine kind: the settings where given, else the kind's defaults."""
    concurrent_default, queue_default = _SIZES.get(kind, _SIZES["transformers"])
    return LimitSizes(concurrent_default if max_concurrent is None else max_concurrent,
                      queue_default if queue is None else queue, max_concurrent is None, queue is None)


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
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.queue = queue
        self.queue_wait = queue_wait
        self._clock = clock
        self._slots = asyncio.Semaphore(max_concurrent)
        self._waiting = 0
        self._sent: dict[str, deque[float]] = {}
        self._in_flight: set[str] = set()

    @property
    def waiting(self) -> int:
        """Turns now waiting for a slot."""
        return self._waiting

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
        if not self._rate_ok(user):
            raise RateLimited()
        self._in_flight.add(session)
        try:
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
            try:
                yield
            finally:
                self._slots.release()
        finally:
            self._in_flight.discard(session)
