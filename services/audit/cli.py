"""`python -m services.audit`: read, verify, export, purge and re-encrypt the audit trail.

    tail [-n N] [--json]                          newest rows
    verify [--expect-key F] [--checkpoints-from FILE]
                                                  exit 0, or 1 naming the fault (`seq N: truncated`…);
                                                  FILE: the mirror's copy (journal or collector extract)
    export --from DATE --to DATE --out FILE       a signed bundle of a date range (UTC days)
    verify-export FILE [--fingerprint F]          check a bundle anywhere: no key, no store needed
    purge [--older-than DAYS]                     default HUSHDESK_AUDIT_RETENTION_DAYS
    rekey                                         new store key (hushdesk must be stopped)
    fingerprint                                   this instance's signing key fingerprint

With `HUSHDESK_SIGNER_SOCKET` set, every signature comes from the signer service.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..config import load_settings
from ..errors import HushdeskError
from ..keys import load_keys, update_key_file
from ..store import damaged_pages, lock_instance, open_store, rekey
from .bundle import export_bundle, verify_bundle
from .log import tail
from .purge import cutoff, purge
from .records import canonical_json
from .remote import checkpoints_for, signer_for
from .trail import verify_trail

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


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a date as YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.audit", description="Read, verify, export and purge "
                                     "the audit trail.")
    sub = parser.add_subparsers(dest="command", required=True)
    tail = sub.add_parser("tail", help="print the newest rows, oldest first")
    tail.add_argument("-n", type=int, default=20, help="how many rows (default 20)")
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    check = sub.add_parser("verify", help="check the chain and the signed checkpoints; exit 1 naming the first fault")
    check.add_argument("--expect-key", metavar="ed25519:HEX", help="the signing key's fingerprint, pinned out of "
                       "band (default HUSHDESK_AUDIT_EXPECT_KEY)")
    check.add_argument("--checkpoints-from", type=Path, metavar="FILE", help="the mirror's copy of the checkpoints "
                       "(journalctl -t hushdesk-audit -o cat, or a collector's log): each must be in the file too")
    export = sub.add_parser("export", help="write a signed bundle of the rows of a date range (UTC days)")
    export.add_argument("--from", dest="start", type=_date, required=True, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="end", type=_date, required=True, metavar="YYYY-MM-DD")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    check = sub.add_parser("verify-export", help="check a bundle's signature and rows (needs no key or store)")
    check.add_argument("file", type=Path)
    check.add_argument("--fingerprint", help="the signer's fingerprint you expect (from `fingerprint`)")
    purge = sub.add_parser("purge", help="remove rows older than the retention period")
    purge.add_argument("--older-than", type=int, metavar="DAYS",
                       help="days to keep (default HUSHDESK_AUDIT_RETENTION_DAYS)")
    sub.add_parser("rekey", help="re-encrypt the store under a new key (stop hushdesk first)")
    sub.add_parser("fingerprint", help="print the fingerprint of this instance's signing key")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; errors print a fixed message and exit 2; a failed check exits 1."""
    args = _parser().parse_args(argv)
    if args.command == "verify-export":
        return _verify_export(args)
    try:
        return _run(args)
    except HushdeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - no traceback on the command line
        print(f"Unexpected error ({type(exc).__name__}).", file=sys.stderr)
        return 2


def _verify_export(args: argparse.Namespace) -> int:
    check = verify_bundle(args.file)
    if check.ok and args.fingerprint and args.fingerprint != check.fingerprint:
        print(f"signed by {check.fingerprint}, not by the expected key", file=sys.stderr)
        return 1
    if not check.ok:
        print(f"bad export: {check.reason}", file=sys.stderr)
        return 1
    print(f"ok: {check.rows} rows, signed by {check.fingerprint}")
    return 0


def _run(args: argparse.Namespace) -> int:

    settings = load_settings()
    keys = load_keys(settings, create=False)
    signer = signer_for(settings, keys)
    if args.command == "fingerprint":
        print(signer.fingerprint)
        return 0
    if args.command == "rekey":
        return _rekey(settings, keys)
    checkpoints = checkpoints_for(settings, keys, signer)
    engine = open_store(settings, keys, create=False)
    try:
        if args.command == "verify":
            damaged = damaged_pages(engine)
            if damaged:
                print(f"the store is damaged: {damaged} page(s) fail their HMAC check; restore it from a backup",
                      file=sys.stderr)
                return 1
            mirror = None
            if args.checkpoints_from is not None:
                try:
                    mirror = args.checkpoints_from.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    raise HushdeskError(f"{args.checkpoints_from} could not be read.") from None
            verdict = verify_trail(settings, keys, engine, mirror_text=mirror, expect_key=args.expect_key,
                                   signer=signer)
            print(verdict.describe(), file=sys.stdout if verdict.ok else sys.stderr)
            if verdict.ok and not verdict.checkpoints:
                print(f"note: no signed checkpoints in {settings.checkpoint_path} yet", file=sys.stderr)
            if verdict.ok and not signer.remote:
                print("note: the key file holds the signing key: the service account could re-sign "
                      "(run the signer service; see docs/DEPLOYMENT.md)", file=sys.stderr)
            return 0 if verdict.ok else 1
        if args.command == "export":
            anchor = checkpoints.anchor()
            count = export_bundle(engine, signer, args.start, args.end, args.out, anchor)
            print(f"Wrote {count} rows to {args.out}, signed by {signer.fingerprint}.")
            return 0
        if args.command == "purge":
            days = args.older_than or settings.audit_retention_days
            if days < 1:
                raise HushdeskError("--older-than must be at least 1 day.")
            removed = purge(engine, checkpoints, cutoff(days))
            print(f"Removed {removed} rows older than {days} days; the rest still verifies.")
            return 0
        rows = tail(engine, args.n)
    finally:
        engine.dispose()
    if args.json:
        for row in rows:
            print(canonical_json(row))
    elif rows:
        print(format_table(rows))
    else:
        print("No audit events yet.")
    return 0


def _rekey(settings: Any, keys: Any) -> int:
    import os
    import secrets


    if settings.db_key is not None:
        raise HushdeskError("HUSHDESK_DB_KEY is set in the environment: rekey needs the key in the key file "
                            "(unset it, or re-encrypt by hand and set the new value).")
    if settings.database_url is not None:
        raise HushdeskError("With a shared PostgreSQL store (HUSHDESK_DATABASE_URL) every host shares db_key and the "
                            "database checks it: rekey is not supported there. Encryption at rest of the shared "
                            "store is the database server's (docs/DEPLOYMENT.md).")
    lock = lock_instance(settings)  # refuses while hushdesk runs
    try:
        engine = open_store(settings, keys, create=False)
        new = secrets.token_bytes(32)
        # The new key is saved before the store changes: an interrupted rekey leaves it as
        # db_key_next in the key file, never lost.
        update_key_file(settings, {"db_key_next": new.hex()})
        try:
            rekey(engine, new)
        finally:
            engine.dispose()
        update_key_file(settings, {"db_key": new.hex(), "db_key_next": None})
        reopened = open_store(settings, load_new(settings), create=False)
        reopened.dispose()
    finally:
        os.close(lock)
    print(f"Re-encrypted the store; {settings.key_file_path} holds the new key. Back it up now.")
    return 0


def load_new(settings: Any) -> Any:
    """The keys as now stored (after a rekey)."""

    return load_keys(settings, create=False)
