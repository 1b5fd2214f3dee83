"""Limits: per-user rate, one turn in flight per session, a global cap with a short queue; each refusal
audited and never sent to the engine. The engine is the fake engine process with a per-token delay
(so turns overlap for real); the clock of the unit tests is injected."""

from __future__ import annotations

import asyncio

import pytest

from services.config import load_settings
from services.errors import ConfigError
from services.ops.bootstrap import ensure_initialised
from services.limits import Busy, RateLimited, TurnInFlight, TurnLimiter, sizes_for
from services.runtime import Runtime
from tests.support.engine import FakeEngine
from tests.support.turns import settings_for


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_is_a_sliding_minute_and_refusals_do_not_count() -> None:
    clock = Clock()
    limiter = TurnLimiter(per_minute=3, max_concurrent=4, queue=0, queue_wait=1, clock=clock)

    async def run():
        for _ in range(3):
            async with limiter.admit("u", "s"):
                pass
        with pytest.raises(RateLimited):
            async with limiter.admit("u", "s"):
                pass
        async with limiter.admit("other", "s2"):  # per user
            pass
        clock.now += 60
        async with limiter.admit("u", "s"):
            pass

    asyncio.run(run())


def test_one_turn_in_flight_per_session_and_busy_when_the_queue_is_full() -> None:
    limiter = TurnLimiter(per_minute=100, max_concurrent=1, queue=1, queue_wait=0.3)

    async def run():
        gate = asyncio.Event()

        async def hold(session):
            async with limiter.admit("u-" + session, session):
                await gate.wait()

        first = asyncio.create_task(hold("a"))
        await asyncio.sleep(0.01)
        with pytest.raises(TurnInFlight):
            async with limiter.admit("u-a", "a"):
                pass
        queued = asyncio.create_task(hold("b"))  # waits in the queue (1 place)
        await asyncio.sleep(0.01)
        assert limiter.waiting == 1
        with pytest.raises(Busy):  # queue full
            async with limiter.admit("u-c", "c"):
                pass
        gate.set()
        await asyncio.gather(first, queued)
        gate.clear()
        blocker = asyncio.create_task(hold("d"))
        await asyncio.sleep(0.01)
        with pytest.raises(Busy):  # waited longer than queue_wait
            async with limiter.admit("u-e", "e"):
                pass
        gate.set()
        await blocker

    asyncio.run(run())


def test_refusals_are_audited_and_never_reach_the_engine(tmp_path) -> None:
    engine = FakeEngine(tmp_path, delay=0.02)
    try:
        settings = settings_for(tmp_path, engine.base_url, HUSHDESK_MESSAGES_PER_MINUTE="3",
                                HUSHDESK_MAX_CONCURRENT_TURNS="1", HUSHDESK_TURN_QUEUE="0")
        ensure_initialised(settings)

        async def run():
            runtime = Runtime.open(settings)
            await runtime.start()
            await runtime.wait_ready(10)
            alice = runtime.conversation("s-alice", "alice", "staff")
            bob = runtime.conversation("s-bob", "bob", "staff")

            async def ignore(piece):
                return None

            try:
                slow = asyncio.create_task(runtime.chat.turn(alice, "first question", ignore))
                await asyncio.sleep(0.1)
                same = await runtime.chat.turn(alice, "impatient second", ignore)
                other = await runtime.chat.turn(bob, "meanwhile", ignore)
                first = await slow
                rate = [await runtime.chat.turn(alice, f"again {i}", ignore) for i in range(3)]
                return first, same, other, rate, runtime.audit.tail(20)
            finally:
                await runtime.stop()

        before = len(engine.requests())
        first, same, other, rate, rows = asyncio.run(run())
        assert first.outcome == "ok"
        assert same.outcome == "turn_in_flight" and isinstance(same.error, TurnInFlight)
        assert other.outcome == "busy" and isinstance(other.error, Busy)
        assert [r.outcome for r in rate] == ["ok", "ok", "rate_limited"]  # 3 a minute: first + 2
        assert len(engine.requests()) - before == 3  # refusals never reached the engine
        outcomes = [r["outcome"] for r in rows if r["kind"] == "turn"]
        assert sorted(outcomes) == sorted(["ok", "turn_in_flight", "busy", "ok", "ok", "rate_limited"])
    finally:
        engine.stop()


@pytest.mark.parametrize("kind,concurrent,queue,expected", [
    ("vllm", None, None, (128, 256, True, True)),
    ("external", None, None, (128, 256, True, True)),
    ("transformers", None, None, (4, 16, True, True)),
    ("vllm", 8, None, (8, 256, False, True)),
    ("transformers", None, 0, (4, 0, True, False)),
])
def test_limits_sized_for_the_engine_unless_set(kind, concurrent, queue, expected):
    sizes = sizes_for(kind, concurrent, queue)
    assert (sizes.max_concurrent, sizes.queue, sizes.auto_concurrent, sizes.auto_queue) == expected


@pytest.mark.parametrize("env,expected", [
    ({}, (None, None)),
    ({"HUSHDESK_MAX_CONCURRENT_TURNS": "auto", "HUSHDESK_TURN_QUEUE": "AUTO"}, (None, None)),
    ({"HUSHDESK_MAX_CONCURRENT_TURNS": "32", "HUSHDESK_TURN_QUEUE": "0"}, (32, 0)),
])
def test_the_settings_take_auto_or_a_number(tmp_path, env, expected):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path), **env}, dotenv=False)
    assert (settings.max_concurrent_turns, settings.turn_queue) == expected


@pytest.mark.parametrize("name,value", [("HUSHDESK_MAX_CONCURRENT_TURNS", "0"), ("HUSHDESK_TURN_QUEUE", "-1"),
                                        ("HUSHDESK_MAX_CONCURRENT_TURNS", "many")])
def test_bad_limits_are_refused_naming_the_setting(tmp_path, name, value):
    with pytest.raises(ConfigError) as caught:
        load_settings({"HUSHDESK_DATA_DIR": str(tmp_path), name: value}, dotenv=False)
    assert name in caught.value.message and value not in caught.value.message


def test_doctor_shows_the_effective_limits(tmp_path):
    from services.ops.doctor import check_limits

    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path), "HUSHDESK_TURN_QUEUE": "3"}, dotenv=False)
    check = check_limits(settings, "vllm")
    assert check.detail.startswith("128 at once (auto for vllm), 3 waiting (set) up to 10 s")


@pytest.mark.parametrize("workers, expected", [(1, (128, 256)), (2, (64, 128)), (3, (43, 86)), (200, (1, 2))])
def test_several_processes_each_admit_their_share(workers, expected):
    sizes = sizes_for("external", None, None, workers)
    assert (sizes.max_concurrent, sizes.queue) == expected


SHARED_RATE = r"""
import sys
from services.config import load_settings
from services.keys import load_keys
from services.limits import SharedRate
from services.store import open_store

settings = load_settings({"HUSHDESK_DATA_DIR": sys.argv[1]}, dotenv=False)
engine = open_store(settings, load_keys(settings, create=False))
rate = SharedRate(engine, 7)
print(sum(rate.take("u" * 64) for _ in range(10)), sum(rate.take("v" * 64) for _ in range(3)))
"""


def test_the_per_user_limit_holds_across_processes(tmp_path):
    """Issue 16: three app processes share one store; together they let a user send the limit, no more."""
    import subprocess
    import sys

    from tests.support.process import ROOT, base_env

    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data")}, dotenv=False)
    ensure_initialised(settings)[1].dispose()
    procs = [subprocess.Popen([sys.executable, "-c", SHARED_RATE, str(settings.data_dir)], cwd=ROOT,
                              env=base_env(settings.data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e[-800:] for _, e in outs]
    taken = [tuple(map(int, o.split())) for o, _ in outs]
    assert sum(u for u, _ in taken) == 7  # of 30 sent at once for one user
    assert sum(v for _, v in taken) == 7  # another user's own minute: 7 of 9


def test_the_shared_minute_slides(tmp_path):
    from services.limits import SharedRate

    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data")}, dotenv=False)
    _, engine, _ = ensure_initialised(settings)
    now = [1000.0]
    rate = SharedRate(engine, 2, clock=lambda: now[0])
    assert [rate.take("u"), rate.take("u"), rate.take("u")] == [True, True, False]
    now[0] += 59.0
    assert not rate.take("u")
    now[0] += 1.5
    assert rate.take("u") and rate.take("u") and not rate.take("u")
    engine.dispose()


def test_doctor_shows_each_processes_share_and_checks_the_proxy(tmp_path, monkeypatch):
    import services.ops.workers as workers
    from services.ops.doctor import check_limits, check_workers

    env = {"HUSHDESK_DATA_DIR": str(tmp_path), "HUSHDESK_WORKERS": "4"}
    settings = load_settings(env, dotenv=False)
    detail = check_limits(settings, "external").detail
    assert detail.startswith("32 at once (auto for external), 64 waiting (auto for external) in each of 4 app processes")
    assert "counted in the store" in detail
    monkeypatch.setattr(workers, "nginx_path", lambda: "/usr/sbin/nginx")
    assert check_workers(settings).result == "warn"  # no TLS of its own
    tls = load_settings({**env, "HUSHDESK_TLS_CERT": "/c.pem", "HUSHDESK_TLS_KEY": "/k.pem"}, dotenv=False)
    assert check_workers(tls).result == "pass"
    half = load_settings({**env, "HUSHDESK_TLS_CERT": "/c.pem"}, dotenv=False)
    assert check_workers(half).result == "fail"
    monkeypatch.setattr(workers, "nginx_path", lambda: None)
    missing = check_workers(settings)
    assert missing.result == "fail" and "nginx" in missing.detail
