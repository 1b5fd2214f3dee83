"""Signed export bundles of the audit trail, checkable on any machine.

A bundle is JSON lines: a header (format, date range, first and last seq, the chain value before
the first row, the instance's Ed25519 public key and its fingerprint), one line per row (as stored,
with its chain value), and a last line holding the Ed25519 signature of the SHA-256 of every byte
before it. `verify_bundle` needs no secret: it checks the signature with the key in the header,
that the rows are contiguous and match the header's range and count; compare the
printed fingerprint with the instance's (`python -m services.audit fingerprint`) to know who signed.
With the chain key (on the instance) the HMAC chain inside the bundle is recomputed too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.engine import Engine

from ..errors import StoreError
from ..store import transaction
from .checkpoints import SignerLike, fingerprint, signature_ok
from .records import COLUMNS, ZERO_MAC, canonical_json, next_mac

__all__ = ["FORMAT", "BundleCheck", "export_bundle", "verify_bundle"]

FORMAT = "hushdesk-audit-export/1"
_FIELDS = (*COLUMNS, "mac")


@dataclass(frozen=True)
class BundleCheck:
    """The result of checking a bundle: ok, or a fixed reason; rows and signer fingerprint."""

    ok: bool
    reason: str
    rows: int = 0
    fingerprint: str = ""


def _day_start(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def export_bundle(engine: Engine, signer: SignerLike, start: date, end: date, out: Path,
                  anchor: tuple[int, bytes] = (0, ZERO_MAC)) -> int:
    """Write rows with `start` <= day <= `end` (UTC) to `out` (0600, never over a file); the count.

    `anchor` is the purge anchor (seq, mac), for a range that begins at the first kept row.
    """
    if end < start:
        raise StoreError("The export range ends before it starts.")
    low, high = _day_start(start), _day_start(end + timedelta(days=1))
    with transaction(engine) as conn:
        rows = conn.exec_driver_sql(
            f"SELECT {', '.join(_FIELDS)} FROM audit_events WHERE ts >= ? AND ts < ? ORDER BY seq", (low, high)).all()
        previous = anchor[1]
        if rows and rows[0][0] > 1:
            before = conn.exec_driver_sql("SELECT mac FROM audit_events WHERE seq = ?", (rows[0][0] - 1,)).scalar()
            previous = bytes.fromhex(before) if before else anchor[1] if rows[0][0] - 1 == anchor[0] else b""
    if rows and not previous:
        raise StoreError("The row before the export range is missing; run: python -m services.audit verify")
    header = {"format": FORMAT, "from": start.isoformat(), "to": end.isoformat(),
              "first_seq": rows[0][0] if rows else None, "last_seq": rows[-1][0] if rows else None,
              "count": len(rows), "prev_mac": previous.hex() if rows else None,
              "public_key": base64.b64encode(signer.public).decode("ascii"), "fingerprint": signer.fingerprint}
    body = (canonical_json(header) + "\n" + "".join(canonical_json(dict(zip(_FIELDS, r))) + "\n" for r in rows)
            ).encode("ascii")
    trailer = canonical_json({"signature": signer.sign_bytes("export", hashlib.sha256(body).digest())}) + "\n"
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(body + trailer.encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        raise StoreError(f"{out} exists; choose another file.") from None
    except OSError:
        raise StoreError(f"{out} could not be written.") from None
    return len(rows)


def verify_bundle(path: Path, chain_key: bytes | None = None) -> BundleCheck:
    """Check a bundle's signature, continuity and links (and HMAC chain, given the chain key)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return BundleCheck(False, "the file could not be read")
    lines = raw.split(b"\n")
    if len(lines) < 3 or lines[-1] != b"":
        return BundleCheck(False, "not an export bundle (truncated or malformed)")
    body = b"\n".join(lines[:-2]) + b"\n"
    try:
        header = json.loads(lines[0])
        signature = json.loads(lines[-2])["signature"]
        public = base64.b64decode(header["public_key"], validate=True)
        rows = [json.loads(line) for line in lines[1:-2]]
    except (ValueError, KeyError, TypeError):
        return BundleCheck(False, "not an export bundle (malformed)")
    if header.get("format") != FORMAT or header.get("fingerprint") != fingerprint(public):
        return BundleCheck(False, "not an export bundle of this format")
    if not signature_ok(public, hashlib.sha256(body).digest(), signature):
        return BundleCheck(False, "the signature does not match: the file was altered", fingerprint=header["fingerprint"])
    return _check_rows(header, rows, chain_key)


def _check_rows(header: dict, rows: list[dict], chain_key: bytes | None) -> BundleCheck:
    seen = header["fingerprint"]
    if len(rows) != header.get("count") or (rows and (rows[0].get("seq") != header.get("first_seq")
                                                      or rows[-1].get("seq") != header.get("last_seq"))):
        return BundleCheck(False, "the row count or range does not match the header", fingerprint=seen)
    previous = bytes.fromhex(header["prev_mac"]) if rows else ZERO_MAC
    for i, row in enumerate(rows):
        if i and row.get("seq") != rows[i - 1]["seq"] + 1:
            return BundleCheck(False, f"rows are not contiguous at seq {rows[i - 1]['seq'] + 1}", i, seen)
        if chain_key is not None:
            try:
                ok = hmac.compare_digest(next_mac(chain_key, previous, row).hex(), row.get("mac", ""))
            except (KeyError, TypeError, ValueError):
                ok = False
            if not ok:
                return BundleCheck(False, f"the chain breaks at seq {row.get('seq')}", i, seen)
            previous = bytes.fromhex(row["mac"])
    return BundleCheck(True, "ok", len(rows), seen)
