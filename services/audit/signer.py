"""`python -m services.audit.signer`: the audit signing key in a process (and account) of its own.

The app asks for signatures over a Unix socket and never reads the key, so the service account
cannot re-sign an edited trail. The signer signs only what it checks itself:

- checkpoints (`{"op": "sign", "kind", "seq", "mac"}`): it stamps its own clock and numbers each
  signature `n` = 1, 2, 3…; a seq below the last signed one is refused (the same seq only with the
  same mac), so old history cannot be signed again; a `purge` anchor never moves backwards and
  may only cover rows that a checkpoint signed at least `--purge-min-age-days` ago covered. Every
  signed checkpoint is appended (fsynced) to its own ledger before it is returned;
- export digests and model manifests (`{"op": "sign_bytes", "purpose", "data"}`), which can never
  pass for a checkpoint (see `checkpoints.bytes_allowed`).

`{"op": "public"}` returns the public key; `{"op": "last"}` the last signed checkpoint, so that
`verify` can tell a checkpoint file that lost its last lines. One JSON line per request and reply.

    python -m services.audit.signer --key-file /var/lib/hushdesk-signer/key.json --init
    python -m services.audit.signer --key-file PATH --socket /run/hushdesk-signer/signer.sock \
        [--allow-uid UID]... [--purge-min-age-days DAYS] [--mirror TARGET]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import signal
import socket
import socketserver
import stat
import struct
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from .checkpoints import Signer, bytes_allowed, check_request, fingerprint, parse_line
from .mirror import Mirror
from .records import canonical_json

__all__ = ["Ledger", "SignerService", "main"]

_MAX_REQUEST = 16 * 2**20
_DAY = 86400.0


class SignerError(Exception):
    """A request the signer refuses; `reason` is a fixed phrase sent back as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _epoch(ts: str) -> float:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def read_seed(path: Path) -> bytes:
    """The seed from the signer's key file; SystemExit with a fixed message when absent or too open."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise SystemExit(f"{path} could not be read (create it with --init).") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or info.st_uid != os.geteuid():
            raise SystemExit(f"{path} must be a regular file of this account, mode 0600.")
        raw = handle.read()
    try:
        seed = bytes.fromhex(json.loads(raw)["seed"])
    except (ValueError, KeyError, TypeError):
        raise SystemExit(f"{path} is malformed: expected {{\"seed\": \"<64 hex>\"}}.") from None
    if len(seed) != 32:
        raise SystemExit(f"{path} is malformed: expected {{\"seed\": \"<64 hex>\"}}.")
    return seed


def init_key(path: Path) -> str:
    """Create the key file (0600, never over an existing one) in a 0700 folder; its fingerprint."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    seed = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise SystemExit(f"{path} exists; the signer keeps its key (remove it by hand to start over).") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write((json.dumps({"seed": seed.hex()}) + "\n").encode("ascii"))
        handle.flush()
        os.fsync(handle.fileno())
    return Signer(seed).fingerprint


class Ledger:
    """The signer's own append-only record of every checkpoint it signed: its state across restarts."""

    def __init__(self, path: Path, public: bytes) -> None:
        self.path = path
        self.last: dict[str, Any] | None = None
        self.n = 0
        self.seq, self.mac = 0, ""
        self.purge_seq, self.purge_mac = 0, ""
        self.history: list[tuple[float, int]] = []  # (signed at, seq) of checkpoints other than purges
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            text = ""
        for raw in text.splitlines():
            if raw.strip():
                mark = parse_line(raw, public)
                if not mark.valid or mark.n != self.n + 1:
                    raise SystemExit(f"{path} is damaged at line {self.n + 1}; restore it from a backup.")
                self._note(json.loads(raw))

    def _note(self, record: dict[str, Any]) -> None:
        self.last, self.n = record, record["n"]
        if record["kind"] == "purge":
            self.purge_seq, self.purge_mac = record["seq"], record["mac"]
        else:
            self.seq, self.mac = record["seq"], record["mac"]
            self.history.append((_epoch(record["ts"]), record["seq"]))

    def check(self, kind: str, seq: int, mac: str, min_age: float, now: float) -> None:
        """Raise SignerError when (kind, seq, mac) would rewrite or hide signed history."""
        if kind == "purge":
            if seq < self.purge_seq or (seq == self.purge_seq and mac != self.purge_mac):
                raise SignerError("refused: a purge anchor cannot move backwards")
            covered = max((s for at, s in self.history if at <= now - min_age), default=0)
            if seq > covered:
                raise SignerError("refused: those rows are too recent to purge")
        elif seq < self.seq or (seq == self.seq and mac != self.mac):
            raise SignerError("refused: the chain cannot go back to an already signed seq")

    def append(self, record: dict[str, Any]) -> None:
        """Write `record` (fsynced) before anyone sees its signature."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, (canonical_json(record) + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        self._note(record)


class SignerService:
    """The request handler's logic: one lock, the key, the ledger, the rules."""

    def __init__(self, seed: bytes, ledger_path: Path, *, allow_uids: Sequence[int] = (),
                 purge_min_age_days: float = 30.0, mirror: Mirror | None = None) -> None:
        self.key = Signer(seed)
        self.ledger = Ledger(ledger_path, self.key.public)
        self.allow = set(allow_uids)
        self.min_age = purge_min_age_days * _DAY
        self.mirror = mirror
        self.lock = threading.Lock()

    def handle(self, request: Any, uid: int | None) -> dict[str, Any]:
        """The reply to one request from a peer with `uid` (None when unknown)."""
        if not isinstance(request, dict):
            raise SignerError("bad request")
        op = request.get("op")
        if op == "public":
            return {"ok": True, "public": base64.b64encode(self.key.public).decode("ascii"),
                    "fingerprint": self.key.fingerprint}
        if op == "last":
            with self.lock:
                return {"ok": True, "last": self.ledger.last}
        if self.allow and uid not in self.allow:
            raise SignerError("not allowed")
        if op == "sign":
            return {"ok": True, "checkpoint": self._sign(request.get("kind"), request.get("seq"), request.get("mac"))}
        if op == "sign_bytes":
            try:
                data = base64.b64decode(request.get("data", ""), validate=True)
            except (ValueError, TypeError):
                raise SignerError("bad request") from None
            purpose = request.get("purpose")
            if not isinstance(purpose, str) or not bytes_allowed(purpose, data, self.key.fingerprint):
                raise SignerError("refused: not signable for that purpose")
            return {"ok": True, "sig": self.key.sign(data)}
        raise SignerError("bad request")

    def _sign(self, kind: Any, seq: Any, mac: Any) -> dict[str, Any]:
        if not check_request(kind, seq, mac):
            raise SignerError("bad request")
        with self.lock:
            self.ledger.check(kind, seq, mac, self.min_age, time.time())
            record = self.key.sign_checkpoint(kind, seq, mac, self.ledger.n + 1)
            try:
                self.ledger.append(record)
            except OSError:
                raise SignerError("the signer's ledger could not be written") from None
        print(f"signed checkpoint n={record['n']} kind={kind} seq={seq}", file=sys.stderr, flush=True)
        if self.mirror is not None and not self.mirror.send(canonical_json(record)):
            print("checkpoint could not be copied to the mirror", file=sys.stderr, flush=True)
        return record


def _peer_uid(sock: socket.socket) -> int | None:
    try:
        _, uid, _ = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    except (OSError, AttributeError):
        return None
    return uid


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        service: SignerService = self.server.service  # type: ignore[attr-defined]
        self.connection.settimeout(10)
        try:
            raw = self.rfile.readline(_MAX_REQUEST)
            try:
                reply = service.handle(json.loads(raw), _peer_uid(self.connection))
            except ValueError:
                reply = {"ok": False, "error": "bad request"}
            except SignerError as exc:
                reply = {"ok": False, "error": exc.reason}
            self.wfile.write((json.dumps(reply, sort_keys=True) + "\n").encode("ascii"))
        except OSError:
            return


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def serve(service: SignerService, path: Path) -> None:
    """Listen on `path` (0660: the owner and its group) until SIGTERM or SIGINT."""
    if path.is_socket():
        path.unlink()  # a stale socket of an earlier run
    old = os.umask(0o117)
    try:
        server = _Server(str(path), _Handler)
    finally:
        os.umask(old)
    server.service = service  # type: ignore[attr-defined]
    os.chmod(path, 0o660)

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"hushdesk signer {service.key.fingerprint} listening on {path}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        path.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: `--init` creates the key; otherwise serve on `--socket`."""
    parser = argparse.ArgumentParser(prog="python -m services.audit.signer", description=__doc__.splitlines()[0])
    parser.add_argument("--key-file", type=Path, required=True, help="the signer's key file (0600, its own account)")
    parser.add_argument("--init", action="store_true", help="create the key file and print its fingerprint")
    parser.add_argument("--fingerprint", action="store_true", help="print the key's fingerprint and exit")
    parser.add_argument("--socket", type=Path, help="the Unix socket to listen on")
    parser.add_argument("--ledger", type=Path, help="record of signed checkpoints (default: beside the key file)")
    parser.add_argument("--allow-uid", type=int, action="append", default=[], help="uid allowed to ask for signatures")
    parser.add_argument("--purge-min-age-days", type=float, default=30.0,
                        help="a purge may only remove rows checkpointed at least this long ago (default 30)")
    parser.add_argument("--mirror", help="also send each signed checkpoint to journal, unix:/path, udp:// or tcp://")
    args = parser.parse_args(argv)
    if args.init:
        print(init_key(args.key_file))
        return 0
    seed = read_seed(args.key_file)
    if args.fingerprint:
        print(fingerprint(Signer(seed).public))
        return 0
    if args.socket is None:
        parser.error("--socket is required to serve")
    ledger = args.ledger or args.key_file.with_name("signed-checkpoints.jsonl")
    service = SignerService(seed, ledger, allow_uids=args.allow_uid, purge_min_age_days=args.purge_min_age_days,
                            mirror=Mirror(args.mirror) if args.mirror else None)
    serve(service, args.socket)
    return 0


if __name__ == "__main__":
    sys.exit(main())
