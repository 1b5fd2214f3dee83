"""Seeding turns with known numbers at chosen times, through the real AuditLog, for the dashboard's figures."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

import pytest
from sqlalchemy.engine import Engine

from services.audit import AuditLog, AuthRecord, TurnRecord
from services.keys import Keys, hash_id


HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Turn:
    """A turn to seed: when, which of the seeded users, and its counts."""

    ts: str
    user: int
    outcome: str = "ok"
    prompt_tokens: int | None = 10
    completion_tokens: int | None = 20
    ttft_ms: float | None = 50.0
    latency_ms: float = 400.0
    redactions_in: dict = field(default_factory=dict)
    redactions_out: dict = field(default_factory=dict)


def user_hash(keys: Keys, user: int) -> str:
    return hash_id(keys.pepper, "user", f"seeded-user-{user}")


def seed_turns(engine: Engine, keys: Keys, turns: Sequence[Turn], checkpoints=None) -> None:
    """Write turns through the real AuditLog (chain, batches, rollups), each at its own `ts`.

    The log stamps rows with its clock when they are submitted; it is replaced meanwhile so the
    seeded times land where the test wants them (in order, as the log would write them).
    """
    module = sys.modules[AuditLog.__module__]
    real = module.utc_now
    pending = iter(sorted(t.ts for t in turns))
    ordered = sorted(turns, key=lambda t: t.ts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "utc_now", lambda: next(pending, None) or real())
        log = AuditLog(engine, keys.chain_key, checkpoints=checkpoints)
        log.start()
        try:
            futures = [log.submit(TurnRecord(
                session_hash=hash_id(keys.pepper, "session", f"s{t.user}"), user_hash=user_hash(keys, t.user),
                role="staff", model="fake-model", prompt_tokens=t.prompt_tokens,
                completion_tokens=t.completion_tokens, ttft_ms=t.ttft_ms, latency_ms=t.latency_ms,
                redactions_in=t.redactions_in, redactions_out=t.redactions_out, outcome=t.outcome))
                for t in ordered]
            for future in futures:
                future.result(30)
        finally:
            log.close()


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> str:
    """A row's ts on `day` at the given UTC time."""
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}.000Z"


def seed_misses(engine: Engine, keys: Keys, misses: Sequence[tuple[str, int, str]], checkpoints=None) -> None:
    """Write `redaction_miss_reported` rows (ts, seeded user, label) through the real AuditLog."""
    module = sys.modules[AuditLog.__module__]
    real = module.utc_now
    ordered = sorted(misses)
    pending = iter(ts for ts, _, _ in ordered)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "utc_now", lambda: next(pending, None) or real())
        log = AuditLog(engine, keys.chain_key, checkpoints=checkpoints)
        log.start()
        try:
            futures = [log.submit(AuthRecord("redaction_miss_reported", user_hash(keys, user), role="staff",
                                             session_hash=hash_id(keys.pepper, "session", f"s{user}"), outcome=label))
                       for _, user, label in ordered]
            for future in futures:
                future.result(30)
        finally:
            log.close()
