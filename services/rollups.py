"""Pre-aggregated, anonymized usage for the dashboard, kept up to date by the audit writer.

Contract (the audit writer and the store call these; nothing else writes the rollup tables):
- `m003_rollups(conn)`: the migration creating the rollup tables.
- `update_rollups(conn, rows)`: called by `AuditLog` inside the same transaction that inserts `rows`
  (dicts with the audit COLUMNS: ts, kind, user_hash, prompt_tokens, completion_tokens, ttft_ms,
  latency_ms, redactions_in/out as canonical JSON text, outcome, …), so the rollups never disagree
  with the rows.
- `purge_rollups(conn, before_ts)`: called by the audit purge in the same transaction; drops rollup
  rows that hold user hashes for hours before `before_ts` (an ISO-8601 UTC text like the rows' ts).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from sqlalchemy.engine import Connection

__all__ = ["m003_rollups", "update_rollups", "purge_rollups"]


def m003_rollups(conn: Connection) -> None:
    """Create the rollup tables (filled in by the dashboard work)."""


def update_rollups(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Fold freshly inserted audit rows into the rollups (same transaction)."""


def purge_rollups(conn: Connection, before_ts: str) -> None:
    """Forget rollup rows holding user hashes for hours before `before_ts`."""
