"""The model engine: launch vLLM or `transformers serve`, wait until healthy, restart on exit, stop.

    create_engine(settings, model_dir=...)  ->  EngineSupervisor | ExternalEngine

Both have the same surface: `await start()`, `await stop()`, `state`, `endpoint`, `wait_ready()`,
`note_turn()`. `EngineSupervisor` owns one child process (and its process group): a fresh port and
API key per launch, /health polled until 200, restarted with back-off when it exits, and killed with
us even when we are SIGKILLed (PR_SET_PDEATHSIG). Before every launch its `ModelGuard` verifies the
model against its signed manifest (and decrypts an encrypted one into RAM, removed once loaded): a
model that fails is never launched. The engine's output may contain request text, so it is
discarded unless `log_file` is set, and never logged here. What to launch lives in `engine_spec`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import secrets
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, Protocol, Sequence
from urllib.parse import urlsplit

import httpx

from ..audit.remote import signer_for
from ..config import Settings
from .specs import (SCRATCH, Endpoint, LaunchSpec, ModelGuard, child_env, demo_server_spec, die_with_parent,
                    embed_server_spec, free_port, pooling_spec, resolve_engine_kind, transformers_spec, vllm_spec)
from ..errors import EngineStartError, EngineUnavailable
from ..keys import Keys
from .integrity import MANIFEST_NAME, ModelIntegrityError, load_model_key, manifest_path_for

__all__ = ["Endpoint", "Engine", "LaunchSpec", "EngineSupervisor", "ExternalEngine", "create_engine", "resolve_engine_kind",
           "vllm_spec", "transformers_spec", "child_env", "free_port", "STATES", "ModelGuard",
           "create_pooling_engine", "create_kb_engines"]

log = logging.getLogger("hushdesk.engine")

STATES = ("stopped", "starting", "ready", "restarting", "failed")
_STOP_GRACE = 10.0
_NO_KEY = "no-key"  # the OpenAI client refuses an empty key; an external engine without one ignores it
_RECYCLE = "recycle"


class Engine(Protocol):
    """What the rest of hushdesk uses of an engine, supervised or external (one surface, no `getattr`)."""

    @property
    def state(self) -> str: ...  # one of STATES
    @property
    def endpoint(self) -> Endpoint | None: ...  # None until ready
    @property
    def pid(self) -> int | None: ...
    @property
    def restarts(self) -> int: ...
    @property
    def recycles(self) -> int: ...
    def note_turn(self) -> None: ...  # one finished turn (counts toward recycling)
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def wait_ready(self, timeout: float) -> Endpoint: ...


class EngineSupervisor:
    """Runs one engine process built by `make_spec(port, api_key)`; restarts it when it exits.

    Back-off delays are used in order (the last repeats) and start over after a run of at least
    `stable_after` s; `stop_grace` is how long SIGTERM gets before SIGKILL. With `model_guard`, each
    launch is preceded by its `prepare_async()` (a model that fails is never launched; a restart so
    refused waits at least `integrity_retry` s, hashing a large model is not free) and followed by
    `release()`. After `recycle_turns` calls of `note_turn()` (0: never) the engine is replaced.
    Each launch gets a free port and a new key, unless `address` fixes both (the engine several app
    processes share, launched by services/ops/workers.py: they are told its address once).
    """

    def __init__(
        self,
        make_spec: Callable[[int, str], LaunchSpec],
        *,
        start_timeout: float,
        log_file: Path | None = None,
        backoff: Sequence[float] = (1, 2, 4, 8, 16, 30, 60),
        health_interval: float = 0.5,
        progress_interval: float = 10.0,
        stable_after: float = 60.0,
        stop_grace: float = _STOP_GRACE,
        liveness_interval: float = 5.0,
        liveness_failures: int = 3,
        model_guard: ModelGuard | None = None,
        recycle_turns: int = 0,
        recycle_drain: float = 10.0,
        integrity_retry: float = 300.0,
        address: tuple[int, str] | None = None,
    ) -> None:
        if not backoff:
            raise ValueError("backoff must not be empty")
        self._make_spec = make_spec
        self._start_timeout = start_timeout
        self._log_file = Path(log_file) if log_file is not None else None
        self._backoff = tuple(float(b) for b in backoff)
        self._health_interval = health_interval
        self._progress_interval = progress_interval
        self._stable_after = stable_after
        self._stop_grace = stop_grace
        self._liveness_interval = liveness_interval
        self._liveness_failures = liveness_failures
        self._state = "stopped"
        self._changed = asyncio.Condition()
        self._proc: asyncio.subprocess.Process | None = None
        self._spec: LaunchSpec | None = None
        self._monitor: asyncio.Task[None] | None = None
        self._ready_at = 0.0
        self._stopping = False
        self._restarts = 0
        self._guard, self._integrity_retry = model_guard, integrity_retry
        self._recycle_turns, self._recycle_drain = recycle_turns, recycle_drain
        self._recycle = asyncio.Event()
        self._turns = self._recycles = 0
        self._address = address  # (port, key) kept by every launch: app processes find it there

    @property
    def state(self) -> str:
        """One of 'stopped', 'starting', 'ready', 'restarting', 'failed'."""
        return self._state

    @property
    def endpoint(self) -> Endpoint | None:
        """Where to send requests while ready; None in every other state."""
        if self._state != "ready" or self._spec is None:
            return None
        return Endpoint(self._spec.base_url, self._spec.api_key, self._spec.model_name)

    @property
    def pid(self) -> int | None:
        """The engine's process id while it runs, else None."""
        proc = self._proc
        return proc.pid if proc is not None and proc.returncode is None else None

    @property
    def restarts(self) -> int:
        """How many times the engine was relaunched after exiting unexpectedly."""
        return self._restarts

    @property
    def recycles(self) -> int:
        """How many times the engine was replaced after `recycle_turns` turns."""
        return self._recycles

    def note_turn(self) -> None:
        """Count a finished turn (call it on the event loop); the `recycle_turns`-th (0: never) replaces the engine.

        Stop-then-start (two copies of a model rarely fit on one GPU): new turns get "not available"
        at once, replies already streaming get `recycle_drain` s, then a new process is launched.
        """
        if self._recycle_turns <= 0 or self._state != "ready":
            return
        self._turns += 1
        if self._turns >= self._recycle_turns:
            self._recycle.set()

    async def start(self) -> None:
        """Launch the engine and return once healthy; raise EngineStartError (child killed) if it is not."""
        if self._state in ("starting", "ready", "restarting"):
            return
        self._stopping = False
        await self._set_state("starting")
        try:
            await self._launch_until_healthy()
        except EngineStartError:
            await self._set_state("stopped" if self._stopping else "failed")
            raise
        except BaseException:
            await self._set_state("stopped")
            raise
        await self._set_state("ready")
        self._monitor = asyncio.create_task(self._watch(), name="hushdesk-engine-monitor")

    async def stop(self) -> None:
        """Stop restarting, terminate the engine's process group (SIGTERM, then SIGKILL after stop_grace s)."""
        self._stopping = True
        monitor, self._monitor = self._monitor, None
        if monitor is not None and monitor is not asyncio.current_task():
            monitor.cancel()
            try:
                await monitor
            except asyncio.CancelledError:
                pass
        proc, self._proc = self._proc, None
        if proc is not None:
            await _terminate(proc, self._stop_grace)
            log.info("engine stopped (pid %d)", proc.pid)
        await self._set_state("stopped")

    async def wait_ready(self, timeout: float) -> Endpoint:
        """The endpoint once ready; EngineUnavailable if not ready within `timeout` s or start failed."""
        try:
            async with self._changed:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._state in ("ready", "failed")), timeout
                )
        except TimeoutError:
            raise EngineUnavailable() from None
        endpoint = self.endpoint
        if endpoint is None:
            raise EngineUnavailable()
        return endpoint

    async def _set_state(self, state: str) -> None:
        async with self._changed:
            self._state = state
            self._changed.notify_all()

    async def _launch_until_healthy(self) -> None:
        """One launch; on any failure the child's process group (and a decrypted model) is gone before this raises."""
        if self._guard is None:
            await self._launch()
            return
        await self._guard.prepare_async()
        try:
            if self._stopping:
                raise EngineStartError("The model engine could not be started: it was stopped.")
            await self._launch()
        finally:
            self._guard.release()  # loaded, failed or stopped: the decrypted copy goes now

    async def _launch(self) -> None:
        try:
            port, api_key = self._address or (free_port(), secrets.token_urlsafe(32))
            spec = self._make_spec(port, api_key)
        except Exception as exc:  # e.g. the data folder is not writable
            log.error("engine launch could not be prepared (%s)", type(exc).__name__)
            raise EngineStartError("The model engine could not be started: its launch could not be prepared.") from None
        started = time.monotonic()
        try:
            proc = await self._spawn(spec)
        except (OSError, ValueError, TypeError) as exc:  # missing or not executable, bad argument
            log.error("engine could not be launched (%s: %s)", type(exc).__name__, Path(spec.argv[0]).name)
            raise EngineStartError("The model engine could not be started: its program could not be run.") from None
        self._proc, self._spec = proc, spec
        log.info("engine launched: %s, model %s, port %d, pid %d", Path(spec.argv[0]).name, spec.model_name, port, proc.pid)
        try:
            await self._wait_healthy(proc, spec, started)
        except BaseException:
            self._proc = None
            await _terminate(proc, self._stop_grace)
            raise
        self._ready_at = time.monotonic()
        self._turns = 0
        self._recycle.clear()
        log.info("engine ready in %.1f s (pid %d, port %d)", self._ready_at - started, proc.pid, port)

    async def _spawn(self, spec: LaunchSpec) -> asyncio.subprocess.Process:
        out: int = subprocess.DEVNULL
        if self._log_file is not None:
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            out = os.open(self._log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            return await asyncio.create_subprocess_exec(
                *spec.argv,
                env=dict(spec.env),
                cwd=spec.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
                preexec_fn=die_with_parent(os.getpid()),
            )
        finally:
            if out != subprocess.DEVNULL:
                os.close(out)

    async def _wait_healthy(self, proc: asyncio.subprocess.Process, spec: LaunchSpec, started: float) -> None:
        exited = asyncio.ensure_future(proc.wait())
        deadline = started + self._start_timeout
        next_progress = started + self._progress_interval
        try:
            # trust_env=False: a proxy from the environment must never see loopback traffic.
            async with httpx.AsyncClient(trust_env=False) as client:
                while True:
                    if exited.done():
                        log.error("engine exited with code %s while starting (pid %d)", proc.returncode, proc.pid)
                        raise EngineStartError(
                            f"The model engine could not be started: it exited with code {proc.returncode}."
                        )
                    if self._stopping:
                        raise EngineStartError("The model engine could not be started: it was stopped.")
                    now = time.monotonic()
                    if now >= deadline:
                        log.error("engine not healthy after %.0f s (pid %d); killing it", now - started, proc.pid)
                        raise EngineStartError(
                            "The model engine could not be started: it did not become healthy "
                            f"within {self._start_timeout:g} s."
                        )
                    if now >= next_progress:
                        log.info("engine starting, waited %d s", now - started)
                        next_progress += self._progress_interval
                    if await _healthy(client, spec.health_url, min(5.0, max(0.1, deadline - now))):
                        return
                    await asyncio.wait({exited}, timeout=self._health_interval)
        finally:
            exited.cancel()

    async def _watch(self) -> None:
        """Wait for the engine to exit; relaunch it with back-off until stop() cancels this task."""
        attempt = 0
        while self._proc is not None:
            proc = self._proc
            why = await self._until_exit_or_unhealthy(proc)
            ran = time.monotonic() - self._ready_at
            await self._set_state("restarting")
            recycled = why == _RECYCLE
            if recycled:
                log.info("engine recycled after %d turns (pid %d)", self._turns, proc.pid)
                await asyncio.sleep(self._recycle_drain)  # replies already streaming may finish
                self._recycles += 1
            else:
                log.warning("engine %s after %.1f s (pid %d)", why, ran, proc.pid)
            await _terminate(proc, self._stop_grace)  # whatever else is left in its process group
            self._proc = None  # its pid may be reused: never signal it again
            if ran >= self._stable_after or recycled:
                attempt = 0
            refused = False
            while True:
                if not recycled:  # a replacement starts at once; after a failure it backs off as after a crash
                    delay = self._backoff[min(attempt, len(self._backoff) - 1)]
                    attempt += 1
                    delay = max(delay, self._integrity_retry) if refused else delay
                    log.info("engine restart %d in %g s", attempt, delay)
                    await asyncio.sleep(delay)
                    self._restarts += 1
                recycled = False
                try:
                    await self._launch_until_healthy()
                    break
                except EngineStartError as exc:  # fixed messages: safe to log
                    refused = isinstance(exc, ModelIntegrityError)
                    log.warning("engine restart %d failed: %s", attempt, exc.message)
            await self._set_state("ready")

    async def _until_exit_or_unhealthy(self, proc: asyncio.subprocess.Process) -> str:
        """Return why a ready engine must be replaced: it exited, or /health failed repeatedly.

        A process can outlive its usefulness: vLLM answers 503 once its engine core has died,
        and a hung server answers nothing; both count as dead after `liveness_failures` checks.
        """
        exited = asyncio.ensure_future(proc.wait())
        recycle = asyncio.ensure_future(self._recycle.wait())
        failures = 0
        try:
            async with httpx.AsyncClient(trust_env=False) as client:
                while True:
                    done, _ = await asyncio.wait({exited, recycle}, timeout=self._liveness_interval,
                                                 return_when=asyncio.FIRST_COMPLETED)
                    if exited in done:
                        return f"exited unexpectedly with code {proc.returncode}"
                    if recycle in done:
                        return _RECYCLE
                    assert self._spec is not None
                    if await _healthy(client, self._spec.health_url, self._liveness_interval):
                        failures = 0
                        continue
                    failures += 1
                    if failures >= self._liveness_failures:
                        return f"failed {failures} health checks in a row"
        finally:
            exited.cancel()
            recycle.cancel()


class ExternalEngine:
    """An engine someone else runs (settings.engine_url): nothing is launched; always 'ready' once started."""

    def __init__(self, settings: Settings, *, probe_timeout: float = 5.0) -> None:
        if not settings.engine_url:
            raise ValueError("settings.engine_url is required for an external engine")
        key = settings.engine_api_key.get() if settings.engine_api_key is not None else ""
        self._endpoint = Endpoint(settings.engine_url, key or _NO_KEY, settings.model_name)
        self._probe_timeout = probe_timeout
        self._state = "stopped"

    @property
    def state(self) -> str:
        """'ready' after start(), 'stopped' before it and after stop()."""
        return self._state

    @property
    def endpoint(self) -> Endpoint | None:
        """The configured endpoint while ready, else None."""
        return self._endpoint if self._state == "ready" else None

    @property
    def pid(self) -> None:
        """Always None: nothing is launched."""
        return None

    @property
    def restarts(self) -> int:
        """Always 0: nothing is launched."""
        return 0

    @property
    def recycles(self) -> int:
        """Always 0: nothing is launched."""
        return 0

    def note_turn(self) -> None:
        """Nothing to recycle: the engine is someone else's."""

    async def _models(self) -> int | str:
        """The HTTP status of `GET {url}/models`, or the name of the error that stopped it."""
        headers = {"Authorization": f"Bearer {self._endpoint.api_key}"}
        try:
            async with httpx.AsyncClient(timeout=self._probe_timeout, trust_env=False) as client:
                return (await client.get(self._endpoint.base_url + "/models", headers=headers)).status_code
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return type(exc).__name__

    async def probe(self) -> bool:
        """Whether the engine answers now (the readiness check: nothing here watches it between turns)."""
        return self._state == "ready" and await self._models() == 200

    async def start(self) -> None:
        """Check once that `GET {url}/models` answers, logging a warning (never raising) if not."""
        where = urlsplit(self._endpoint.base_url)
        host = f"{where.hostname}:{where.port}" if where.port else str(where.hostname)
        answer = await self._models()
        if answer == 200:
            log.info("external engine at %s answers, model %s", host, self._endpoint.model_name)
        elif isinstance(answer, int):
            log.warning("external engine at %s answered /models with HTTP %d", host, answer)
        else:
            log.warning("external engine at %s did not answer (%s)", host, answer)
        self._state = "ready"

    async def stop(self) -> None:
        """Forget the endpoint; the engine itself is left running."""
        self._state = "stopped"

    async def wait_ready(self, timeout: float) -> Endpoint:
        """The endpoint if started, else EngineUnavailable (there is nothing to wait for)."""
        if self._state != "ready":
            raise EngineUnavailable()
        return self._endpoint


def create_engine(settings: Settings, *, model_dir: Path, keys: Keys | None = None,
                  scratch: Path = SCRATCH, demo: bool = False,
                  address: tuple[int, str] | None = None) -> EngineSupervisor | ExternalEngine:
    """The engine for `settings` (see resolve_engine_kind), serving `model_dir` unless external.

    Before each launch the model is checked against its manifest signed with the instance's key
    (the signer service's, or the key file's) and, if encrypted, decrypted under `scratch` (tmpfs).
    `demo`: `model_dir` is the generated demo model; on the CPU it is served by the demo engine, which
    quotes the message it received before its noise (demo_server_spec).
    """
    kind = resolve_engine_kind(settings)
    log.info("engine kind %s (setting %s)", kind, settings.engine)
    if kind == "external":
        return ExternalEngine(settings)
    build = vllm_spec if kind == "vllm" else demo_server_spec if demo else transformers_spec
    signer = signer_for(settings, keys) if keys is not None else None
    guard = ModelGuard(model_dir, public=lambda: (signer or signer_for(settings)).public,
                       model_key=lambda: load_model_key(settings), manifest_path=manifest_path_for(settings, model_dir),
                       require_manifest=settings.require_model_manifest, scratch=scratch)

    def make_spec(port: int, api_key: str) -> LaunchSpec:
        return build(guard.serving_dir, port=port, api_key=api_key, model_name=settings.model_name, settings=settings)

    return EngineSupervisor(make_spec, start_timeout=settings.engine_start_timeout, log_file=settings.engine_log_file,
                            model_guard=guard, recycle_turns=settings.engine_recycle_turns, address=address)


def create_pooling_engine(settings: Settings, *, model_dir: Path, rerank: bool = False, keys: Keys | None = None,
                          scratch: Path = SCRATCH) -> EngineSupervisor:
    """A supervised engine serving `model_dir` for the knowledge base: `/v1/embeddings`, or `/v1/rerank` with `rerank`.

    On a GPU (vLLM installed, as for the chat engine) a second `vllm serve --runner pooling`; elsewhere the
    built-in CPU server (`services.engine.embed_server`). Launched, health-checked, restarted and stopped like
    the chat engine, under the same model check: the folder's own signed manifest
    (`<model_dir>/hushdesk-manifest.json`) and, if encrypted, decryption into RAM.
    """
    chat_kind = resolve_engine_kind(settings if settings.engine != "external" else dataclasses.replace(settings, engine="auto"))
    name = settings.kb_embedding_name if not rerank else settings.kb_embedding_name + "-rerank"
    signer = signer_for(settings, keys) if keys is not None else None
    guard = ModelGuard(model_dir, public=lambda: (signer or signer_for(settings)).public,
                       model_key=lambda: load_model_key(settings), manifest_path=Path(model_dir) / MANIFEST_NAME,
                       require_manifest=settings.require_model_manifest, scratch=scratch)

    def make_spec(port: int, api_key: str) -> LaunchSpec:
        if chat_kind == "vllm":
            return pooling_spec(guard.serving_dir, port=port, api_key=api_key, model_name=name, settings=settings,
                                rerank=rerank)
        return embed_server_spec(guard.serving_dir, port=port, api_key=api_key, model_name=name, settings=settings,
                                 rerank=rerank)

    log.info("knowledge-base %s engine: %s", "rerank" if rerank else "embedding",
             "vllm pooling" if chat_kind == "vllm" else "built-in CPU server")
    return EngineSupervisor(make_spec, start_timeout=settings.engine_start_timeout, log_file=settings.engine_log_file,
                            model_guard=guard)


def create_kb_engines(settings: Settings, *, keys: Keys | None = None, scratch: Path = SCRATCH
                      ) -> tuple[EngineSupervisor | ExternalEngine | None, EngineSupervisor | None]:
    """(embedding engine, reranker engine) for the settings; None where not configured.

    HUSHDESK_KB_EMBEDDING_URL wins over HUSHDESK_KB_EMBEDDING_MODEL (nothing is launched for it); the
    reranker is launched only from HUSHDESK_KB_RERANK_MODEL. Start them with `await engine.start()`
    like the chat engine (each may take minutes on first boot) and stop them at shutdown.
    """
    embed: EngineSupervisor | ExternalEngine | None = None
    if settings.kb_embedding_url:
        embed = ExternalEngine(dataclasses.replace(settings, engine_url=settings.kb_embedding_url,
                                                   engine_api_key=settings.kb_embedding_api_key,
                                                   model_name=settings.kb_embedding_name))
    elif settings.kb_embedding_model is not None:
        embed = create_pooling_engine(settings, model_dir=settings.kb_embedding_model, keys=keys, scratch=scratch)
    rerank = None
    if settings.kb_rerank_model is not None and embed is not None:
        rerank = create_pooling_engine(settings, model_dir=settings.kb_rerank_model, rerank=True, keys=keys,
                                       scratch=scratch)
    return embed, rerank


async def _healthy(client: httpx.AsyncClient, url: str, timeout: float) -> bool:
    try:
        answer = await client.get(url, timeout=timeout)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200


async def _terminate(proc: asyncio.subprocess.Process, grace: float) -> None:
    """SIGTERM the process group led by `proc`, SIGKILL it after `grace` s; return when all are gone."""
    group = proc.pid
    if not _signal_group(group, signal.SIGTERM):
        await proc.wait()
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if proc.returncode is not None and not _group_alive(group):
            return
        await asyncio.sleep(0.05)
    log.warning("engine did not stop within %g s; killing it (pid %d)", grace, group)
    _signal_group(group, signal.SIGKILL)
    await proc.wait()
    for _ in range(40):  # members reparented to init are reaped by it; do not wait forever on that
        if not _group_alive(group):
            return
        await asyncio.sleep(0.05)


def _signal_group(group: int, sig: signal.Signals) -> bool:
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    return True


def _group_alive(group: int) -> bool:
    """Any live (non-zombie) process left in the group? Zombies wait on init, which may be slow."""
    if not _signal_group(group, 0):  # type: ignore[arg-type]
        return False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == group and fields[0] != b"Z":
            return True
    return False
