"""Pre-aggregated, anonymized usage for the dashboard, kept up to date by the audit writer.

Contract (the audit writer and the store call these; nothing else writes the rollup tables):
- `m003_rollups(conn)`: the migration creating the rollup tables (and folding in turns already stored).
- `update_rollups(conn, rows)`: called by `AuditLog` inside the same transaction that inserts `rows`
  (dicts with the audit COLUMNS: ts, kind, user_hash, prompt_tokens, completion_tokens, ttft_ms,
  latency_ms, redactions_in/out as canonical JSON text, outcome, …), so the rollups never disagree
  with the rows.
- `create_kb_rollups(conn)`: part of the store's migration m005 (the knowledge-base table below).
- `purge_rollups(conn, before_ts)`: called by the audit purge in the same transaction; drops rollup
  rows that hold user hashes for hours before `before_ts` (an ISO-8601 UTC text like the rows' ts).

Chat turns (`kind == "turn"`) are folded in, and reported misses into the redaction tables, keyed by UTC
hour (hours since 1970-01-01):

    rollup_hours       hour → turns, ok, failures, refusals, other, prompt/completion tokens, users
    rollup_days        day → users (distinct users with a turn that UTC day)
    rollup_timings     (hour, metric, bin) → n   metric 0 = latency_ms, 1 = ttft_ms (answered turns),
                       2 = kb_latency_ms (every turn that searched the knowledge base)
    rollup_timing_days (day, metric, bin) → n    the same by UTC day, so long ranges read few rows
    rollup_redactions  (hour, direction, label) → n   direction "in" or "out", or "miss": messages staff
                       reported as holding a value redaction missed (`redaction_miss_reported` rows)
    rollup_redaction_days (day, direction, label) → n
    rollup_user_hours  (hour, user_key)   which users were active, for distinct counts
    rollup_user_days   (day, user_key)
    rollup_state       key → value   ("purged_before_hour")
    rollup_kb_hours    hour → searched (turns that searched the knowledge base), no_answer (of those,
                       none given a passage), with_sources (answered turns given at least one passage)

`user_key` is the first 64 bits of the (already keyed) user hash as a signed integer: distinct
counts stay exact unless two of ~10^9 users collide, and the full hash is never copied. Timings are
log-scale bins, `BINS_PER_DOUBLING` per doubling of milliseconds (see `bin_of`, `bin_value`).
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from sqlalchemy.engine import Connection

__all__ = [
    "m003_rollups", "update_rollups", "purge_rollups", "bin_of", "bin_value", "percentile_from_bins",
    "outcome_class", "hour_of", "BINS_PER_DOUBLING", "MAX_BIN", "RELATIVE_ERROR", "LATENCY", "TTFT",
    "KB_LATENCY", "REFUSALS", "OTHER", "create_kb_rollups",
]

_log = logging.getLogger(__name__)

BINS_PER_DOUBLING = 8
MAX_BIN = 1 + 24 * BINS_PER_DOUBLING  # 2^24 ms (about 4.7 h) and above share the last bin
RELATIVE_ERROR = 2 ** (1 / (2 * BINS_PER_DOUBLING)) - 1  # a bin's centre is within 4.4% of its edges
LATENCY, TTFT, KB_LATENCY = 0, 1, 2
# Refused before or while answering by a rule, not a failure: input checks, the output policy and
# the limits (services/limits.py).
REFUSALS = frozenset({"rejected_input", "reply_blocked", "rate_limited", "turn_in_flight", "busy", "limited"})
OTHER = frozenset({"cancelled"})
_BACKFILL_CHUNK = 5000
MISS_KIND = "redaction_miss_reported"

_TABLES = (
    """CREATE TABLE rollup_hours (
        hour INTEGER PRIMARY KEY,
        turns INTEGER NOT NULL DEFAULT 0,
        ok INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        refusals INTEGER NOT NULL DEFAULT 0,
        other INTEGER NOT NULL DEFAULT 0,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        users INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE TABLE rollup_days (day INTEGER PRIMARY KEY, users INTEGER NOT NULL DEFAULT 0)",
    """CREATE TABLE rollup_timings (
        hour INTEGER NOT NULL, metric INTEGER NOT NULL, bin INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (hour, metric, bin)
    ) WITHOUT ROWID""",
    """CREATE TABLE rollup_timing_days (
        day INTEGER NOT NULL, metric INTEGER NOT NULL, bin INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (day, metric, bin)
    ) WITHOUT ROWID""",
    """CREATE TABLE rollup_redactions (
        hour INTEGER NOT NULL, direction TEXT NOT NULL, label TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (hour, direction, label)
    ) WITHOUT ROWID""",
    """CREATE TABLE rollup_redaction_days (
        day INTEGER NOT NULL, direction TEXT NOT NULL, label TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (day, direction, label)
    ) WITHOUT ROWID""",
    """CREATE TABLE rollup_user_hours (
        hour INTEGER NOT NULL, user_key INTEGER NOT NULL, PRIMARY KEY (hour, user_key)
    ) WITHOUT ROWID""",
    """CREATE TABLE rollup_user_days (
        day INTEGER NOT NULL, user_key INTEGER NOT NULL, PRIMARY KEY (day, user_key)
    ) WITHOUT ROWID""",
    "CREATE TABLE rollup_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

_UPSERT_HOURS = (
    "INSERT INTO rollup_hours (hour, turns, ok, failures, refusals, other, prompt_tokens, completion_tokens) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hour) DO UPDATE SET "
    "turns = rollup_hours.turns + excluded.turns, ok = rollup_hours.ok + excluded.ok, "
    "failures = rollup_hours.failures + excluded.failures, refusals = rollup_hours.refusals + excluded.refusals, "
    "other = rollup_hours.other + excluded.other, "
    "prompt_tokens = rollup_hours.prompt_tokens + excluded.prompt_tokens, "
    "completion_tokens = rollup_hours.completion_tokens + excluded.completion_tokens"
)
_UPSERT_TIMINGS = (
    "INSERT INTO rollup_timings (hour, metric, bin, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (hour, metric, bin) DO UPDATE SET n = rollup_timings.n + excluded.n"
)
_UPSERT_TIMING_DAYS = (
    "INSERT INTO rollup_timing_days (day, metric, bin, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (day, metric, bin) DO UPDATE SET n = rollup_timing_days.n + excluded.n"
)
_UPSERT_REDACTIONS = (
    "INSERT INTO rollup_redactions (hour, direction, label, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (hour, direction, label) DO UPDATE SET n = rollup_redactions.n + excluded.n"
)
_UPSERT_REDACTION_DAYS = (
    "INSERT INTO rollup_redaction_days (day, direction, label, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (day, direction, label) DO UPDATE SET n = rollup_redaction_days.n + excluded.n"
)


_KB_TABLE = """CREATE TABLE rollup_kb_hours (
    hour INTEGER PRIMARY KEY,
    searched INTEGER NOT NULL DEFAULT 0,
    no_answer INTEGER NOT NULL DEFAULT 0,
    with_sources INTEGER NOT NULL DEFAULT 0
)"""
_UPSERT_KB = (
    "INSERT INTO rollup_kb_hours (hour, searched, no_answer, with_sources) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (hour) DO UPDATE SET searched = rollup_kb_hours.searched + excluded.searched, "
    "no_answer = rollup_kb_hours.no_answer + excluded.no_answer, "
    "with_sources = rollup_kb_hours.with_sources + excluded.with_sources"
)


def create_kb_rollups(conn: Connection) -> None:
    """The knowledge-base rollup (migration m005; rows stored before it never searched)."""
    conn.exec_driver_sql(_KB_TABLE)


def m003_rollups(conn: Connection) -> None:
    """Create the rollup tables and fold in the turns already stored."""
    for statement in _TABLES:
        conn.exec_driver_sql(statement)
    columns = ("ts", "kind", "user_hash", "prompt_tokens", "completion_tokens", "ttft_ms", "latency_ms",
               "redactions_in", "redactions_out", "outcome")
    last = 0
    while True:
        chunk = conn.exec_driver_sql(
            f"SELECT seq, {', '.join(columns)} FROM audit_events WHERE seq > ? AND kind = 'turn' "
            "ORDER BY seq LIMIT ?", (last, _BACKFILL_CHUNK)).all()
        if not chunk:
            return
        update_rollups(conn, [dict(zip(columns, row[1:])) for row in chunk])
        last = chunk[-1][0]


def bin_of(ms: float) -> int:
    """The timing bin of a duration in ms: 0 below 1 ms, then BINS_PER_DOUBLING bins per doubling."""
    if not ms >= 1:  # also NaN
        return 0
    return min(MAX_BIN, 1 + math.floor(math.log2(ms) * BINS_PER_DOUBLING))


def bin_value(b: int) -> float:
    """The value reported for a bin: its geometric centre (0.5 ms for bin 0)."""
    if b <= 0:
        return 0.5
    return 2 ** ((b - 0.5) / BINS_PER_DOUBLING)


def percentile_from_bins(counts: Mapping[int, int], q: float) -> float | None:
    """Nearest-rank percentile `q` (0 < q ≤ 1) of binned values as its bin's value; None if empty.

    The exact nearest-rank percentile of the values lies in the bin returned, so the answer is
    within RELATIVE_ERROR of it (within 0.5 ms below 1 ms).
    """
    total = sum(counts.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(q * total - 1e-9))
    seen = 0
    for b in sorted(counts):
        seen += counts[b]
        if seen >= rank:
            return bin_value(b)
    return bin_value(max(counts))


def outcome_class(outcome: str) -> str:
    """'ok', 'refusal', 'other' (a turn the user cancelled) or 'failure' (anything else)."""
    if outcome == "ok":
        return "ok"
    if outcome in REFUSALS:
        return "refusal"
    if outcome in OTHER:
        return "other"
    return "failure"


_HOUR_CACHE: dict[str, int] = {}


def hour_of(ts: str) -> int:
    """UTC hours since 1970-01-01 of an ISO-8601 UTC text like 2026-11-22T00:50:58.725Z."""
    key = ts[:13]
    hour = _HOUR_CACHE.get(key)
    if hour is None:
        if len(key) != 13 or key[10] != "T":
            raise ValueError("not an ISO-8601 UTC time")
        moment = datetime.strptime(key, "%Y-%m-%dT%H").replace(tzinfo=timezone.utc)
        hour = int(moment.timestamp()) // 3600
        if len(_HOUR_CACHE) > 100_000:
            _HOUR_CACHE.clear()
        _HOUR_CACHE[key] = hour
    return hour


def _user_key(user_hash: str) -> int:
    value = int(user_hash[:16], 16)
    return value - (1 << 64) if value >= 1 << 63 else value


_LABEL_CACHE: dict[str, tuple[tuple[str, int], ...]] = {}


def _labels(text: Any) -> tuple[tuple[str, int], ...]:
    if not text or text == "{}":
        return ()
    if not isinstance(text, str):
        return tuple((str(label), int(n)) for label, n in text.items() if n)
    parsed = _LABEL_CACHE.get(text)
    if parsed is None:  # the same few shapes recur: parse each once
        parsed = tuple((str(label), int(n)) for label, n in json.loads(text).items() if n)
        if len(_LABEL_CACHE) > 10_000:
            _LABEL_CACHE.clear()
        _LABEL_CACHE[text] = parsed
    return parsed


class _Fold:
    """One batch of turn rows, summed in memory before a few UPSERTs."""

    def __init__(self) -> None:
        self.hours: dict[int, list[int]] = defaultdict(lambda: [0] * 7)
        self.timings: dict[tuple[int, int, int], int] = defaultdict(int)
        self.redactions: dict[tuple[int, str, str], int] = defaultdict(int)
        self.users: dict[int, set[int]] = defaultdict(set)
        self.kb: dict[int, list[int]] = defaultdict(lambda: [0] * 3)

    def add(self, row: Mapping[str, Any]) -> None:
        hour = hour_of(row["ts"])
        user = _user_key(row["user_hash"])
        klass = outcome_class(row["outcome"])
        redactions = [("in", label, n) for label, n in _labels(row.get("redactions_in"))]
        redactions += [("out", label, n) for label, n in _labels(row.get("redactions_out"))]
        passages = row.get("kb_passages")
        kb_ms = None if passages is None else float(row["kb_latency_ms"])
        # Everything parsed before anything is counted: a bad row is skipped whole.
        sums = self.hours[hour]
        sums[0] += 1
        sums[("ok", "failure", "refusal", "other").index(klass) + 1] += 1
        sums[5] += int(row.get("prompt_tokens") or 0)
        sums[6] += int(row.get("completion_tokens") or 0)
        self.users[hour].add(user)
        if klass == "ok":
            for metric, name in ((LATENCY, "latency_ms"), (TTFT, "ttft_ms")):
                value = row.get(name)
                if value is not None:
                    self.timings[(hour, metric, bin_of(float(value)))] += 1
        for direction, label, n in redactions:
            self.redactions[(hour, direction, label)] += n
        if passages is not None:
            kb = self.kb[hour]
            kb[0] += 1
            kb[1] += int(passages) == 0
            kb[2] += klass == "ok" and int(passages) > 0
            self.timings[(hour, KB_LATENCY, bin_of(kb_ms))] += 1


def update_rollups(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Fold freshly inserted audit rows into the rollups (same transaction)."""
    fold = _Fold()
    skipped = 0
    for row in rows:
        if row.get("kind") == MISS_KIND:
            try:  # a staff member's "something was not masked": counted by the label they chose
                fold.redactions[(hour_of(row["ts"]), "miss", str(row["outcome"]))] += 1
            except (KeyError, TypeError, ValueError):
                skipped += 1
            continue
        if row.get("kind") != "turn":
            continue
        try:
            fold.add(row)
        except (KeyError, TypeError, ValueError, AttributeError):
            skipped += 1  # rows are validated before they get here; never fail the audit write
    if skipped:
        _log.warning("rollups skipped %d malformed turn rows", skipped)
    if not fold.hours and not fold.redactions:
        return
    if fold.hours:
        conn.exec_driver_sql(_UPSERT_HOURS, [(hour, *sums) for hour, sums in fold.hours.items()])
    if fold.kb:
        conn.exec_driver_sql(_UPSERT_KB, [(hour, *sums) for hour, sums in fold.kb.items()])
    if fold.timings:
        conn.exec_driver_sql(_UPSERT_TIMINGS, [(*key, n) for key, n in fold.timings.items()])
        by_day: dict[tuple[int, int, int], int] = defaultdict(int)
        for (hour, metric, b), n in fold.timings.items():
            by_day[(hour // 24, metric, b)] += n
        conn.exec_driver_sql(_UPSERT_TIMING_DAYS, [(*key, n) for key, n in by_day.items()])
    if fold.redactions:
        conn.exec_driver_sql(_UPSERT_REDACTIONS, [(*key, n) for key, n in fold.redactions.items()])
        labels_by_day: dict[tuple[int, str, str], int] = defaultdict(int)
        for (hour, direction, label), n in fold.redactions.items():
            labels_by_day[(hour // 24, direction, label)] += n
        conn.exec_driver_sql(_UPSERT_REDACTION_DAYS, [(*key, n) for key, n in labels_by_day.items()])
    users_by_day: dict[int, set[int]] = defaultdict(set)
    for hour, users in fold.users.items():
        users_by_day[hour // 24].update(users)
        added = conn.exec_driver_sql("INSERT OR IGNORE INTO rollup_user_hours (hour, user_key) VALUES (?, ?)",
                                     [(hour, u) for u in users]).rowcount
        if added:
            conn.exec_driver_sql("UPDATE rollup_hours SET users = users + ? WHERE hour = ?", (added, hour))
    for day, users in users_by_day.items():
        added = conn.exec_driver_sql("INSERT OR IGNORE INTO rollup_user_days (day, user_key) VALUES (?, ?)",
                                     [(day, u) for u in users]).rowcount
        if added:
            conn.exec_driver_sql(
                "INSERT INTO rollup_days (day, users) VALUES (?, ?) "
                "ON CONFLICT (day) DO UPDATE SET users = rollup_days.users + excluded.users", (day, added))


def purge_rollups(conn: Connection, before_ts: str) -> None:
    """Forget rollup rows holding user hashes for hours before `before_ts`.

    Anonymous totals and the per-hour and per-day user counts stay, so old buckets are still
    suppressed correctly; a day cut in two keeps the users of its remaining hours only.
    """
    cutoff = hour_of(before_ts)
    conn.exec_driver_sql("DELETE FROM rollup_user_hours WHERE hour < ?", (cutoff,))
    first_kept_day = -(-cutoff // 24)  # the first day starting at or after the cut
    conn.exec_driver_sql("DELETE FROM rollup_user_days WHERE day < ?", (first_kept_day,))
    if cutoff % 24:
        cut_day = cutoff // 24
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO rollup_user_days (day, user_key) SELECT DISTINCT ?, user_key "
            "FROM rollup_user_hours WHERE hour >= ? AND hour < ?", (cut_day, cutoff, (cut_day + 1) * 24))
    previous = conn.exec_driver_sql(
        "SELECT value FROM rollup_state WHERE key = 'purged_before_hour'").scalar()
    if previous is None or int(previous) < cutoff:
        conn.exec_driver_sql(
            "INSERT INTO rollup_state (key, value) VALUES ('purged_before_hour', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(cutoff),))
