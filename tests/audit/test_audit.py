"""Audit log: contiguous, HMAC-chained rows from one writer thread; tampering is detected."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from services.audit import AuditLog, AuthRecord, TurnRecord, verify_chain
from services.config import Settings
from services.errors import StoreError
from services.keys import Keys, hash_id
from services.store import transaction
from tests.support.audit import cli, turn


@pytest.fixture
def engine(store: Engine) -> Engine:
    """The shared store (tests/conftest.py) under the name these tests use."""
    return store


@pytest.fixture
def log(engine: Engine, keys: Keys) -> Iterator[AuditLog]:
    log = AuditLog(engine, keys.chain_key)
    log.start()
    yield log
    log.close()


def seqs(engine: Engine) -> list[int]:
    with transaction(engine) as conn:
        return conn.exec_driver_sql("SELECT seq FROM audit_events ORDER BY seq").scalars().all()


def test_rows_are_contiguous_and_the_chain_verifies(log: AuditLog, engine: Engine, keys: Keys) -> None:
    futures = [log.submit(turn(keys, i)) for i in range(5)]
    futures.append(log.submit(AuthRecord(kind="login", user_hash=hash_id(keys.pepper, "user", "u1"), role="staff")))
    futures.append(log.submit(AuthRecord(kind="login_failed", user_hash=hash_id(keys.pepper, "user", "nobody"), outcome="denied")))
    assert [f.result(timeout=10) for f in futures] == list(range(1, 8))
    assert verify_chain(engine, keys.chain_key) == (True, None)
    rows = log.tail(3)
    assert [r["seq"] for r in rows] == [5, 6, 7]
    assert rows[-1]["kind"] == "login_failed" and rows[-1]["model"] is None
    first = log.tail(7)[0]
    assert first["redactions_in"] == {"EMAIL": 0, "PHONE": 1}
    assert first["latency_ms"] == 100.0 and first["ts"].endswith("Z") and len(first["ts"]) == 24
    assert "mac" not in first


def test_edit_delete_and_reorder_are_detected(log: AuditLog, engine: Engine, keys: Keys) -> None:
    for f in [log.submit(turn(keys, i)) for i in range(6)]:
        f.result(timeout=10)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("UPDATE audit_events SET completion_tokens = 999 WHERE seq = 4")
    assert verify_chain(engine, keys.chain_key) == (False, 4)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("DELETE FROM audit_events WHERE seq = 2")
    assert verify_chain(engine, keys.chain_key) == (False, 2)
    assert verify_chain(engine, b"\x01" * 32) == (False, 1)  # another key fails at once


def test_concurrent_submits_from_many_threads(log: AuditLog, engine: Engine, keys: Keys) -> None:
    results: list[int] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        futures = [log.submit(turn(keys, n * 100 + i)) for i in range(50)]
        got = [f.result(timeout=30) for f in futures]
        assert got == sorted(got)  # one thread's rows keep their order
        with lock:
            results.extend(got)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 401))
    assert seqs(engine) == list(range(1, 401))
    assert verify_chain(engine, keys.chain_key) == (True, None)


@pytest.mark.sqlcipher_only  # SQLite's own SQL (triggers, PRAGMA), its file or its disk
def test_failed_batch_is_rolled_back_and_the_chain_stays_consistent(engine: Engine, keys: Keys) -> None:
    log = AuditLog(engine, keys.chain_key)
    log.start()
    assert [log.submit(turn(keys, i)).result(timeout=10) for i in range(3)] == [1, 2, 3]
    log.close()
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER fail_boom BEFORE INSERT ON audit_events WHEN NEW.outcome = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'injected'); END"
        )
    log = AuditLog(engine, keys.chain_key)
    # Queued before start, so the writer takes all three as one batch with the failing row inside.
    batch = [log.submit(turn(keys, 10)), log.submit(turn(keys, 11, outcome="boom")), log.submit(turn(keys, 12))]
    log.start()
    for f in batch:
        with pytest.raises(StoreError) as err:
            f.result(timeout=10)
        assert "injected" not in err.value.message
    assert seqs(engine) == [1, 2, 3]  # nothing half-written
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("DROP TRIGGER fail_boom")
    assert log.submit(turn(keys, 13)).result(timeout=10) == 4
    log.close()
    assert verify_chain(engine, keys.chain_key) == (True, None)


def test_writer_continues_after_rows_another_writer_appended(log: AuditLog, engine: Engine, keys: Keys) -> None:
    """Another process sharing the store appended since this writer's last row: the next row follows
    it (the chain's end is read inside each write transaction), it does not collide."""
    assert log.submit(turn(keys)).result(timeout=10) == 1
    other = AuditLog(engine, keys.chain_key)  # a second writer, as another app process has
    other.start()
    assert other.submit(turn(keys)).result(timeout=10) == 2
    other.close()
    assert log.submit(turn(keys)).result(timeout=10) == 3
    assert verify_chain(engine, keys.chain_key) == (True, None)


def test_async_write_and_close_drains_the_queue(engine: Engine, keys: Keys) -> None:
    log = AuditLog(engine, keys.chain_key)
    log.start()
    assert asyncio.run(log.write(turn(keys))) == 1
    pending = [log.submit(turn(keys, i)) for i in range(200)]
    log.close()
    assert [f.result(timeout=0) for f in pending] == list(range(2, 202))
    with pytest.raises(StoreError):
        log.submit(turn(keys))
    log.close()  # idempotent


def test_restart_continues_the_chain(engine: Engine, keys: Keys) -> None:
    for _ in range(2):
        log = AuditLog(engine, keys.chain_key)
        log.start()
        for f in [log.submit(turn(keys, i)) for i in range(3)]:
            f.result(timeout=10)
        log.close()
    assert seqs(engine) == [1, 2, 3, 4, 5, 6]
    assert verify_chain(engine, keys.chain_key) == (True, None)


@pytest.mark.parametrize(
    "record",
    [
        TurnRecord("raw-session-id", "a" * 64, "staff", "m", 1, 1, 1.0, 1.0, {}, {}, "ok"),
        TurnRecord("a" * 64, "a" * 64, "staff", "m", 1, 1, 1.0, float("nan"), {}, {}, "ok"),
        TurnRecord("a" * 64, "a" * 64, "staff", "m", -1, 1, 1.0, 1.0, {}, {}, "ok"),
        TurnRecord("a" * 64, "a" * 64, "staff", "m", 1, 1, 1.0, 1.0, {"13812345678": 1}, {}, "ok"),
        TurnRecord("a" * 64, "a" * 64, "staff", "m", 1, 1, 1.0, 1.0, {}, {}, "said: hello there"),
        AuthRecord(kind="password_reset", user_hash="a" * 64),
        AuthRecord(kind="login", user_hash="alice@example.com"),
    ],
)
def test_records_that_could_hold_raw_data_are_refused(log: AuditLog, record: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        log.submit(record)  # type: ignore[arg-type]


def test_cli_tail_and_verify(settings: Settings, engine: Engine, keys: Keys, tmp_path: Path) -> None:
    log = AuditLog(engine, keys.chain_key)
    log.start()
    for f in [log.submit(turn(keys, i)) for i in range(4)]:
        f.result(timeout=10)
    log.close()
    engine.dispose()

    out = cli(["tail", "-n", "2", "--json"], settings.data_dir, tmp_path)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["seq"] for r in rows] == [3, 4]
    assert rows[0]["user_hash"] == hash_id(keys.pepper, "user", "u2")
    assert rows[0]["redactions_in"] == {"EMAIL": 0, "PHONE": 1}

    table = cli(["tail"], settings.data_dir, tmp_path)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["seq", "ts", "kind"] and len(lines) == 5

    ok = cli(["verify"], settings.data_dir, tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("ok (4 rows")
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("UPDATE audit_events SET outcome = 'edited' WHERE seq = 3")
    engine.dispose()
    bad = cli(["verify"], settings.data_dir, tmp_path)
    assert (bad.returncode, bad.stderr.strip()) == (1, "seq 3: edited")


def test_cli_errors_are_fixed_messages(tmp_path: Path) -> None:
    out = cli(["tail", "--json"], tmp_path / "nothing-here", tmp_path)
    assert out.returncode == 2
    assert out.stdout == ""
    assert "HUSHDESK_DB_KEY" in out.stderr and "python -m services.ops.bootstrap" in out.stderr
    assert "Traceback" not in out.stderr


WRITER = r"""
import os, sys
from services.audit import AuditLog
from services.config import load_settings
from services.keys import load_keys
from services.store import open_store
from tests.support.audit import turn

settings = load_settings({"HUSHDESK_DATA_DIR": sys.argv[1],  # and the database under test, if any
                          **{k: v for k, v in os.environ.items() if k == "HUSHDESK_DATABASE_URL"}}, dotenv=False)
keys = load_keys(settings, create=False)
engine = open_store(settings, keys)
log = AuditLog(engine, keys.chain_key)
log.start()
seqs = [log.submit(turn(keys, i)).result(timeout=60) for i in range(int(sys.argv[2]))]
log.close()
print(len(set(seqs)))
"""


def test_several_processes_append_one_linear_chain(engine: Engine, keys: Keys, settings: Settings) -> None:
    """Issue 16: app processes on one box share one store; each writer reads the chain's end inside its
    write transaction, so their rows interleave into one sequence that verifies."""
    import subprocess
    import sys

    from tests.support.process import ROOT, base_env

    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(settings.data_dir), "150"], cwd=ROOT,
                              env=base_env(settings.data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e[-800:] for _, e in outs]
    assert [o.strip() for o, _ in outs] == ["150"] * 3
    assert seqs(engine) == list(range(1, 451))
    assert verify_chain(engine, keys.chain_key) == (True, None)


OPENER = r"""
import os, sys
from services.audit import AuditLog, TurnRecord
from services.config import load_settings
from services.keys import load_keys
from services.store import open_store

settings = load_settings({"HUSHDESK_DATA_DIR": sys.argv[1],  # and the database under test, if any
                          **{k: v for k, v in os.environ.items() if k == "HUSHDESK_DATABASE_URL"}}, dotenv=False)
keys = load_keys(settings, create=False)
log = AuditLog(open_store(settings, keys), keys.chain_key)
log.start()
marker = TurnRecord(session_hash="a" * 64, user_hash="b" * 64, role="staff", model="m", prompt_tokens=None,
                    completion_tokens=None, ttft_ms=None, latency_ms=0.0, redactions_in={}, redactions_out={},
                    outcome="interrupted")
for _ in range(int(sys.argv[2])):
    log.open_turn(marker)
log.submit(TurnRecord(session_hash="a" * 64, user_hash="b" * 64, role="staff", model="m", prompt_tokens=1,
                      completion_tokens=1, ttft_ms=1.0, latency_ms=2.0, redactions_in={}, redactions_out={},
                      outcome="ok")).result(timeout=30)  # the markers are on disk once this row is
os._exit(0)  # dies as a killed worker would: no row for the open turns
"""


def _open_markers(engine: Engine) -> int:
    with transaction(engine) as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM turns_open").scalar())


def test_a_turn_whose_process_dies_gets_an_interrupted_row_once(engine: Engine, keys: Keys, settings: Settings) -> None:
    """Issue 16 part 6: a worker killed mid-stream writes no row for its turn; the marker it left
    becomes an `interrupted` row when a writer of the store starts (or is idle), once however many."""
    import subprocess
    import sys

    from tests.support.process import ROOT, base_env

    died = subprocess.run([sys.executable, "-c", OPENER, str(settings.data_dir), "3"], cwd=ROOT,
                          env=base_env(settings.data_dir), capture_output=True, text=True, timeout=120)
    assert died.returncode == 0, died.stderr[-800:]
    assert _open_markers(engine) == 3
    logs = [AuditLog(engine, keys.chain_key) for _ in range(2)]  # two processes' writers starting at once
    for log in logs:
        log.start()
    for log in logs:
        log.close()
    rows = log.tail(10)
    assert [r["outcome"] for r in rows] == ["ok", "interrupted", "interrupted", "interrupted"]
    assert {r["session_hash"] for r in rows} == {"a" * 64} and rows[-1]["latency_ms"] == 0.0
    assert _open_markers(engine) == 0
    assert verify_chain(engine, keys.chain_key) == (True, None)


def test_a_finished_turn_leaves_no_marker_and_a_live_ones_is_kept(log: AuditLog, engine: Engine, keys: Keys) -> None:
    marker = turn(keys)
    done = log.open_turn(marker)
    running = log.open_turn(marker)
    assert log.submit(turn(keys), closes=done).result(timeout=10) == 1
    with transaction(engine) as conn:
        keys_left = conn.exec_driver_sql("SELECT key FROM turns_open").scalars().all()
    assert keys_left == [running]  # this process is alive: its running turn is not reclaimed
    log._write_batch([(__import__("services.audit.log", fromlist=["_RECLAIM"])._RECLAIM, None)])
    assert _open_markers(engine) == 1 and [r["outcome"] for r in log.tail(5)] == [turn(keys).outcome]
