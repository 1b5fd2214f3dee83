"""Audit rows to write and the audit command line, as several modules' tests use them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from services.audit import TurnRecord
from services.keys import Keys, hash_id
from tests.support.process import base_env


def turn(keys: Keys, i: int = 0, outcome: str = "ok") -> TurnRecord:
    """A turn's audit record; `i` varies its session, user, counts and timings."""
    return TurnRecord(
        session_hash=hash_id(keys.pepper, "session", f"s{i % 3}"),
        user_hash=hash_id(keys.pepper, "user", f"u{i % 5}"),
        role="staff",
        model="hushdesk-model",
        prompt_tokens=10 + i,
        completion_tokens=None if i % 4 == 0 else 20,
        ttft_ms=None if i % 2 else 12.5,
        latency_ms=100 + i,  # an int: stored and chained as a float
        redactions_in={"PHONE": 1, "EMAIL": i % 2},
        redactions_out={},
        outcome=outcome,
    )


def cli(args: list[str], data_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m services.audit ARGS` against `data_dir`, run in `cwd`."""
    env = base_env(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "services.audit", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )
