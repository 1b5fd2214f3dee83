"""Several app processes behind nginx (issue 16 part 3), for real: the distribution's nginx (Debian's
package, installed by `make setup-test`), `python -m services.ops.workers` starting two `chainlit run
app.py` processes on one SQLCipher store, and the fake engine process. Clients speak HTTP and
Chainlit's socket.io protocol through the proxy, or to one worker directly where the test needs to
pick the process (the workers' ports are read from the configuration the launcher wrote)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.ops.workers import ProxyPlan, check_config, nginx_path, render
from tests.support.app import STAFF, STAFF_PASSWORD
from tests.support.engine import FakeEngine
from tests.support.process import ROOT, base_env, free_port, stop_process, wait_http
from tests.support.sockets import Socket, Target, chat_once, give_consent

NGINX = nginx_path()
needs_nginx = pytest.mark.skipif(NGINX is None and os.environ.get("CI") != "true",
                                 reason="nginx is installed by make setup-test")
PASSWORD_B = "another horse battery staple"


class Workers:
    """`python -m services.ops.workers --workers 2` on a scratch site and data folder."""

    def __init__(self, tmp: Path, engine: FakeEngine, workers: int = 2, **env: str) -> None:
        self.site = tmp / "site"
        self.site.mkdir()
        (self.site / "app.py").symlink_to(ROOT / "app.py")
        shutil.copytree(ROOT / ".chainlit", self.site / ".chainlit")
        shutil.copy(ROOT / "chainlit.md", self.site / "chainlit.md")
        self.data = tmp / "data"
        self.env = base_env(self.data, HUSHDESK_ENGINE="external", HUSHDESK_ENGINE_URL=engine.base_url,
                            HUSHDESK_MODEL_NAME="fake-model", **env)
        self.cli("services.ops.bootstrap")
        self.cli("services.auth", "add", STAFF, "--role", "staff", "--password-stdin", stdin=STAFF_PASSWORD + "\n")
        self.cli("services.auth", "add", "ann", "--role", "staff", "--password-stdin", stdin=PASSWORD_B + "\n")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "workers.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.ops.workers", "--workers", str(workers), "--port", str(self.port),
             "--site", str(self.site), "--health-every", "1"], cwd=ROOT, env=self.env, stdout=self.log,
            stderr=subprocess.STDOUT)
        try:
            wait_http(self.url + "/login", timeout=180, proc=self.proc)
        except BaseException:
            self.stop()
            raise AssertionError(self.log_path.read_text(errors="replace")[-3000:]) from None
        conf = (self.data / "proxy" / "nginx.conf").read_text()
        self.ports = [int(p) for p in re.findall(r"server 127\.0\.0\.1:(\d+)", conf)]

    def cli(self, module: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", module, *args], cwd=self.site, env=self.env, input=stdin,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result

    def worker_pids(self) -> dict[int, int]:
        """Port -> pid of each running worker."""
        out = subprocess.run(["pgrep", "-f", "chainlit run app.py --host 127.0.0.1 --port"], capture_output=True, text=True)
        pids = {}
        for pid in out.stdout.split():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            for port in self.ports:
                if str(port).encode() in cmd:
                    pids[port] = int(pid)
        return pids

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                stop_process(self.proc)
        self.log.close()
        return self.log_path.read_text(errors="replace")


def json_rows(cluster: Workers) -> list[dict]:
    out = cluster.cli("services.audit", "tail", "-n", "200", "--json").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _login(url: str, user: str = STAFF, password: str = STAFF_PASSWORD) -> httpx.Response:
    return httpx.post(url + "/login", data={"username": user, "password": password}, headers={"Origin": url}, timeout=30)


def test_the_configuration_is_one_nginx_accepts(tmp_path: Path) -> None:
    if NGINX is None:
        pytest.skip("nginx is installed by make setup-test") if os.environ.get("CI") != "true" else pytest.fail("no nginx")
    plan = ProxyPlan("127.0.0.1", free_port(), (free_port(), free_port()), tmp_path / "proxy", 208)
    (tmp_path / "proxy").mkdir()
    (tmp_path / "proxy" / "nginx.conf").write_text(render(plan))
    assert check_config(NGINX, tmp_path / "proxy") is None
    text = render(plan)
    assert "access_log off;" in text and "hash $hd_route consistent;" in text
    # Never a request body on disk: bodies are held in a buffer as large as the largest allowed, and
    # uploads (larger) stream through unbuffered.
    assert "client_max_body_size 9m;" in text and "client_body_buffer_size 9m;" in text
    assert "location = /hushdesk/admin/kb/upload" in text and "proxy_request_buffering off;" in text
    assert text.count("server 127.0.0.1:") == 2 and "Secure" not in text
    # Each worker's metrics at /metrics/N, to this machine only by default; none at the bare /metrics.
    assert "location = /metrics/2 {\n            allow 127.0.0.1;" in text
    assert f"proxy_pass http://127.0.0.1:{plan.ports[1]}/metrics;" in text
    token = render(ProxyPlan("127.0.0.1", 1, (5,), tmp_path, 8, metrics_access="token"))
    assert "location = /metrics/1" in token and "deny all" not in token
    tls = render(ProxyPlan("127.0.0.1", 8443, (1,), tmp_path, 8, tmp_path / "missing.pem", tmp_path / "missing.key"))
    (tmp_path / "proxy" / "nginx.conf").write_text(tls)
    problem = check_config(NGINX, tmp_path / "proxy")
    assert problem is not None and "missing.pem" in problem  # a clear start-up error naming the file
    with pytest.raises(ValueError):
        render(ProxyPlan("127.0.0.1", 1, (), tmp_path, 8))


@needs_nginx
def test_two_workers_share_sign_ins_revocations_limits_and_one_audit_chain(tmp_path: Path) -> None:
    engine = FakeEngine(tmp_path, delay=0.01)
    cluster = Workers(tmp_path, engine, HUSHDESK_MESSAGES_PER_MINUTE="3")
    try:
        give_consent(cluster, STAFF)  # type: ignore[arg-type]
        give_consent(cluster, "ann")  # type: ignore[arg-type]
        # Through the proxy: the route cookie, the app's own security headers, a streamed reply.
        first = httpx.get(cluster.url + "/login", timeout=30)
        assert first.status_code == 200 and "hd_route=" in first.headers.get("set-cookie", "")
        assert "content-security-policy" in first.headers and first.headers.get("x-frame-options") == "DENY"
        assert "nginx/" not in first.headers.get("server", "")
        assert len(cluster.ports) == 2
        a, b = (f"http://127.0.0.1:{p}" for p in cluster.ports)

        token = _login(cluster.url).cookies["access_token"]
        reply = asyncio.run(chat_once(cluster.url, token, "hello through the proxy"))
        assert reply and "Thank you for contacting us" in reply[0]

        # A sign-in on worker A is honoured by worker B (the session is read from the store).
        token_a = _login(a).cookies["access_token"]
        status = httpx.get(b + "/hushdesk/session", cookies={"access_token": token_a}, timeout=10)
        assert status.status_code == 200 and status.json()["state"] == "active"

        # The per-user limit (3 a minute) across processes: one through the proxy above, one on A,
        # one on B; the next, wherever it goes, is refused.
        assert asyncio.run(chat_once(a, token_a, "second"))[0].startswith("Thank you")
        token_b = _login(b).cookies["access_token"]
        assert asyncio.run(chat_once(b, token_b, "third"))[0].startswith("Thank you")
        refused = asyncio.run(chat_once(a, token_a, "fourth"))
        assert refused and "too quickly" in refused[0]

        # A logout on B ends the same login's socket on A within about a second.
        async def revoked_within() -> float:
            sock = Socket(Target(a), token_a)
            gone = asyncio.Event()
            sock.client.on("disconnect", lambda *args: gone.set())
            await sock.connect()
            t0 = time.monotonic()
            logout = await asyncio.to_thread(
                httpx.post, b + "/logout", cookies={"access_token": token_a}, headers={"Origin": b}, timeout=10)
            assert logout.status_code < 400
            await asyncio.wait_for(gone.wait(), 5)
            return time.monotonic() - t0

        assert asyncio.run(revoked_within()) <= 2.5

        # Request bodies are never written to disk by the proxy: nginx spools large ones to a temporary
        # file by default, into a folder (0700, the launcher's account) its workers cannot write when
        # it runs as root, which then fails the request (500) instead of answering it.
        for path in ("/login", "/hushdesk/admin/kb/upload"):
            big = httpx.post(cluster.url + path, content=b"x" * (5 << 20), headers={"Origin": cluster.url}, timeout=60)
            assert big.status_code in (400, 401, 403, 413, 422), (path, big.status_code)


        # A worker killed mid-stream: its staff's socket drops; the launcher starts it again, the proxy
        # keeps serving meanwhile, and the turn it was answering is in the audit as interrupted.
        before = cluster.worker_pids()
        assert len(before) == 2
        victim = before[cluster.ports[0]]
        token_long = _login(a, "ann", PASSWORD_B).cookies["access_token"]

        async def killed_mid_stream() -> bool:
            sock = Socket(Target(a), token_long)
            streaming, gone = asyncio.Event(), asyncio.Event()
            sock.client.on("stream_token", lambda *args: streaming.set())
            sock.client.on("disconnect", lambda *args: gone.set())
            await sock.connect()
            await sock.say("a long answer please [[long]]")
            await asyncio.wait_for(streaming.wait(), 10)
            os.kill(victim, signal.SIGKILL)
            await asyncio.wait_for(gone.wait(), 10)
            return True

        assert asyncio.run(killed_mid_stream())
        signed_in = _login(cluster.url, "ann", PASSWORD_B)
        assert signed_in.status_code == 200, (signed_in.status_code, signed_in.text[:200])
        token_ann = signed_in.cookies["access_token"]
        assert asyncio.run(chat_once(cluster.url, token_ann, "still there?"))[0].startswith("Thank you")
        deadline = time.monotonic() + 60
        while len(set(cluster.worker_pids().values()) - {victim}) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(set(cluster.worker_pids().values()) - {victim}) == 2
        wait_http(a + "/login", timeout=60)  # the restarted worker has reclaimed the dead one's turn
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = json_rows(cluster)
            if any(r["outcome"] == "interrupted" for r in rows):
                break
            time.sleep(0.5)
        assert [r["outcome"] for r in rows].count("interrupted") == 1
        # Probes through the proxy: liveness and readiness from any worker, each worker's own metrics at
        # /metrics/N (a scrape must always reach the same process), none at the bare /metrics.
        assert httpx.get(cluster.url + "/hushdesk/health", timeout=10).json() == {"status": "ok"}
        assert httpx.get(cluster.url + "/hushdesk/ready", timeout=10).json() == {"status": "ready"}
        assert httpx.get(cluster.url + "/metrics", timeout=10).status_code == 404
        for n in (1, 2):
            scraped = httpx.get(f"{cluster.url}/metrics/{n}", timeout=10)
            assert scraped.status_code == 200 and "hushdesk_engine_up 1.0" in scraped.text, (n, scraped.status_code)

        # A worker whose event loop hangs (stopped, not exited) misses its liveness probes: the launcher
        # stops it and starts it again.
        pids = cluster.worker_pids()
        hung = pids[cluster.ports[1]]
        os.kill(hung, signal.SIGSTOP)
        deadline = time.monotonic() + 60
        while (hung in cluster.worker_pids().values() or len(cluster.worker_pids()) < 2) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert hung not in cluster.worker_pids().values() and len(cluster.worker_pids()) == 2
        wait_http(f"http://127.0.0.1:{cluster.ports[1]}/hushdesk/health", timeout=60)

        # One audit chain, written by both processes (and the restarted one), verifies.
        verify = subprocess.run([sys.executable, "-m", "services.audit", "verify"], cwd=cluster.site,
                                env=cluster.env, capture_output=True, text=True, timeout=120)
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        log = cluster.stop()
        engine.stop()
    assert "exited" in log and "starting it again" in log and "has not answered /hushdesk/health" in log
    assert "buffered to a temporary file" not in log and "client: " not in log  # no client address logged
    assert cluster.proc.returncode == 0
    assert not cluster.worker_pids()  # every worker stopped with the launcher


@needs_nginx
def test_start_up_errors_are_clear_and_leave_nothing_running(tmp_path: Path) -> None:
    engine = FakeEngine(tmp_path)
    port = free_port()
    env = base_env(tmp_path / "data", HUSHDESK_ENGINE="external", HUSHDESK_ENGINE_URL=engine.base_url)
    subprocess.run([sys.executable, "-m", "services.ops.bootstrap"], cwd=ROOT, env=env, capture_output=True, timeout=120)
    try:
        # A TLS certificate that is not there: nginx refuses the configuration, named.
        bad = subprocess.run([sys.executable, "-m", "services.ops.workers", "--workers", "2", "--port", str(port)],
                             cwd=ROOT, env={**env, "HUSHDESK_TLS_CERT": str(tmp_path / "no.pem"),
                                            "HUSHDESK_TLS_KEY": str(tmp_path / "no.key")},
                             capture_output=True, text=True, timeout=300)
        assert bad.returncode == 2 and "nginx refused its configuration" in bad.stderr and "no.pem" in bad.stderr
        assert "Traceback" not in bad.stderr
        # A launched embedding engine cannot be shared: refused before anything starts.
        kb = subprocess.run([sys.executable, "-m", "services.ops.workers", "--workers", "2", "--port", str(port)],
                            cwd=ROOT, env={**env, "HUSHDESK_KB_EMBEDDING_MODEL": str(tmp_path)},
                            capture_output=True, text=True, timeout=120)
        assert kb.returncode == 2 and "HUSHDESK_KB_EMBEDDING_URL" in kb.stderr
        out = subprocess.run(["pgrep", "-f", f"--port {port}"], capture_output=True, text=True)
        assert out.stdout.strip() == ""
    finally:
        engine.stop()


def test_one_worker_is_chainlit_itself_without_a_proxy(tmp_path: Path) -> None:
    """`make run` always goes through the launcher: with HUSHDESK_WORKERS at its default (1) it becomes
    `chainlit run app.py` on the address itself (the same process, no nginx)."""
    engine = FakeEngine(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "app.py").symlink_to(ROOT / "app.py")
    shutil.copytree(ROOT / ".chainlit", site / ".chainlit")
    env = base_env(tmp_path / "data", HUSHDESK_ENGINE="external", HUSHDESK_ENGINE_URL=engine.base_url,
                   HUSHDESK_MODEL_NAME="fake-model")
    subprocess.run([sys.executable, "-m", "services.ops.bootstrap"], cwd=site, env=env, capture_output=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "services.ops.workers", "--port", str(port), "--site", str(site)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/login", timeout=120, proc=proc)
        command = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert command[1].endswith(b"chainlit") and b"run" in command and str(port).encode() in command
        assert not (tmp_path / "data" / "proxy").exists()  # no nginx configuration written, none started
        assert "hd_route" not in httpx.get(f"http://127.0.0.1:{port}/login", timeout=10).headers.get("set-cookie", "")
    finally:
        stop_process(proc)
        engine.stop()
