"""Helpers for tests that run stand-in processes: liveness by pid, and LaunchSpecs for the fake engine."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable

from services.engine.supervisor import EngineSupervisor, LaunchSpec

STANDINS = Path(__file__).resolve().parent
FAKE_ENGINE = STANDINS / "fake_engine_proc.py"
SUPERVISOR_PARENT = STANDINS / "supervisor_parent.py"


def alive(pid: int) -> bool:
    """True while `pid` is a live process (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid: int, timeout: float = 5.0) -> bool:
    """Wait up to `timeout` s for `pid` to be gone; True if it is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.02)
    return not alive(pid)


def supervisor(make_spec, **kwargs) -> EngineSupervisor:
    """An EngineSupervisor with short start and health-check times (overridable)."""
    kwargs.setdefault("start_timeout", 10)
    kwargs.setdefault("health_interval", 0.05)
    return EngineSupervisor(make_spec, **kwargs)


def fake_spec(*extra: str, record: Path | None = None, env: dict[str, str] | None = None) -> Callable[[int, str], LaunchSpec]:
    """A make_spec that runs the fake engine with `extra` flags (and `--record record`)."""

    def make(port: int, api_key: str) -> LaunchSpec:
        argv = [sys.executable, str(FAKE_ENGINE), "--port", str(port), *extra]
        if record is not None:
            argv += ["--record", str(record)]
        return LaunchSpec(
            argv=tuple(argv),
            env=dict(os.environ if env is None else env),
            base_url=f"http://127.0.0.1:{port}/v1",
            health_url=f"http://127.0.0.1:{port}/health",
            api_key=api_key,
            model_name="fake-model",
        )

    return make


class Launches:
    """A make_spec that runs the fake engine with per-launch flags, recording each launch's time and key."""

    def __init__(self, *per_launch: tuple[str, ...], default: tuple[str, ...] = ()) -> None:
        self.per_launch = per_launch
        self.default = default
        self.times: list[float] = []
        self.keys: list[str] = []
        self.ports: list[int] = []

    def __call__(self, port: int, api_key: str) -> LaunchSpec:
        n = len(self.times)
        self.times.append(time.monotonic())
        self.keys.append(api_key)
        self.ports.append(port)
        flags = self.per_launch[n] if n < len(self.per_launch) else self.default
        return fake_spec(*flags)(port, api_key)
