"""Dashboard queries over 1,000,000 turn rows: the rollups against the same figures computed directly
on audit_events, in the same run, on the same encrypted store.

Seeding bypasses the HMAC chain (every row gets a placeholder mac; the chain is not what is
measured) but uses the audit writer's own path otherwise: one transaction per batch holding the
INSERT into audit_events and `update_rollups(conn, rows)`.

    python -m bench.dashboard            print the figures and the Markdown section
    run(...) -> dict; report(dict) -> str
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.engine import Engine

from services.audit import COLUMNS
from services.config import load_settings
from services.audit.dashboard import DateRange, build
from services.keys import load_keys
from services.audit.rollups import BINS_PER_DOUBLING, RELATIVE_ERROR, outcome_class, update_rollups
from services.store import open_store, transaction

__all__ = ["run", "report", "direct", "GOAL_MS"]

GOAL_MS = 300.0
FIRST_DAY = date(2026, 1, 1)
_INSERT = (f"INSERT INTO audit_events ({', '.join(COLUMNS)}, mac) "
           f"VALUES ({', '.join(':' + c for c in COLUMNS)}, :mac)")
_OUTCOMES = (("ok", 0.93), ("engine_error", 0.01), ("engine_timeout", 0.005), ("rejected_input", 0.03),
             ("reply_blocked", 0.005), ("cancelled", 0.02))
_LABELS = ("PHONE", "EMAIL", "CN_ID", "PERSON", "ADDRESS", "ORDER_ID", "BANK_CARD")
_PLACEHOLDER_MAC = "00" * 32


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def _rows(rng: random.Random, n: int, days: int, users: list[str], start_seq: int):
    """`n` turn rows spread over `days` days with a working-hours profile, in ts order."""
    weights = [1 if h < 7 or h > 20 else 6 if 9 <= h <= 17 else 3 for h in range(24)]
    hours = rng.choices(range(days * 24), weights=[weights[h % 24] for h in range(days * 24)], k=n)
    hours.sort()
    outcomes, probabilities = zip(*_OUTCOMES)
    base = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=timezone.utc)
    prefix: dict[int, str] = {}
    for i, hour in enumerate(hours):
        text = prefix.get(hour)
        if text is None:
            text = prefix[hour] = (base + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:")
        outcome = rng.choices(outcomes, probabilities)[0]
        ok = outcome == "ok"
        latency = rng.lognormvariate(7.3, 0.6) if ok else rng.lognormvariate(2, 2)
        red_in = {rng.choice(_LABELS): rng.randint(1, 3)} if rng.random() < 0.3 else {}
        red_out = {rng.choice(_LABELS): 1} if rng.random() < 0.05 else {}
        yield {
            "seq": start_seq + i, "ts": f"{text}{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z",
            "kind": "turn", "session_hash": None, "user_hash": rng.choice(users), "role": "staff", "model": "bench",
            "prompt_tokens": rng.randint(20, 3000), "completion_tokens": rng.randint(5, 800) if ok else None,
            "ttft_ms": rng.lognormvariate(5.5, 0.7) if ok else None, "latency_ms": latency,
            "redactions_in": json.dumps(red_in, sort_keys=True, separators=(",", ":")),
            "redactions_out": json.dumps(red_out, sort_keys=True, separators=(",", ":")),
            "outcome": outcome, "target_hash": None, "mac": _PLACEHOLDER_MAC,
            **{c: None for c in COLUMNS if c.startswith("kb_")},  # turns without the knowledge base
        }


def _seed(engine: Engine, rows: int, days: int, users: int, seed: int, batch: int = 10_000) -> float:
    rng = random.Random(seed)
    hashes = [f"{rng.getrandbits(256):064x}" for _ in range(users)]
    started = time.perf_counter()
    pending: list[dict] = []
    for row in _rows(rng, rows, days, hashes, 1):
        pending.append(row)
        if len(pending) == batch:
            _write(engine, pending)
            pending = []
    if pending:
        _write(engine, pending)
    return time.perf_counter() - started


def _write(engine: Engine, rows: list[dict]) -> None:
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql(_INSERT, rows)
        update_rollups(conn, rows)


def _write_cost(engine: Engine, rounds: int, seed: int) -> tuple[float, float]:
    """Median ms of a one-row audit transaction without and with the rollups (interleaved)."""
    rng = random.Random(seed)
    with transaction(engine) as conn:
        seq = conn.exec_driver_sql("SELECT MAX(seq) FROM audit_events").scalar() or 0
    users = [f"{rng.getrandbits(256):064x}" for _ in range(50)]
    plain, rolled = [], []
    for i, row in enumerate(_rows(rng, 2 * rounds, 1, users, seq + 1)):
        row["ts"] = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        t0 = time.perf_counter()
        with transaction(engine, write=True) as conn:
            conn.exec_driver_sql(_INSERT, [row])
            if i % 2:
                update_rollups(conn, [row])
        (rolled if i % 2 else plain).append((time.perf_counter() - t0) * 1000)
    return statistics.median(plain), statistics.median(rolled)


def direct(engine: Engine, r: DateRange) -> dict:
    """The dashboard's figures computed straight from audit_events (the baseline)."""
    lo = f"{r.start.isoformat()}T00:00:00.000Z"
    hi = f"{(r.end + timedelta(days=1)).isoformat()}T00:00:00.000Z"
    with transaction(engine) as conn:
        q = conn.exec_driver_sql
        per_day = q("SELECT substr(ts, 1, 10), COUNT(*), COUNT(DISTINCT user_hash), SUM(outcome = 'ok'), "
                    "SUM(COALESCE(prompt_tokens, 0)), SUM(COALESCE(completion_tokens, 0)) FROM audit_events "
                    "WHERE kind = 'turn' AND ts >= ? AND ts < ? GROUP BY 1", (lo, hi)).all()
        outcomes = q("SELECT outcome, COUNT(*) FROM audit_events WHERE kind = 'turn' AND ts >= ? AND ts < ? "
                     "GROUP BY outcome", (lo, hi)).all()
        per_hour = (q("SELECT substr(ts, 1, 13), COUNT(*), COUNT(DISTINCT user_hash) FROM audit_events "
                      "WHERE kind = 'turn' AND ts >= ? AND ts < ? GROUP BY 1", (lo, hi)).all()
                    if r.days <= 31 else [])
        users = q("SELECT COUNT(DISTINCT user_hash) FROM audit_events WHERE kind = 'turn' AND ts >= ? AND ts < ?",
                  (lo, hi)).scalar()
        timings = q("SELECT substr(ts, 1, 10), latency_ms, ttft_ms FROM audit_events "
                    "WHERE kind = 'turn' AND outcome = 'ok' AND ts >= ? AND ts < ?", (lo, hi)).all()
        labels = q("SELECT 'in', j.key, SUM(j.value) FROM audit_events, json_each(redactions_in) AS j "
                   "WHERE kind = 'turn' AND ts >= ? AND ts < ? GROUP BY j.key UNION ALL "
                   "SELECT 'out', j.key, SUM(j.value) FROM audit_events, json_each(redactions_out) AS j "
                   "WHERE kind = 'turn' AND ts >= ? AND ts < ? GROUP BY j.key", (lo, hi, lo, hi)).all()
    by_day: dict[str, list[float]] = defaultdict(list)
    latency, ttft = [], []
    for day, lat, first in timings:
        by_day[day].append(lat)
        latency.append(lat)
        if first is not None:
            ttft.append(first)
    day_p = {day: (_pct(v, 0.5), _pct(v, 0.95)) for day, v in by_day.items()}
    classes: dict[str, int] = defaultdict(int)
    for outcome, n in outcomes:
        classes[outcome_class(outcome)] += n
    return {
        "turns": sum(d[1] for d in per_day), "users": users, "days": len(per_day), "hours": len(per_hour),
        "prompt_tokens": sum(d[4] for d in per_day), "completion_tokens": sum(d[5] for d in per_day),
        "failures": classes["failure"], "refusals": classes["refusal"],
        "latency": (_pct(latency, 0.5), _pct(latency, 0.95)) if latency else (None, None),
        "ttft": (_pct(ttft, 0.5), _pct(ttft, 0.95)) if ttft else (None, None),
        "day_percentiles": len(day_p), "labels": {(d, k): n for d, k, n in labels},
    }


def _time(fn, repeats: int, warm: bool = True) -> tuple[list[float], object]:
    """Milliseconds of `repeats` calls (after one warm-up call, as a running server's cache would be)."""
    result = fn() if warm else None
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out, result


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and (abs(a / b - 1) <= RELATIVE_ERROR + 1e-9 or abs(a - b) <= 0.5)


def _agree(d, ref: dict) -> bool:
    f = d.summary.figures
    assert f is not None, "the bench's range must not be suppressed"
    labels = {("in", k_): n for k_, n in d.redactions.inbound} | {("out", k_): n for k_, n in d.redactions.outbound}
    return (f.turns == ref["turns"] and d.summary.users == ref["users"]
            and f.prompt_tokens == ref["prompt_tokens"] and f.completion_tokens == ref["completion_tokens"]
            and f.failures == ref["failures"] and f.refusals == ref["refusals"] and labels == ref["labels"]
            and _close(f.latency_ms.p50, ref["latency"][0]) and _close(f.latency_ms.p95, ref["latency"][1])
            and _close(f.ttft_ms.p50, ref["ttft"][0]) and _close(f.ttft_ms.p95, ref["ttft"][1]))


def run(rows: int = 1_000_000, days: int = 90, users: int = 300, repeats: int = 30,
        baseline_repeats: int = 3, seed: int = 20261122, k: int = 5) -> dict:
    """Seed a fresh encrypted store, time the dashboard over several ranges both ways; the figures."""
    ranges = {f"{n} d": DateRange(FIRST_DAY + timedelta(days=days - n), FIRST_DAY + timedelta(days=days - 1))
              for n in (days, 30, 7, 1) if n <= days}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"HUSHDESK_DATA_DIR": str(Path(tmp) / "data")}, dotenv=False)
        engine = open_store(settings, load_keys(settings, create=True), create=True)
        try:
            seed_s = _seed(engine, rows, days, users, seed)
            size_mb = settings.audit_db_path.stat().st_size / 2 ** 20
            results = {}
            for name, r in ranges.items():
                fast, answer = _time(lambda: build(engine, r, k=k), repeats)
                # The baseline reads the whole table each time: a warm-up would change nothing.
                slow, reference = _time(lambda: direct(engine, r), baseline_repeats, warm=False)
                results[name] = {"rollup_p50_ms": statistics.median(fast), "rollup_p95_ms": _pct(fast, 0.95),
                                 "direct_p50_ms": statistics.median(slow), "direct_p95_ms": _pct(slow, 0.95),
                                 "agree": _agree(answer, reference)}
            write_plain_ms, write_rollup_ms = _write_cost(engine, 300, seed)
            with transaction(engine) as conn:
                counts = {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar() for t in (
                    "rollup_hours", "rollup_timings", "rollup_timing_days", "rollup_redactions", "rollup_redaction_days",
                    "rollup_user_hours", "rollup_user_days")}
        finally:
            engine.dispose()
    worst = max(v["rollup_p95_ms"] for v in results.values())
    return {"rows": rows, "days": days, "users": users, "repeats": repeats, "baseline_repeats": baseline_repeats,
            "seed_s": seed_s, "rows_per_s": rows / seed_s, "size_mb": size_mb, "ranges": results,
            "rollup_rows": counts, "write_plain_ms": write_plain_ms,
            "write_rollup_ms": write_rollup_ms, "worst_p95_ms": worst,
            "met": worst <= GOAL_MS,
            "bins_per_doubling": BINS_PER_DOUBLING, "relative_error": RELATIVE_ERROR}


def report(r: dict) -> str:
    """The Markdown section for docs/BENCHMARKS.md."""
    lines = "\n".join(
        f"| {name} | {v['rollup_p50_ms']:.1f} ms | **{v['rollup_p95_ms']:.1f} ms** | {v['direct_p50_ms']:,.0f} ms | "
        f"{v['direct_p95_ms']:,.0f} ms | {v['direct_p50_ms'] / v['rollup_p50_ms']:,.0f}× | {'yes' if v['agree'] else 'NO'} |"
        for name, v in r["ranges"].items())
    rollup_rows = ", ".join(f"{t} {n:,}" for t, n in r["rollup_rows"].items())
    return f"""## Dashboard queries over {r['rows']:,} turns (issue 5)

{r['rows']:,} turn rows from {r['users']} users over {r['days']} days (working-hours profile) in one
encrypted store ({r['size_mb']:.0f} MB), written in batches of 10,000 through the audit writer's
path (INSERT and `update_rollups` in one transaction; the HMAC chain is bypassed for seeding only):
{r['rows_per_s']:,.0f} rows/s. Each range is the dashboard's whole answer (`services.audit.dashboard.build`:
daily and hourly buckets, distinct users, tokens, outcome rates, p50/p95 latency and TTFT, redactions
by label) from the rollups, {r['repeats']} runs, against the same figures computed directly on
`audit_events` ({r['baseline_repeats']} runs, each a full scan; the rollups after one warm-up run). "agree": equal counts, users, tokens and
labels, percentiles within the bins' resolution ({r['bins_per_doubling']} bins per doubling,
±{r['relative_error'] * 100:.1f}%). Rollup rows: {rollup_rows}.

| range | rollups p50 | rollups p95 | direct p50 | direct p95 | speed-up (p50) | agree |
|---|---|---|---|---|---|---|
{lines}

Keeping the rollups costs the audit writer {(r['write_rollup_ms'] - r['write_plain_ms']) * 1000:.0f} µs per one-row
transaction (median {r['write_plain_ms']:.3f} ms without, {r['write_rollup_ms']:.3f} ms with; larger
batches share it).

Goal: ≤ {GOAL_MS:.0f} ms p95 over 1,000,000 rows; this run, {r['rows']:,} rows: worst p95 {r['worst_p95_ms']:.1f} ms ({'met' if r['met'] else 'NOT met'}).
"""


def main(argv: list[str] | None = None) -> int:
    """Run with the defaults (or `--rows N`) and print the figures and the report."""
    args = list(sys.argv[1:] if argv is None else argv)
    rows = int(args[args.index("--rows") + 1]) if "--rows" in args else 1_000_000
    r = run(rows=rows)
    print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items() if k != "ranges"})
    for name, v in r["ranges"].items():
        print(name, {k: (round(x, 2) if isinstance(x, float) else x) for k, x in v.items()})
    print(report(r))
    return 0 if r["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
