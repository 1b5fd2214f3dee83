"""The audit log writer: one thread appends rows in batches, chained by HMAC; readers for tail/export.

A turn never waits on disk inside the event loop: `write` hands the record to the writer thread and
awaits its commit. Each batch is one transaction (rows and the dashboard's rollups together), so a
failure leaves nothing half-written; every caller of a failed batch gets StoreError.

No turn without its row, even when its process dies mid-stream: `open_turn` queues a marker (the row
the turn would have if interrupted: hashes and counts, never text) that the turn's real row deletes
in the same transaction. Markers of a process that is gone (this machine, an earlier boot or its pid not
running; on any machine, older than an hour) become `interrupted` rows: at start and every minute when
idle, by whichever process of the store's writers finds them first, inside its write transaction (never
twice). Hosts sharing a PostgreSQL store leave each other's live markers alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import queue
import secrets
import shutil
import socket
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from ..errors import AuditUnavailable, HushdeskError, StoreError
from .rollups import update_rollups
from ..store import transaction, utc_now
from .checkpoints import Checkpoints
from .records import COLUMNS, ZERO_MAC, AuthRecord, TurnRecord, next_mac, validate

__all__ = ["AuditLog", "tail"]

_log = logging.getLogger("services.audit")
_MAX_BATCH = 1000
_CLOSE = object()
_RECLAIM = object()  # a writer-thread item: turn markers of dead processes into interrupted rows
_STALE_MARKER = 3600.0  # s: a marker this old is reclaimed even if its pid is running (pid reuse)


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip()[:64] or "unknown"
    except OSError:
        return "unknown"


def host_id(store_dir: Path | None) -> str:
    """This host, as app hosts sharing a PostgreSQL store tell each other apart: a random id kept in its
    data folder (`host-id`, made once; hosts cloned from one image get their own at set-up), else a hash
    of the machine id. Another host's pids mean nothing here, so its markers are left to it."""
    if store_dir is not None:
        path = store_dir / "host-id"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        except OSError:
            path = None
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(8))
        if path is not None:
            try:
                value = path.read_text(encoding="ascii").strip()
                if len(value) == 16 and all(c in "0123456789abcdef" for c in value):
                    return value
            except OSError:
                pass
    for machine in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            with open(machine, encoding="ascii") as fh:
                if value := fh.read().strip():
                    return hashlib.sha256(b"hushdesk host " + value.encode()).hexdigest()[:16]
        except OSError:
            continue
    return hashlib.sha256(b"hushdesk host " + socket.gethostname().encode()).hexdigest()[:16]


_BOOT = _boot_id()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another account's process, or cannot tell: leave it
    return True


def _gone_here(where: str, pid: int, host_id: str) -> bool:
    """A marker's process is known to be gone: it ran on this host (`host_id`), in an earlier boot or no
    longer. Another host's markers are left to that host (or to the stale-marker rule)."""
    host, _, boot = where.rpartition("/")
    if host and host != host_id:
        return False
    return boot != _BOOT or not _running(pid)


class _Open:
    """A queued marker: the row an interrupted turn gets, under `key`."""

    __slots__ = ("key", "row")

    def __init__(self, key: str, row: dict[str, Any]) -> None:
        self.key, self.row = key, row
_INSERT = (
    f"INSERT INTO audit_events ({', '.join(COLUMNS)}, mac) "
    f"VALUES ({', '.join(':' + c for c in COLUMNS)}, :mac)"
)



def _last_link(engine: Engine) -> tuple[int, bytes]:
    with transaction(engine) as conn:
        return _last_link_in(conn)


def _last_link_in(conn: Any) -> tuple[int, bytes]:
    row = conn.exec_driver_sql("SELECT seq, mac FROM audit_events ORDER BY seq DESC LIMIT 1").first()
    if row is None:
        return 0, ZERO_MAC
    try:
        return int(row[0]), bytes.fromhex(row[1])
    except (TypeError, ValueError):
        raise StoreError("The audit chain is damaged; run: python -m services.audit verify") from None


class AuditLog:
    """Appends audit rows through one writer thread; `submit` and `write` return the row's seq."""

    def __init__(self, engine: Engine, chain_key: bytes, *, checkpoints: Checkpoints | None = None,
                 checkpoint_rows: int = 1000, checkpoint_seconds: float = 600.0,
                 store_dir: Path | None = None, min_free_bytes: int = 0) -> None:
        self._engine = engine
        self._store_dir = store_dir
        self._host = host_id(store_dir)
        self._where = f"{self._host}/{_BOOT}"  # what a marker records of its process's machine
        self._min_free = min_free_bytes
        self._chain_key = chain_key
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._submit_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._last: tuple[int, bytes] | None = None
        self._checkpoints = checkpoints
        self._checkpoint_rows = checkpoint_rows
        self._checkpoint_seconds = checkpoint_seconds
        self._checkpointed_seq = 0
        self._checkpointed_at = time.monotonic()
        self.failed = False  # the last batch could not be written (cleared by the next good one)

    @property
    def engine(self) -> Engine:
        """The store this log writes to."""
        return self._engine

    def start(self) -> None:
        """Load the chain's last link and start the writer thread; StoreError if unreadable."""
        with self._submit_lock:
            if self._closed:
                raise StoreError("The audit log is closed.")
            if self._thread is not None:
                return
            self._last = _last_link(self._engine)
            self._checkpointed_seq = self._last_checkpointed()
            self._queue.put((_RECLAIM, None))  # turns a process that died left without their rows
            self._thread = threading.Thread(target=self._run, name="hushdesk-audit-writer", daemon=True)
            self._thread.start()

    def check_writable(self) -> None:
        """AuditUnavailable unless the writer is healthy and the store's disk keeps `min_free_bytes` free.

        A turn calls this before it reaches the engine: never a turn without its row."""
        if self.unwritable() is not None:
            raise AuditUnavailable()

    def unwritable(self) -> str | None:
        """Why a row could not be written now (`audit_writer_down`, `disk_low`), or None: the turn's
        check above and the readiness probe's reason."""
        if not self.alive:
            return "audit_writer_down"
        if self._store_dir is not None and self._min_free:
            try:
                free = shutil.disk_usage(self._store_dir).free
            except OSError:
                free = 0
            if free < self._min_free:
                return "disk_low"
        return None

    def _last_checkpointed(self) -> int:
        if self._checkpoints is None:
            return 0
        try:
            valid = [c.seq for c in self._checkpoints.read() if c.valid]
        except HushdeskError:
            return 0
        return max(valid, default=0)

    def close(self) -> None:
        """Write everything already submitted, then stop the writer thread (idempotent)."""
        with self._submit_lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_CLOSE)
            thread = self._thread
        if thread is not None:
            thread.join()
        else:
            self._fail_queued()

    def open_turn(self, record: TurnRecord) -> str:
        """Queue a marker for a turn that starts now (not awaited); its key goes to `submit(closes=)`
        with the turn's real row. `record` is the row the turn gets if its process dies first."""
        row = validate(record)
        key = secrets.token_hex(16)
        with self._submit_lock:
            if self._closed:
                raise StoreError("The audit log is closed.")
            self._queue.put((_Open(key, row), None))
        return key

    def submit(self, record: TurnRecord | AuthRecord, *, closes: str | None = None) -> Future[int]:
        """Queue a record; the future resolves to its seq once committed, or raises StoreError.
        `closes`: the marker (`open_turn`) this row replaces, deleted in the same transaction.

        A malformed record raises ValueError/TypeError here; a closed log raises StoreError.
        """
        row = validate(record)
        if closes is not None:
            row["_closes"] = closes
        future: Future[int] = Future()
        with self._submit_lock:
            if self._closed:
                raise StoreError("The audit log is closed.")
            row["ts"] = utc_now()  # under the lock, so ts never goes backwards along seq
            self._queue.put((row, future))
        return future

    async def write(self, record: TurnRecord | AuthRecord, *, closes: str | None = None) -> int:
        """Submit and await the seq; cancelling the caller does not cancel the write."""
        return await asyncio.shield(asyncio.wrap_future(self.submit(record, closes=closes)))

    def tail(self, n: int = 20) -> list[dict[str, Any]]:
        """The last `n` rows, oldest first, without mac; redaction counts as dicts, kb hashes as lists."""
        return tail(self._engine, n)

    @property
    def alive(self) -> bool:
        """The writer thread is running (a failed batch does not stop it: the next one is tried anew)."""
        return self._thread is not None and self._thread.is_alive() and not self._closed

    def _run(self) -> None:
        # Rows left unsigned by a crash or a signer outage get their checkpoint at once.
        self._checkpoint("time", force=True)
        while True:
            batch: list[tuple[dict[str, Any], Future[int]]] = []
            try:
                item = self._queue.get(timeout=min(self._checkpoint_seconds, 60.0))
            except queue.Empty:
                self._write_batch([(_RECLAIM, None)])  # another process's turns, if it died
                self._checkpoint("time")
                continue
            stop = item is _CLOSE
            if not stop:
                batch.append(item)
            while not stop and len(batch) < _MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _CLOSE:
                    stop = True
                else:
                    batch.append(item)
            if batch:
                self._write_batch(batch)
                if self._last is not None and self._last[0] - self._checkpointed_seq >= self._checkpoint_rows:
                    self._checkpoint("rows")
                else:
                    self._checkpoint("time")
            if stop:
                self._checkpoint("shutdown", force=True)
                return

    def _checkpoint(self, kind: str, force: bool = False) -> None:
        """Sign and append a checkpoint when rows were added since the last one (and it is due)."""
        if self._checkpoints is None or self._last is None or self._last[0] <= self._checkpointed_seq:
            return
        due = kind == "rows" or force or time.monotonic() - self._checkpointed_at >= self._checkpoint_seconds
        if not due:
            return
        seq, mac = self._last
        try:
            self._checkpoints.append(kind, seq, mac, utc_now())
        except HushdeskError:
            _log.error("audit checkpoint could not be written; retrying with the next batch")
            return
        self._checkpointed_seq, self._checkpointed_at = seq, time.monotonic()

    def _write_batch(self, batch: list[tuple[Any, Future[int] | None]]) -> None:
        # Every queued row is written even if its future was cancelled: audit rows are not optional.
        for _, fut in batch:
            if fut is not None:
                fut.set_running_or_notify_cancel()
        # Reclaimed rows go last: their time is now, so ts never goes back along seq.
        batch = [b for b in batch if b[0] is not _RECLAIM] + [b for b in batch if b[0] is _RECLAIM]
        try:
            with transaction(self._engine, write=True) as conn:
                # The chain's end is read inside the write transaction (BEGIN IMMEDIATE): several app
                # processes share one store, and another may have appended since this one last wrote.
                seq, mac = _last_link_in(conn)
                rows, owners, opened, closed = [], [], [], []
                for item, fut in batch:
                    if isinstance(item, _Open):
                        opened.append((item.key, os.getpid(), self._where, time.time(), json.dumps(item.row)))
                        continue
                    if item is _RECLAIM:
                        found = self._reclaim(conn)
                    else:
                        if "_closes" in item:
                            item = dict(item)
                            closed.append((item.pop("_closes"),))
                        found = [item]
                    for row in found:
                        seq += 1
                        full = {**row, "seq": seq}
                        mac = next_mac(self._chain_key, mac, full)
                        full["mac"] = mac.hex()
                        rows.append(full)
                        owners.append(fut if row is item else None)
                if opened:
                    conn.exec_driver_sql("INSERT INTO turns_open (key, pid, boot, opened, row) VALUES (?, ?, ?, ?, ?)",
                                         opened)
                if closed:
                    conn.exec_driver_sql("DELETE FROM turns_open WHERE key = ?", closed)
                if rows:
                    conn.exec_driver_sql(_INSERT, rows)
                    update_rollups(conn, rows)  # the dashboard's aggregates, in the same transaction
        except Exception as exc:  # noqa: BLE001 - the writer thread must survive any failure
            if not isinstance(exc, HushdeskError):
                _log.error("audit batch failed: %s", type(exc).__name__)
            self._last = None
            self.failed = True
            for _, fut in batch:
                if fut is not None and not fut.cancelled():
                    fut.set_exception(StoreError("The audit event could not be recorded."))
            return
        # The chain's end as read in this transaction, rows or not: other hosts' rows included, so this
        # host's next checkpoint covers them (each host signs its own checkpoint file).
        self._last = (seq, mac)
        self.failed = False
        for full, fut in zip(rows, owners):
            if fut is not None and not fut.cancelled():
                fut.set_result(full["seq"])

    def _reclaim(self, conn: Any) -> list[dict[str, Any]]:
        """Inside the write transaction: the markers of processes that are gone, deleted, as rows."""
        now = time.time()
        gone = [(key, row) for key, pid, where, opened, row in conn.exec_driver_sql(
                    "SELECT key, pid, boot, opened, row FROM turns_open ORDER BY opened").all()
                if now - float(opened) > _STALE_MARKER or _gone_here(where, int(pid), self._host)]
        out = []
        for key, raw in gone:
            conn.exec_driver_sql("DELETE FROM turns_open WHERE key = ?", (key,))
            try:
                row = json.loads(raw)
            except ValueError:
                _log.error("an open-turn marker was unreadable; dropped")
                continue
            row["ts"] = utc_now()
            out.append(row)
        if out:
            _log.warning("%d turn(s) of a process that stopped recorded as interrupted", len(out))
        return out

    def _fail_queued(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _CLOSE and item[1] is not None and item[1].set_running_or_notify_cancel():
                item[1].set_exception(StoreError("The audit log is closed."))


def tail(engine: Engine, n: int) -> list[dict[str, Any]]:
    if n < 1:
        return []
    with transaction(engine) as conn:
        rows = conn.exec_driver_sql(
            f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY seq DESC LIMIT ?", (n,)
        ).all()
    out = []
    for row in reversed(rows):
        item = dict(zip(COLUMNS, row))
        for name in ("redactions_in", "redactions_out", "kb_documents", "kb_collections"):
            try:
                item[name] = json.loads(item[name]) if item[name] is not None else None
            except (TypeError, ValueError):  # a damaged row is shown as stored; verify reports it
                pass
        out.append(item)
    return out
