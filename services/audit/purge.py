"""Remove audit rows past the retention period, leaving the rest of the chain verifiable.

Only rows that a checkpoint signed before the cut-off covers are removed (a few newer ones wait for
the next purge): the signer service signs a purge anchor for nothing else, so that a compromised
app cannot wipe recent rows under a "purge".

The signed `purge` checkpoint (seq and chain value of the last removed row) is written first, then
the rows and the dashboard's per-user rollups for those hours are deleted in one transaction; the
chain then verifies from that checkpoint. If the deletion fails after the checkpoint, the rows that
remain before it are simply not checked again.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Engine

from .rollups import purge_rollups
from ..store import transaction, utc_now
from .checkpoints import Checkpoints

__all__ = ["purge", "cutoff"]


def cutoff(days: int, now: datetime | None = None) -> str:
    """The ts before which rows are older than `days` days."""
    moment = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def purge(engine: Engine, checkpoints: Checkpoints, older_than: str) -> int:
    """Remove rows with ts < `older_than`; how many were removed."""
    covered = max((c.seq for c in checkpoints.read() if c.valid and c.kind != "purge" and c.ts < older_than),
                  default=0)
    with transaction(engine) as conn:
        last = conn.exec_driver_sql("SELECT seq, mac FROM audit_events WHERE ts < ? AND seq <= ? "
                                    "ORDER BY seq DESC LIMIT 1", (older_than, covered)).first()
    if last is None:
        return 0
    seq, mac = int(last[0]), bytes.fromhex(last[1])
    checkpoints.append("purge", seq, mac, utc_now())
    with transaction(engine, write=True) as conn:
        removed = conn.exec_driver_sql("DELETE FROM audit_events WHERE seq <= ?", (seq,)).rowcount
        purge_rollups(conn, older_than)
    return int(removed or 0)
