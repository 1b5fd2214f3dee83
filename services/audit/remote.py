"""The app's side of the signer service (`python -m services.audit.signer`), and the choice of signer.

`RemoteSigner` has the in-process `Signer`'s interface but holds no key: it asks the signer over
its Unix socket and checks every signature it gets back against the signer's public key. Errors
are StoreError with fixed messages: a checkpoint that cannot be signed is retried by the audit
writer (rows are still written and chained), a manifest or export is refused.
"""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import StoreError
from ..keys import load_keys
from .checkpoints import (
    Checkpoints,
    Signer,
    SignerLike,
    checkpoint_message,
    fingerprint,
    signature_ok,
)
from .mirror import Mirror

__all__ = ["RemoteSigner", "signer_for", "checkpoints_for"]

_MAX_REPLY = 1 << 20


class RemoteSigner:
    """Signatures from the signer service on `path`; the key never enters this process."""

    remote = True

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._public: bytes | None = None

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(str(self.path))
                sock.sendall((json.dumps(request, sort_keys=True) + "\n").encode("ascii"))
                chunks, size = [], 0
                while not chunks or not chunks[-1].endswith(b"\n"):
                    chunk = sock.recv(65536)
                    if not chunk or size > _MAX_REPLY:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
            reply = json.loads(b"".join(chunks))
        except (OSError, ValueError):
            raise StoreError(f"The audit signer at {self.path} could not be reached.") from None
        if not isinstance(reply, dict) or reply.get("ok") is not True:
            raise StoreError("The audit signer refused the request.")
        return reply

    @property
    def public(self) -> bytes:
        """The signer's public key (asked once)."""
        if self._public is None:
            reply = self._call({"op": "public"})
            try:
                public = base64.b64decode(reply["public"], validate=True)
            except (KeyError, ValueError, TypeError):
                raise StoreError("The audit signer sent a malformed reply.") from None
            if len(public) != 32 or reply.get("fingerprint") != fingerprint(public):
                raise StoreError("The audit signer sent a malformed reply.")
            self._public = public
        return self._public

    @property
    def fingerprint(self) -> str:
        """`ed25519:` and the SHA-256 of the public key."""
        return fingerprint(self.public)

    def sign_checkpoint(self, kind: str, seq: int, mac: str, n: int) -> dict[str, Any]:
        """The signer's signed checkpoint for (kind, seq, mac); it numbers it (`n` is ignored)."""
        record = self._call({"op": "sign", "kind": kind, "seq": seq, "mac": mac}).get("checkpoint")
        if not (isinstance(record, dict) and record.get("kind") == kind and record.get("seq") == seq
                and record.get("mac") == mac and self._valid(record)):
            raise StoreError("The audit signer sent a malformed reply.")
        return record

    def sign_bytes(self, purpose: str, data: bytes) -> str:
        """The signer's signature of an export digest or a manifest body."""
        sig = self._call({"op": "sign_bytes", "purpose": purpose,
                          "data": base64.b64encode(data).decode("ascii")}).get("sig")
        if not isinstance(sig, str) or not signature_ok(self.public, data, sig):
            raise StoreError("The audit signer sent a malformed reply.")
        return sig

    def last(self) -> dict[str, Any] | None:
        """The last checkpoint the signer signed (None before the first)."""
        record = self._call({"op": "last"}).get("last")
        if record is not None and not (isinstance(record, dict) and self._valid(record)):
            raise StoreError("The audit signer sent a malformed reply.")
        return record

    def _valid(self, record: dict[str, Any]) -> bool:
        try:
            body = {k: record[k] for k in ("kind", "seq", "mac", "ts", "key", "n")}
            return signature_ok(self.public, checkpoint_message(body), record["sig"])
        except (KeyError, TypeError, ValueError):
            return False


def signer_for(settings: Settings, keys: Any = None) -> SignerLike:
    """The signer service when `HUSHDESK_SIGNER_SOCKET` is set, else the key file's key in this process."""
    if settings.signer_socket is not None:
        return RemoteSigner(settings.signer_socket)
    if keys is None:

        keys = load_keys(settings, create=False)
    return Signer(keys.signing_key)


def checkpoints_for(settings: Settings, keys: Any = None, signer: SignerLike | None = None) -> Checkpoints:
    """The checkpoint file with this instance's signer and mirror (`HUSHDESK_AUDIT_CHECKPOINT_MIRROR`)."""

    mirror = Mirror(settings.audit_checkpoint_mirror) if settings.audit_checkpoint_mirror else None
    return Checkpoints(settings.checkpoint_path, signer or signer_for(settings, keys), mirror)
