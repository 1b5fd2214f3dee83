"""A second, append-only copy of every checkpoint: the system journal or a syslog collector.

`HUSHDESK_AUDIT_CHECKPOINT_MIRROR`: `journal` (/dev/log), `unix:/path` (a syslog socket: RFC 3164
lines, as journald and rsyslog read them), `udp://host:port` or `tcp://host:port` (RFC 5424; TCP
with octet counting, RFC 6587). Each message is one checkpoint's JSON line, tagged
`hushdesk-audit`, facility authpriv. A collector on another host keeps what the service account,
and even root on this host, cannot take back. `lines_from` pulls the checkpoint lines back out of
an extract (`journalctl -t hushdesk-audit -o cat`, or a collector's log file) for
`python -m services.audit verify --checkpoints-from FILE`.
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import datetime, timezone

__all__ = ["Mirror", "lines_from", "TAG"]

TAG = "hushdesk-audit"
_PRI = 10 * 8 + 5  # facility authpriv, severity notice
_TIMEOUT = 3.0


class Mirror:
    """Sends checkpoint lines to one syslog target; `send` never raises and says whether it went out."""

    def __init__(self, target: str) -> None:
        self.target = target
        if target == "journal":
            self._kind, self._address = "unix", "/dev/log"
        elif target.startswith("unix:"):
            self._kind, self._address = "unix", target[len("unix:"):]
        elif target.startswith(("udp://", "tcp://")):
            host, _, port = target[6:].rpartition(":")
            self._kind, self._address = target[:3], (host, int(port))
        else:
            raise ValueError("unknown mirror target")
        self._lock = threading.Lock()

    def message(self, line: str) -> bytes:
        """The syslog message carrying `line`: RFC 3164 for local sockets, RFC 5424 over the network."""
        if self._kind == "unix":
            return f"<{_PRI}>{TAG}[{os.getpid()}]: {line}".encode("utf-8")
        ts = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        host = socket.gethostname() or "-"
        return f"<{_PRI}>1 {ts} {host} {TAG} {os.getpid()} checkpoint - {line}".encode("utf-8")

    def send(self, line: str) -> bool:
        """Send one line; False when the target cannot be reached (the caller logs a fixed message)."""
        data = self.message(line)
        with self._lock:
            try:
                if self._kind == "udp":
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                        sock.sendto(data, self._address)
                elif self._kind == "tcp":
                    with socket.create_connection(self._address, timeout=_TIMEOUT) as sock:
                        sock.sendall(f"{len(data)} ".encode("ascii") + data)
                else:
                    self._send_unix(data)
            except (OSError, ValueError):
                return False
        return True

    def _send_unix(self, data: bytes) -> None:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.settimeout(_TIMEOUT)
                sock.sendto(data, self._address)
        except OSError as exc:
            if exc.errno not in (91, 107):  # EPROTOTYPE / wrong type: a stream socket
                raise
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(_TIMEOUT)
                sock.connect(self._address)
                sock.sendall(data + b"\n")


def lines_from(text: str) -> list[str]:
    """The checkpoint JSON lines found in a journal or collector extract (anything before `{` dropped)."""
    out = []
    for raw in text.splitlines():
        start = raw.find('{"')
        end = raw.rfind("}")
        if start >= 0 and end > start:
            out.append(raw[start:end + 1])
    return out
