"""Chainlit's 1 ms sleep per Message and Step is replaced by strictly increasing creation times
(services/web/clock.py; issue 16). The real Chainlit modules are patched in a child process, as app.py
does, so this test process keeps the framework as installed."""

from __future__ import annotations

import subprocess
import sys
import time
import types

import pytest

from services.web.clock import NO_SLEEP, strict_utc_now, unblock
from tests.support.process import ROOT

CHILD = r"""
import asyncio, sys, time
import chainlit
from services.web.clock import unblock

async def main():
    from chainlit.context import init_http_context
    init_http_context()
    from chainlit.message import Message
    from chainlit.step import Step

    def build(n):
        t = time.perf_counter()
        for i in range(n):
            Message(content="x") if i % 2 else Step(name="s")
        return time.perf_counter() - t

    before = build(200)
    unblock(sys.modules["chainlit.message"], sys.modules["chainlit.step"])
    after = build(2000)
    stamps = [sys.modules[m].utc_now() for _ in range(500) for m in ("chainlit.message", "chainlit.step")]
    print(before, after, len(stamps), len(set(stamps)), stamps == sorted(stamps))

asyncio.run(main())
"""


def test_strict_utc_now_never_repeats_or_goes_back() -> None:
    stamps = [strict_utc_now() for _ in range(5000)]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert stamps[0].endswith("Z") and len(stamps[0]) == len("2026-12-05T15:20:00.123456Z")


def test_no_sleep_is_time_without_the_wait() -> None:
    started = time.perf_counter()
    NO_SLEEP.sleep(2)
    assert time.perf_counter() - started < 0.1
    assert abs(NO_SLEEP.time() - time.time()) < 1 and NO_SLEEP.monotonic is time.monotonic


def test_a_module_that_changed_is_refused() -> None:
    changed = types.ModuleType("chainlit.changed")  # no `time`, no `utc_now`
    with pytest.raises(RuntimeError, match="no longer sleeps"):
        unblock(changed)


def test_chainlit_builds_messages_and_steps_without_sleeping() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    before, after, n, distinct, ordered = out.stdout.split()
    assert float(before) >= 200 * 0.001  # Chainlit as installed sleeps a millisecond each
    assert float(after) < 2000 * 0.001 / 4  # 2,000 built in well under the time the sleeps would take
    assert int(n) == 1000 and int(distinct) == 1000 and ordered == "True"
