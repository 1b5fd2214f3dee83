"""Store: a real SQLCipher file that only our key opens, owner-only, with recorded migrations."""

from __future__ import annotations

import dataclasses
import os
import secrets
import sqlite3
import stat
from pathlib import Path
from typing import Iterator

import pytest

from services.config import Settings
from services.errors import KeyFileError, StoreError
from services.keys import Keys
from services.store import MIGRATIONS, open_store, transaction

MARKER = "zebra-canary-4711"
# The encrypted file itself: with --store=postgres these are deselected (PostgreSQL's own: tests/test_postgres.py).
pytestmark = pytest.mark.sqlcipher_only


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def insert_user(engine, name: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) "
            "VALUES (?, 'staff', ?, 0, 'now', 'now')",
            (name, MARKER + "-hash"),
        )


def test_create_then_reopen(settings: Settings, keys: Keys) -> None:
    engine = open_store(settings, keys, create=True)
    insert_user(engine, MARKER)
    engine.dispose()
    engine = open_store(settings, keys)
    with transaction(engine) as conn:
        assert conn.exec_driver_sql("SELECT name FROM users").scalars().all() == [MARKER]
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    engine.dispose()


def test_wrong_key_is_refused(settings: Settings, keys: Keys) -> None:
    open_store(settings, keys, create=True).dispose()
    wrong = dataclasses.replace(keys, db_key=secrets.token_bytes(32))
    with pytest.raises(KeyFileError) as err:
        open_store(settings, wrong)
    assert err.value.message == f"HUSHDESK_DB_KEY does not open {settings.audit_db_path} (a wrong key, or a damaged file)."
    with pytest.raises(KeyFileError):
        open_store(settings, wrong, create=True)  # create never overwrites an existing store


def test_missing_file_without_create(settings: Settings, keys: Keys) -> None:
    with pytest.raises(StoreError) as err:
        open_store(settings, keys)
    assert "does not exist" in err.value.message
    assert "python -m services.ops.bootstrap" in err.value.message
    assert not settings.audit_db_path.exists()


def test_empty_file_is_not_silently_accepted(settings: Settings, keys: Keys) -> None:
    settings.audit_db_path.touch()
    with pytest.raises(StoreError, match="is empty"):
        open_store(settings, keys)
    assert settings.audit_db_path.stat().st_size == 0


def test_plaintext_sqlite_file_is_refused(settings: Settings, keys: Keys) -> None:
    plain = sqlite3.connect(settings.audit_db_path)
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    with pytest.raises(KeyFileError, match="HUSHDESK_DB_KEY does not open"):
        open_store(settings, keys, create=True)


def test_stdlib_sqlite_cannot_read_it(settings: Settings, keys: Keys) -> None:
    engine = open_store(settings, keys, create=True)
    insert_user(engine, MARKER)
    engine.dispose()
    plain = sqlite3.connect(settings.audit_db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            plain.execute("SELECT name FROM sqlite_master").fetchall()
    finally:
        plain.close()


def test_no_plaintext_in_db_or_wal(settings: Settings, keys: Keys) -> None:
    engine = open_store(settings, keys, create=True)
    try:
        for i in range(20):
            insert_user(engine, f"{MARKER}-{i}")
        wal = Path(str(settings.audit_db_path) + "-wal")
        assert wal.stat().st_size > 0
        blobs = [settings.audit_db_path.read_bytes(), wal.read_bytes()]
    finally:
        engine.dispose()
    blobs.append(settings.audit_db_path.read_bytes())  # after the closing checkpoint
    for blob in blobs:
        for needle in (b"audit_events", b"users", b"CREATE TABLE", MARKER.encode(), b"SQLite format 3"):
            assert needle not in blob


def test_files_are_owner_only(settings: Settings, keys: Keys, permissive_umask: None) -> None:
    engine = open_store(settings, keys, create=True)
    try:
        insert_user(engine, MARKER)
        for suffix in ("", "-wal", "-shm"):
            path = Path(str(settings.audit_db_path) + suffix)
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, suffix
    finally:
        engine.dispose()


def test_migrations_are_recorded_once(settings: Settings, keys: Keys) -> None:
    for create in (True, False, False):
        open_store(settings, keys, create=create).dispose()
    engine = open_store(settings, keys)
    with transaction(engine) as conn:
        names = conn.exec_driver_sql("SELECT name FROM migrations ORDER BY name").scalars().all()
        tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
    engine.dispose()
    assert names == [m.__name__ for m in MIGRATIONS]
    assert {"meta", "migrations", "users", "audit_events"} <= tables


def test_database_errors_become_fixed_store_errors(settings: Settings, keys: Keys) -> None:
    engine = open_store(settings, keys, create=True)
    try:
        with pytest.raises(StoreError) as err:
            with transaction(engine) as conn:
                conn.exec_driver_sql("SELECT secret_column FROM no_such_table")
    finally:
        engine.dispose()
    assert err.value.message == StoreError.default_message
    assert err.value.__cause__ is None and err.value.__suppress_context__
