"""Load: many concurrent staff sessions over Chainlit's real websocket protocol (issue 6 item 5).

The real app (`chainlit run app.py` in a scratch folder, as tests/support/app.py's `App` runs it)
talks to the fake engine process (tests/support/engine_server.py) streaming fast; every simulated staff
member signs in over HTTP and chats through its own socket.io connection, all in one asyncio loop
in this process (which shares the machine's cores with the app and the engine: its own event-loop
lag is measured and reported). The baseline, in the same run, is the same number of concurrent
streams on the same schedule read directly from the same engine by a lean HTTP client.

    python -m bench.load [--sessions N] [--turns N] [--think MIN MAX] [--delay S] [--tokens N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Awaitable, Callable

import aiohttp
import httpx
import psutil
import socketio

from tests.support.engine import FakeEngine
from tests.support.process import ROOT, base_env, free_port, stop_process, wait_http

__all__ = ["run", "report"]

SESSIONS, TURNS, USERS = 100, 5, 10
DELAY, TOKENS = 0.005, 60  # fake engine: 60 tokens a reply, 5 ms apart (200 tokens/s a stream)
THINK = (0.5, 1.5)  # seconds between a reply's end and the next message, uniform, seeded
SEED = 20261122
GOAL_TTFT_ADDED_P95_MS = 150.0
TURN_TIMEOUT = 30.0  # a reply not complete by then is an error
DEADLINE = 300.0  # the whole measurement (after set-up) is aborted past this
BUSY_CORES = 0.25  # other processes' mean CPU above which the report says the run was disturbed
PROMPT = "客户{n}号的手机13812345678，订单ORD-1234{n:04d}，请帮忙查询物流状态，谢谢。"
SYSTEM = "You are a helpful customer-service assistant."
APP_ENV = {"HUSHDESK_LOG_LEVEL": "WARNING", "HUSHDESK_MESSAGES_PER_MINUTE": "100000",
           "HUSHDESK_MAX_CONCURRENT_TURNS": "128", "HUSHDESK_TURN_QUEUE": "128",
           "HUSHDESK_LOGIN_ADDRESS_FREE_ATTEMPTS": "10000"}


def _say(text: str) -> None:
    print(f"load: {text}", file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    """Percentile with linear interpolation (q in [0, 1]); NaN for no values."""
    if not values:
        return float("nan")
    values = sorted(values)
    pos = q * (len(values) - 1)
    lo, hi = int(pos), min(int(pos) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def _schedule(sessions: int, turns: int, seed: int, think: tuple[float, float]) -> list[tuple[float, list[float]]]:
    """Per session: its start offset and its think times (the same for both phases)."""
    rngs = [random.Random(seed * 1000 + i) for i in range(sessions)]
    return [(rng.uniform(0.0, think[1]), [rng.uniform(*think) for _ in range(turns)]) for rng in rngs]


# The processes and what they use -----------------------------------------------------------------


class _Site:
    """The app as `chainlit run app.py` in a scratch folder (like tests/support/app.py's App, whose
    log level is fixed), with staff users that have accepted the consent notice."""

    def __init__(self, tmp: Path, engine: FakeEngine, users: int, env: dict[str, str]) -> None:
        site = tmp / "site"
        site.mkdir()
        (site / "app.py").symlink_to(ROOT / "app.py")
        shutil.copytree(ROOT / ".chainlit", site / ".chainlit")
        shutil.copy(ROOT / "chainlit.md", site / "chainlit.md")
        self.env = base_env(tmp / "data", HUSHDESK_ENGINE="external", HUSHDESK_ENGINE_URL=engine.base_url,
                            HUSHDESK_MODEL_NAME="fake-model", **env)
        boot = subprocess.run([sys.executable, "-m", "services.ops.bootstrap"], cwd=site, env=self.env,
                              capture_output=True, text=True, timeout=120)
        if boot.returncode != 0:
            raise RuntimeError(f"set-up failed: {boot.stderr.strip()[-500:]}")
        self.users = [(f"load.staff{i:02d}", f"load bench pass {uuid.uuid4().hex[:12]}") for i in range(users)]
        self._add_users()
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log_path = tmp / "server.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "chainlit"), "run", "app.py", "--host", "127.0.0.1",
             "--port", self.url.rsplit(":", 1)[1], "--headless"],
            cwd=site, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            wait_http(self.url + "/login", timeout=90, proc=self.proc)
        except BaseException:
            self.stop()
            raise RuntimeError(f"the app did not start; its log ends with:\n{self.log_tail()}") from None

    def _add_users(self) -> None:
        from services.config import load_settings
        from services.keys import load_keys
        from services.auth.signin import consent_version
        from services.store import open_store
        from services.auth.users import UserStore

        settings = load_settings(self.env, dotenv=False)
        store = open_store(settings, load_keys(settings, create=False))
        try:
            users = UserStore(store, min_password=settings.password_min_length)
            for name, password in self.users:
                users.add(name, "staff", password)
                users.set_consent(name, consent_version(settings))  # else every message is refused
        finally:
            store.dispose()

    def log_tail(self, chars: int = 3000) -> str:
        """The end of what the server logged (warnings and errors only; never message text)."""
        try:
            return self.log_path.read_bytes()[-chars:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM as an operator would; killed if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                stop_process(self.proc)
        self._log.close()


class _Monitor:
    """Over one phase: cores used by each process and by everything else on the machine (mean and
    busiest second), and how late this process's loop wakes a 10 ms sleep (the clients' own delay)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = {name: 0.0 for name in [*pids, "other"]}
        self.lags: list[float] = []

    def _times(self) -> dict[str, float]:
        times = {name: sum(p.cpu_times()[:2]) for name, p in self.procs.items()}
        m = psutil.cpu_times()
        times["other"] = m.user + m.nice + m.system + m.irq + m.softirq - sum(times.values())
        return times

    async def _sample(self) -> None:
        last, t = self._times(), time.perf_counter()
        while True:
            for _ in range(100):
                t0 = time.perf_counter()
                await asyncio.sleep(0.01)
                self.lags.append((time.perf_counter() - t0 - 0.01) * 1000)
            now, tn = self._times(), time.perf_counter()
            for name in now:
                self.peak[name] = max(self.peak[name], (now[name] - last[name]) / (tn - t))
            last, t = now, tn

    def start(self) -> None:
        self._start, self._t0 = self._times(), time.perf_counter()
        self._task = asyncio.create_task(self._sample())

    def stop(self) -> dict:
        self._task.cancel()
        end, wall = self._times(), time.perf_counter() - self._t0
        # max(0, ...): machine-wide and per-process counters tick apart; "other" can dip below 0.
        cpu = {n: {"mean": max(0.0, (end[n] - self._start[n]) / wall), "peak": max(0.0, self.peak[n])} for n in end}
        lag = {"p95": _pct(self.lags, 0.95), "max": max(self.lags, default=0.0)}
        return {"cpu": cpu, "lag": lag, "wall_s": wall}


# One simulated staff member ----------------------------------------------------------------------


@dataclass
class _Turn:
    session: int
    index: int
    ttft_ms: float | None = None
    done_ms: float | None = None
    tokens: int = 0
    error: str | None = None


class _Staff:
    """One staff session: a socket.io client speaking Chainlit's protocol, one turn at a time."""

    def __init__(self, index: int, url: str, token: str | None, expected: str, tokens: int) -> None:
        self.index, self.url, self.token, self.expected, self.tokens = index, url, token, expected, tokens
        self.errors: list[str] = []  # outside any turn: sign-in, connection, a drop while thinking
        self.turn_now: _Turn | None = None
        self.closing = False
        self._done = asyncio.Event()
        self.client = socketio.AsyncClient(reconnection=False)
        self._reply_id: str | None = None
        self._streamed: list[str] = []
        self._final: str | None = None
        self._t0 = 0.0
        for event, handler in (("stream_start", self._stream_start), ("stream_token", self._stream_token),
                               ("new_message", self._message), ("update_message", self._message),
                               ("task_end", self._task_end), ("disconnect", self._disconnected)):
            self.client.on(event, handler)

    def _fail(self, why: str, *, final: bool = True) -> None:
        if self.turn_now is not None and self.turn_now.error is None:
            self.turn_now.error = why
        if final:
            self._done.set()

    def _text(self, text: str, replace: bool) -> None:
        if text and self.turn_now.ttft_ms is None:
            self.turn_now.ttft_ms = (time.perf_counter() - self._t0) * 1000
        if replace:
            self._streamed = []
        self._streamed.append(text)

    async def _stream_start(self, step: dict) -> None:
        if self.turn_now is None:
            return
        if self._reply_id is not None and step.get("id") != self._reply_id:
            return self._fail("unexpected second stream", final=False)
        self._reply_id = step.get("id")
        self._text(step.get("output") or "", True)  # the first piece of the reply is inside

    async def _stream_token(self, data: dict) -> None:
        if self.turn_now is not None and data.get("id") == self._reply_id:
            self._text(data.get("token") or "", bool(data.get("isSequence")))

    async def _message(self, step: dict) -> None:
        if self.turn_now is None:
            return
        if step.get("id") == self._reply_id:
            self._final = step.get("output") or ""
        elif step.get("type") == "assistant_message" or step.get("isError"):
            # A notice instead of the reply (busy, limits, engine error, Chainlit's own error); steps
            # of type `run` are Chainlit's wrapper around on_message. Still wait for task_end, so
            # nothing of this turn spills into the next one.
            self._fail(f"notice: {(step.get('output') or '')[:60]!r}", final=False)

    async def _task_end(self, *args) -> None:
        if self.turn_now is not None:
            self._done.set()

    async def _disconnected(self, *args) -> None:
        if self.turn_now is not None:
            self._fail("disconnected")
        elif not self.closing:
            self.errors.append("disconnected")

    async def connect(self) -> float | None:
        """Open the socket as the browser does; seconds it took, or None (counted as an error)."""
        if self.token is None:
            return None
        t = time.perf_counter()
        try:
            await self.client.connect(
                self.url, socketio_path="/ws/socket.io", transports=["websocket"], wait_timeout=20,
                headers={"Cookie": f"access_token={self.token}", "Origin": self.url},
                auth={"clientType": "webapp", "sessionId": str(uuid.uuid4()), "threadId": None, "userEnv": "{}",
                      "chatProfile": None})
            await self.client.emit("connection_successful")
        except Exception as exc:  # noqa: BLE001 - counted; its turns then fail as "not connected"
            self.errors.append(f"connect failed: {type(exc).__name__}")
            return None
        return time.perf_counter() - t

    async def turn(self, index: int) -> _Turn:
        """Send one message; wait for its `task_end`; check the reply's text."""
        turn = self.turn_now = _Turn(self.index, index)
        self._reply_id, self._streamed, self._final = None, [], None
        self._done.clear()
        payload = {"message": {"id": str(uuid.uuid4()), "threadId": "", "name": "staff", "type": "user_message",
                               "output": PROMPT.format(n=self.index * 10 + index),
                               "createdAt": datetime.now(timezone.utc).isoformat()}, "fileReferences": None}
        self._t0 = time.perf_counter()
        if not self.client.connected:
            self._fail("not connected")
            self.turn_now = None
            return turn
        try:
            await self.client.emit("client_message", payload)
            await asyncio.wait_for(self._done.wait(), TURN_TIMEOUT)
        except TimeoutError:
            self._fail("timeout")
        except Exception as exc:  # noqa: BLE001 - a broken socket is an error to count, not to raise
            self._fail(f"send failed: {type(exc).__name__}")
        if turn.error is None:
            turn.done_ms = (time.perf_counter() - self._t0) * 1000
            if turn.ttft_ms is None:
                turn.error = "no reply"
            elif "".join(self._streamed) != self.expected or self._final != self.expected:
                turn.error = "reply text mismatch"
            turn.tokens = self.tokens
        self.turn_now = None
        return turn

    async def close(self) -> None:
        self.closing = True
        try:
            await asyncio.wait_for(self.client.disconnect(), 5)
        except Exception:  # noqa: BLE001 - the end: nothing left to measure
            pass


# The two phases ----------------------------------------------------------------------------------


async def _direct_turn(client: aiohttp.ClientSession, url: str, turn: _Turn, expected: str) -> None:
    """One streamed completion read with little client work (aiohttp's C parser, one json.loads a
    chunk), so the baseline is the engine's own timing rather than a client's."""
    body = {"model": "fake-model", "stream": True, "stream_options": {"include_usage": True},
            "max_tokens": 1024, "temperature": 0.7,
            "messages": [{"role": "system", "content": SYSTEM},
                         {"role": "user", "content": PROMPT.format(n=turn.session * 10 + turn.index)}]}
    parts: list[str] = []
    t0 = time.perf_counter()
    async with client.post(url + "/chat/completions", json=body) as response:
        if response.status != 200:
            turn.error = f"direct: HTTP {response.status}"
            return
        async for line in response.content:
            if not line.startswith(b"data: ") or line.startswith(b"data: [DONE]"):
                continue
            choices = json.loads(line[6:]).get("choices")
            text = choices[0]["delta"].get("content") if choices else None
            if text:
                if turn.ttft_ms is None:
                    turn.ttft_ms = (time.perf_counter() - t0) * 1000
                parts.append(text)
                turn.tokens += 1
    turn.done_ms = (time.perf_counter() - t0) * 1000
    if "".join(parts) != expected:
        turn.error = "reply text mismatch"


async def _direct(client: aiohttp.ClientSession, url: str, index: int, j: int, expected: str) -> _Turn:
    turn = _Turn(index, j)
    try:
        await asyncio.wait_for(_direct_turn(client, url, turn, expected), TURN_TIMEOUT)
    except TimeoutError:
        turn.error = "timeout"
    except Exception as exc:  # noqa: BLE001 - counted
        turn.error = f"direct: {type(exc).__name__}"
    return turn


async def _session(turn: Callable[[int], Awaitable[_Turn]], start: float, thinks: list[float]) -> list[_Turn]:
    """One staff member's turns: wait `start`, then each turn followed by its think time."""
    await asyncio.sleep(start)
    turns = []
    for j, think in enumerate(thinks):
        turns.append(await turn(j))
        await asyncio.sleep(think)
    return turns


async def _direct_phase(url: str, schedule, expected: str, pids: dict[str, int]) -> dict:
    _say(f"baseline: {len(schedule)} streams read directly from the engine")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), trust_env=False) as client:
        await _direct(client, url, -1, 0, expected)  # warm up
        monitor = _Monitor(pids)
        monitor.start()
        per = await asyncio.gather(*(_session(lambda j, i=i: _direct(client, url, i, j, expected), start, thinks)
                                     for i, (start, thinks) in enumerate(schedule)))
        return {"turns": [t for ts in per for t in ts], **monitor.stop()}


async def _app_phase(site: _Site, schedule, expected: str, tokens: int, pids: dict[str, int]) -> dict:
    sessions = len(schedule)
    gate = asyncio.Semaphore(8)  # sign-ins as a busy morning brings them, a few at a time
    # One at a time per account: the sign-in throttle counts an attempt in flight as failed until it
    # succeeds, so more than HUSHDESK_LOGIN_FREE_ATTEMPTS at once for one account get a 429.
    accounts = [asyncio.Lock() for _ in site.users]
    failed: list[str] = []

    async def login(i: int) -> tuple[str | None, float]:
        name, password = site.users[i % len(site.users)]
        async with gate, accounts[i % len(site.users)]:
            t = time.perf_counter()
            try:
                r = await http.post(site.url + "/login", data={"username": name, "password": password},
                                    headers={"Origin": site.url}, timeout=60)
            except httpx.HTTPError as exc:
                failed.append(f"sign-in failed: {type(exc).__name__}")
                return None, time.perf_counter() - t
            if r.status_code != 200 or "access_token" not in r.cookies:
                failed.append(f"sign-in failed: HTTP {r.status_code}")
                return None, time.perf_counter() - t
            return r.cookies["access_token"], time.perf_counter() - t

    _say(f"signing in {sessions} sessions")
    async with httpx.AsyncClient() as http:
        logins = await asyncio.gather(*(login(i) for i in range(sessions + 1)))
    warm, *staff = [_Staff(i - 1 if i else sessions, site.url, token, expected, tokens)
                    for i, (token, _) in enumerate(logins)]
    try:
        # The first turn after start pays one-time costs (e.g. the stream redactor's hold limits):
        # measured apart, one staff member alone; then the load starts on a warm app.
        await warm.connect()
        await asyncio.sleep(1.0)
        cold = [await warm.turn(0), await warm.turn(1)]
        await warm.close()
        _say(f"connecting {sessions} sockets")
        connects = await asyncio.gather(*(s.connect() for s in staff))
        await asyncio.sleep(2.0)  # every chat's on_chat_start has run (no event says so)
        _say(f"measuring {sessions} sessions through hushdesk")
        monitor = _Monitor(pids)
        monitor.start()
        per = await asyncio.gather(*(_session(s.turn, start, thinks) for s, (start, thinks) in zip(staff, schedule)))
        result = {"turns": [t for ts in per for t in ts], **monitor.stop(),
                  "login_s": [d for _, d in logins], "connect_s": [c for c in connects if c is not None],
                  "cold": cold}
    finally:
        await asyncio.gather(*(s.close() for s in [warm, *staff]))
    result["socket_errors"] = failed + [e for s in [warm, *staff] for e in s.errors] + [
        f"warm-up: {t.error}" for t in cold if t.error is not None]
    return result


# Figures -----------------------------------------------------------------------------------------


def _summary(phase: dict) -> dict:
    ok = [t for t in phase["turns"] if t.error is None]
    ttft, done = [t.ttft_ms for t in ok], [t.done_ms for t in ok]
    wall = phase["wall_s"]
    return {"turns": len(phase["turns"]), "errors": len(phase["turns"]) - len(ok),
            "ttft_p50": _pct(ttft, 0.5), "ttft_p95": _pct(ttft, 0.95),
            "done_p50": _pct(done, 0.5), "done_p95": _pct(done, 0.95),
            "replies_per_s": len(ok) / wall, "tokens_per_s": sum(t.tokens for t in ok) / wall,
            "app_cpu_ms_per_reply": 1000 * phase["cpu"].get("app", {"mean": 0.0})["mean"] * wall / max(1, len(ok)),
            "wall_s": wall, "cpu": phase["cpu"], "lag": phase["lag"]}


def _figures(direct: dict, app: dict, params: dict) -> dict:
    d, a = _summary(direct), _summary(app)
    by_key = {(t.session, t.index): t for t in direct["turns"] if t.error is None}
    paired = [t.ttft_ms - by_key[(t.session, t.index)].ttft_ms for t in app["turns"]
              if t.error is None and (t.session, t.index) in by_key]
    kinds: dict[str, int] = {}
    for e in [t.error for t in app["turns"] if t.error is not None] + app["socket_errors"]:
        kinds[e] = kinds.get(e, 0) + 1
    errors = a["errors"] + len(app["socket_errors"])
    added_p95 = a["ttft_p95"] - d["ttft_p95"]
    return {**params, "direct": d, "app": a, "errors": errors, "error_kinds": kinds, "direct_errors": d["errors"],
            "ttft_added_p95_ms": added_p95, "ttft_added_p50_ms": a["ttft_p50"] - d["ttft_p50"],
            "paired_added_median_ms": statistics.median(paired) if paired else float("nan"),
            "paired_added_p95_ms": _pct(paired, 0.95),
            "login_p50_ms": _pct(app["login_s"], 0.5) * 1000, "login_p95_ms": _pct(app["login_s"], 0.95) * 1000,
            "connect_p50_ms": _pct(app["connect_s"], 0.5) * 1000,
            "connect_p95_ms": _pct(app["connect_s"], 0.95) * 1000,
            "cold_ttft_ms": app["cold"][0].ttft_ms, "alone_ttft_ms": app["cold"][1].ttft_ms,
            "tokens_ratio": a["tokens_per_s"] / d["tokens_per_s"] if d["tokens_per_s"] else float("nan"),
            "met": errors == 0 and d["errors"] == 0 and added_p95 <= GOAL_TTFT_ADDED_P95_MS}


async def _measure(engine: FakeEngine, site: _Site, schedule, tokens: int, deadline: float) -> tuple[dict, dict]:
    expected = "tok " * tokens  # what the fake engine streams with --tokens
    pids = {"app": site.proc.pid, "engine": engine.proc.pid, "bench": os.getpid()}

    async def both() -> tuple[dict, dict]:
        direct = await _direct_phase(engine.base_url, schedule, expected, pids)
        return direct, await _app_phase(site, schedule, expected, tokens, pids)

    try:
        return await asyncio.wait_for(both(), deadline)
    except TimeoutError:
        raise RuntimeError(f"load bench aborted: not finished within {deadline:.0f} s "
                           "(the app is stuck or far too slow)") from None


def run(sessions: int = SESSIONS, turns_per_session: int = TURNS, *, users: int = USERS,
        delay: float = DELAY, tokens: int = TOKENS, think: tuple[float, float] = THINK, seed: int = SEED,
        deadline: float = DEADLINE) -> dict:
    """Measure the engine directly, then the app, under `sessions` concurrent staff sessions each
    sending `turns_per_session` messages; return the figures. Stops both processes whatever happens."""
    schedule = _schedule(sessions, turns_per_session, seed, think)
    users = max(1, min(users, sessions))
    tmp = Path(tempfile.mkdtemp(prefix="hushdesk-load-"))
    engine = site = None
    try:
        _say("starting the fake engine and the app")
        engine = FakeEngine(tmp, delay=delay, tokens=tokens)
        site = _Site(tmp, engine, users, APP_ENV)
        try:
            direct, app = asyncio.run(_measure(engine, site, schedule, tokens, deadline))
        except BaseException:
            print(f"server log (tail):\n{site.log_tail()}", file=sys.stderr)
            raise
        params = {"sessions": sessions, "turns_per_session": turns_per_session, "users": users,
                  "delay_s": delay, "tokens": tokens, "think_s": tuple(think), "seed": seed,
                  "cpus": os.cpu_count(), "python": sys.version.split()[0]}
        return _figures(direct, app, params)
    finally:
        if site is not None:
            site.stop()
        if engine is not None:
            engine.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _met(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def report(r: dict) -> str:
    """The Markdown section for docs/BENCHMARKS.md."""
    d, a = r["direct"], r["app"]
    dc, ac = d["cpu"], a["cpu"]
    kinds = ", ".join(f"{k}: {v}" for k, v in sorted(r["error_kinds"].items())) or "none"
    offered = r["sessions"] / (sum(r["think_s"]) / 2 + d["done_p50"] / 1000)
    other = max(dc["other"]["mean"], ac["other"]["mean"])
    busy = (f"\n**The machine was busy with other work during this run** (up to {other:.2f} cores on average "
            "in a phase, besides the app, the engine and the bench): the hushdesk figures are inflated by it; "
            "re-run on a quiet machine.\n") if other > BUSY_CORES else ""
    cold = "none" if r["cold_ttft_ms"] is None else f"{r['cold_ttft_ms']:.0f} ms"
    alone = "none" if r["alone_ttft_ms"] is None else f"{r['alone_ttft_ms']:.0f} ms"
    added_ok = r["ttft_added_p95_ms"] <= GOAL_TTFT_ADDED_P95_MS
    return f"""## Load: {r['sessions']} concurrent staff sessions (issue 6)

Command: `make bench` (alone: `.venv/bin/python -m bench.load [--sessions N] [--turns N]`; `bench/load.py`).
The real app (`chainlit run app.py`, set up as the browser tests do; log level WARNING; limits
raised so that none refuses: 100,000 messages a minute, 128 turns at once, a queue of 128) against
the fake engine process streaming {r['tokens']} tokens a reply {r['delay_s'] * 1000:g} ms apart
({1 / r['delay_s']:,.0f} tokens/s a stream, a fast GPU engine; the reply is known, so every reply's
text is checked). {r['sessions']} simulated staff sessions over {r['users']} staff accounts, each signed in over
HTTP (`POST /login`: its own login session and cookie) with its own socket.io connection speaking
Chainlit's protocol (`client_message` in; `stream_start`, `stream_token`, `new_message`, `task_end`
out), all in one asyncio loop in the bench process; {r['turns_per_session']} messages each (with a phone number and an
order number to redact), {r['think_s'][0]:g}–{r['think_s'][1]:g} s of think time after each reply (uniform, seed
{r['seed']}), starts spread over the first {r['think_s'][1]:g} s: about {offered:.0f} messages a second offered.
Baseline, in the same run just before: the same {r['sessions']} concurrent streams on the same schedule read
directly from the engine by a lean client (aiohttp, one `json.loads` a chunk): the engine's own timing.
Time to first token (TTFT) runs from sending the message to the first event carrying reply text (for
the baseline: the first content delta); complete, to `task_end` (the baseline: the last chunk). An
error is a failed connection, a disconnect, a notice instead of a reply (busy, limits, engine
error), a turn over {TURN_TIMEOUT:g} s, or reply text that differs from what the engine sent. The app, the
engine and the bench's clients share the machine's {r['cpus']} cores.

| figure | engine direct | through hushdesk | result | goal |
|---|---|---|---|---|
| errors ({a['turns']} turns) | {r['direct_errors']} | {r['errors']} ({kinds}) | | 0 ({_met(r['errors'] == 0)}) |
| TTFT p50 / p95 | {d['ttft_p50']:.1f} / {d['ttft_p95']:.1f} ms | {a['ttft_p50']:.1f} / {a['ttft_p95']:.1f} ms | added at p95 **{r['ttft_added_p95_ms']:.1f} ms** (p50 {r['ttft_added_p50_ms']:.1f} ms) | ≤ {GOAL_TTFT_ADDED_P95_MS:g} ms ({_met(added_ok)}) |
| TTFT added, paired (same session and turn) | | | median {r['paired_added_median_ms']:.1f} ms, p95 {r['paired_added_p95_ms']:.1f} ms | |
| complete reply p50 / p95 | {d['done_p50']:.0f} / {d['done_p95']:.0f} ms | {a['done_p50']:.0f} / {a['done_p95']:.0f} ms | | |
| replies/s (whole phase) | {d['replies_per_s']:.1f} | {a['replies_per_s']:.1f} | | |
| tokens/s delivered (whole phase) | {d['tokens_per_s']:,.0f} | {a['tokens_per_s']:,.0f} | ratio {r['tokens_ratio']:.2f} | |
| app process CPU, mean / busiest second | | {ac['app']['mean']:.2f} / {ac['app']['peak']:.2f} cores | {a['app_cpu_ms_per_reply']:.1f} ms of CPU a reply | |
| engine; bench clients: CPU, mean | {dc['engine']['mean']:.2f}; {dc['bench']['mean']:.2f} cores | {ac['engine']['mean']:.2f}; {ac['bench']['mean']:.2f} cores | | |
| other processes on the machine, mean / busiest second | {dc['other']['mean']:.2f} / {dc['other']['peak']:.2f} cores | {ac['other']['mean']:.2f} / {ac['other']['peak']:.2f} cores | | |
| bench clients' loop lag, p95 / max | {d['lag']['p95']:.1f} / {d['lag']['max']:.1f} ms | {a['lag']['p95']:.1f} / {a['lag']['max']:.1f} ms | | |
| TTFT of the first turn after start, then the next (one session alone) | | {cold}, then {alone} | | |
| sign-in p50 / p95; socket connect p50 / p95 | | {r['login_p50_ms']:.0f} / {r['login_p95_ms']:.0f} ms; {r['connect_p50_ms']:.0f} / {r['connect_p95_ms']:.0f} ms | | |

Replies/s and tokens/s are over each phase's whole wall time ({d['wall_s']:.1f} s direct, {a['wall_s']:.1f} s through
hushdesk), think time included: they fall below the engine's when replies come later, and so the next
message. CPU a reply is all the app's CPU over the phase divided by the replies. The clients' loop
lag (how late a 10 ms sleep wakes in the bench's own loop) bounds how much of a figure is the
clients' own queueing. Sign-ins (argon2id, 8 at a time) and socket connects (all at once) happen
before the measured phase.
{busy}"""


def main() -> None:
    """Measure, then print the figures and the section."""
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--think", type=float, nargs=2, default=THINK, metavar=("MIN", "MAX"))
    parser.add_argument("--delay", type=float, default=DELAY, help="seconds between engine tokens")
    parser.add_argument("--tokens", type=int, default=TOKENS, help="tokens a reply")
    args = parser.parse_args()
    r = run(args.sessions, args.turns, users=args.users, delay=args.delay, tokens=args.tokens,
            think=tuple(args.think))
    print({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items() if not isinstance(v, (dict, list))})
    print(report(r))


if __name__ == "__main__":
    main()
