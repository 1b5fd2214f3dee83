"""The audit log: one row per chat turn or login event, chained by HMAC, written by one thread.

Rows hold only what the records hold: hashed IDs, role, model, token counts, timings, counts of
redactions per label and an outcome; never message text or raw IDs. `ts` is UTC ISO-8601 text
with milliseconds and a Z (`2026-11-22T00:50:58.725Z`), taken when the record is submitted.

Chain: mac_i = HMAC-SHA256(chain_key, mac_{i-1} || canonical_json(row_i without mac)), mac_0 = 32
zero bytes, `seq` contiguous from 1. It catches an edited, deleted or reordered row, not a cut
tail (that needs a checkpoint kept outside the store).

    python -m services.audit tail [-n N] [--json]
    python -m services.audit verify
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import math
import queue
import re
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from sqlalchemy.engine import Engine

from .errors import HushdeskError, StoreError
from .rollups import update_rollups
from .store import transaction, utc_now

__all__ = ["TurnRecord", "AuthRecord", "AuditLog", "verify_chain", "export_rows", "canonical_json", "COLUMNS", "main"]

_log = logging.getLogger(__name__)

COLUMNS = (
    "seq", "ts", "kind", "session_hash", "user_hash", "role", "model", "prompt_tokens",
    "completion_tokens", "ttft_ms", "latency_ms", "redactions_in", "redactions_out", "outcome",
    "target_hash",
)
# target_hash (m002) enters a row's MAC only when set, so rows written before it still verify.
_OPTIONAL = frozenset({"target_hash"})
AUTH_KINDS = ("login", "login_failed", "login_refused", "account_locked", "logout", "session_end",
              "consent", "admin_action")
_ZERO_MAC = bytes(32)
_HASH = re.compile(r"[0-9a-f]{64}")
_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_WORD = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # roles and outcomes
_MODEL = re.compile(r"[A-Za-z0-9_.:@/+-]{0,128}")  # may be empty: engine not named yet
_MAX_BATCH = 1000
_CLOSE = object()
_INSERT = (
    f"INSERT INTO audit_events ({', '.join(COLUMNS)}, mac) "
    f"VALUES ({', '.join(':' + c for c in COLUMNS)}, :mac)"
)


@dataclass(frozen=True)
class TurnRecord:
    """One chat turn: hashes (from keys.hash_id), counts and timings only; kind is "turn"."""

    session_hash: str
    user_hash: str
    role: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    ttft_ms: float | None
    latency_ms: float
    redactions_in: Mapping[str, int]
    redactions_out: Mapping[str, int]
    outcome: str
    kind: str = field(default="turn", init=False)


@dataclass(frozen=True)
class AuthRecord:
    """A sign-in or session event (kind in AUTH_KINDS); `target_hash` names the user an admin acted on."""

    kind: str
    user_hash: str
    role: str | None = None
    session_hash: str | None = None
    outcome: str = "ok"
    target_hash: str | None = None


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, ASCII only, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _next_mac(chain_key: bytes, previous: bytes, row: Mapping[str, Any]) -> bytes:
    body = {c: row[c] for c in COLUMNS if c not in _OPTIONAL or row.get(c) is not None}
    return hmac.new(chain_key, previous + canonical_json(body).encode("ascii"), hashlib.sha256).digest()


def _hash(value: object, what: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        raise ValueError(f"{what} must be a hash from keys.hash_id (64 lowercase hex)")
    return value


def _word(value: object, what: str, optional: bool = False, pattern: re.Pattern[str] = _WORD) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"{what} must be a short label")
    return value


def _count(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer or None")
    return value


def _millis(value: object, what: str, optional: bool) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a finite non-negative number")
    return float(value)  # stored as REAL: an int would read back as a float and break the MAC


def _redactions(value: object, what: str) -> str:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must map labels to counts")
    for label, count in value.items():
        if not isinstance(label, str) or not _LABEL.fullmatch(label):
            raise ValueError(f"{what} labels must be short entity names")
        _count(count, what)
    return canonical_json(dict(value))


def _row(record: TurnRecord | AuthRecord) -> dict[str, Any]:
    """Validate a record into a row without seq, ts and mac; ValueError on a bad field."""
    if isinstance(record, TurnRecord):
        return {
            "kind": "turn",
            "session_hash": _hash(record.session_hash, "session_hash"),
            "user_hash": _hash(record.user_hash, "user_hash"),
            "role": _word(record.role, "role"),
            "model": _word(record.model, "model", pattern=_MODEL),
            "prompt_tokens": _count(record.prompt_tokens, "prompt_tokens"),
            "completion_tokens": _count(record.completion_tokens, "completion_tokens"),
            "ttft_ms": _millis(record.ttft_ms, "ttft_ms", True),
            "latency_ms": _millis(record.latency_ms, "latency_ms", False),
            "redactions_in": _redactions(record.redactions_in, "redactions_in"),
            "redactions_out": _redactions(record.redactions_out, "redactions_out"),
            "outcome": _word(record.outcome, "outcome"),
            "target_hash": None,
        }
    if isinstance(record, AuthRecord):
        if record.kind not in AUTH_KINDS:
            raise ValueError("kind must be one of " + ", ".join(AUTH_KINDS))
        return {
            "kind": record.kind,
            "session_hash": _hash(record.session_hash, "session_hash", True),
            "user_hash": _hash(record.user_hash, "user_hash"),
            "role": _word(record.role, "role", True),
            "model": None, "prompt_tokens": None, "completion_tokens": None, "ttft_ms": None,
            "latency_ms": None, "redactions_in": None, "redactions_out": None,
            "outcome": _word(record.outcome, "outcome"),
            "target_hash": _hash(record.target_hash, "target_hash", True),
        }
    raise TypeError("record must be a TurnRecord or an AuthRecord")


def _last_link(engine: Engine) -> tuple[int, bytes]:
    with transaction(engine) as conn:
        row = conn.exec_driver_sql("SELECT seq, mac FROM audit_events ORDER BY seq DESC LIMIT 1").first()
    if row is None:
        return 0, _ZERO_MAC
    try:
        return int(row[0]), bytes.fromhex(row[1])
    except (TypeError, ValueError):
        raise StoreError("The audit chain is damaged; run: python -m services.audit verify") from None


class AuditLog:
    """Appends audit rows through one writer thread; `submit` and `write` return the row's seq."""

    def __init__(self, engine: Engine, chain_key: bytes) -> None:
        self._engine = engine
        self._chain_key = chain_key
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._submit_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._last: tuple[int, bytes] | None = None

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
            self._thread = threading.Thread(target=self._run, name="hushdesk-audit-writer", daemon=True)
            self._thread.start()

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

    def submit(self, record: TurnRecord | AuthRecord) -> Future[int]:
        """Queue a record; the future resolves to its seq once committed, or raises StoreError.

        A malformed record raises ValueError/TypeError here; a closed log raises StoreError.
        """
        row = _row(record)
        future: Future[int] = Future()
        with self._submit_lock:
            if self._closed:
                raise StoreError("The audit log is closed.")
            row["ts"] = utc_now()  # under the lock, so ts never goes backwards along seq
            self._queue.put((row, future))
        return future

    async def write(self, record: TurnRecord | AuthRecord) -> int:
        """Submit and await the seq; cancelling the caller does not cancel the write."""
        return await asyncio.shield(asyncio.wrap_future(self.submit(record)))

    def tail(self, n: int = 20) -> list[dict[str, Any]]:
        """The last `n` rows, oldest first, without mac; redaction counts as dicts."""
        return _tail(self._engine, n)

    def _run(self) -> None:
        while True:
            batch: list[tuple[dict[str, Any], Future[int]]] = []
            item = self._queue.get()
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
            if stop:
                return

    def _write_batch(self, batch: list[tuple[dict[str, Any], Future[int]]]) -> None:
        # Every queued row is written even if its future was cancelled: audit rows are not optional.
        for _, fut in batch:
            fut.set_running_or_notify_cancel()
        try:
            if self._last is None:  # a failed batch may have left the DB ahead of memory
                self._last = _last_link(self._engine)
            seq, mac = self._last
            rows = []
            for row, _ in batch:
                seq += 1
                full = {**row, "seq": seq}
                mac = _next_mac(self._chain_key, mac, full)
                full["mac"] = mac.hex()
                rows.append(full)
            with transaction(self._engine, write=True) as conn:
                conn.exec_driver_sql(_INSERT, rows)
                update_rollups(conn, rows)  # the dashboard's aggregates, in the same transaction
        except Exception as exc:  # noqa: BLE001 - the writer thread must survive any failure
            if not isinstance(exc, HushdeskError):
                _log.error("audit batch failed: %s", type(exc).__name__)
            self._last = None
            for _, fut in batch:
                if not fut.cancelled():
                    fut.set_exception(StoreError("The audit event could not be recorded."))
            return
        self._last = (seq, mac)
        for full, (_, fut) in zip(rows, batch):
            if not fut.cancelled():
                fut.set_result(full["seq"])

    def _fail_queued(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _CLOSE and item[1].set_running_or_notify_cancel():
                item[1].set_exception(StoreError("The audit log is closed."))


def _tail(engine: Engine, n: int) -> list[dict[str, Any]]:
    if n < 1:
        return []
    with transaction(engine) as conn:
        rows = conn.exec_driver_sql(
            f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY seq DESC LIMIT ?", (n,)
        ).all()
    out = []
    for row in reversed(rows):
        item = dict(zip(COLUMNS, row))
        for name in ("redactions_in", "redactions_out"):
            try:
                item[name] = json.loads(item[name]) if item[name] is not None else None
            except (TypeError, ValueError):  # a damaged row is shown as stored; verify reports it
                pass
        out.append(item)
    return out


def export_rows(engine: Engine) -> list[str]:
    """Every row, oldest first, as canonical JSON lines with its mac (hashes and metadata only)."""
    with transaction(engine) as conn:
        rows = conn.exec_driver_sql(f"SELECT {', '.join(COLUMNS)}, mac FROM audit_events ORDER BY seq").all()
    return [canonical_json(dict(zip((*COLUMNS, "mac"), row))) + "\n" for row in rows]


def verify_chain(engine: Engine, chain_key: bytes) -> tuple[bool, int | None]:
    """Recompute the chain: (True, None) when intact, else (False, first bad or missing seq)."""
    expected_seq, mac = 1, _ZERO_MAC
    with transaction(engine) as conn:
        result = conn.exec_driver_sql(f"SELECT {', '.join(COLUMNS)}, mac FROM audit_events ORDER BY seq")
        while chunk := result.fetchmany(1000):
            for values in chunk:
                row = dict(zip((*COLUMNS, "mac"), values))
                if row["seq"] != expected_seq:
                    return False, expected_seq
                try:
                    mac = _next_mac(chain_key, mac, row)
                except (TypeError, ValueError):
                    return False, expected_seq
                if not isinstance(row["mac"], str) or not hmac.compare_digest(mac.hex(), row["mac"]):
                    return False, expected_seq
                expected_seq += 1
    return True, None


# Command line ---------------------------------------------------------------------------------

_TABLE = (
    ("seq", "seq"), ("ts", "ts"), ("kind", "kind"), ("user", "user_hash"), ("session", "session_hash"),
    ("role", "role"), ("model", "model"), ("in", "prompt_tokens"), ("out", "completion_tokens"),
    ("ttft_ms", "ttft_ms"), ("latency_ms", "latency_ms"), ("redact_in", "redactions_in"),
    ("redact_out", "redactions_out"), ("outcome", "outcome"),
)


def _cell(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if name.endswith("_hash"):
        return value[:12]
    if name.endswith("_ms"):
        return f"{value:.1f}"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items())) or "-"
    return str(value)


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as an aligned text table (hashes shortened to 12 characters)."""
    cells = [[title for title, _ in _TABLE]]
    cells += [[_cell(col, row.get(col)) for _, col in _TABLE] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_TABLE))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in cells)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.audit", description="Read the audit log.")
    sub = parser.add_subparsers(dest="command", required=True)
    tail = sub.add_parser("tail", help="print the newest rows, oldest first")
    tail.add_argument("-n", type=int, default=20, help="how many rows (default 20)")
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    sub.add_parser("verify", help="check the HMAC chain; exit 1 at the first bad row")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: `tail [-n N] [--json]` or `verify`; errors print a fixed message, exit 2."""
    args = _parser().parse_args(argv)
    from .config import load_settings
    from .keys import load_keys
    from .store import open_store

    try:
        settings = load_settings()
        keys = load_keys(settings, create=False)
        engine = open_store(settings, keys, create=False)
        try:
            if args.command == "verify":
                ok, bad = verify_chain(engine, keys.chain_key)
                print("ok" if ok else f"chain broken at seq {bad}")
                return 0 if ok else 1
            rows = _tail(engine, args.n)
        finally:
            engine.dispose()
    except HushdeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - no traceback on the command line
        print(f"Unexpected error ({type(exc).__name__}).", file=sys.stderr)
        return 2
    if args.json:
        for row in rows:
            print(canonical_json(row))
    elif rows:
        print(format_table(rows))
    else:
        print("No audit events yet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
