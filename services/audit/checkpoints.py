"""Signed checkpoints of the audit chain, appended to a file outside the store.

The chain catches an edited, deleted or reordered row, but not a cut tail: whoever can delete the
last rows leaves a shorter chain that still verifies. A checkpoint `{kind, seq, mac, ts, key}`
signed with the instance's Ed25519 key (`keys.signing_key`) and kept in another file (ideally on
another volume: `HUSHDESK_AUDIT_CHECKPOINT_FILE`) says "the chain had reached seq with this mac":
a store that ends before a checkpoint's seq, or disagrees with its mac, was cut or altered.

Kinds: `rows` (every `HUSHDESK_AUDIT_CHECKPOINT_ROWS` rows), `time` (after
`HUSHDESK_AUDIT_CHECKPOINT_MINUTES` with new rows), `shutdown`, and `purge` (rows up to seq were
removed on purpose; the chain continues from that mac).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..errors import StoreError
from .records import canonical_json

__all__ = ["Checkpoint", "Checkpoints", "Signer", "fingerprint"]

KINDS = ("rows", "time", "shutdown", "purge")


def fingerprint(public: bytes) -> str:
    """A public key's fingerprint: `ed25519:` and the SHA-256 of its 32 raw bytes, in hex."""
    return "ed25519:" + hashlib.sha256(public).hexdigest()


class Signer:
    """The instance's Ed25519 key: signs checkpoints and export bundles."""

    def __init__(self, seed: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.fingerprint = fingerprint(self.public)

    def sign(self, data: bytes) -> str:
        """The base64 signature of `data`."""
        return base64.b64encode(self._key.sign(data)).decode("ascii")


def signature_ok(public: bytes, data: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is `public`'s signature of `data`."""
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class Checkpoint:
    """One line of the checkpoint file; `valid` is False when its signature or form is wrong."""

    kind: str
    seq: int
    mac: str
    ts: str
    valid: bool
    line: int


class Checkpoints:
    """The checkpoint file: `append` (0600, fsynced) and `read` (every line, signatures checked)."""

    def __init__(self, path: Path, signer: Signer) -> None:
        self.path = path
        self.signer = signer

    def append(self, kind: str, seq: int, mac: bytes, ts: str) -> None:
        """Sign and append one checkpoint; StoreError when the file cannot be written."""
        body = {"kind": kind, "seq": seq, "mac": mac.hex(), "ts": ts, "key": self.signer.fingerprint}
        line = canonical_json({**body, "sig": self.signer.sign(canonical_json(body).encode("ascii"))}) + "\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                os.write(fd, line.encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            raise StoreError("The audit checkpoint could not be written.") from None

    def read(self) -> list[Checkpoint]:
        """Every checkpoint in the file, in order; a missing file is an empty list."""
        try:
            text = self.path.read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            return []
        except OSError:
            raise StoreError("The audit checkpoint file could not be read.") from None
        out = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if raw.strip():
                out.append(self._parse(raw, number))
        return out

    def anchor(self) -> tuple[int, bytes]:
        """The last valid purge checkpoint's (seq, mac): where the kept chain starts; (0, zeros) if none."""
        purges = [c for c in self.read() if c.valid and c.kind == "purge"]
        if not purges:
            return 0, bytes(32)
        last = max(purges, key=lambda c: c.seq)
        return last.seq, bytes.fromhex(last.mac)

    def _parse(self, raw: str, number: int) -> Checkpoint:
        try:
            data = json.loads(raw)
            body = {k: data[k] for k in ("kind", "seq", "mac", "ts", "key")}
            ok = (body["kind"] in KINDS and isinstance(body["seq"], int) and isinstance(body["mac"], str)
                  and body["key"] == self.signer.fingerprint
                  and signature_ok(self.signer.public, canonical_json(body).encode("ascii"), data["sig"]))
            return Checkpoint(str(body["kind"]), int(body["seq"]), str(body["mac"]), str(body["ts"]), ok, number)
        except (ValueError, KeyError, TypeError):
            return Checkpoint("?", -1, "", "", False, number)
