"""Several app processes on one box behind nginx: `make run WORKERS=N`, or

    python -m services.ops.workers [--workers N] [--host H] [--port P] [--site DIR]

`make run` always starts hushdesk through it: with one worker (the default) it becomes `chainlit run
app.py` on the address itself, with no proxy.

One process serves one core (Chainlit keeps each chat in one process's memory and runs one event
loop). This launcher starts `N` of them (`chainlit run app.py`) on loopback ports, each with
`HUSHDESK_WORKERS=N`, and the distribution's nginx in front with a configuration it writes from
`services/ops/templates/nginx.conf` at each start (`<data dir>/proxy/`): sticky per browser (a random
route cookie, hashed consistently), websocket upgrade, replies streamed, request bodies never spooled
to disk, no access log, TLS with `HUSHDESK_TLS_CERT`/`HUSHDESK_TLS_KEY`.

The processes share the store: sign-ins (a session begun in one is read by another), revocations (each
process syncs endings every second), the per-user message limit (counted in the store) and the audit
chain (one linear sequence: each writer reads its end inside the write transaction). A launched
engine (vLLM, the CPU engine, the demo engine) is started once, here, under the same supervision, on
one port and key that survive its restarts; the app processes use it as an external engine.

Start-up errors are clear and stop everything (exit 2): no nginx, a worker that does not start, a
configuration nginx refuses, a proxy that does not reach the workers. A worker counts as up when it
answers its liveness probe (`/hushdesk/health`). While running, a worker that exits, or that misses
three liveness probes in a row (a hung event loop; one every `--health-every` seconds), is started
again on its port (nginx sends its browsers to the others meanwhile); nginx exiting stops all (exit 1).
Each worker's metrics are at `/metrics/N` on the proxy, under the app's HUSHDESK_METRICS_ACCESS rule
(and, for `loopback`, nginx's too). SIGTERM or Ctrl-C stops nginx, the workers and the engine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..config import Settings, load_settings
from ..engine.specs import free_port, resolve_engine_kind
from ..errors import HushdeskError
from ..keys import metrics_token
from .monitor import probe

__all__ = ["ProxyPlan", "render", "nginx_path", "check_config", "main"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
ROOT = Path(__file__).resolve().parents[2]
NGINX = ("/usr/sbin/nginx", "/usr/bin/nginx")
_BODY_MB = 9  # every request but an upload: the socket's largest message (8 MB) and a margin
START_TIMEOUT = 180.0  # an app process imports Chainlit and loads the name model: seconds, not minutes
HEALTH = "/hushdesk/health"
HEALTH_EVERY = 5.0  # seconds between liveness probes of each running worker
HEALTH_MISSES = 3  # probes in a row unanswered before a running worker is taken as hung and restarted


class StartError(Exception):
    """A start-up problem, with a message fit to print."""


@dataclass(frozen=True)
class ProxyPlan:
    """What the nginx configuration says: where it listens, the workers' ports, TLS, limits."""

    host: str
    port: int
    ports: tuple[int, ...]
    run_dir: Path
    max_body_mb: int
    tls_cert: Path | None = None
    tls_key: Path | None = None
    metrics_access: str = "loopback"

    @property
    def listen(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls_cert else 'http'}://{host}:{self.port}"


def render(plan: ProxyPlan) -> str:
    """The nginx configuration for `plan`."""
    if not plan.ports:
        raise ValueError("no workers")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             autoescape=False, keep_trailing_newline=True)
    tls = plan.tls_cert is not None and plan.tls_key is not None
    return env.get_template("nginx.conf").render(
        workers=len(plan.ports), ports=plan.ports, listen=plan.listen, run_dir=str(plan.run_dir),
        connections=4096, keepalive=max(8, 16 * len(plan.ports)), max_body_mb=plan.max_body_mb,
        body_mb=_BODY_MB, metrics_access=plan.metrics_access,
        tls=tls, tls_cert=str(plan.tls_cert) if tls else "", tls_key=str(plan.tls_key) if tls else "")


def nginx_path() -> str | None:
    """The distribution's nginx, or None."""
    for path in NGINX:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("nginx")


def check_config(nginx: str, run_dir: Path) -> str | None:
    """None when nginx accepts `<run_dir>/nginx.conf`, else its complaint (one line)."""
    out = subprocess.run([nginx, "-t", "-q", "-p", str(run_dir), "-c", str(run_dir / "nginx.conf")],
                         capture_output=True, text=True, timeout=30)
    if out.returncode == 0:
        return None
    lines = [line for line in out.stderr.splitlines() if "[emerg]" in line or "[alert]" in line] or out.stderr.splitlines()
    return (lines[0].split("] ", 1)[-1] if lines else f"nginx -t exited with {out.returncode}").strip()[:300]


class _Worker:
    """One `chainlit run app.py` on a loopback port."""

    def __init__(self, index: int, port: int, env: dict[str, str], site: Path) -> None:
        self.index, self.port, self.env, self.site = index, port, env, site
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self.misses = 0  # liveness probes unanswered in a row
        self.up = False  # answered a probe since its last start (until then it is starting, not hung)
        self.started = 0.0
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.misses, self.up, self.started = 0, False, time.monotonic()
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "chainlit"), "run", "app.py", "--host", "127.0.0.1",
             "--port", str(self.port), "--headless"], cwd=self.site, env=self.env, start_new_session=True)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 20.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def _say(text: str) -> None:
    print(f"hushdesk workers: {text}", file=sys.stderr, flush=True)


class Cluster:
    """The engine (when launched), the workers and nginx, started in that order and stopped in reverse."""

    def __init__(self, settings: Settings, workers: int, host: str, port: int, nginx: str, site: Path = ROOT) -> None:
        self.settings, self.n, self.host, self.port, self.nginx, self.site = settings, workers, host, port, nginx, site
        self.engine = None
        self.workers: list[_Worker] = []
        self.proxy: subprocess.Popen | None = None
        self.run_dir = settings.data_dir / "proxy"
        self.plan: ProxyPlan | None = None

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["HUSHDESK_WORKERS"] = str(self.n)
        env.setdefault("PYTHONPATH", str(ROOT))
        return env

    async def _engine(self, env: dict[str, str]) -> None:
        """Launch the chat engine once, on a fixed port and key, unless it is external."""
        from ..engine import create_engine
        from ..keys import load_keys
        from ..runtime import resolve_model_dir

        if resolve_engine_kind(self.settings) == "external":
            return
        keys = load_keys(self.settings, create=False)
        model_dir, demo = resolve_model_dir(self.settings, keys)
        port, key = free_port(), secrets.token_urlsafe(32)
        self.engine = create_engine(self.settings, model_dir=model_dir, keys=keys, demo=demo, address=(port, key))
        await self.engine.start()
        env.update({"HUSHDESK_ENGINE": "external", "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{port}/v1",
                    "HUSHDESK_ENGINE_API_KEY": key, "HUSHDESK_MODEL_NAME": self.settings.model_name})
        _say(f"engine launched once for all workers (127.0.0.1:{port})")

    async def start(self) -> None:
        s = self.settings
        if (s.kb_embedding_model and not s.kb_embedding_url) or s.kb_rerank_model:
            raise StartError("With HUSHDESK_WORKERS > 1 the knowledge base's embedding engine must be a server of its "
                             "own (HUSHDESK_KB_EMBEDDING_URL); launched embedding and reranking engines are not shared.")
        env = self._env()
        if s.metrics_access == "token":
            metrics_token(s)  # made once here, before the processes that each read it start
        await self._engine(env)
        ports = tuple(free_port() for _ in range(self.n))
        self.workers = [_Worker(i, p, env, self.site) for i, p in enumerate(ports)]
        for worker in self.workers:
            worker.start()
        await self._wait_workers()
        self.plan = ProxyPlan(self.host, self.port, ports, self.run_dir, max_body_mb=s.kb_max_file_mb * 4 + 8,
                              tls_cert=s.tls_cert, tls_key=s.tls_key, metrics_access=s.metrics_access)
        self._write_config(render(self.plan))
        problem = check_config(self.nginx, self.run_dir)
        if problem is not None:
            raise StartError(f"nginx refused its configuration ({self.run_dir / 'nginx.conf'}): {problem}")
        self.proxy = subprocess.Popen([self.nginx, "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"),
                                       "-g", "daemon off;"], start_new_session=True)
        deadline = time.monotonic() + 15
        while not probe(self.plan.url + HEALTH, 3.0)[0]:
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                raise StartError(f"nginx does not answer on {self.plan.url} (is the port taken, or the address not "
                                 "this machine's?)")
            await asyncio.sleep(0.2)
        _say(f"{self.n} app processes behind nginx on {self.plan.url}")

    async def _wait_workers(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        waiting = list(self.workers)
        while waiting:
            for worker in list(waiting):
                if not worker.alive():
                    raise StartError(f"app process {worker.index + 1} of {self.n} exited at start "
                                     f"(code {worker.proc.returncode}); its log is above")
                if (await asyncio.to_thread(probe, worker.url + HEALTH, 1.0))[0]:
                    waiting.remove(worker)
            if waiting and time.monotonic() > deadline:
                raise StartError(f"app process on 127.0.0.1:{waiting[0].port} did not answer within "
                                 f"{START_TIMEOUT:.0f} s; the proxy's upstream list would be wrong")
            if waiting:
                await asyncio.sleep(0.3)

    def _write_config(self, text: str) -> None:
        self.run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / sub).mkdir(mode=0o700, exist_ok=True)
        path = self.run_dir / "nginx.conf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)

    async def supervise(self, stop: asyncio.Event, *, every: float = HEALTH_EVERY) -> int:
        """Restart workers that exit, or stop answering their liveness probe `HEALTH_MISSES` times in a row
        (a hung event loop); return when asked to stop (0) or when nginx exits (1)."""
        probed = time.monotonic()
        while not stop.is_set():
            if self.proxy is not None and self.proxy.poll() is not None:
                _say(f"nginx exited (code {self.proxy.returncode}); stopping")
                return 1
            for worker in self.workers:
                if not worker.alive():
                    worker.restarts += 1
                    _say(f"app process {worker.index + 1} exited (code {worker.proc.returncode}); starting it again "
                         f"(restart {worker.restarts}); its browsers use the others meanwhile")
                    worker.start()
            if time.monotonic() - probed >= every:
                probed = time.monotonic()
                await self._probe_workers()
            try:
                await asyncio.wait_for(stop.wait(), 0.5)
            except TimeoutError:
                pass
        return 0

    async def _probe_workers(self) -> None:
        # 5 s: a worker busy under load answers well within it; a hung one never does.
        answers = await asyncio.gather(*(asyncio.to_thread(probe, w.url + HEALTH, 5.0) for w in self.workers))
        for worker, (answered, _) in zip(self.workers, answers):
            if not worker.alive():
                continue
            worker.up = worker.up or answered
            if not worker.up and time.monotonic() - worker.started < START_TIMEOUT:
                continue  # still starting (imports, the name model)
            worker.misses = 0 if answered else worker.misses + 1
            if worker.misses >= HEALTH_MISSES:
                _say(f"app process {worker.index + 1} has not answered {HEALTH} {worker.misses} times in a row; "
                     "stopping it to start it again")
                await asyncio.to_thread(worker.stop, 5.0)  # the loop above starts it again

    async def stop(self) -> None:
        if self.proxy is not None and self.proxy.poll() is None:
            self.proxy.send_signal(signal.SIGQUIT)  # graceful: open streams finish or the workers end them
            try:
                self.proxy.wait(10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in self.workers))
        if self.engine is not None:
            await self.engine.stop()


async def _run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except HushdeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    workers = args.workers or settings.workers
    nginx = nginx_path()
    if nginx is None:
        print("Several app processes need nginx from the distribution: apt-get install nginx-light "
              "(make setup-test installs it).", file=sys.stderr)
        return 2
    cluster = Cluster(settings, workers, args.host, args.port, nginx, Path(args.site).resolve())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        try:
            await cluster.start()
        except StartError as exc:
            print(f"hushdesk workers: {exc}", file=sys.stderr)
            return 2
        except HushdeskError as exc:
            print(f"hushdesk workers: {exc.message}", file=sys.stderr)
            return 2
        return await cluster.supervise(stop, every=args.health_every)
    finally:
        await cluster.stop()


def _alone(args: argparse.Namespace) -> int:
    """One process: Chainlit itself on the address, as before there were workers (no nginx)."""
    chainlit = str(Path(sys.executable).parent / "chainlit")
    os.chdir(Path(args.site).resolve())
    os.execv(chainlit, [chainlit, "run", "app.py", "--host", args.host, "--port", str(args.port), "--headless"])
    return 1  # not reached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.ops.workers")
    parser.add_argument("--workers", type=int, default=0, help="app processes (default: HUSHDESK_WORKERS)")
    parser.add_argument("--host", default="127.0.0.1", help="address nginx listens on")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--site", default=str(ROOT), help="folder holding app.py and .chainlit (default: this checkout)")
    parser.add_argument("--health-every", type=float, default=HEALTH_EVERY,
                        help=f"seconds between liveness probes of each worker (default {HEALTH_EVERY:g}); "
                             f"{HEALTH_MISSES} missed in a row restart it")
    args = parser.parse_args(argv)
    if not 0.2 <= args.health_every <= 300:
        parser.error("--health-every must be from 0.2 to 300 seconds")
    if args.workers < 0 or args.workers > 64:
        parser.error("--workers must be from 1 to 64")
    if args.workers == 0:
        try:
            args.workers = load_settings().workers  # HUSHDESK_WORKERS, from the environment or .env
        except HushdeskError as exc:
            print(exc.message, file=sys.stderr)
            return 2
    if args.workers == 1:
        return _alone(args)
    return asyncio.run(_run(args))


if __name__ == "__main__":
    sys.exit(main())
