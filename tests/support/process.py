"""Process helpers: the repository root, free ports, waiting for HTTP, stopping, a clean environment."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until `url` answers (any status < 500)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(url)


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate a process started by a test, killing it if it does not exit."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a hushdesk subprocess using `data_dir`."""
    # HUSHDESK_DATABASE_URL is the store under test when the suite runs with --store=postgres (conftest).
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUSHDESK_") or k == "HUSHDESK_DATABASE_URL"}
    env.update({"HUSHDESK_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def make_token(secret: str, user: str, metadata: dict, lifetime: float = 3600.0) -> str:
    """A login token as Chainlit makes it (HS256; identifier and metadata at the top level)."""
    import jwt

    return jwt.encode({"identifier": user, "display_name": None, "metadata": metadata,
                       "exp": int(time.time() + lifetime), "iat": int(time.time())}, secret, algorithm="HS256")
