"""`python -m services.audit`: read, verify, export and purge the audit trail."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Mapping, Sequence

from ..errors import HushdeskError
from .log import tail
from .records import canonical_json
from .verify import verify_chain

__all__ = ["main", "format_table"]

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
    from ..config import load_settings
    from ..keys import load_keys
    from ..store import open_store

    try:
        settings = load_settings()
        keys = load_keys(settings, create=False)
        engine = open_store(settings, keys, create=False)
        try:
            if args.command == "verify":
                ok, bad = verify_chain(engine, keys.chain_key)
                print("ok" if ok else f"chain broken at seq {bad}")
                return 0 if ok else 1
            rows = tail(engine, args.n)
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
