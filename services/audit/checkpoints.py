"""Signed checkpoints of the audit chain, appended to a file outside the store.

The chain catches an edited, deleted or reordered row, but not a cut tail: whoever can delete the
last rows leaves a shorter chain that still verifies. A checkpoint `{kind, seq, mac, ts, key, n}`
signed with the instance's Ed25519 key and kept in another file (ideally on another volume:
`HUSHDESK_AUDIT_CHECKPOINT_FILE`) says "the chain had reached seq with this mac": a store that ends
before a checkpoint's seq, or disagrees with its mac, was cut or altered. `n` counts signatures
(1, 2, 3…): a line dropped from the file leaves a gap. The signature covers `PREFIX` and the
canonical JSON of the body, so no manifest or export signature can pass for a checkpoint.

The key is held either by this process (`Signer`, from the key file: the embedded default) or by
the separate signer service (`services.audit.remote.RemoteSigner`, `HUSHDESK_SIGNER_SOCKET`), which
the service account can ask for signatures but whose key it cannot read.

Kinds: `rows` (every `HUSHDESK_AUDIT_CHECKPOINT_ROWS` rows), `time` (after
`HUSHDESK_AUDIT_CHECKPOINT_MINUTES` with new rows), `shutdown`, and `purge` (rows up to seq were
removed on purpose; the chain continues from that mac). Lines written before `n` existed (no `n`,
signature over the bare body) are still read.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..errors import StoreError
from ..store import utc_now
from .records import canonical_json

__all__ = ["Checkpoint", "Checkpoints", "Signer", "SignerLike", "fingerprint", "parse_line", "bytes_allowed",
           "checkpoint_message", "check_request", "PREFIX", "KINDS"]

KINDS = ("rows", "time", "shutdown", "purge")
PREFIX = b"hushdesk-checkpoint/2\n"
_V1 = ("kind", "seq", "mac", "ts", "key")
_V2 = (*_V1, "n")
_MAC = re.compile(r"[0-9a-f]{64}\Z")
_MANIFEST_KEYS = {"format", "files", "created", "fingerprint"}
_log = logging.getLogger("services.audit")


def fingerprint(public: bytes) -> str:
    """A public key's fingerprint: `ed25519:` and the SHA-256 of its 32 raw bytes, in hex."""
    return "ed25519:" + hashlib.sha256(public).hexdigest()


def checkpoint_message(body: dict[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers: `PREFIX` and the body's canonical JSON."""
    return PREFIX + canonical_json(body).encode("ascii")


def check_request(kind: Any, seq: Any, mac: Any) -> bool:
    """Whether (kind, seq, mac) is a well-formed checkpoint request."""
    return (kind in KINDS and isinstance(seq, int) and not isinstance(seq, bool) and seq >= 1
            and isinstance(mac, str) and bool(_MAC.match(mac)))


def bytes_allowed(purpose: str, data: bytes, own_fingerprint: str) -> bool:
    """Whether `data` may be signed for `purpose`: an export digest (32 bytes) or a model manifest body.

    Neither can be a checkpoint message (those begin with `PREFIX`), so these signatures never pass
    for a checkpoint.
    """
    if purpose == "export":
        return len(data) == 32
    if purpose != "manifest":
        return False
    try:
        body = json.loads(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return False
    return (isinstance(body, dict) and set(body) == _MANIFEST_KEYS and isinstance(body["format"], str)
            and body["format"].startswith("hushdesk-model-manifest/") and body["fingerprint"] == own_fingerprint
            and canonical_json(body).encode("ascii") == data)


class SignerLike(Protocol):
    """What signs for the audit trail: in this process (`Signer`) or the signer service (`RemoteSigner`)."""

    remote: bool

    @property
    def public(self) -> bytes: ...  # noqa: D102

    @property
    def fingerprint(self) -> str: ...  # noqa: D102

    def sign_checkpoint(self, kind: str, seq: int, mac: str, n: int) -> dict[str, Any]: ...  # noqa: D102

    def sign_bytes(self, purpose: str, data: bytes) -> str: ...  # noqa: D102

    def last(self) -> dict[str, Any] | None: ...  # noqa: D102


class Signer:
    """An Ed25519 key held in this process: signs checkpoints, manifests and export bundles."""

    remote = False

    def __init__(self, seed: bytes | None) -> None:
        if seed is None:
            raise StoreError("No audit signing key here: HUSHDESK_SIGNER_SOCKET is set, so the signer holds it.")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.fingerprint = fingerprint(self.public)

    def sign(self, data: bytes) -> str:
        """The base64 signature of `data` (any bytes: only for a key this process holds)."""
        return base64.b64encode(self._key.sign(data)).decode("ascii")

    def sign_bytes(self, purpose: str, data: bytes) -> str:
        """The signature of an export digest or manifest body (see `bytes_allowed`); ValueError otherwise."""
        if not bytes_allowed(purpose, data, self.fingerprint):
            raise ValueError("not signable for this purpose")
        return self.sign(data)

    def sign_checkpoint(self, kind: str, seq: int, mac: str, n: int) -> dict[str, Any]:
        """The signed checkpoint record number `n`, stamped with this clock."""
        if not check_request(kind, seq, mac):
            raise ValueError("malformed checkpoint")
        body = {"kind": kind, "seq": seq, "mac": mac, "ts": utc_now(), "key": self.fingerprint, "n": n}
        return {**body, "sig": self.sign(checkpoint_message(body))}

    def last(self) -> dict[str, Any] | None:
        """None: an in-process key keeps no record of its own beyond the checkpoint file."""
        return None


def signature_ok(public: bytes, data: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is `public`'s signature of `data`."""
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint line; `valid` is False when its signature or form is wrong; `n` None on old lines."""

    kind: str
    seq: int
    mac: str
    ts: str
    valid: bool
    line: int
    n: int | None = None
    sig: str = ""


def parse_line(raw: str | dict[str, Any], public: bytes, number: int = 0) -> Checkpoint:
    """One checkpoint (a JSON line or its object), its signature checked against `public`."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        versioned = "n" in data
        body = {k: data[k] for k in (_V2 if versioned else _V1)}
        message = checkpoint_message(body) if versioned else canonical_json(body).encode("ascii")
        n = body.get("n")
        ok = (check_request(body["kind"], body["seq"], body["mac"]) and isinstance(body["ts"], str)
              and (not versioned or (isinstance(n, int) and not isinstance(n, bool) and n >= 1))
              and body["key"] == fingerprint(public) and signature_ok(public, message, data["sig"]))
        return Checkpoint(str(body["kind"]), int(body["seq"]), str(body["mac"]), str(body["ts"]), ok, number,
                          int(n) if versioned and ok else None, str(data["sig"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return Checkpoint("?", -1, "", "", False, number)


class Checkpoints:
    """The checkpoint file: `append` (0600, fsynced, mirrored) and `read` (every line, signatures checked)."""

    def __init__(self, path: Path, signer: SignerLike, mirror: Any = None) -> None:
        self.path = path
        self.signer = signer
        self.mirror = mirror

    def append(self, kind: str, seq: int, mac: bytes, ts: str | None = None) -> dict[str, Any]:
        """Get one checkpoint signed and append it; StoreError when it cannot be signed or written.

        `ts` is ignored: the signer stamps its own clock.
        """
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            raise StoreError("The audit checkpoint could not be written.") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # one numbering across processes (the app, a purge)
            n = 0 if self.signer.remote else self._last_n(fd) + 1  # the signer service numbers its own
            record = self.signer.sign_checkpoint(kind, seq, mac.hex(), n)
            line = canonical_json(record) + "\n"
            os.write(fd, line.encode("ascii"))
            os.fsync(fd)
        except OSError:
            raise StoreError("The audit checkpoint could not be written.") from None
        except (ValueError, TypeError):
            raise StoreError("The audit checkpoint could not be signed.") from None
        finally:
            os.close(fd)
        if self.mirror is not None and not self.mirror.send(line.rstrip("\n")):
            _log.error("audit checkpoint could not be copied to the mirror")
        return record

    def _last_n(self, fd: int) -> int:
        size = os.fstat(fd).st_size
        text = os.pread(fd, size, 0).decode("ascii", errors="replace") if size else ""
        numbers = [c.n for c in (parse_line(raw, self.signer.public) for raw in text.splitlines() if raw.strip())
                   if c.valid and c.n is not None]
        return max(numbers, default=0)

    def read(self) -> list[Checkpoint]:
        """Every checkpoint in the file, in order; a missing file is an empty list."""
        try:
            text = self.path.read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            return []
        except OSError:
            raise StoreError("The audit checkpoint file could not be read.") from None
        public = self.signer.public
        return [parse_line(raw, public, number) for number, raw in enumerate(text.splitlines(), start=1)
                if raw.strip()]

    def anchor(self) -> tuple[int, bytes]:
        """The last valid purge checkpoint's (seq, mac): where the kept chain starts; (0, zeros) if none."""
        purges = [c for c in self.read() if c.valid and c.kind == "purge"]
        if not purges:
            return 0, bytes(32)
        last = max(purges, key=lambda c: c.seq)
        return last.seq, bytes.fromhex(last.mac)

