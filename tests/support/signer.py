"""The signer service (`python -m services.audit.signer`) as a real process on a Unix socket, and the app's
settings, command line and audit rows beside it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from services.audit import AuditLog
from services.audit.remote import checkpoints_for
from services.config import Settings, load_settings
from services.keys import Keys
from services.store import open_store
from tests.support.audit import turn
from tests.support.process import ROOT as REPO


class SignerProcess:
    """The signer service in a subprocess, its key in `home` (a folder the app is never given)."""

    def __init__(self, home: Path, *, min_age_days: float = 30.0, mirror: str | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.home = home
        self.key_file = home / "key.json"
        self.run_dir = Path(tempfile.mkdtemp(prefix="hd-signer-"))  # short: a socket path has 108 bytes at most
        self.socket = self.run_dir / "signer.sock"
        self.min_age_days = min_age_days
        self.mirror = mirror
        self.extra = extra
        self.log = home.parent / f"{home.name}.log"
        self.fingerprint = self.tool("--init").stdout.strip()
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`python -m services.audit.signer --key-file KEY ARGS`."""
        return subprocess.run([sys.executable, "-m", "services.audit.signer", "--key-file", str(self.key_file), *args],
                              env=_env(), capture_output=True, text=True, timeout=60, cwd=REPO)

    def start(self) -> None:
        """Serve and wait until the socket answers."""
        args = ["--socket", str(self.socket), "--purge-min-age-days", str(self.min_age_days)]
        if self.mirror:
            args += ["--mirror", self.mirror]
        args += list(self.extra)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "services.audit.signer", "--key-file",
                                          str(self.key_file), *args], env=_env(), cwd=REPO, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                if ask(self.socket, {"op": "public"})["ok"]:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the signer did not start")

    def stop(self) -> None:
        """SIGTERM, as systemd stops it; the socket goes away."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def _env() -> dict[str, str]:
    # HUSHDESK_DATABASE_URL: the store under test with --store=postgres (tests/conftest.py).
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUSHDESK_") or k == "HUSHDESK_DATABASE_URL"}
    env["PYTHONPATH"] = str(REPO)
    return env


def ask(path: Path, request: dict[str, Any]) -> dict[str, Any]:
    """One request to the signer over its socket, as any local process could send it."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        sock.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def app_settings(tmp_path: Path, signer: SignerProcess | None, **extra: str) -> Settings:
    """The app's settings: its data folder, a checkpoint file elsewhere, the signer's socket only."""
    env = {"HUSHDESK_DATA_DIR": str(tmp_path / "data"),
           "HUSHDESK_AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints" / "checkpoints.jsonl"), **extra}
    if signer is not None:
        env["HUSHDESK_SIGNER_SOCKET"] = str(signer.socket)
    (tmp_path / "checkpoints").mkdir(mode=0o700, exist_ok=True)
    return load_settings(env, dotenv=False)


def env_of(settings: Settings) -> dict[str, str]:
    """The same settings as environment variables, for the command line."""
    env = {"HUSHDESK_DATA_DIR": str(settings.data_dir), "HUSHDESK_AUDIT_CHECKPOINT_FILE": str(settings.checkpoint_path),
           "HUSHDESK_AUDIT_CHECKPOINT_ROWS": str(settings.audit_checkpoint_rows)}
    if settings.signer_socket is not None:
        env["HUSHDESK_SIGNER_SOCKET"] = str(settings.signer_socket)
    if settings.audit_checkpoint_mirror:
        env["HUSHDESK_AUDIT_CHECKPOINT_MIRROR"] = settings.audit_checkpoint_mirror
    return env


def audit_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m services.audit ARGS` as the service account runs it."""
    return subprocess.run([sys.executable, "-m", "services.audit", *args], env={**_env(), **env_of(settings)},
                          capture_output=True, text=True, timeout=60, cwd=REPO)


def write_rows(settings: Settings, keys: Keys, n: int, start: int = 0) -> None:
    """`n` turns through the real writer, one at a time, with the instance's checkpoints."""
    engine = open_store(settings, keys, create=not settings.audit_db_path.exists())
    log = AuditLog(engine, keys.chain_key, checkpoints=checkpoints_for(settings, keys),
                   checkpoint_rows=settings.audit_checkpoint_rows)
    log.start()
    for i in range(start, start + n):
        log.submit(turn(keys, i)).result(timeout=20)
    log.close()
    engine.dispose()
