"""Anonymized usage aggregates for the dashboard, read from the rollups (services/audit/rollups.py).

Days are UTC days; a range is whole days, `from` and `to` included, at most MAX_DAYS long. A group
(an hour, a day, or the whole range) whose distinct active users number fewer than `k` but more
than zero is suppressed: its figures are withheld, its user count too. Redaction totals by label
follow the whole range. Knowledge-base figures (questions searched, answered with and without sources,
searches the documents did not answer, search time) belong to their group and are suppressed with it.
Nothing per user, and no hash, ever leaves this module.

    parse_range(from_text, to_text, today=...)  ->  DateRange      (BadRange: fixed message, code)
    build(engine, date_range, k=..., engine_status=...)  ->  Dashboard
    to_json(dashboard)  ->  dict for the browser
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace as dataclass_replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy.engine import Engine

from ..errors import HushdeskError
from .rollups import BINS_PER_DOUBLING, KB_LATENCY, LATENCY, RELATIVE_ERROR, TTFT, percentile_from_bins
from ..store import transaction

__all__ = [
    "BadRange", "DateRange", "Percentiles", "Figures", "Bucket", "Redactions", "Health", "Dashboard",
    "parse_range", "build", "engine_health", "to_json", "MAX_DAYS", "HOURLY_MAX_DAYS", "DEFAULT_DAYS",
]

MAX_DAYS = 366
HOURLY_MAX_DAYS = 31
DEFAULT_DAYS = 7
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EPOCH = date(1970, 1, 1)
_FIRST, _LAST = date(2000, 1, 1), date(9998, 12, 31)
EngineStatus = Callable[[], Mapping[str, Any]]


class BadRange(HushdeskError):
    """A date range the dashboard refuses; `code` names the problem for the page."""

    outcome = "bad_range"
    default_message = "Dates must be written YYYY-MM-DD."
    notice = "badDate"  # the pages' notice code; an instance's is its `code`

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.notice = code


_BAD_DATE = ("badDate", "Dates must be written YYYY-MM-DD, between 2000-01-01 and 9998-12-31.")
_REVERSED = ("badRange", "The start date must not be after the end date.")
_TOO_LONG = ("rangeTooLong", f"A range may span at most {MAX_DAYS} days.")


@dataclass(frozen=True)
class DateRange:
    """Whole UTC days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the range spans."""
        return (self.end - self.start).days + 1

    @property
    def first_day(self) -> int:
        """The start as days since 1970-01-01."""
        return (self.start - _EPOCH).days

    @property
    def first_hour(self) -> int:
        """The start as hours since 1970-01-01."""
        return self.first_day * 24

    @property
    def end_hour(self) -> int:
        """The hour just after the range, as hours since 1970-01-01."""
        return (self.first_day + self.days) * 24


def _parse_date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise BadRange(*_BAD_DATE)
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise BadRange(*_BAD_DATE) from None
    if not _FIRST <= value <= _LAST:
        raise BadRange(*_BAD_DATE)
    return value


def parse_range(from_text: str | None, to_text: str | None, *, today: date) -> DateRange:
    """Read `from`/`to` (YYYY-MM-DD, either may be missing); BadRange with a fixed message if bad.

    A missing `to` is `today`; a missing `from` is DEFAULT_DAYS days up to `to`.
    """
    end = _parse_date(to_text) if to_text else min(max(today, _FIRST), _LAST)
    start = _parse_date(from_text) if from_text else max(end - timedelta(days=DEFAULT_DAYS - 1), _FIRST)
    if start > end:
        raise BadRange(*_REVERSED)
    if (end - start).days + 1 > MAX_DAYS:
        raise BadRange(*_TOO_LONG)
    return DateRange(start, end)


@dataclass(frozen=True)
class Percentiles:
    """p50 and p95 in ms from the rollup bins (None without values)."""

    p50: float | None = None
    p95: float | None = None


@dataclass(frozen=True)
class Figures:
    """The turn figures of one group."""

    turns: int
    ok: int
    failures: int
    refusals: int
    other: int
    prompt_tokens: int
    completion_tokens: int
    latency_ms: Percentiles
    ttft_ms: Percentiles
    kb_searched: int = 0  # turns that searched the knowledge base
    kb_no_answer: int = 0  # of those, how many the documents did not answer (no passage given)
    kb_with_sources: int = 0  # answered turns given at least one passage
    kb_latency_ms: Percentiles = Percentiles()

    @property
    def kb_without_sources(self) -> int:
        """Answered turns given no passage (knowledge off, nothing readable, or no answer in the documents)."""
        return self.ok - self.kb_with_sources

    @property
    def kb_no_answer_rate(self) -> float | None:
        """Searches the documents did not answer, per search."""
        return self.kb_no_answer / self.kb_searched if self.kb_searched else None

    @property
    def failure_rate(self) -> float | None:
        """Failed turns per turn."""
        return self.failures / self.turns if self.turns else None

    @property
    def refusal_rate(self) -> float | None:
        """Refused turns (input rejected, reply blocked) per turn."""
        return self.refusals / self.turns if self.turns else None


@dataclass(frozen=True)
class Bucket:
    """One group (an hour, a day or the range) starting at `start`; users and figures are None when
    it is suppressed."""

    start: str
    suppressed: bool
    users: int | None
    figures: Figures | None
    users_at_least: bool = False
    misses: tuple[tuple[str, int], ...] = ()  # reported redaction misses by label (days and the range)


@dataclass(frozen=True)
class Redactions:
    """Redactions by label over the range, in messages and in replies; empty when suppressed."""

    suppressed: bool
    inbound: tuple[tuple[str, int], ...]
    outbound: tuple[tuple[str, int], ...]
    missed: tuple[tuple[str, int], ...] = ()  # messages staff reported as holding a missed value, by label


@dataclass(frozen=True)
class Health:
    """The engine's state, its restarts and planned recycles, and since when hushdesk has been up (UTC)."""

    state: str
    restarts: int | None
    up_since: str | None
    uptime_s: float | None
    recycles: int | None = None


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows for a range."""

    range: DateRange
    k: int
    summary: Bucket
    redactions: Redactions
    days: tuple[Bucket, ...]
    hours: tuple[Bucket, ...] | None
    health: Health | None


def _suppressed(users: int, k: int) -> bool:
    # An empty group has nobody to protect: it shows zeros.
    return 0 < users < k


def _figures(sums: Sequence[int], timings: Mapping[int, Mapping[int, int]] | None,
             kb: Sequence[int] = (0, 0, 0)) -> Figures:
    def pct(metric: int) -> Percentiles:
        bins = (timings or {}).get(metric)
        if not bins:
            return Percentiles()
        return Percentiles(percentile_from_bins(bins, 0.5), percentile_from_bins(bins, 0.95))

    return Figures(*(int(v) for v in sums[:7]), latency_ms=pct(LATENCY), ttft_ms=pct(TTFT),
                   kb_searched=int(kb[0]), kb_no_answer=int(kb[1]), kb_with_sources=int(kb[2]),
                   kb_latency_ms=pct(KB_LATENCY))


def _bucket(start: str, users: int, k: int, sums: Sequence[int],
            timings: Mapping[int, Mapping[int, int]] | None, at_least: bool = False,
            kb: Sequence[int] = (0, 0, 0)) -> Bucket:
    if _suppressed(users, k):
        return Bucket(start, True, None, None)
    return Bucket(start, False, users, _figures(sums, timings, kb), at_least)


def _with_misses(bucket: Bucket, misses: Mapping[str, int], k: int) -> Bucket:
    """A day's bucket with its reported misses by label; none shown when the day is suppressed (a miss
    is reported by someone who had a turn that day, so it belongs to the same group)."""
    if bucket.suppressed or not misses or (bucket.users or 0) < k:
        return bucket  # a day without k users (even none with a turn) shows no misses
    return dataclass_replace(bucket, misses=tuple(sorted(((label, n) for label, n in misses.items() if n), key=_order)))


def _iso_day(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).isoformat()


def _iso_hour(hour: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:00Z")


def _read(engine: Engine, r: DateRange) -> dict[str, Any]:
    lo, hi = r.first_hour, r.end_hour
    with transaction(engine) as conn:
        q = conn.exec_driver_sql
        return {
            "hours": q("SELECT hour, turns, ok, failures, refusals, other, prompt_tokens, completion_tokens, "
                       "users FROM rollup_hours WHERE hour >= ? AND hour < ?", (lo, hi)).all(),
            "days": dict(q("SELECT day, users FROM rollup_days WHERE day >= ? AND day < ?",
                           (r.first_day, r.first_day + r.days)).all()),
            "timings": q("SELECT day, metric, bin, n FROM rollup_timing_days WHERE day >= ? AND day < ?",
                         (r.first_day, r.first_day + r.days)).all(),
            "redactions": q("SELECT direction, label, SUM(n) FROM rollup_redaction_days WHERE day >= ? AND day < ? "
                            "GROUP BY direction, label", (r.first_day, r.first_day + r.days)).all(),
            "misses": q("SELECT day, label, n FROM rollup_redaction_days WHERE direction = 'miss' AND day >= ? "
                        "AND day < ?", (r.first_day, r.first_day + r.days)).all(),
            "users": q("SELECT COUNT(DISTINCT user_key) FROM rollup_user_days WHERE day >= ? AND day < ?",
                       (r.first_day, r.first_day + r.days)).scalar() or 0,
            "purged": q("SELECT value FROM rollup_state WHERE key = 'purged_before_hour'").scalar(),
            "kb": q("SELECT hour, searched, no_answer, with_sources FROM rollup_kb_hours WHERE hour >= ? AND hour < ?",
                    (lo, hi)).all(),
        }


def build(engine: Engine, date_range: DateRange, *, k: int, engine_status: EngineStatus | None = None,
          now: float | None = None) -> Dashboard:
    """The dashboard for a range, read from the rollups; groups of fewer than `k` users suppressed."""
    if k < 2:
        raise ValueError("k must be at least 2")
    raw = _read(engine, date_range)
    zero = [0] * 7
    day_sums: dict[int, list[int]] = {}
    hour_rows: dict[int, tuple[list[int], int]] = {}
    for hour, *values in raw["hours"]:
        sums, users = list(values[:7]), int(values[7])
        hour_rows[hour] = (sums, users)
        acc = day_sums.setdefault(hour // 24, [0] * 7)
        for i, v in enumerate(sums):
            acc[i] += v
    day_kb: dict[int, list[int]] = {}
    for hour, *values in raw["kb"]:
        acc = day_kb.setdefault(hour // 24, [0, 0, 0])
        for i, v in enumerate(values):
            acc[i] += int(v)
    day_timings: dict[int, dict[int, dict[int, int]]] = {}
    total_timings: dict[int, dict[int, int]] = {LATENCY: {}, TTFT: {}, KB_LATENCY: {}}
    for day, metric, b, n in raw["timings"]:
        day_timings.setdefault(day, {}).setdefault(metric, {})[b] = n
        total = total_timings.setdefault(metric, {})
        total[b] = total.get(b, 0) + n
    day_misses: dict[int, dict[str, int]] = {}
    for day, label, n in raw["misses"]:
        day_misses.setdefault(int(day), {})[str(label)] = int(n)
    days = tuple(
        _with_misses(_bucket(_iso_day(d), int(raw["days"].get(d, 0)), k, day_sums.get(d, zero), day_timings.get(d),
                             kb=day_kb.get(d, (0, 0, 0))), day_misses.get(d, {}), k)
        for d in range(date_range.first_day, date_range.first_day + date_range.days))
    hours = None
    if date_range.days <= HOURLY_MAX_DAYS:
        hours = tuple(_bucket(_iso_hour(h), hour_rows.get(h, (zero, 0))[1], k, hour_rows.get(h, (zero, 0))[0], None)
                      for h in range(date_range.first_hour, date_range.end_hour))
    totals = [sum(s[i] for s in day_sums.values()) for i in range(7)]
    users = int(raw["users"])
    # Before a purge the user hashes are gone: the range's distinct users is then at least the
    # largest day's, and no more can be said.
    at_least = raw["purged"] is not None and date_range.first_hour < int(raw["purged"])
    if at_least:
        users = max([users, *(int(v) for v in raw["days"].values())])
    kb_totals = [sum(s[i] for s in day_kb.values()) for i in range(3)]
    summary = _bucket(f"{date_range.start.isoformat()}/{date_range.end.isoformat()}", users, k, totals,
                      total_timings, at_least, kb=kb_totals)
    hidden = summary.suppressed
    inbound = tuple(sorted(((label, int(n)) for d, label, n in raw["redactions"] if d == "in" and n), key=_order))
    outbound = tuple(sorted(((label, int(n)) for d, label, n in raw["redactions"] if d == "out" and n), key=_order))
    missed = tuple(sorted(((label, int(n)) for d, label, n in raw["redactions"] if d == "miss" and n), key=_order))
    quiet = hidden or users < k  # misses of a range with fewer than k users (or none) are not shown
    redactions = Redactions(hidden, () if hidden else inbound, () if hidden else outbound, () if quiet else missed)
    health = engine_health(engine_status, now) if engine_status is not None else None
    return Dashboard(date_range, k, summary, redactions, days, hours, health)


def _order(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def engine_health(status: EngineStatus, now: float | None = None) -> Health:
    """Read `status()` ({"state", "restarts", "recycles", "up_since": epoch seconds}) into Health; never raises."""
    now = time.time() if now is None else now
    try:
        info = dict(status())
    except Exception:  # noqa: BLE001 - health is informative; the dashboard must still answer
        return Health("unknown", None, None, None)
    state = info.get("state")
    state = state if isinstance(state, str) and re.fullmatch(r"[a-z_]{1,32}", state) else "unknown"
    restarts, recycles = _count(info.get("restarts")), _count(info.get("recycles"))
    since = info.get("up_since")
    if isinstance(since, datetime):
        since = since.timestamp()
    if isinstance(since, (int, float)) and not isinstance(since, bool) and 0 < since <= now:
        iso = datetime.fromtimestamp(since, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        return Health(state, restarts, iso, round(now - since, 1), recycles)
    return Health(state, restarts, None, None, recycles)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _figures_json(f: Figures) -> dict[str, Any]:
    return {
        "turns": f.turns, "ok": f.ok, "failures": f.failures, "refusals": f.refusals, "other": f.other,
        "failure_rate": f.failure_rate, "refusal_rate": f.refusal_rate,
        "prompt_tokens": f.prompt_tokens, "completion_tokens": f.completion_tokens,
        "latency_ms": {"p50": f.latency_ms.p50, "p95": f.latency_ms.p95},
        "ttft_ms": {"p50": f.ttft_ms.p50, "p95": f.ttft_ms.p95},
        "kb": {"searched": f.kb_searched, "with_sources": f.kb_with_sources,
               "without_sources": f.kb_without_sources, "no_answer": f.kb_no_answer,
               "no_answer_rate": f.kb_no_answer_rate,
               "latency_ms": {"p50": f.kb_latency_ms.p50, "p95": f.kb_latency_ms.p95}},
    }


def _bucket_json(b: Bucket) -> dict[str, Any]:
    if b.suppressed or b.figures is None:
        return {"start": b.start, "suppressed": True}
    return {"start": b.start, "suppressed": False, "users": b.users, "users_at_least": b.users_at_least,
            **_figures_json(b.figures), "misses": [list(p) for p in b.misses]}


def _hour_json(b: Bucket) -> dict[str, Any]:
    # Turns only: a day's figures minus its visible hours would otherwise give a small group's tokens
    # and outcomes (what subtraction still gives is its number of turns).
    if b.suppressed or b.figures is None:
        return {"start": b.start, "suppressed": True}
    return {"start": b.start, "suppressed": False, "users": b.users, "turns": b.figures.turns}


def to_json(d: Dashboard) -> dict[str, Any]:
    """The dashboard as plain JSON for the page's charts and tables."""
    health = d.health
    return {
        "range": {"from": d.range.start.isoformat(), "to": d.range.end.isoformat(), "days": d.range.days,
                  "timezone": "UTC"},
        "k": d.k,
        "resolution": {"bins_per_doubling": BINS_PER_DOUBLING, "relative_error": round(RELATIVE_ERROR, 4)},
        "summary": _bucket_json(d.summary),
        "redactions": {"suppressed": d.redactions.suppressed, "in": [list(p) for p in d.redactions.inbound],
                       "out": [list(p) for p in d.redactions.outbound],
                       "missed": [list(p) for p in d.redactions.missed]},
        "days": [_bucket_json(b) for b in d.days],
        "hours": None if d.hours is None else [_hour_json(b) for b in d.hours],
        "health": None if health is None else {"state": health.state, "restarts": health.restarts,
                                               "recycles": health.recycles, "up_since": health.up_since,
                                               "uptime_s": health.uptime_s},
    }
