"""Check the audit chain against its key and its signed checkpoints; name the first fault and its kind.

Kinds of fault, for the first bad sequence number:
- `deleted`: a sequence number is missing (the rows after it skip it);
- `reordered`: the row there carries another position's content and chain value (rows swapped);
- `edited`: the row's content or chain value no longer matches;
- `truncated`: the store ends before a signed checkpoint's sequence number;
- `checkpoint`: a checkpoint line is not validly signed by this instance's key (forged or damaged);
- `checkpoint-gap`: the signature counter `n` skips a number (a checkpoint line was removed);
- `checkpoints-shortened`: a checkpoint the signer or the mirror holds is not in the file;
- `checkpoints-missing`: the store reached the first checkpoint (by rows or by time) but the file
  holds none;
- `checkpoints-behind`: more rows, or older ones, follow the last checkpoint than the writer ever
  leaves unsigned (it signs every `interval` rows and within `max_unsigned` seconds).

The last two apply when the caller gives `interval` and `max_unsigned`; `witnesses` are
checkpoints from elsewhere (the signer's last, the mirror's copy): each must also be in the file,
and each is held against the store like the file's own.

Purged rows (`python -m services.audit purge`) are not faults: the latest signed `purge` checkpoint
says up to which seq rows were removed and with which chain value the rest continues.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Sequence

from sqlalchemy.engine import Engine

from ..store import transaction
from .checkpoints import Checkpoint
from .records import COLUMNS, ZERO_MAC, mac_of, next_mac

__all__ = ["Verdict", "verify", "verify_chain"]

_FIELDS = (*COLUMNS, "mac")
_SELECT = f"SELECT {', '.join(COLUMNS)}, mac FROM audit_events WHERE seq > ? ORDER BY seq"
# Read in chunks as they come (PostgreSQL: a server-side cursor; psycopg would otherwise fetch all at once).
_STREAM = {"stream_results": True, "max_row_buffer": 5000}
_LOOKAHEAD = 10_000  # rows searched for a swapped partner before calling a fault an edit
_WHY = {"wrong-key": "the checkpoints' signing key is not the pinned one",
        "checkpoints-missing": "the store has rows past the first checkpoint but the checkpoint file has none",
        "checkpoint": "a checkpoint line is malformed"}
_SLACK = 1000  # rows of one writer batch that may follow the last checkpoint (log._MAX_BATCH)


@dataclass(frozen=True)
class Verdict:
    """The chain's state: ok, or the first bad seq and the kind of fault; rows checked."""

    ok: bool
    seq: int | None = None
    kind: str | None = None
    rows: int = 0
    checkpoints: int = 0
    purged_to: int = 0
    witnesses: int = 0

    def describe(self) -> str:
        """One line for people: `ok (N rows…)` or `seq N: kind`."""
        if self.ok:
            return (f"ok ({self.rows} rows, {self.checkpoints} signed checkpoints"
                    + (f", rows up to {self.purged_to} purged" if self.purged_to else "")
                    + (f", {self.witnesses} held by the signer or mirror" if self.witnesses else "") + ")")
        return f"seq {self.seq}: {self.kind}" if self.seq is not None else f"{self.kind}: {_WHY.get(self.kind, '')}"


def _rows(engine: Engine, after: int) -> Iterator[dict[str, Any]]:
    with transaction(engine) as conn:
        result = conn.exec_driver_sql(_SELECT, (after,), execution_options=_STREAM)
        while chunk := result.fetchmany(5000):
            for values in chunk:
                yield dict(zip(_FIELDS, values))


def _mac_ok(chain_key: bytes, previous: bytes, row: dict[str, Any]) -> bool:
    try:
        expected = next_mac(chain_key, previous, row).hex()
    except (TypeError, ValueError):
        return False
    return isinstance(row["mac"], str) and hmac.compare_digest(expected, row["mac"])


def _swapped(engine: Engine, chain_key: bytes, previous: bytes, seq: int) -> bool:
    """Whether a later row's content and chain value belong at `seq` (two rows exchanged)."""
    for n, row in enumerate(_rows(engine, seq)):
        if n >= _LOOKAHEAD:
            return False
        if _mac_ok(chain_key, previous, {**row, "seq": seq}):
            return True
    return False


def _tuples(engine: Engine, after: int) -> Iterator[tuple[Any, ...]]:
    with transaction(engine) as conn:
        result = conn.exec_driver_sql(_SELECT, (after,), execution_options=_STREAM)
        while chunk := result.fetchmany(5000):
            yield from chunk


def _file_fault(checkpoints: Sequence[Checkpoint], witnesses: Sequence[Checkpoint]) -> Verdict | None:
    """A forged line, a gap in the counter, or a witnessed checkpoint missing from the file."""
    bad = next((c for c in (*checkpoints, *witnesses) if not c.valid), None)
    if bad is not None:
        return Verdict(False, bad.seq if bad.seq >= 0 else None, "checkpoint")
    numbered = sorted((c for c in checkpoints if c.n is not None), key=lambda c: c.n or 0)
    expected = 1
    for mark in numbered:
        if mark.n == expected - 1:
            continue  # the same line twice
        if mark.n != expected:
            return Verdict(False, mark.seq, "checkpoint-gap")
        expected += 1
    held = {(c.n, c.sig) for c in checkpoints}
    missing = next((w for w in witnesses if (w.n, w.sig) not in held), None)
    if missing is not None:
        return Verdict(False, missing.seq, "checkpoints-shortened")
    return None


def _unsigned_since(engine: Engine, after: int) -> str | None:
    """The ts of the first row after seq `after` (the oldest row no checkpoint covers), if any."""
    with transaction(engine) as conn:
        return conn.exec_driver_sql("SELECT ts FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 1", (after,)).scalar()


def verify(engine: Engine, chain_key: bytes, checkpoints: Sequence[Checkpoint] = (), *,
           interval: int | None = None, max_unsigned: float | None = None,
           witnesses: Sequence[Checkpoint] = ()) -> Verdict:
    """Recompute the chain from the purge anchor (or the start) and hold it against the checkpoints."""
    fault = _file_fault(checkpoints, witnesses)
    if fault is not None:
        return fault
    every = (*checkpoints, *witnesses)
    purge = max((c for c in every if c.kind == "purge"), key=lambda c: c.seq, default=None)
    start, mac = (purge.seq, bytes.fromhex(purge.mac)) if purge else (0, ZERO_MAC)
    marks = {c.seq: c.mac for c in every if c.kind != "purge"}
    expected, count, last = start + 1, 0, len(COLUMNS)
    for values in _tuples(engine, start):
        seq, stored = values[0], values[last]
        if seq != expected:
            return Verdict(False, expected, "deleted", count)
        try:
            good = mac_of(chain_key, mac, values[:last]).hex() == stored
        except (TypeError, ValueError):
            good = False
        if not good:
            kind = "reordered" if _swapped(engine, chain_key, mac, seq) else "edited"
            return Verdict(False, seq, kind, count)
        if seq in marks and not hmac.compare_digest(marks[seq], stored):
            return Verdict(False, seq, "edited", count)
        mac = bytes.fromhex(stored)
        expected, count = seq + 1, count + 1
    last_mark = max(marks, default=0)
    if last_mark >= expected:
        return Verdict(False, expected, "truncated", count)
    if interval is not None and max_unsigned is not None:
        covered = max((c.seq for c in every), default=0)
        oldest = _unsigned_since(engine, covered)
        limit = (datetime.now(timezone.utc) - timedelta(seconds=max_unsigned)).isoformat(
            timespec="milliseconds").replace("+00:00", "Z")
        late = expected - 1 - covered >= (interval + _SLACK if checkpoints else interval) or (
            isinstance(oldest, str) and oldest < limit)
        if late:
            return Verdict(False, None if not checkpoints else covered + 1,
                           "checkpoints-behind" if checkpoints else "checkpoints-missing", count)
    return Verdict(True, rows=count, checkpoints=len(checkpoints), purged_to=start, witnesses=len(witnesses))


def verify_chain(engine: Engine, chain_key: bytes) -> tuple[bool, int | None]:
    """The chain alone, without checkpoints: (True, None) or (False, first bad seq)."""
    verdict = verify(engine, chain_key)
    return verdict.ok, verdict.seq
