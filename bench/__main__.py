"""Run every benchmark and write docs/BENCHMARKS.md (`make bench`)."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path

from bench import (audit, crf_fresh, dashboard, helper_sets, kb, layers, load, marks, public_quality, quality,
                   redaction_speed, turn)

OUT = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    """Measure, print and write the report."""
    sections = []
    r = turn.run()
    print({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()})
    sections.append(turn.report(r))
    q = quality.run()
    print({split: q[split]["any"] for split in ("dev", "holdout") if split in q})
    pq = public_quality.run()
    print("public", pq.get("any") if pq.get("present") else "absent")
    sections.append(public_quality.report(pq, q.get("holdout")))
    hs = helper_sets.run()
    print("helper sets", {name: round(r["recall"], 3) for name, r in hs.items()})
    sections.append(helper_sets.report(hs))
    cf = crf_fresh.run()
    print("context layer, fresh sets", {k: (round(a["leaked"], 3), round(b["leaked"], 3)) for k, (a, b) in cf["sets"].items()
                                        if a["values"]})
    sections.append(crf_fresh.report(cf))
    sections.append(quality.report(q))
    lr = layers.run()
    print("layers", {k: round(v, 4) if isinstance(v, float) else v for k, v in lr.items()
                     if isinstance(v, (int, float)) and not isinstance(v, bool)})
    sections.append(layers.report(lr))
    s = redaction_speed.run()
    print({k: round(v, 4) if isinstance(v, float) else v for k, v in s.items()
           if isinstance(v, (int, float)) and not isinstance(v, bool)})
    sections.append(redaction_speed.report(s))
    for name, module in (("audit", audit), ("dashboard", dashboard), ("load", load), ("kb", kb), ("marks", marks)):
        r = module.run()
        print(name, {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()
                     if isinstance(v, (int, float, str)) and not isinstance(v, bool)})
        sections.append(module.report(r))
    header = f"""# Benchmarks

Produced by `make bench` (which runs `.venv/bin/python -m bench`) on {time.strftime('%Y-%m-%d')},
commit `{_commit()}`, {platform.python_implementation()} {platform.python_version()},
{os.cpu_count()} CPUs, no GPU. Every figure is a ratio or difference against a baseline measured in
the same run; absolute numbers vary with the machine. Re-run `make bench` to refresh this file.

"""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
