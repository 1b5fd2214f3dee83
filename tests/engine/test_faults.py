"""Faults, each with real processes: an engine killed mid-stream and restarted by the supervisor, an
engine that never becomes ready, a corrupted audit file, a 1 MB message.

The supervised engine here is the fake OpenAI-compatible engine (tests/support/engine_server.py) launched as
a child process by the real `EngineSupervisor`, and killed with SIGKILL while it streams.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from services.audit import AuditLog
from services.ops.bootstrap import ensure_initialised
from services.chat import ChatService, Conversation, TurnPolicy
from services.engine.supervisor import EngineSupervisor, LaunchSpec
from services.errors import EngineError, EngineStartError
from services.engine.client import LLMClient
from services.runtime import Runtime
from services.store import DAMAGED
from tests.support.audit import turn
from tests.support.process import ROOT, base_env, free_port
from tests.support.standins import fake_spec
from tests.support.turns import settings_for

HASH = "a" * 64


def chat_engine_spec(record: Path):
    """Launch the fake chat engine (slow tokens) as the supervised process."""

    def make(port: int, api_key: str) -> LaunchSpec:
        return LaunchSpec(
            argv=(sys.executable, "-m", "tests.support.engine_server", "--port", str(port), "--delay", "0.05",
                  "--record", str(record)),
            env={**os.environ, "PYTHONPATH": str(ROOT)}, base_url=f"http://127.0.0.1:{port}/v1",
            health_url=f"http://127.0.0.1:{port}/health", api_key=api_key, model_name="fake-model")

    return make


def test_engine_killed_mid_stream_is_restarted_and_the_next_message_works(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "http://127.0.0.1:9/v1")
    keys, store, _ = ensure_initialised(settings)

    async def run():
        supervisor = EngineSupervisor(chat_engine_spec(tmp_path / "requests.jsonl"), start_timeout=30,
                                      backoff=(0.2,), health_interval=0.05, liveness_interval=0.2)
        await supervisor.start()
        llm = LLMClient(lambda: supervisor.endpoint, request_timeout=10, max_tokens=256, temperature=0)
        audit = AuditLog(store, keys.chain_key)
        audit.start()
        chat = ChatService(llm, audit, TurnPolicy(system_prompt="s", max_input_chars=1000, history_turns=2))
        conv = Conversation(HASH, HASH, "staff")
        shown: list[str] = []
        first_pid = supervisor.pid

        async def on_text(piece: str) -> None:
            shown.append(piece)
            if len(shown) == 3:  # a few tokens on screen: kill the engine for real
                os.kill(first_pid, signal.SIGKILL)

        try:
            broken = await chat.turn(conv, "tell me about the order", on_text)
            await supervisor.wait_ready(30)
            for _ in range(100):  # the monitor notices the death and relaunches
                if supervisor.pid not in (None, first_pid) and supervisor.state == "ready":
                    break
                await asyncio.sleep(0.1)
            shown.clear()
            again = await chat.turn(conv, "and now?", on_text=_collect(shown))
            return broken, again, first_pid, supervisor.pid, supervisor.restarts, audit.tail(5)
        finally:
            await supervisor.stop()
            await llm.aclose()
            audit.close()

    broken, again, first_pid, second_pid, restarts, rows = asyncio.run(run())
    assert isinstance(broken.error, EngineError) and broken.outcome.startswith("engine_")
    assert broken.error.message == broken.error.default_message  # fixed and safe, no library text
    assert again.outcome == "ok" and second_pid != first_pid and restarts == 1
    assert [r["outcome"] for r in rows] == [broken.outcome, "ok"]


def _collect(into: list[str]):
    async def on_text(piece: str) -> None:
        into.append(piece)
    return on_text


def test_engine_that_never_becomes_ready_gives_a_clear_start_up_error() -> None:
    async def run():
        supervisor = EngineSupervisor(fake_spec("--ready-after", "60"), start_timeout=1.0, health_interval=0.05)
        with pytest.raises(EngineStartError) as failed:
            await supervisor.start()
        return failed.value, supervisor.state, supervisor.pid

    error, state, pid = asyncio.run(run())
    assert error.message == "The model engine could not be started: it did not become healthy within 1 s."
    assert state == "failed" and pid is None  # the child is gone


def test_a_corrupted_audit_file_stops_the_app_with_a_clear_message(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, f"http://127.0.0.1:{free_port()}/v1")
    keys, store, _ = ensure_initialised(settings)
    log = AuditLog(store, keys.chain_key)
    log.start()
    for _ in range(400):
        log.submit(turn(keys, 1))
    log.close()
    with store.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    db = settings.audit_db_path
    data = bytearray(db.read_bytes())
    for offset in range(len(data) - 4096 * 2, len(data) - 4096, 97):  # scramble bytes of a late page
        data[offset] ^= 0xFF
    db.write_bytes(bytes(data))
    env = base_env(settings.data_dir, HUSHDESK_ENGINE="external", HUSHDESK_ENGINE_URL=settings.engine_url)
    verify = subprocess.run([sys.executable, "-m", "services.audit", "verify"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert verify.returncode == 1 and "Traceback" not in verify.stderr
    assert verify.stderr.startswith("the store is damaged:") and "restore it from a backup" in verify.stderr
    # The server refuses to start on it, saying so, and writes nothing.
    before = db.read_bytes()
    start = subprocess.run([str(Path(sys.executable).parent / "chainlit"), "run", str(ROOT / "app.py"),
                            "--headless", "--port", str(free_port())], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert start.returncode == 2 and f"hushdesk cannot start: {DAMAGED}" in start.stderr
    assert "Traceback" not in start.stderr and db.read_bytes() == before


def test_a_one_megabyte_message_is_refused_clearly_without_the_engine(tmp_path: Path, fake_engine) -> None:
    settings = settings_for(tmp_path, fake_engine.base_url)
    ensure_initialised(settings)

    async def run():
        runtime = Runtime.open(settings)
        await runtime.start()
        await runtime.wait_ready(10)
        conv = runtime.conversation("s-big", "alice", "staff")
        try:
            before = len(fake_engine.requests())
            result = await runtime.chat.turn(conv, "客户说：" + "很长的消息。" * 180_000, _collect([]))
            return result, len(fake_engine.requests()) - before, runtime.audit.tail(1)
        finally:
            await runtime.stop()

    result, calls, rows = asyncio.run(run())
    assert result.outcome == "rejected_input" and "too long" in result.error.message
    assert calls == 0 and rows[0]["outcome"] == "rejected_input"
