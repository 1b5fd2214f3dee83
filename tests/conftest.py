"""Shared fixtures: a fake engine process, an initialised data directory, process helpers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


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


class FakeEngine:
    """A running fake engine process: its base URL and the file of request bodies it received."""

    def __init__(self, tmp: Path, *, delay: float = 0.0, tokens: int = 0, api_key: str | None = None):
        self.port = free_port()
        self.record = tmp / f"engine-requests-{self.port}.jsonl"
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        args = [sys.executable, "-m", "tests.fakes.engine", "--port", str(self.port),
                "--record", str(self.record), "--delay", str(delay), "--tokens", str(tokens)]
        if api_key:
            args += ["--api-key", api_key]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_http(f"http://127.0.0.1:{self.port}/health", proc=self.proc)

    def requests(self) -> list[bytes]:
        """Raw bodies received so far."""
        return self.record.read_bytes().splitlines() if self.record.exists() else []

    def ends(self) -> list[str]:
        """How each stream ended so far: `done` (all sent) or `cut` (the client went away first)."""
        path = Path(str(self.record) + ".ends")
        return path.read_text().split() if path.exists() else []

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture(scope="module")
def fake_engine(tmp_path_factory):
    engine = FakeEngine(tmp_path_factory.mktemp("fake-engine"))
    yield engine
    engine.stop()


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a hushdesk subprocess using `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUSHDESK_")}
    env.update({"HUSHDESK_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def make_token(secret: str, user: str, metadata: dict, lifetime: float = 3600.0) -> str:
    """A login token as Chainlit makes it (HS256; identifier and metadata at the top level)."""
    import jwt

    return jwt.encode({"identifier": user, "display_name": None, "metadata": metadata,
                       "exp": int(time.time() + lifetime), "iat": int(time.time())}, secret, algorithm="HS256")
