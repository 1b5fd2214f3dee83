"""The provable audit trail: signed checkpoints, every tamper case named, signed exports, purge, rekey.

Everything is real: a SQLCipher store in tmp_path, the writer thread, the checkpoint file, the
command line in a subprocess. Tampering is done the way an insider with the store key would: SQL
through a keyed connection.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from services.audit import AuditLog
from services.audit.checkpoints import Checkpoints, Signer
from services.audit.verify import verify
from services.config import Settings
from services.keys import Keys, load_keys
from services.store import open_store, transaction
from tests.support.process import base_env
from tests.support.audit import cli, turn


@pytest.fixture
def settings_env(settings_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The shared settings, with the checkpoint file in a folder of its own."""
    return {**settings_env, "HUSHDESK_AUDIT_CHECKPOINT_FILE": str(tmp_path / "elsewhere" / "checkpoints.jsonl")}


@pytest.fixture
def engine(settings: Settings, keys: Keys, request: pytest.FixtureRequest) -> Engine:
    """The shared store, opened once the checkpoint file's folder exists (owner-only)."""
    (settings.checkpoint_path.parent).mkdir(mode=0o700)
    return request.getfixturevalue("store")


def checkpoints(settings: Settings, keys: Keys) -> Checkpoints:
    return Checkpoints(settings.checkpoint_path, Signer(keys.signing_key))


def write_rows(engine: Engine, keys: Keys, settings: Settings, n: int, every: int = 5) -> None:
    log = AuditLog(engine, keys.chain_key, checkpoints=checkpoints(settings, keys), checkpoint_rows=every)
    log.start()
    for i in range(n):
        log.submit(turn(keys, i)).result(timeout=10)  # one at a time: one batch, one checkpoint check each
    log.close()


def trail_cli(settings: Settings, *args: str, **extra: str):
    """`python -m services.audit` with this test's data folder and checkpoint file."""
    import subprocess
    import sys

    env = base_env(settings.data_dir, HUSHDESK_AUDIT_CHECKPOINT_FILE=str(settings.checkpoint_path), **extra)
    return subprocess.run([sys.executable, "-m", "services.audit", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def check(engine: Engine, keys: Keys, settings: Settings):
    return verify(engine, keys.chain_key, checkpoints(settings, keys).read())


def sql(engine: Engine, statement: str, *params) -> None:
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql(statement, params)


def test_checkpoints_are_signed_every_n_rows_and_at_shutdown(engine, keys, settings) -> None:
    write_rows(engine, keys, settings, 12, every=5)
    marks = checkpoints(settings, keys).read()
    assert [(c.kind, c.seq) for c in marks] == [("rows", 5), ("rows", 10), ("shutdown", 12)]
    assert all(c.valid for c in marks)
    assert stat.S_IMODE(settings.checkpoint_path.stat().st_mode) == 0o600
    verdict = check(engine, keys, settings)
    assert verdict.ok and verdict.rows == 12 and verdict.checkpoints == 3


def test_rows_left_unsigned_by_a_crash_are_signed_as_the_writer_starts(engine, keys, settings) -> None:
    crashed = AuditLog(engine, keys.chain_key)  # wrote its rows, never got to a checkpoint
    crashed.start()
    for i in range(3):
        crashed.submit(turn(keys, i)).result(timeout=10)
    crashed.close()
    assert check(engine, keys, settings).ok  # on its own, a store without checkpoints yet
    assert verify(engine, keys.chain_key, [], interval=2, max_unsigned=600).kind == "checkpoints-missing"
    restarted = AuditLog(engine, keys.chain_key, checkpoints=checkpoints(settings, keys), checkpoint_rows=1000)
    restarted.start()
    restarted.close()
    assert [(c.kind, c.seq) for c in checkpoints(settings, keys).read()] == [("time", 3)]


def test_time_checkpoint_after_quiet_minutes(engine, keys, settings) -> None:
    log = AuditLog(engine, keys.chain_key, checkpoints=checkpoints(settings, keys), checkpoint_rows=1000,
                   checkpoint_seconds=0.2)
    log.start()
    log.submit(turn(keys, 0)).result(timeout=10)
    import time
    time.sleep(0.8)
    assert [(c.kind, c.seq) for c in checkpoints(settings, keys).read()] == [("time", 1)]
    log.close()
    assert [c.kind for c in checkpoints(settings, keys).read()] == ["time"]  # nothing new at shutdown


@pytest.mark.parametrize("tamper, seq, kind", [
    ("UPDATE audit_events SET completion_tokens = 999 WHERE seq = 4", 4, "edited"),
    ("UPDATE audit_events SET outcome = 'ok', mac = (SELECT mac FROM audit_events WHERE seq = 2) WHERE seq = 6", 6, "edited"),
    ("DELETE FROM audit_events WHERE seq = 7", 7, "deleted"),
    ("DELETE FROM audit_events WHERE seq IN (3, 4)", 3, "deleted"),
    ("DELETE FROM audit_events WHERE seq > 10", 11, "truncated"),  # the shutdown checkpoint says 12
    ("DELETE FROM audit_events WHERE seq > 5", 6, "truncated"),
])
def test_each_tamper_case_is_named(engine, keys, settings, tamper, seq, kind) -> None:
    write_rows(engine, keys, settings, 12, every=5)
    sql(engine, tamper)
    verdict = check(engine, keys, settings)
    assert (verdict.ok, verdict.seq, verdict.kind) == (False, seq, kind)


def test_two_swapped_rows_are_reported_as_reordered(engine, keys, settings) -> None:
    write_rows(engine, keys, settings, 12, every=5)
    cols = "ts, kind, session_hash, user_hash, role, model, prompt_tokens, completion_tokens, ttft_ms, " \
           "latency_ms, redactions_in, redactions_out, outcome, target_hash, mac"
    with transaction(engine, write=True) as conn:
        a = conn.exec_driver_sql(f"SELECT {cols} FROM audit_events WHERE seq = 3").first()
        b = conn.exec_driver_sql(f"SELECT {cols} FROM audit_events WHERE seq = 8").first()
        sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
        conn.exec_driver_sql(f"UPDATE audit_events SET {sets} WHERE seq = 3", tuple(b))
        conn.exec_driver_sql(f"UPDATE audit_events SET {sets} WHERE seq = 8", tuple(a))
    verdict = check(engine, keys, settings)
    assert (verdict.ok, verdict.seq, verdict.kind) == (False, 3, "reordered")


def test_a_forged_or_damaged_checkpoint_is_reported(engine, keys, settings) -> None:
    write_rows(engine, keys, settings, 6, every=5)
    lines = settings.checkpoint_path.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["seq"] = 2
    settings.checkpoint_path.write_text("\n".join([json.dumps(forged), *lines[1:]]) + "\n")
    verdict = check(engine, keys, settings)
    assert (verdict.ok, verdict.kind) == (False, "checkpoint")


def test_cli_verify_names_the_fault_and_fails_without_its_checkpoints(engine, keys, settings, tmp_path) -> None:
    write_rows(engine, keys, settings, 6)

    def run(*args: str):
        return trail_cli(settings, *args, HUSHDESK_AUDIT_CHECKPOINT_ROWS="5")

    ok = run("verify")
    assert ok.returncode == 0 and ok.stdout.startswith("ok (6 rows, 2 signed checkpoints")
    sql(engine, "DELETE FROM audit_events WHERE seq = 6")
    engine.dispose()
    bad = run("verify")
    assert bad.returncode == 1 and bad.stderr.strip() == "seq 6: truncated"
    settings.checkpoint_path.unlink()  # the store is past its first checkpoint: a deleted file is a fault
    gone = run("verify")
    assert gone.returncode == 1 and gone.stderr.startswith("checkpoints-missing"), gone.stderr


def test_signed_export_verifies_anywhere_and_any_change_is_caught(engine, keys, settings, tmp_path) -> None:
    write_rows(engine, keys, settings, 8)
    engine.dispose()
    today = __import__("datetime").datetime.now(__import__("datetime").timezone.utc).date().isoformat()
    out = tmp_path / "export.jsonl"
    made = cli(["export", "--from", today, "--to", today, "--out", str(out)], settings.data_dir, tmp_path)
    assert made.returncode == 0 and "Wrote 8 rows" in made.stdout, made.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    again = cli(["export", "--from", today, "--to", today, "--out", str(out)], settings.data_dir, tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr  # never over a file
    fingerprint = cli(["fingerprint"], settings.data_dir, tmp_path).stdout.strip()
    # Another machine: no data folder, no keys; only the bundle.
    elsewhere = tmp_path / "elsewhere-machine"
    elsewhere.mkdir()
    copy = elsewhere / "bundle.jsonl"
    shutil.copy(out, copy)
    good = cli(["verify-export", str(copy), "--fingerprint", fingerprint], elsewhere / "no-data", elsewhere)
    assert good.returncode == 0 and good.stdout.strip() == f"ok: 8 rows, signed by {fingerprint}"
    wrong_signer = cli(["verify-export", str(copy), "--fingerprint", "ed25519:" + "0" * 64], elsewhere, elsewhere)
    assert wrong_signer.returncode == 1
    text = copy.read_text()
    for altered in (text.replace('"completion_tokens":20', '"completion_tokens":21', 1),
                    "\n".join(line for i, line in enumerate(text.splitlines()) if i != 3) + "\n",
                    text.replace('"count":8', '"count":7', 1),
                    text[:-30]):
        copy.write_text(altered)
        bad = cli(["verify-export", str(copy)], elsewhere / "no-data", elsewhere)
        assert bad.returncode == 1 and bad.stderr.startswith("bad export:"), (bad.stdout, bad.stderr)
    rows = [json.loads(line) for line in text.splitlines()[1:-1]]
    assert [r["seq"] for r in rows] == list(range(1, 9)) and all("mac" in r for r in rows)


def test_purge_keeps_the_rest_verifiable_and_leaves_an_anchor(engine, keys, settings, tmp_path) -> None:
    write_rows(engine, keys, settings, 10)
    # Age the first six rows by a year (an insider could not re-sign them; this is the test's clock).
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("UPDATE audit_events SET ts = '2025-01-01T00:00:00.000Z' WHERE seq <= 6")
    # That edit breaks their MACs, so recompute them as the writer would have (test set-up only).
    _rechain(engine, keys)
    # The checkpoints signed the chain before the test's re-dating: sign it again, as if a year ago
    # (a purge removes only rows a checkpoint signed before the cut-off covers).
    settings.checkpoint_path.write_text("".join(_old_checkpoint(engine, keys, seq, n) for n, seq in
                                                enumerate((6, 10), start=1)))
    engine.dispose()
    out = trail_cli(settings, "purge", "--older-than", "30")
    assert out.returncode == 0 and "Removed 6 rows" in out.stdout, out.stderr
    engine2 = open_store(settings, keys)
    verdict = check(engine2, keys, settings)
    assert verdict.ok and verdict.rows == 4 and verdict.purged_to == 6
    # Deleting a kept row is still caught; so is deleting past the anchor.
    sql(engine2, "DELETE FROM audit_events WHERE seq = 7")
    assert check(engine2, keys, settings).kind == "deleted"
    engine2.dispose()


def _old_checkpoint(engine: Engine, keys: Keys, seq: int, n: int) -> str:
    from services.audit.checkpoints import checkpoint_message
    from services.audit.records import canonical_json

    with transaction(engine) as conn:
        mac = conn.exec_driver_sql("SELECT mac FROM audit_events WHERE seq = ?", (seq,)).scalar()
    signer = Signer(keys.signing_key)
    body = {"kind": "rows", "seq": seq, "mac": mac, "ts": "2025-01-02T00:00:00.000Z", "key": signer.fingerprint, "n": n}
    return canonical_json({**body, "sig": signer.sign(checkpoint_message(body))}) + "\n"


def _rechain(engine: Engine, keys: Keys) -> None:
    from services.audit.records import COLUMNS, ZERO_MAC, next_mac

    with transaction(engine, write=True) as conn:
        rows = conn.exec_driver_sql(f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY seq").all()
        mac = ZERO_MAC
        for values in rows:
            row = dict(zip(COLUMNS, values))
            mac = next_mac(keys.chain_key, mac, row)
            conn.exec_driver_sql("UPDATE audit_events SET mac = ? WHERE seq = ?", (mac.hex(), row["seq"]))


@pytest.mark.sqlcipher_only
def test_rekey_reencrypts_and_the_key_file_holds_the_new_key(engine, keys, settings, tmp_path) -> None:
    write_rows(engine, keys, settings, 3)
    engine.dispose()
    before = load_keys(settings).db_key
    out = trail_cli(settings, "rekey")
    assert out.returncode == 0 and "Back it up" in out.stdout, out.stderr
    after = load_keys(settings)
    assert after.db_key != before and "db_key_next" not in json.loads(settings.key_file_path.read_text())
    reopened = open_store(settings, after)
    assert check(reopened, after, settings).ok
    reopened.dispose()
    from services.errors import KeyFileError
    from dataclasses import replace
    with pytest.raises(KeyFileError):
        open_store(settings, replace(after, db_key=before))


@pytest.mark.sqlcipher_only  # rekey is the SQLCipher file's (refused on PostgreSQL: tests/test_postgres.py)
def test_rekey_is_refused_while_hushdesk_runs(engine, keys, settings, tmp_path) -> None:
    from services.store import lock_instance

    held = lock_instance(settings)
    try:
        out = trail_cli(settings, "rekey")
        assert out.returncode == 2 and "stop it first" in out.stderr
    finally:
        os.close(held)


@pytest.mark.sqlcipher_only
def test_store_files_are_owner_only(engine, keys, settings) -> None:
    write_rows(engine, keys, settings, 3)
    names = {p.name: stat.S_IMODE(p.stat().st_mode) for p in settings.data_dir.iterdir()}
    for name in ("audit.db", "audit.db-wal", "audit.db-shm", "keys.json"):
        assert names.get(name) == 0o600, (name, names)
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
