"""The encrypted store: one SQLCipher file (`<data_dir>/audit.db`) opened with a raw 32-byte key.

A missing or empty file would accept any key and silently become a new database, so a file is
created only on explicit set-up (`create=True`); a key-check row in `meta` proves the key on every
open. Schema changes are ordered, named migrations (`m001_initial`, …) recorded in `migrations`.
Errors from SQLAlchemy or SQLCipher never surface: they become StoreError / KeyFileError with
fixed messages, and only the exception's type name is logged.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import logging
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import sqlcipher3
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from .audit.rollups import create_kb_rollups, m003_rollups  # pre-aggregated usage for the dashboard
from .config import Settings
from .errors import HushdeskError, KeyFileError, StoreError
from .keys import Keys
from .kb.schema import m004_knowledge_base, m006_kb_vectors, m009_kb_abbreviations  # the knowledge base's tables
from . import postgres

__all__ = ["open_store", "transaction", "utc_now", "lock_instance", "rekey", "damaged_pages", "DAMAGED", "MIGRATIONS", "m001_initial", "m002_sessions_and_logins",
           "m005_knowledge_audit"]

_log = logging.getLogger(__name__)
_SETUP_HINT = "run set-up first: python -m services.ops.bootstrap (or make run)"
_KEY_CHECK_LABEL = b"hushdesk key check v1"
_SQLITE_NOTADB = 26
_WRITE_OPTION = "hushdesk_write"


def utc_now() -> str:
    """Current UTC time as ISO-8601 with milliseconds and a Z: 2026-11-22T00:50:58.725Z."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Migrations: append new functions to MIGRATIONS; never edit or reorder applied ones.

def m001_initial(conn: Connection) -> None:
    """Create meta, users and audit_events."""
    conn.exec_driver_sql("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.exec_driver_sql(
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    conn.exec_driver_sql(
        """CREATE TABLE audit_events (
            seq INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            kind TEXT NOT NULL,
            session_hash TEXT,
            user_hash TEXT,
            role TEXT,
            model TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            ttft_ms REAL,
            latency_ms REAL,
            redactions_in TEXT,
            redactions_out TEXT,
            outcome TEXT NOT NULL,
            mac TEXT NOT NULL
        )"""
    )


def m002_sessions_and_logins(conn: Connection) -> None:
    """Login sessions and revoked tokens (hashed ids only); lockout, consent and sign-in source on users."""
    conn.exec_driver_sql(
        """CREATE TABLE sessions (
            sid_hash TEXT PRIMARY KEY,
            user_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            login_at REAL NOT NULL,
            last_seen REAL NOT NULL,
            ended_at REAL,
            end_reason TEXT
        )"""
    )
    conn.exec_driver_sql("CREATE INDEX sessions_user ON sessions (user_hash)")
    conn.exec_driver_sql(
        "CREATE TABLE revoked_tokens (token_hash TEXT PRIMARY KEY, expires_at REAL NOT NULL)"
    )
    conn.exec_driver_sql("ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0")
    conn.exec_driver_sql("ALTER TABLE users ADD COLUMN locked INTEGER NOT NULL DEFAULT 0")
    conn.exec_driver_sql("ALTER TABLE users ADD COLUMN consent_version TEXT")
    conn.exec_driver_sql("ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'password'")
    conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('sessions_epoch', '0')")
    conn.exec_driver_sql("ALTER TABLE audit_events ADD COLUMN target_hash TEXT")


def m005_knowledge_audit(conn: Connection) -> None:
    """A turn's knowledge-base retrieval on its audit row, metadata only (nullable: NULL when it did not
    search, and in every row written before this), and its hourly rollup for the dashboard."""
    for column in ("kb_passages INTEGER", "kb_documents TEXT", "kb_top_score REAL", "kb_latency_ms REAL",
                   "kb_collections TEXT"):
        conn.exec_driver_sql(f"ALTER TABLE audit_events ADD COLUMN {column}")
    create_kb_rollups(conn)


def m007_shared_rate(conn: Connection) -> None:
    """When several app processes share the store (`HUSHDESK_WORKERS`), each message's time under its
    sender's keyed hash, for the per-user limit across them (services/limits.py); kept one minute."""
    conn.exec_driver_sql("CREATE TABLE rate_marks (user_hash TEXT NOT NULL, at REAL NOT NULL)")
    conn.exec_driver_sql("CREATE INDEX rate_marks_user ON rate_marks (user_hash, at)")


def m008_open_turns(conn: Connection) -> None:
    """A turn's audit row as it would read had the turn been interrupted (hashes and counts only), kept
    while the turn runs and deleted with its real row; the process that opened it (pid, boot). A marker
    whose process died becomes an `interrupted` row (services/audit/log.py): no turn without its row."""
    conn.exec_driver_sql(
        "CREATE TABLE turns_open (key TEXT PRIMARY KEY, pid INTEGER NOT NULL, boot TEXT NOT NULL, "
        "opened REAL NOT NULL, row TEXT NOT NULL)")


MIGRATIONS: list[Callable[[Connection], None]] = [m001_initial, m002_sessions_and_logins, m003_rollups,
                                                  m004_knowledge_base, m005_knowledge_audit, m006_kb_vectors,
                                                  m007_shared_rate, m008_open_turns, m009_kb_abbreviations]


def _migrate(conn: Connection) -> None:
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    applied = {row[0] for row in conn.exec_driver_sql("SELECT name FROM migrations")}
    on_postgres = postgres.is_postgres(conn)
    for migration in MIGRATIONS:
        if migration.__name__ not in applied:
            if not (on_postgres and migration.__name__ in postgres.SKIPPED):  # recorded as not applicable
                migration(conn)
            conn.exec_driver_sql(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (migration.__name__, utc_now())
            )


def _key_check(db_key: bytes) -> str:
    return hmac.new(db_key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()


def _is_not_a_database(exc: BaseException) -> bool:
    """True when `exc` (or what it wraps) is SQLite's "file is not a database" (wrong key)."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlite_errorcode", None) == _SQLITE_NOTADB:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


DAMAGED = ("The audit store is damaged (a page no longer decrypts or checks out); restore audit.db from a "
           "backup. Nothing was written.")
_SQLITE_CORRUPT = 11


def _is_damaged(exc: BaseException) -> bool:
    """True for SQLite's "malformed" or "not a database" once the key has already been proven."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlite_errorcode", None) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # The dialect's own listener (registered first) has already sent PRAGMA key.
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher would print to stderr
        cur.execute("PRAGMA busy_timeout = 5000")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
    finally:
        cur.close()


def _on_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front, so a writer waits (busy_timeout) instead of failing
    # when it upgrades from a stale read snapshot.
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def transaction(engine: Engine, *, write: bool = False) -> Iterator[Connection]:
    """Yield a connection inside one transaction (committed on success, else rolled back).

    `write=True` begins IMMEDIATE. Database errors become StoreError with a fixed message.
    """
    try:
        with engine.connect() as conn:
            if write:
                conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                if postgres.is_postgres(conn):
                    if write:  # writers one at a time, as BEGIN IMMEDIATE, waiting as long as busy_timeout
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{postgres.LOCK_WAIT}'")
                        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(?)", (postgres.WRITE_LOCK,))
                    else:  # one snapshot for the whole read, as SQLite's
                        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield conn
    except HushdeskError:
        raise
    except (SQLAlchemyError, sqlcipher3.Error) as exc:
        _log.error("store operation failed: %s", type(exc).__name__)
        if _is_damaged(exc):
            raise StoreError(DAMAGED) from None
        raise StoreError() from None


def _make_engine(path: Path, db_key: bytes) -> Engine:
    # Raw key: "x'<hex>'" skips SQLCipher's passphrase KDF; the dialect quotes it as
    # PRAGMA key="x'…'", which is SQLCipher's documented raw-key form.
    url = URL.create("sqlite+pysqlcipher", password=f"x'{db_key.hex()}'", database=str(path))
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=10,
        hide_parameters=True,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _prepare_file(path: Path, create: bool) -> None:
    """Refuse a missing or empty store unless creating; create it 0600 (its -wal/-shm follow)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError:
        raise StoreError(f"The store {path} could not be read.") from None
    if info is not None and info.st_size > 0:
        if info.st_mode & 0o077:
            try:
                os.chmod(path, 0o600)
            except OSError:
                _log.warning("could not restrict the store's file mode")
        return
    if not create:
        state = "does not exist" if info is None else "is empty"
        raise StoreError(f"The store {path} {state}; {_SETUP_HINT}.")
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path.parent, 0o700)
        # SQLite creates -wal and -shm with the main file's mode, whatever the umask.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
    except OSError:
        raise StoreError(f"The store {path} could not be created.") from None


def open_store(settings: Settings, keys: Keys, *, create: bool = False, local: bool = False) -> Engine:
    """Open (or, with `create`, create) the store and apply pending migrations: the shared store, which is
    PostgreSQL when HUSHDESK_DATABASE_URL is set (services/postgres.py), else the encrypted file; with
    `local`, always this host's encrypted file (the knowledge base's).

    Raises StoreError when the file is missing or empty without `create`, is not encrypted or
    cannot be used, and KeyFileError when the key does not open it.
    """
    if settings.database_url is not None and not local:
        return _open_postgres(settings, keys, create)
    path = settings.audit_db_path
    _prepare_file(path, create)
    engine = _make_engine(path, keys.db_key)
    try:
        _initialise(engine, path, keys.db_key, create)
    except HushdeskError:
        engine.dispose()
        raise
    except (SQLAlchemyError, sqlcipher3.Error) as exc:
        engine.dispose()
        if _is_not_a_database(exc):
            raise KeyFileError(f"HUSHDESK_DB_KEY does not open {path} (a wrong key, or a damaged file).") from None
        _log.error("store open failed: %s", type(exc).__name__)
        raise StoreError(f"The store {path} could not be opened.") from None
    return engine


def _open_postgres(settings: Settings, keys: Keys, create: bool) -> Engine:
    url = settings.database_url.get()
    where = postgres.where(url)
    try:
        engine = postgres.make_engine(url)
    except (SQLAlchemyError, ValueError, ImportError):
        raise StoreError(f"HUSHDESK_DATABASE_URL could not be used ({where}).") from None
    try:
        postgres.initialise(engine, create=create, key_check=_key_check(keys.db_key), migrate=_migrate, where=where)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _initialise(engine: Engine, path: Path, db_key: bytes, create: bool) -> None:
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE_OPTION: True})
        with conn.begin():
            if not conn.exec_driver_sql("PRAGMA cipher_version").scalar():
                raise StoreError(f"The store {path} is not encrypted (SQLCipher is not in use).")
            tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
            expected = _key_check(db_key)
            if "meta" not in tables:
                if tables:
                    raise StoreError(f"{path} is not a hushdesk store.")
                if not create:
                    raise StoreError(f"The store {path} is not initialised; {_SETUP_HINT}.")
                _migrate(conn)
                conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('key_check', ?)", (expected,))
                return
            found = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'key_check'").scalar()
            if not isinstance(found, str) or not hmac.compare_digest(found, expected):
                raise KeyFileError(f"HUSHDESK_DB_KEY does not open {path}.")
            _migrate(conn)


def damaged_pages(engine: Engine) -> int:
    """How many pages fail SQLCipher's per-page HMAC (`PRAGMA cipher_integrity_check`); 0 when sound.

    A full read of the file: about a second per gigabyte here. Run at server start and by `verify`.
    PostgreSQL (the shared store on several hosts) has no such check here: 0.
    """
    if postgres.is_postgres(engine):
        return 0
    try:
        with engine.connect() as conn:
            return len(conn.exec_driver_sql("PRAGMA cipher_integrity_check").all())
    except (SQLAlchemyError, sqlcipher3.Error) as exc:
        _log.error("integrity check failed: %s", type(exc).__name__)
        raise StoreError(DAMAGED) from None


def lock_instance(settings: Settings, *, shared: bool = False) -> int:
    """Hold `<data_dir>/hushdesk.lock` (an open descriptor; closing it releases the lock).

    A server alone on its data folder holds it exclusively: a second server on the same folder, or a
    rekey while one runs, is refused with StoreError. The app processes of one `HUSHDESK_WORKERS`
    deployment hold it `shared` (their audit writers read the chain's end inside each write
    transaction); a server started alone beside them, and a rekey, are still refused.
    """
    path = settings.data_dir / "hushdesk.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError:
        raise StoreError(f"The lock file {path} could not be opened.") from None
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreError(f"Another hushdesk process is using {settings.data_dir}; stop it first.") from None
    return fd


def rekey(engine: Engine, new_key: bytes) -> None:
    """Re-encrypt the whole store under `new_key` (the caller holds the instance lock and saves the key)."""
    if len(new_key) != 32:
        raise StoreError("A store key is 32 bytes.")
    if postgres.is_postgres(engine):
        raise StoreError("The shared store is PostgreSQL: its encryption at rest is the database server's "
                         "(docs/DEPLOYMENT.md); rekey re-encrypts the local SQLCipher file only.")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
            conn.exec_driver_sql("UPDATE meta SET value = ? WHERE key = 'key_check'", (_key_check(new_key),))
            conn.commit()
    except (SQLAlchemyError, sqlcipher3.Error) as exc:
        _log.error("rekey failed: %s", type(exc).__name__)
        raise StoreError("The store could not be re-encrypted; it still opens with the old key.") from None
