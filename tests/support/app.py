"""The real app: `chainlit run app.py` in a scratch directory, running (App) or only started (start_app)."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.engine import FakeEngine
from tests.support.process import ROOT, base_env, free_port, stop_process, wait_http

STAFF, STAFF_PASSWORD = "clerk", "correct horse battery staple"


class App:
    """The app running as `chainlit run app.py` in a scratch directory."""

    def __init__(self, tmp: Path, engine: FakeEngine, *, users: tuple[tuple[str, str, str], ...] = (),
                 port: int | None = None, add_staff: bool = True, **env: str) -> None:
        self.dir = tmp / "site"
        self.dir.mkdir()
        (self.dir / "app.py").symlink_to(ROOT / "app.py")
        shutil.copytree(ROOT / ".chainlit", self.dir / ".chainlit")
        shutil.copy(ROOT / "chainlit.md", self.dir / "chainlit.md")
        self.data = tmp / "data"
        self.env = base_env(self.data, **{"HUSHDESK_ENGINE": "external", "HUSHDESK_ENGINE_URL": engine.base_url,
                                          "HUSHDESK_MODEL_NAME": "fake-model", "HUSHDESK_LOG_LEVEL": "DEBUG",
                                          "HUSHDESK_OUTPUT_POLICY": "CN_ID=block", **env})
        boot = self.cli("services.ops.bootstrap")
        made = re.search(r"with password: (\S+)", boot.stdout)  # none when a shared store has users already
        self.admin_password = made.group(1) if made else None
        for name, role, password in (((STAFF, "staff", STAFF_PASSWORD),) if add_staff else ()) + users:
            self.cli("services.auth", "add", name, "--role", role, "--password-stdin", stdin=password + "\n")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "server.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "chainlit"), "run", "app.py", "--host", "127.0.0.1",
             "--port", str(self.port), "--headless"],
            cwd=self.dir, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.url + "/login", timeout=60, proc=self.proc)

    def cli(self, module: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", module, *args], cwd=self.dir, env=self.env,
                                input=stdin, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result

    def stop(self) -> bytes:
        """Stop the server with SIGTERM as an operator would; return everything it logged."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                stop_process(self.proc)
        self.log.close()
        return self.log_path.read_bytes()


def start_app(tmp: Path, **env: str) -> subprocess.CompletedProcess:
    """`chainlit run app.py` in `tmp`/site against `tmp`/data, run until it exits."""
    site = tmp / "site"
    site.mkdir(exist_ok=True)
    if not (site / "app.py").exists():
        (site / "app.py").symlink_to(ROOT / "app.py")
        shutil.copytree(ROOT / ".chainlit", site / ".chainlit")
    full = base_env(tmp / "data", HUSHDESK_ENGINE="external",
                    HUSHDESK_ENGINE_URL=f"http://127.0.0.1:{free_port()}/v1")
    full.update(env)
    return subprocess.run([str(Path(sys.executable).parent / "chainlit"), "run", "app.py", "--headless",
                           "--port", str(free_port())], cwd=site, env=full, capture_output=True,
                          text=True, timeout=60)
