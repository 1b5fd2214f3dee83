"""Never a turn without its row: a real full filesystem (a small tmpfs) under the store.

The store, its WAL and the checkpoint file live on a 6 MB tmpfs mounted by the test (root is
needed to mount; CI runs as root, so there it never skips). Filling the volume makes SQLite's
writes fail for real. A second test injects the failure instead, so the same promise is checked on
machines where mounting is not allowed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from services.audit.verify import verify
from services.ops.bootstrap import ensure_initialised
from services.chat import AUDIT_UNAVAILABLE
from services.errors import StoreError
from services.runtime import Runtime
from services.store import transaction
from tests.support.turns import settings_for

NEEDLE = "13812345678"


@pytest.fixture
def small_volume(tmp_path: Path):
    volume = tmp_path / "volume"
    volume.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", str(volume)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to mount a tmpfs (root): {mounted.stderr.strip()}")
        pytest.skip("mounting a tmpfs needs root; tests/audit/test_audit_full_disk.py::test_injected_* covers this")
    yield volume
    subprocess.run(["umount", "-l", str(volume)], capture_output=True)


def fill(volume: Path) -> Path:
    """Fill the volume to the last byte; the filler file's path."""
    filler = volume / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def rows(runtime: Runtime) -> int:
    with transaction(runtime.audit.engine) as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM audit_events").scalar())


async def scenario(settings, volume: Path, fake_engine, *, preflight: bool):
    runtime = Runtime.open(settings)
    await runtime.start()
    await runtime.wait_ready(10)
    conv = runtime.conversation("session-full-disk", "dora.staff", "staff")
    shown: list[str] = []

    async def on_text(piece):
        shown.append(piece)

    out = {}
    try:
        first = await runtime.chat.turn(conv, f"客户手机{NEEDLE}", on_text)
        out["first"] = first.outcome
        out["rows_before"] = rows(runtime)
        out["history_before"] = len(conv.history)
        requests_before = len(fake_engine.requests())
        filler = fill(volume)
        refused = await runtime.chat.turn(conv, "second message", on_text)  # returned, never raised
        assert isinstance(refused.error, StoreError) and refused.retract and refused.record is None
        out["message"] = refused.error.message
        out["engine_called"] = len(fake_engine.requests()) - requests_before
        out["history_after"] = len(conv.history)
        filler.unlink()
        await asyncio.sleep(0.2)
        third = await runtime.chat.turn(conv, "third message, after space was freed", on_text)
        out["third"] = third.outcome
        out["rows_after"] = rows(runtime)
    finally:
        await runtime.stop()
    return runtime, out


@pytest.mark.sqlcipher_only  # SQLite's own SQL (triggers, PRAGMA), its file or its disk
@pytest.mark.parametrize("preflight", [True, False], ids=["refused-before-engine", "write-fails-after-reply"])
def test_a_full_disk_refuses_the_turn_and_writes_nothing_half(tmp_path, small_volume, fake_engine, preflight):
    settings = settings_for(tmp_path, fake_engine.base_url,
                            HUSHDESK_DATA_DIR=str(small_volume / "data"),
                            HUSHDESK_AUDIT_CHECKPOINT_FILE=str(small_volume / "checkpoints.jsonl"),
                            HUSHDESK_AUDIT_MIN_FREE_MB="1" if preflight else "0")
    ensure_initialised(settings)
    runtime, out = asyncio.run(scenario(settings, small_volume, fake_engine, preflight=preflight))
    assert out["first"] == "ok" and out["third"] == "ok"
    assert out["message"] == AUDIT_UNAVAILABLE
    # Refused before the engine when the pre-flight sees the disk full; otherwise the engine was
    # asked, but the reply is not kept: the history only holds audited turns.
    assert out["engine_called"] == (0 if preflight else 1)
    assert out["history_after"] == out["history_before"]
    # Nothing half-written: exactly one more row (the third turn); the chain and checkpoints verify.
    assert out["rows_after"] == out["rows_before"] + 1
    from services.audit.checkpoints import Checkpoints, Signer
    from services.store import open_store
    from services.keys import load_keys

    keys = load_keys(settings)
    engine = open_store(settings, keys)
    try:
        verdict = verify(engine, keys.chain_key, Checkpoints(settings.checkpoint_path, Signer(keys.signing_key)).read())
    finally:
        engine.dispose()
    assert verdict.ok, verdict.describe()


def test_injected_write_failure_refuses_the_turn(tmp_path, fake_engine, monkeypatch):
    """The same promise without a mount: the store's connection fails its insert (an I/O error)."""
    settings = settings_for(tmp_path, fake_engine.base_url)
    ensure_initialised(settings)
    import services.audit.log as log_module

    real = log_module.update_rollups
    state = {"fail": False}

    def failing(conn, batch):
        if state["fail"]:
            conn.exec_driver_sql("SELECT * FROM no_such_table_simulating_an_io_error")
        return real(conn, batch)

    monkeypatch.setattr(log_module, "update_rollups", failing)

    async def run():
        runtime = Runtime.open(settings)
        await runtime.start()
        await runtime.wait_ready(10)
        conv = runtime.conversation("session-injected", "dora.staff", "staff")
        try:
            await runtime.chat.turn(conv, "first", _ignore)
            before = rows(runtime)
            state["fail"] = True
            refused = await runtime.chat.turn(conv, "second", _ignore)  # returned, never raised
            assert isinstance(refused.error, StoreError) and refused.retract
            failed_flag = runtime.audit.failed
            state["fail"] = False
            await runtime.chat.turn(conv, "third", _ignore)  # the writer recovers with the next batch
            return refused.error.message, before, rows(runtime), len(conv.history), failed_flag, runtime.audit.failed
        finally:
            await runtime.stop()

    message, before, after, history, failed, recovered = asyncio.run(run())
    assert message == AUDIT_UNAVAILABLE and failed and not recovered
    assert after == before + 1 and history == 4  # the second turn left no row and no history


async def _ignore(piece: str) -> None:
    return None
