"""Dashboard aggregates: rollups equal the rows, k-suppression, percentiles from bins, date ranges, purge."""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Sequence

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from services.audit import COLUMNS, verify_chain
from services.audit.dashboard import (MAX_DAYS, BadRange, DateRange, build, engine_health, parse_range, to_json)
from services.audit.rollups import (BINS_PER_DOUBLING, MAX_BIN, RELATIVE_ERROR, bin_of, bin_value, m003_rollups,
                              outcome_class, percentile_from_bins, purge_rollups, update_rollups)
from services.store import m001_initial, m002_sessions_and_logins, transaction
from tests.support.dashboard import HEX64, Turn, at, seed_misses, seed_turns, user_hash

OUTCOMES = ("ok", "ok", "ok", "ok", "engine_error", "engine_timeout", "rejected_input", "reply_blocked",
            "cancelled", "internal_error")
LABELS = ("PHONE", "EMAIL", "CN_ID", "PERSON")


def random_turns(rng: random.Random, n: int, start: date, days: int, users: int) -> list[Turn]:
    out = []
    for _ in range(n):
        moment = datetime(start.year, start.month, start.day, tzinfo=timezone.utc) + timedelta(
            seconds=rng.randrange(days * 86400))
        outcome = rng.choice(OUTCOMES)
        answered = outcome == "ok"
        out.append(Turn(
            ts=moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(1000):03d}Z",
            user=rng.randrange(users), outcome=outcome,
            prompt_tokens=rng.choice([None, rng.randrange(2000)]),
            completion_tokens=rng.choice([None, rng.randrange(1000)]) if answered else None,
            ttft_ms=rng.lognormvariate(4, 1) if answered or rng.random() < 0.3 else None,
            latency_ms=rng.choice([0.3, rng.lognormvariate(7, 1)]),
            redactions_in={rng.choice(LABELS): rng.randrange(1, 4)} if rng.random() < 0.4 else {},
            redactions_out={rng.choice(LABELS): 1} if rng.random() < 0.1 else {},
        ))
    return out


def direct(engine: Engine) -> dict:
    """The same aggregates computed straight from audit_events."""
    with transaction(engine) as conn:
        rows = [dict(zip(COLUMNS, r)) for r in conn.exec_driver_sql(
            f"SELECT {', '.join(COLUMNS)} FROM audit_events WHERE kind = 'turn'").all()]
    hours: dict[int, list[int]] = defaultdict(lambda: [0] * 7)
    users_h: dict[int, set] = defaultdict(set)
    users_d: dict[int, set] = defaultdict(set)
    timings: dict[tuple[int, int, int], int] = defaultdict(int)
    redactions: dict[tuple[int, str, str], int] = defaultdict(int)
    for r in rows:
        moment = datetime.strptime(r["ts"][:13], "%Y-%m-%dT%H").replace(tzinfo=timezone.utc)
        hour = int(moment.timestamp()) // 3600
        s = hours[hour]
        s[0] += 1
        s[1 + ("ok", "failure", "refusal", "other").index(outcome_class(r["outcome"]))] += 1
        s[5] += r["prompt_tokens"] or 0
        s[6] += r["completion_tokens"] or 0
        users_h[hour].add(r["user_hash"])
        users_d[hour // 24].add(r["user_hash"])
        if r["outcome"] == "ok":
            timings[(hour, 0, bin_of(r["latency_ms"]))] += 1
            if r["ttft_ms"] is not None:
                timings[(hour, 1, bin_of(r["ttft_ms"]))] += 1
        for direction in ("in", "out"):
            for label, n in json.loads(r[f"redactions_{direction}"]).items():
                redactions[(hour, direction, label)] += n
    return {"hours": {h: (*s, len(users_h[h])) for h, s in hours.items()},
            "days": {d: len(u) for d, u in users_d.items()}, "timings": dict(timings),
            "redactions": dict(redactions), "rows": rows}


def rolled(engine: Engine) -> dict:
    with transaction(engine) as conn:
        q = conn.exec_driver_sql
        return {
            "hours": {r[0]: tuple(r[1:]) for r in q(
                "SELECT hour, turns, ok, failures, refusals, other, prompt_tokens, completion_tokens, users "
                "FROM rollup_hours").all()},
            "days": dict(q("SELECT day, users FROM rollup_days").all()),
            "timings": {(h, m, b): n for h, m, b, n in q("SELECT hour, metric, bin, n FROM rollup_timings").all()},
            "timing_days": {(d, m, b): n for d, m, b, n in q("SELECT day, metric, bin, n FROM rollup_timing_days").all()},
            "redactions": {(h, d, l): n for h, d, l, n in q(
                "SELECT hour, direction, label, n FROM rollup_redactions").all()},
            "redaction_days": {(day, d, l): n for day, d, l, n in q(
                "SELECT day, direction, label, n FROM rollup_redaction_days").all()},
        }


# Rollups against the rows ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_equal_direct_sql_on_random_turns(store, keys, seed):
    rng = random.Random(seed)
    turns = random_turns(rng, 700, date(2026, 3, 1), days=4, users=9)
    seed_turns(store, keys, turns)
    assert verify_chain(store, keys.chain_key) == (True, None)  # written through the real chain
    expected, got = direct(store), rolled(store)
    assert got["hours"] == expected["hours"]
    assert got["days"] == expected["days"]
    assert got["timings"] == expected["timings"]
    by_day: dict = defaultdict(int)
    for (h, m, b), n in expected["timings"].items():
        by_day[(h // 24, m, b)] += n
    assert got["timing_days"] == by_day
    assert got["redactions"] == expected["redactions"]
    labels_by_day: dict = defaultdict(int)
    for (h, direction, label), n in expected["redactions"].items():
        labels_by_day[(h // 24, direction, label)] += n
    assert got["redaction_days"] == labels_by_day
    # The dashboard's range totals equal the rows too.
    d = build(store, DateRange(date(2026, 3, 1), date(2026, 3, 4)), k=2)
    rows = expected["rows"]
    f = d.summary.figures
    assert d.summary.users == len({r["user_hash"] for r in rows}) == 9
    assert f.turns == len(rows)
    assert f.prompt_tokens == sum(r["prompt_tokens"] or 0 for r in rows)
    assert f.completion_tokens == sum(r["completion_tokens"] or 0 for r in rows)
    assert f.failures == sum(outcome_class(r["outcome"]) == "failure" for r in rows)
    assert f.refusals == sum(r["outcome"] in ("rejected_input", "reply_blocked") for r in rows)
    answered = sorted(r["latency_ms"] for r in rows if r["outcome"] == "ok")
    for q, got_p in ((0.5, f.latency_ms.p50), (0.95, f.latency_ms.p95)):
        assert within_resolution(got_p, nearest_rank(answered, q))
    assert sum(b.figures.turns for b in d.days) == len(rows)


def test_only_turns_are_rolled_up_and_migration_backfills_existing_rows():
    engine = create_engine("sqlite://")
    rows = []
    for i, (kind, outcome) in enumerate([("turn", "ok"), ("login", "ok"), ("turn", "engine_error"),
                                         ("turn", "rejected_input"), ("logout", "ok")]):
        rows.append({c: None for c in COLUMNS} | {
            "seq": i + 1, "ts": f"2026-01-0{1 + i % 2}T0{i}:00:00.000Z", "kind": kind, "user_hash": f"{i % 2:064x}",
            "outcome": outcome, "prompt_tokens": 5 if kind == "turn" else None, "latency_ms": 10.0 * (i + 1),
            "ttft_ms": 2.0, "redactions_in": '{"PHONE":2}' if kind == "turn" else None, "redactions_out": "{}",
            "mac": "00" * 32})
    before_m005 = (*COLUMNS[:COLUMNS.index("kb_passages")], "mac")  # the columns a store had then
    with engine.begin() as conn:
        m001_initial(conn)
        m002_sessions_and_logins(conn)
        conn.exec_driver_sql(f"INSERT INTO audit_events ({', '.join(before_m005)}) VALUES "
                             f"({', '.join(':' + c for c in before_m005)})", rows)
        m003_rollups(conn)  # the store already held rows: they are folded in
        backfilled = rolled_conn(conn)
        for table in backfilled:
            conn.exec_driver_sql(f"DELETE FROM {table}")
        update_rollups(conn, rows)
        assert rolled_conn(conn) == backfilled
    assert len(backfilled) == 8
    assert sum(row[1] for row in backfilled["rollup_hours"]) == 3  # turns only
    assert sum(row[3] for row in backfilled["rollup_redactions"]) == 6


def rolled_conn(conn) -> dict:
    """Every rollup table's rows (the purge mark aside)."""
    tables = [r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rollup_%' AND name != 'rollup_state'")]
    return {t: sorted(conn.exec_driver_sql(f"SELECT * FROM {t}").all()) for t in tables}


def test_a_malformed_row_is_skipped_and_never_fails_the_write():
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        m003_rollups_tables(conn)
        update_rollups(conn, [{"kind": "turn", "ts": "garbage", "user_hash": "x", "outcome": "ok"},
                              {"kind": "turn", "ts": "2026-01-01T00:00:00.000Z", "user_hash": "ab" * 32,
                               "outcome": "ok", "latency_ms": 5.0, "redactions_in": "{}", "redactions_out": "{}"}])
        assert conn.exec_driver_sql("SELECT turns, users FROM rollup_hours").all() == [(1, 1)]


def m003_rollups_tables(conn) -> None:
    m001_initial(conn)
    m002_sessions_and_logins(conn)
    m003_rollups(conn)


# k-anonymity --------------------------------------------------------------------------------------


K = 5
DAY = date(2026, 4, 6)


def test_groups_below_k_users_are_suppressed_at_the_edges(store, keys):
    turns = [Turn(at(DAY, 9, u), u) for u in range(K)]                      # hour 09: k users
    turns += [Turn(at(DAY, 10, u), u) for u in range(K - 1)]                # hour 10: k-1 users
    turns += [Turn(at(DAY + timedelta(days=1), 9, u), u, redactions_in={"PHONE": 1}) for u in range(K - 1)]
    seed_turns(store, keys, turns)
    d = build(store, DateRange(DAY, DAY + timedelta(days=2)), k=K)
    first, second, empty = d.days
    assert not first.suppressed and first.users == K and first.figures.turns == 2 * K - 1
    assert second.suppressed and second.users is None and second.figures is None  # k-1 users
    assert not empty.suppressed and empty.users == 0 and empty.figures.turns == 0  # nobody to protect
    by_hour = {b.start: b for b in d.hours}
    assert not by_hour[f"{DAY}T09:00Z"].suppressed and by_hour[f"{DAY}T09:00Z"].figures.turns == K
    assert by_hour[f"{DAY}T10:00Z"].suppressed
    assert not d.summary.suppressed and d.summary.users == K
    assert dict(d.redactions.inbound) == {"PHONE": K - 1}
    # The range holding only the second day has k-1 users: everything is withheld, labels too.
    alone = build(store, DateRange(DAY + timedelta(days=1), DAY + timedelta(days=1)), k=K)
    assert alone.summary.suppressed and alone.summary.users is None
    assert alone.redactions.suppressed and alone.redactions.inbound == ()
    data = to_json(alone)
    assert data["summary"] == {"start": f"{DAY + timedelta(days=1)}/{DAY + timedelta(days=1)}", "suppressed": True}
    assert data["days"] == [{"start": str(DAY + timedelta(days=1)), "suppressed": True}]
    assert data["redactions"] == {"suppressed": True, "in": [], "out": [], "missed": []}
    assert all(h["suppressed"] or h["turns"] == 0 for h in data["hours"])  # only empty hours show
    shown = to_json(d)["hours"]
    assert {tuple(sorted(h)) for h in shown} == {("start", "suppressed"), ("start", "suppressed", "turns", "users")}
    # With k-1 as the threshold the same range is shown.
    assert not build(store, DateRange(DAY + timedelta(days=1), DAY + timedelta(days=1)), k=K - 1).summary.suppressed


def test_reported_misses_per_day_and_label_with_the_same_minimum_group(store, keys):
    day2 = DAY + timedelta(days=1)
    turns = [Turn(at(DAY, 9, u), u) for u in range(K)] + [Turn(at(day2, 9, u), u) for u in range(K - 1)]
    seed_turns(store, keys, turns)
    seed_misses(store, keys, [(at(DAY, 10, 1), 0, "PERSON"), (at(DAY, 11, 2), 1, "PERSON"), (at(DAY, 12), 2, "CUSTOM"),
                              (at(day2, 10), 0, "PHONE"), (at(DAY + timedelta(days=2), 10), 1, "ADDRESS")])
    d = build(store, DateRange(DAY, DAY + timedelta(days=2)), k=K)
    assert dict(d.redactions.missed) == {"PERSON": 2, "CUSTOM": 1, "PHONE": 1, "ADDRESS": 1}
    first, second, third = d.days
    assert dict(first.misses) == {"PERSON": 2, "CUSTOM": 1}
    assert second.suppressed and second.misses == ()  # k-1 users that day
    assert not third.suppressed and third.users == 0 and third.misses == ()  # nobody with a turn: withheld
    data = to_json(d)
    assert sorted(map(tuple, data["redactions"]["missed"])) == [("ADDRESS", 1), ("CUSTOM", 1), ("PERSON", 2), ("PHONE", 1)]
    assert sorted(map(tuple, data["days"][0]["misses"])) == [("CUSTOM", 1), ("PERSON", 2)]
    assert "misses" not in data["days"][1] and data["days"][2]["misses"] == []
    # A range of fewer than k users shows none.
    alone = build(store, DateRange(day2, day2), k=K)
    assert alone.redactions.missed == () and to_json(alone)["redactions"]["missed"] == []
    # The rows hold the label only: the rollups equal what a scan of them gives.
    with transaction(store) as conn:
        rows = conn.exec_driver_sql("SELECT outcome FROM audit_events WHERE kind = 'redaction_miss_reported'").all()
    assert sorted(r[0] for r in rows) == ["ADDRESS", "CUSTOM", "PERSON", "PERSON", "PHONE"]


def test_no_hash_or_per_user_figure_leaves_the_dashboard(store, keys):
    seed_turns(store, keys, [Turn(at(DAY, h, u), u) for h in range(3) for u in range(6)])
    text = json.dumps(to_json(build(store, DateRange(DAY, DAY), k=K, engine_status=lambda: {"state": "ready"})))
    assert not HEX64.search(text)
    assert all(user_hash(keys, u)[:16] not in text for u in range(6))


# Percentiles from bins -----------------------------------------------------------------------------


def nearest_rank(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered) - 1e-9)) - 1]


def within_resolution(estimate: float | None, exact: float) -> bool:
    assert estimate is not None
    if exact < 1:
        return abs(estimate - exact) <= 0.5
    return abs(estimate / exact - 1) <= RELATIVE_ERROR + 1e-9


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=3_600_000, allow_nan=False), min_size=1, max_size=300),
       st.sampled_from([0.5, 0.95, 0.99, 1.0]))
def test_percentiles_from_bins_are_within_the_stated_resolution(values, q):
    bins: dict[int, int] = defaultdict(int)
    for v in values:
        bins[bin_of(v)] += 1
    assert within_resolution(percentile_from_bins(bins, q), nearest_rank(values, q))


@hsettings(max_examples=500, deadline=None)
@given(st.floats(min_value=1, max_value=2 ** 24 * 0.99, allow_nan=False))
def test_a_value_lies_in_its_bin(v):
    b = bin_of(v)
    low, high = 2 ** ((b - 1) / BINS_PER_DOUBLING), 2 ** (b / BINS_PER_DOUBLING)
    assert low * (1 - 1e-12) <= v <= high * (1 + 1e-12)
    assert abs(bin_value(b) / v - 1) <= RELATIVE_ERROR + 1e-9


def test_bins_have_fixed_edges():
    assert RELATIVE_ERROR == pytest.approx(0.0443, abs=1e-4)
    assert bin_of(0) == bin_of(0.99) == 0 and bin_of(1) == 1 and bin_of(2) == 1 + BINS_PER_DOUBLING
    assert bin_of(10 ** 9) == MAX_BIN and bin_of(float("nan")) == 0
    assert percentile_from_bins({}, 0.5) is None


# Date ranges ----------------------------------------------------------------------------------------


TODAY = date(2026, 5, 20)


@pytest.mark.parametrize("start, end, code", [
    ("2026-5-01", None, "badDate"), ("20260501", None, "badDate"), ("2026-02-30", None, "badDate"),
    ("2026-13-01", None, "badDate"), ("1999-12-31", None, "badDate"), ("２０２６-05-01", None, "badDate"),
    ("2026-05-01 ", None, "badDate"), ("2026-05-01T00", None, "badDate"), (None, "x" * 5000, "badDate"),
    ("2026-05-10", "2026-05-09", "badRange"), ("2025-01-01", "2026-01-02", "rangeTooLong"),
])
def test_bad_ranges_get_a_fixed_message(start, end, code):
    with pytest.raises(BadRange) as caught:
        parse_range(start, end, today=TODAY)
    assert caught.value.code == code
    assert (start or "") not in caught.value.message or not start
    assert (end or "") not in caught.value.message or not end


def test_good_ranges():
    assert parse_range(None, None, today=TODAY) == DateRange(date(2026, 5, 14), TODAY)
    assert parse_range("2026-05-01", "2026-05-01", today=TODAY).days == 1
    assert parse_range(None, "2026-01-10", today=TODAY).start == date(2026, 1, 4)
    longest = parse_range("2025-01-01", "2026-01-01", today=TODAY)
    assert longest.days == MAX_DAYS
    assert longest.end_hour - longest.first_hour == MAX_DAYS * 24


def test_build_refuses_a_k_below_two(store):
    with pytest.raises(ValueError):
        build(store, DateRange(DAY, DAY), k=1)


# Purge ----------------------------------------------------------------------------------------------


def test_purge_forgets_user_rows_before_the_cut_and_keeps_anonymous_counts(store, keys):
    turns = [Turn(at(DAY, 8, u), u) for u in range(6)]                      # day 1, early: users 0-5
    turns += [Turn(at(DAY, 20, u), u) for u in range(3, 9)]                 # day 1, late: users 3-8
    turns += [Turn(at(DAY + timedelta(days=1), 9, u), u) for u in range(5)]
    seed_turns(store, keys, turns)
    before = rolled(store)
    whole = DateRange(DAY, DAY + timedelta(days=1))
    assert build(store, whole, k=K).summary.users == 9
    with transaction(store, write=True) as conn:
        purge_rollups(conn, at(DAY, 12, 30, 15)[:-5] + ".250Z")
    with transaction(store) as conn:
        q = conn.exec_driver_sql
        assert q("SELECT COUNT(*) FROM rollup_user_hours WHERE hour < ?", (hour(DAY, 12),)).scalar() == 0
        assert q("SELECT COUNT(*) FROM rollup_user_hours").scalar() == 6 + 5
        # The cut day keeps only the users of its remaining hours.
        assert q("SELECT COUNT(*) FROM rollup_user_days WHERE day = ?", (day_number(DAY),)).scalar() == 6
        assert q("SELECT value FROM rollup_state").scalar() == str(hour(DAY, 12))
    after = rolled(store)
    assert after == before  # turns, tokens, timings, labels and user counts stay
    d = build(store, whole, k=K)
    assert d.summary.users_at_least and d.summary.users == 9  # the largest day's count: a lower bound
    assert not build(store, DateRange(DAY + timedelta(days=1), DAY + timedelta(days=1)), k=K).summary.users_at_least
    with transaction(store, write=True) as conn:  # an earlier cut never moves the mark back
        purge_rollups(conn, at(DAY - timedelta(days=3), 0))
        assert conn.exec_driver_sql("SELECT value FROM rollup_state").scalar() == str(hour(DAY, 12))
        purge_rollups(conn, at(DAY + timedelta(days=2), 0))
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM rollup_user_hours").scalar() == 0
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM rollup_user_days").scalar() == 0


def hour(day: date, h: int) -> int:
    return day_number(day) * 24 + h


def day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


# Engine health --------------------------------------------------------------------------------------


def test_engine_health_reads_what_it_is_given_and_never_raises():
    h = engine_health(lambda: {"state": "ready", "restarts": 2, "recycles": 1, "up_since": 1000.0}, now=4600.0)
    assert (h.state, h.restarts, h.recycles, h.up_since, h.uptime_s) == ("ready", 2, 1, "1970-01-01T00:16:40Z", 3600.0)

    def broken():
        raise RuntimeError("secret detail")

    assert engine_health(broken).state == "unknown"
    odd = engine_health(lambda: {"state": "<b>x</b>", "restarts": True, "up_since": "yesterday"})
    assert (odd.state, odd.restarts, odd.up_since) == ("unknown", None, None)
