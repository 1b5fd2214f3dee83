"""Audit trail speed (issue 5): audited turns per second, and `verify` over 1,000,000 rows.

- Throughput: turn records written through the real `AuditLog` (validation, HMAC chain, one writer
  thread, batched commits, the dashboard's rollups in the same transaction, signed checkpoints),
  submitted by 200 concurrent asyncio tasks, sustained over the whole run. Baseline in the same
  run: the same rows as a bare batched INSERT into a SQLCipher table (no chain, no rollups).
- Verify: the chain and checkpoints of a 1,000,000-row store (built by the same writer), timed
  against a baseline read of the same rows (a plain SELECT over every column).

    .venv/bin/python -m bench.audit [--rows N]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from services.audit import AuditLog, TurnRecord
from services.audit.checkpoints import Checkpoints, Signer
from services.audit.verify import verify
from services.ops.bootstrap import ensure_initialised
from services.config import load_settings
from services.keys import hash_id
from services.store import transaction

GOAL_TURNS = 2000.0
GOAL_VERIFY_S = 30.0
_TASKS = 200


def _record(pepper: bytes, i: int) -> TurnRecord:
    return TurnRecord(session_hash=hash_id(pepper, "session", f"s{i % 500}"),
                      user_hash=hash_id(pepper, "user", f"u{i % 120}"), role="staff", model="hushdesk-model",
                      prompt_tokens=200 + i % 50, completion_tokens=150 + i % 70, ttft_ms=40.0 + i % 30,
                      latency_ms=900.0 + i % 400, redactions_in={"PHONE": i % 2, "EMAIL": i % 3},
                      redactions_out={}, outcome="ok" if i % 50 else "engine_error")


async def _write(log: AuditLog, pepper: bytes, start: int, count: int) -> float:
    next_i = start
    end = start + count

    async def worker() -> None:
        nonlocal next_i
        while next_i < end:
            i = next_i
            next_i += 1
            await log.write(_record(pepper, i))

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(_TASKS)))
    return time.perf_counter() - began


def _baseline_insert(engine, pepper: bytes, count: int) -> float:
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_plain (a TEXT, b TEXT, c INTEGER, d INTEGER, "
                             "e REAL, f REAL, g TEXT, h TEXT, i TEXT, ts TEXT)")
    rows = [(hash_id(pepper, "session", f"s{i % 500}"), hash_id(pepper, "user", f"u{i % 120}"), 200, 150, 40.0,
             900.0, '{"PHONE":1}', "{}", "ok", "2026-12-01T00:00:00.000Z") for i in range(count)]
    began = time.perf_counter()
    for k in range(0, count, 1000):
        with transaction(engine, write=True) as conn:
            conn.exec_driver_sql("INSERT INTO bench_plain VALUES (?,?,?,?,?,?,?,?,?,?)", rows[k:k + 1000])
    elapsed = time.perf_counter() - began
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("DROP TABLE bench_plain")
    return elapsed


def _baseline_scan(engine) -> float:
    began = time.perf_counter()
    with transaction(engine) as conn:
        result = conn.exec_driver_sql("SELECT * FROM audit_events ORDER BY seq")
        while result.fetchmany(5000):
            pass
    return time.perf_counter() - began


def run(rows: int = 1_000_000, throughput_rows: int = 30_000) -> dict:
    """Measure; a dict of figures."""
    tmp = Path(tempfile.mkdtemp(prefix="hushdesk-bench-audit-"))
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp / "data"), "HUSHDESK_ENGINE": "external",
                              "HUSHDESK_ENGINE_URL": "http://127.0.0.1:9/v1"}, dotenv=False)
    keys, engine, _ = ensure_initialised(settings)
    checkpoints = Checkpoints(settings.checkpoint_path, Signer(keys.signing_key))
    log = AuditLog(engine, keys.chain_key, checkpoints=checkpoints, checkpoint_rows=1000)
    log.start()
    try:
        plain = _baseline_insert(engine, keys.pepper, throughput_rows)
        chained = asyncio.run(_write(log, keys.pepper, 0, throughput_rows))
        began = time.perf_counter()
        written = throughput_rows
        while written < rows:  # the rest of the million, through the same writer
            step = min(100_000, rows - written)
            asyncio.run(_write(log, keys.pepper, written, step))
            written += step
        fill_s = time.perf_counter() - began
    finally:
        log.close()
    scan = _baseline_scan(engine)
    began = time.perf_counter()
    verdict = verify(engine, keys.chain_key, checkpoints.read())
    verify_s = time.perf_counter() - began
    engine.dispose()
    return {
        "turns_per_s": throughput_rows / chained, "plain_rows_per_s": throughput_rows / plain,
        "ratio_to_plain": (throughput_rows / chained) / (throughput_rows / plain),
        "fill_rows_per_s": (rows - throughput_rows) / fill_s if rows > throughput_rows else 0.0,
        "rows": rows, "verify_s": verify_s, "scan_s": scan, "verify_ok": verdict.ok,
        "checkpoints": verdict.checkpoints, "throughput_rows": throughput_rows,
    }


def report(r: dict) -> str:
    """The BENCHMARKS.md section."""
    turns_met = "met" if r["turns_per_s"] >= GOAL_TURNS else "NOT met"
    verify_met = "met" if r["verify_s"] <= GOAL_VERIFY_S and r["verify_ok"] else "NOT met"
    return f"""## Audit trail (issue 5)

`bench/audit.py`. Throughput: {r['throughput_rows']:,} turn records through the real `AuditLog`
(validation, HMAC chain, one writer thread, batched commits, dashboard rollups in the same
transaction, a signed checkpoint every 1,000 rows), submitted by {_TASKS} concurrent asyncio tasks
awaiting their commit. Baseline: the same number of rows as a bare batched INSERT (1,000 per
transaction) into a SQLCipher table, no chain and no rollups. Verify: `services.audit.verify` (chain
and {r['checkpoints']} signed checkpoints) over {r['rows']:,} rows written by the same writer, against a
baseline plain read of every column of the same rows.

| figure | measured | baseline | ratio | goal |
|---|---|---|---|---|
| audited turns/s, sustained | **{r['turns_per_s']:,.0f}** | {r['plain_rows_per_s']:,.0f} plain rows/s | {r['ratio_to_plain']:.2f} of a bare insert | ≥ 2,000/s ({turns_met}) |
| `verify` of {r['rows']:,} rows | **{r['verify_s']:.1f} s** | {r['scan_s']:.1f} s to read them | {r['verify_s'] / r['scan_s']:.1f}× the read | ≤ 30 s ({verify_met}) |

The rest of the million was written at {r['fill_rows_per_s']:,.0f} rows/s by the same writer.
"""


def main() -> None:
    """Command line: print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.audit")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    r = run(args.rows, min(30_000, args.rows))
    print({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()})
    print(report(r))


if __name__ == "__main__":
    main()
