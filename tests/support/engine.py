"""FakeEngine: the fake OpenAI-compatible engine (`tests.support.engine_server`) as a running process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.process import ROOT, free_port, stop_process, wait_http


class FakeEngine:
    """A running fake engine process: its base URL and the file of request bodies it received."""

    def __init__(self, tmp: Path, *, delay: float = 0.0, tokens: int = 0, api_key: str | None = None,
                 replies: Path | None = None):
        self.port = free_port()
        self.record = tmp / f"engine-requests-{self.port}.jsonl"
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        args = [sys.executable, "-m", "tests.support.engine_server", "--port", str(self.port),
                "--record", str(self.record), "--delay", str(delay), "--tokens", str(tokens)]
        if api_key:
            args += ["--api-key", api_key]
        if replies is not None:
            args += ["--replies", str(replies)]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_http(f"http://127.0.0.1:{self.port}/health", proc=self.proc)

    def requests(self) -> list[bytes]:
        """Raw bodies received so far."""
        return self.record.read_bytes().splitlines() if self.record.exists() else []

    def affinities(self) -> list[str]:
        """The `x-user-id` header of each request so far ("-" where none was sent)."""
        path = Path(str(self.record) + ".affinity")
        return path.read_text().split() if path.exists() else []

    def ends(self) -> list[str]:
        """How each stream ended so far: `done` (all sent) or `cut` (the client went away first)."""
        path = Path(str(self.record) + ".ends")
        return path.read_text().split() if path.exists() else []

    def stop(self) -> None:
        stop_process(self.proc)
