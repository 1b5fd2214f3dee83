"""Back-off for failed sign-ins, per account and per client address, in memory.

After `free_attempts` consecutive failures for an account (`address_free_attempts` for a client
address, which many staff behind one proxy may share), each further attempt must wait 1, 2, 4 … up
to `max_delay` seconds after the last failure; attempts made sooner are refused without checking
the password. `attempt` counts an allowed attempt as a failure at once (so a burst of parallel
attempts cannot all slip through while their passwords are being checked); `succeeded` takes it
back and clears the account's count. Counts are forgotten `forget_after` seconds after the last
failure. Lockout (persistent, lifted by an admin) is the users table's business.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["LoginThrottle", "ThrottleDecision"]

_MAX_ENTRIES = 100_000


@dataclass(frozen=True)
class ThrottleDecision:
    """Whether an attempt may be checked now; if not, how many seconds until it may."""

    allowed: bool
    retry_after: float = 0.0


@dataclass
class _Entry:
    failures: int
    last: float


class LoginThrottle:
    """Exponential back-off keyed by an account key (a hash) and a client address."""

    def __init__(self, *, free_attempts: int = 3, address_free_attempts: int = 10, max_delay: float = 300.0,
                 forget_after: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.free = free_attempts
        self.address_free = address_free_attempts
        self.max_delay = max_delay
        self.forget_after = forget_after
        self._clock = clock
        self._lock = threading.RLock()
        self._entries: dict[tuple[str, str], _Entry] = {}

    def delay(self, failures: int, free: int) -> float:
        """Seconds an attempt must wait after the last of `failures` consecutive failures."""
        if failures < free:
            return 0.0
        return min(self.max_delay, float(2 ** min(failures - free, 30)))

    def check(self, account: str, address: str | None) -> ThrottleDecision:
        """May an attempt for this account from this address be checked now?"""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key, free in self._keys(account, address):
                entry = self._entries.get(key)
                if entry is None:
                    continue
                if now - entry.last > self.forget_after:
                    del self._entries[key]
                    continue
                wait = max(wait, entry.last + self.delay(entry.failures, free) - now)
        return ThrottleDecision(wait <= 0, max(0.0, wait))

    def attempt(self, account: str, address: str | None) -> ThrottleDecision:
        """Check, and when allowed count the attempt as a failure until `succeeded` says otherwise."""
        with self._lock:
            decision = self.check(account, address)
            if decision.allowed:
                self.failure(account, address)
        return decision

    def succeeded(self, account: str, address: str | None) -> None:
        """The attempt counted by `attempt` succeeded: clear the account, take it back for the address."""
        with self._lock:
            self._entries.pop(("account", account), None)
            entry = self._entries.get(("address", address)) if address else None
            if entry is not None:
                entry.failures -= 1
                if entry.failures <= 0:
                    del self._entries[("address", address)]

    def failure(self, account: str, address: str | None) -> None:
        """Count a failed attempt."""
        now = self._clock()
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._forget(now)
            for key, _ in self._keys(account, address):
                entry = self._entries.get(key)
                if entry is None or now - entry.last > self.forget_after:
                    self._entries[key] = _Entry(1, now)
                else:
                    entry.failures += 1
                    entry.last = now

    def success(self, account: str) -> None:
        """Clear an account's count after a successful sign-in."""
        with self._lock:
            self._entries.pop(("account", account), None)

    def _keys(self, account: str, address: str | None) -> list[tuple[tuple[str, str], int]]:
        keys = [(("account", account), self.free)]
        if address:
            keys.append((("address", address), self.address_free))
        return keys

    def _forget(self, now: float) -> None:
        stale = [k for k, e in self._entries.items() if now - e.last > self.forget_after]
        for key in stale:
            del self._entries[key]
        if len(self._entries) >= _MAX_ENTRIES:  # under a flood, drop the oldest half
            for key, _ in sorted(self._entries.items(), key=lambda kv: kv[1].last)[: _MAX_ENTRIES // 2]:
                del self._entries[key]
