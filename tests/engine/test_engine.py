"""EngineSupervisor and ExternalEngine against real stand-in processes (no mocked subprocess)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.config import Secret, Settings
from services.engine.supervisor import EngineSupervisor, ExternalEngine, LaunchSpec, create_engine, free_port
from services.errors import EngineStartError, EngineUnavailable
from tests.support.standins import SUPERVISOR_PARENT, Launches, alive, fake_spec, supervisor, wait_gone

pytestmark = pytest.mark.timeout(30)


def run(coro):
    return asyncio.run(coro)


async def wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def test_becomes_ready_and_stops(caplog):
    caplog.set_level(logging.DEBUG, logger="hushdesk.engine")
    engine = supervisor(fake_spec())
    assert engine.state == "stopped" and engine.endpoint is None and engine.pid is None

    async def scenario():
        await engine.start()
        assert engine.state == "ready"
        endpoint = engine.endpoint
        pid = engine.pid
        assert endpoint.model_name == "fake-model"
        assert endpoint.base_url.startswith("http://127.0.0.1:") and endpoint.base_url.endswith("/v1")
        assert len(endpoint.api_key) >= 40
        assert alive(pid)
        async with httpx.AsyncClient() as client:
            assert (await client.get(endpoint.base_url.removesuffix("/v1") + "/health")).status_code == 200
        assert await engine.wait_ready(1) == endpoint
        await engine.stop()
        return endpoint, pid

    endpoint, pid = run(scenario())
    assert engine.state == "stopped" and engine.endpoint is None and engine.pid is None
    assert not alive(pid)
    assert engine.restarts == 0
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert f"pid {pid}" in text and "engine ready" in text
    assert endpoint.api_key not in text


def test_start_timeout_raises_and_leaves_no_process(tmp_path):
    record = tmp_path / "record.json"
    engine = supervisor(fake_spec("--ready-after", "60", record=record), start_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(EngineStartError) as info:
        run(engine.start())
    assert 1.0 <= time.monotonic() - started < 5
    assert info.value.message == "The model engine could not be started: it did not become healthy within 1 s."
    assert engine.state == "failed" and engine.endpoint is None and engine.pid is None
    assert not alive(json.loads(record.read_text())["pid"])


def test_early_exit_raises_with_exit_code(tmp_path):
    record = tmp_path / "record.json"
    engine = supervisor(fake_spec("--ready-after", "30", "--die-after", "0.2", "--exit-code", "7", record=record))
    started = time.monotonic()
    with pytest.raises(EngineStartError) as info:
        run(engine.start())
    assert time.monotonic() - started < 5
    assert info.value.message == "The model engine could not be started: it exited with code 7."
    assert engine.state == "failed"
    assert not alive(json.loads(record.read_text())["pid"])


def test_missing_program_raises(tmp_path):
    def make_spec(port, key):
        return LaunchSpec(
            argv=(str(tmp_path / "no-such-engine"), "serve"), env={}, base_url=f"http://127.0.0.1:{port}/v1",
            health_url=f"http://127.0.0.1:{port}/health", api_key=key, model_name="x",
        )

    engine = supervisor(make_spec)
    with pytest.raises(EngineStartError) as info:
        run(engine.start())
    assert info.value.message == "The model engine could not be started: its program could not be run."
    assert engine.state == "failed"


def test_dies_after_ready_is_restarted_with_backoff():
    launches = Launches(
        ("--die-after", "0.5", "--exit-code", "9"),  # ready, then dies
        ("--ready-after", "30", "--die-after", "0.1", "--exit-code", "3"),  # restart 1 fails early
        (),  # restart 2 stays up
    )
    engine = supervisor(launches, backoff=(0.3, 0.6, 10))
    seen: list[str] = []

    async def scenario():
        await engine.start()
        first_pid, first = engine.pid, engine.endpoint
        seen.append(engine.state)
        while engine.restarts < 2 or engine.state != "ready":
            if engine.state not in seen:
                seen.append(engine.state)
            if engine.state == "restarting":
                assert engine.endpoint is None
            await asyncio.sleep(0.01)
        endpoint = await engine.wait_ready(1)
        new_pid = engine.pid
        await engine.stop()
        return first_pid, first, new_pid, endpoint

    first_pid, first, new_pid, endpoint = run(scenario())
    assert seen == ["ready", "restarting"]
    assert engine.restarts == 2 and len(launches.times) == 3
    assert new_pid != first_pid and not alive(first_pid) and not alive(new_pid)
    assert endpoint.api_key != first.api_key and endpoint.base_url != first.base_url
    assert len(set(launches.keys)) == 3
    # back-off: 0.3 s after the first exit (at ~0.5 s), then 0.6 s after the failed restart
    assert launches.times[1] - launches.times[0] >= 0.5 + 0.3
    assert launches.times[2] - launches.times[1] >= 0.1 + 0.6


def test_an_engine_that_stops_answering_health_is_replaced(caplog):
    caplog.set_level(logging.WARNING, logger="hushdesk.engine")
    launches = Launches(
        ("--unhealthy-after", "0.5"),  # ready, then /health says 503 while the process lives on
        (),
    )
    engine = supervisor(launches, backoff=(0.1,), liveness_interval=0.2, liveness_failures=3)

    async def scenario():
        await engine.start()
        first_pid = engine.pid
        await wait_for(lambda: engine.restarts == 1 and engine.state == "ready", 15)
        new_pid = engine.pid
        await engine.stop()
        return first_pid, new_pid

    first_pid, new_pid = run(scenario())
    assert new_pid != first_pid and not alive(first_pid) and not alive(new_pid)
    assert "failed 3 health checks in a row" in caplog.text


def test_backoff_resets_after_a_stable_run():
    launches = Launches(
        ("--die-after", "0.4"),  # short run: the next exit would wait backoff[1]...
        ("--die-after", "1.6"),  # ...unless this run lasts past stable_after
        (),
    )
    engine = supervisor(launches, backoff=(0.2, 10), stable_after=1.0)

    async def scenario():
        await engine.start()
        await wait_for(lambda: engine.restarts == 2 and engine.state == "ready", 8)
        await engine.stop()

    run(scenario())
    assert launches.times[2] - launches.times[1] < 1.6 + 2.0  # backoff[0], not backoff[1] = 10 s


def test_stop_kills_the_whole_process_group(tmp_path):
    record = tmp_path / "record.json"
    engine = supervisor(fake_spec("--spawn-child", record=record))

    async def scenario():
        await engine.start()
        info = json.loads(record.read_text())
        assert alive(info["pid"]) and alive(info["child_pid"])
        assert os.getpgid(info["child_pid"]) == info["pid"]  # its own group, led by the engine
        assert os.getpgid(info["pid"]) != os.getpgid(0)
        await engine.stop()
        return info

    info = run(scenario())
    assert not alive(info["pid"])
    assert wait_gone(info["child_pid"], 2)


def test_stop_kills_an_engine_that_ignores_sigterm(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="hushdesk.engine")
    record = tmp_path / "record.json"
    engine = supervisor(fake_spec("--ignore-sigterm", record=record), stop_grace=0.5)

    async def scenario():
        await engine.start()
        started = time.monotonic()
        await engine.stop()
        return time.monotonic() - started

    assert 0.5 <= run(scenario()) < 3
    assert not alive(json.loads(record.read_text())["pid"])
    assert "did not stop within 0.5 s" in caplog.text


def test_stop_during_backoff_launches_nothing_more():
    launches = Launches(("--die-after", "0.3",))
    engine = supervisor(launches, backoff=(30,))

    async def scenario():
        await engine.start()
        await wait_for(lambda: engine.state == "restarting", 5)
        started = time.monotonic()
        await engine.stop()
        return time.monotonic() - started

    assert run(scenario()) < 2
    assert engine.state == "stopped" and len(launches.times) == 1


def test_wait_ready():
    engine = supervisor(fake_spec("--ready-after", "0.3"))

    async def scenario():
        with pytest.raises(EngineUnavailable):
            await engine.wait_ready(0.05)
        starting = asyncio.create_task(engine.start())
        endpoint = await engine.wait_ready(5)
        await starting
        assert endpoint == engine.endpoint
        await engine.stop()

    run(scenario())

    failing = supervisor(fake_spec("--die-after", "0", "--ready-after", "9"))

    async def failed():
        with pytest.raises(EngineStartError):
            await failing.start()
        started = time.monotonic()
        with pytest.raises(EngineUnavailable):
            await failing.wait_ready(5)
        assert time.monotonic() - started < 1

    run(failed())


def test_progress_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="hushdesk.engine")
    engine = supervisor(fake_spec("--ready-after", "0.8"), progress_interval=0.3)

    async def scenario():
        await engine.start()
        await engine.stop()

    run(scenario())
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("engine starting, waited")]
    assert len(progress) >= 2


def test_output_discarded_by_default_and_appended_to_a_0600_log_file(tmp_path):
    async def fd1_target(engine):
        await engine.start()
        target = os.readlink(f"/proc/{engine.pid}/fd/1")
        await engine.stop()
        return target

    assert run(fd1_target(supervisor(fake_spec()))) == "/dev/null"

    log_file = tmp_path / "logs" / "engine.log"
    engine = supervisor(fake_spec(), log_file=log_file)
    assert run(fd1_target(engine)) == str(log_file)
    run(fd1_target(engine))
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert log_file.read_text().count("fake engine listening") == 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killed_parent_leaves_no_orphan(tmp_path, sig):
    pid_file = tmp_path / "engine.pid"
    parent = subprocess.Popen([sys.executable, str(SUPERVISOR_PARENT), str(pid_file)], stdin=subprocess.DEVNULL)
    child = None
    try:
        deadline = time.monotonic() + 15
        while not pid_file.exists():
            assert parent.poll() is None, "the stand-in app exited early"
            assert time.monotonic() < deadline, "the stand-in app never reported its engine"
            time.sleep(0.02)
        child = int(pid_file.read_text())
        assert alive(child)
        parent.send_signal(sig)
        parent.wait(10)
        assert wait_gone(child, 5), "engine outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if child is not None and alive(child):
            os.kill(child, signal.SIGKILL)  # do not leave the orphan behind a failed test


def test_external_engine_never_raises_and_hides_the_key(caplog):
    caplog.set_level(logging.INFO, logger="hushdesk.engine")
    port = free_port()  # nothing listens there
    settings = Settings(engine="external", engine_url=f"http://127.0.0.1:{port}/v1",
                        engine_api_key=Secret("sk-very-secret"), model_name="ext-model")
    engine = create_engine(settings, model_dir=Path("/nonexistent"))
    assert isinstance(engine, ExternalEngine)
    assert engine.state == "stopped" and engine.endpoint is None

    async def scenario():
        with pytest.raises(EngineUnavailable):
            await engine.wait_ready(0.1)
        await engine.start()
        assert engine.state == "ready"
        assert await engine.wait_ready(0.1) == engine.endpoint
        await engine.stop()

    run(scenario())
    assert engine.state == "stopped" and engine.pid is None and engine.restarts == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"external engine at 127.0.0.1:{port} did not answer (ConnectError)"]
    assert "sk-very-secret" not in caplog.text


def test_external_engine_endpoint_and_missing_key():
    settings = Settings(engine="external", engine_url="http://127.0.0.1:9/v1", model_name="m")
    engine = ExternalEngine(settings, probe_timeout=0.5)
    run(engine.start())
    assert engine.endpoint.base_url == "http://127.0.0.1:9/v1"
    assert engine.endpoint.model_name == "m"
    assert engine.endpoint.api_key  # the OpenAI client refuses an empty key


def test_create_engine_picks_a_supervisor(tmp_path):
    for kind in ("transformers", "vllm"):
        engine = create_engine(Settings(engine=kind, data_dir=tmp_path), model_dir=tmp_path)
        assert isinstance(engine, EngineSupervisor) and engine.state == "stopped"
