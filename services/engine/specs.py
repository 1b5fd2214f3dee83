"""What to launch: the engine kind, the command line and environment of vLLM or `transformers serve`,
and the model folder to launch them on (`ModelGuard`: verified, and decrypted into RAM if encrypted).

Nothing here starts a process; `services.engine.supervisor` does. Every engine is bound to 127.0.0.1 on a port
chosen per launch, serves the model under a name that hides its path where the engine allows it,
and runs with telemetry and hub access off and without any hushdesk secret in its environment.
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib.util
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from ..config import PREFIX, Settings
from ..errors import HushdeskError
from .integrity import (
    MANIFEST_NAME,
    ManifestCheck,
    ModelIntegrityError,
    decrypt_model,
    is_encrypted,
    refusal,
    verify_manifest,
)

__all__ = [
    "Endpoint",
    "LaunchSpec",
    "resolve_engine_kind",
    "vllm_spec",
    "transformers_spec",
    "pooling_spec",
    "embed_server_spec",
    "demo_server_spec",
    "EMBED_KEY_ENV",
    "DEMO_KEY_ENV",
    "child_env",
    "free_port",
    "ENGINE_ENV",
    "ModelGuard",
    "decrypt_to_tmpfs",
    "is_tmpfs",
    "SCRATCH",
    "die_with_parent",
]

log = logging.getLogger("hushdesk.engine")

# Set in every engine's environment: no usage statistics, no telemetry, no hub access.
ENGINE_ENV: Mapping[str, str] = MappingProxyType({
    "VLLM_NO_USAGE_STATS": "1",
    "VLLM_DO_NOT_TRACK": "1",
    "DO_NOT_TRACK": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_OFFLINE": "1",
})

# Never passed to an engine: our own settings and keys, and the app's secrets.
_DROPPED_PREFIXES = (PREFIX, "CHAINLIT_", "OAUTH_", "LITERAL_")
_DROPPED_NAMES = frozenset({"DATABASE_URL", "VLLM_DEBUG_LOG_API_SERVER_RESPONSE"})

# A served name that `transformers serve` can take as a relative folder name (no revision `@`,
# no GGUF `:`, no path separators).
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

LOOPBACK = "127.0.0.1"

# Where an encrypted model is decrypted for a launch: RAM only, never a disk.
SCRATCH = Path("/dev/shm")
SCRATCH_PREFIX = "hushdesk-model-"


@dataclass(frozen=True)
class Endpoint:
    """Where the OpenAI-compatible engine answers: `base_url` ends in /v1; send `model=model_name`."""

    base_url: str
    api_key: str
    model_name: str


@dataclass(frozen=True)
class LaunchSpec:
    """One engine launch: argv, full child environment, URLs, key and served name; `cwd` None keeps ours."""

    argv: tuple[str, ...]
    env: Mapping[str, str]
    base_url: str
    health_url: str
    api_key: str
    model_name: str
    cwd: str | None = field(default=None)

    def __repr__(self) -> str:
        # argv holds the API key (vLLM's --api-key): never print it.
        return f"LaunchSpec(executable={self.argv[0]!r}, base_url={self.base_url!r}, model_name={self.model_name!r})"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (bind to port 0 and read it back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def resolve_engine_kind(
    settings: Settings,
    *,
    cuda_available: Callable[[], bool] | None = None,
    vllm_installed: Callable[[], bool] | None = None,
) -> str:
    """The engine to use: settings.engine, or for 'auto' 'vllm' if vLLM is installed and a CUDA GPU found, else 'transformers'."""
    if settings.engine != "auto":
        return settings.engine
    installed = (vllm_installed or _vllm_installed)()
    if installed and (cuda_available or _cuda_available)():
        return "vllm"
    return "transformers"


def child_env(settings: Settings) -> dict[str, str]:
    """A copy of os.environ without hushdesk/app secrets, plus telemetry off and a private HF_HOME."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_DROPPED_PREFIXES) and name not in _DROPPED_NAMES
    }
    env.update(ENGINE_ENV)
    hf_home = _engine_home(settings) / "hf"
    # `transformers serve` answers /v1/models with a 500 when the hub cache folder is missing.
    (hf_home / "hub").mkdir(parents=True, exist_ok=True, mode=0o700)
    env["HF_HOME"] = str(hf_home)
    return env



def _loopback(argv: tuple[str, ...], settings: Settings, *, port: int, api_key: str, model_name: str,
              env: dict[str, str] | None = None, cwd: str | None = None) -> LaunchSpec:
    """A launch on 127.0.0.1:port with the child environment (telemetry off, none of our keys) or `env`."""
    return LaunchSpec(
        argv=argv,
        env=MappingProxyType(child_env(settings) if env is None else env),
        base_url=f"http://{LOOPBACK}:{port}/v1",
        health_url=f"http://{LOOPBACK}:{port}/health",
        api_key=api_key,
        model_name=model_name,
        cwd=cwd,
    )

def vllm_spec(
    model_dir: Path,
    *,
    port: int,
    api_key: str,
    model_name: str,
    settings: Settings,
    executable: str | Path | None = None,
) -> LaunchSpec:
    """`vllm serve` on 127.0.0.1:port, serving `model_dir` as `model_name`, requiring `api_key` on /v1.

    The key guards only /v1 and a few other routes (/tokenize, /metrics stay open), which is why the
    engine is bound to loopback. Request logging stays at vLLM's default (off): the removed
    `--disable-log-requests` is an error in vLLM 0.33 and `--enable-log-requests` is never passed.
    """
    program = str(executable) if executable is not None else _find_executable(Path(sys.prefix) / "bin" / "vllm")
    argv = (
        program, "serve", str(model_dir),
        "--host", LOOPBACK,
        "--port", str(port),
        "--served-model-name", model_name,
        "--api-key", api_key,
        "--max-model-len", str(settings.vllm_max_model_len),
        "--gpu-memory-utilization", str(settings.vllm_gpu_memory_utilization),
        "--disable-uvicorn-access-log",
        "--disable-log-stats",
        *settings.engine_extra_args,
    )
    return _loopback(tuple(argv), settings, port=port, api_key=api_key, model_name=model_name)


def transformers_spec(
    model_dir: Path,
    *,
    port: int,
    api_key: str,
    model_name: str,
    settings: Settings,
    executable: str | Path | None = None,
) -> LaunchSpec:
    """`transformers serve` on 127.0.0.1:port with `model_dir` preloaded (the CPU engine).

    `transformers serve` has no API key option: `api_key` is carried in the Endpoint and sent by
    clients, but the engine does not check it; it is bound to loopback only.

    The server refuses any request whose `model` differs from the folder it was started with, and
    has no option to rename it. To serve under `model_name` rather than the path, the engine runs in
    a private folder holding a link named `model_name` to `model_dir`, and is started with that
    relative name. A name that cannot be a plain folder name falls back to the absolute path.
    """
    program = str(executable) if executable is not None else _find_executable(
        Path(sys.executable).parent / "transformers"
    )
    model_dir = Path(model_dir).resolve()
    cwd: str | None = None
    served = str(model_dir)
    if _PLAIN_NAME.fullmatch(model_name) and model_name not in (".", ".."):
        run_dir = _engine_home(settings) / "run"
        run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        _point_link(run_dir / model_name, model_dir)
        cwd, served = str(run_dir), model_name
    argv = (
        program, "serve", served,
        "--host", LOOPBACK,
        "--port", str(port),
        "--device", "auto",
        "--log-level", "warning",
        *settings.engine_extra_args,
    )
    return _loopback(tuple(argv), settings, port=port, api_key=api_key, model_name=served, cwd=cwd)


# vLLM's pooling runner for a Qwen3 reranker (a causal LM scored by its "yes"/"no" logits): FINDINGS, vLLM 0.33.
_QWEN3_RERANKER_OVERRIDES = {"architectures": ["Qwen3ForSequenceClassification"],
                             "classifier_from_token": ["no", "yes"], "is_original_qwen3_reranker": True}
# Passages are at most HUSHDESK_KB_CHUNK_CHARS (8000) characters: a pooling engine never needs a long context.
_POOLING_MAX_LEN = 8192
# The built-in embedding server reads its per-launch key from here (never from argv, which `ps` shows).
EMBED_KEY_ENV = "EMBED_SERVER_API_KEY"
_REPO_ROOT = Path(__file__).resolve().parents[2]


def pooling_spec(
    model_dir: Path,
    *,
    port: int,
    api_key: str,
    model_name: str,
    settings: Settings,
    rerank: bool = False,
    executable: str | Path | None = None,
) -> LaunchSpec:
    """`vllm serve DIR --runner pooling` on 127.0.0.1:port: `/v1/embeddings`, or `/v1/rerank` with `rerank`.

    The same guards as the chat engine's `vllm_spec` (loopback, key on /v1, telemetry off, no request
    log, served name hiding the path), its own small GPU share (HUSHDESK_KB_POOLING_GPU_MEMORY_UTILIZATION)
    and none of the chat engine's extra arguments. A reranker whose config names a Qwen3 causal LM gets
    the overrides that make vLLM score it by its "yes"/"no" logits; a cross-encoder needs none.
    """
    program = str(executable) if executable is not None else _find_executable(Path(sys.prefix) / "bin" / "vllm")
    argv = [
        program, "serve", str(model_dir),
        "--runner", "pooling",
        "--host", LOOPBACK,
        "--port", str(port),
        "--served-model-name", model_name,
        "--api-key", api_key,
        "--max-model-len", str(_POOLING_MAX_LEN),
        "--gpu-memory-utilization", str(settings.kb_pooling_gpu_memory_utilization),
        "--disable-uvicorn-access-log",
        "--disable-log-stats",
    ]
    if rerank and _is_qwen3_causal(model_dir):
        argv += ["--hf_overrides", json.dumps(_QWEN3_RERANKER_OVERRIDES, separators=(",", ":"))]
    return _loopback(tuple(argv), settings, port=port, api_key=api_key, model_name=model_name)


def embed_server_spec(
    model_dir: Path,
    *,
    port: int,
    api_key: str,
    model_name: str,
    settings: Settings,
    rerank: bool = False,
) -> LaunchSpec:
    """`python -m services.engine.embed_server` on 127.0.0.1:port: the CPU's `/v1/embeddings` (or `/v1/rerank`).

    Our own small server (transformers + torch on the CPU; `transformers serve` has no embeddings
    route), so the knowledge base's client is the same on both. It checks the per-launch key, which it
    reads from its environment (EMBED_SERVER_API_KEY), not from argv.
    """
    return _our_server("services.engine.embed_server", EMBED_KEY_ENV, model_dir, port=port, api_key=api_key,
                       model_name=model_name, settings=settings, extra=("--rerank",) if rerank else ())


# The demo engine reads its per-launch key from here (never from argv).
DEMO_KEY_ENV = "DEMO_SERVER_API_KEY"


def demo_server_spec(
    model_dir: Path,
    *,
    port: int,
    api_key: str,
    model_name: str,
    settings: Settings,
) -> LaunchSpec:
    """`python -m services.engine.demo_server` on 127.0.0.1:port: the generated demo model behind a chat
    server that quotes the message it received before its noise (services/engine/demo_server.py), so a
    first run shows what the model was sent. It checks the per-launch key from DEMO_SERVER_API_KEY."""
    return _our_server("services.engine.demo_server", DEMO_KEY_ENV, model_dir, port=port, api_key=api_key,
                       model_name=model_name, settings=settings)


def _our_server(module: str, key_env: str, model_dir: Path, *, port: int, api_key: str, model_name: str,
                settings: Settings, extra: tuple[str, ...] = ()) -> LaunchSpec:
    """`python -m module` (one of our own small servers) on 127.0.0.1:port with its per-launch key in
    `key_env` (never argv) and this checkout on its path."""
    env = child_env(settings)
    env[key_env] = api_key
    env["PYTHONPATH"] = str(_REPO_ROOT)
    argv = (sys.executable, "-m", module, "--model", str(model_dir), "--host", LOOPBACK, "--port", str(port),
            "--served-model-name", model_name, *extra)
    return _loopback(argv, settings, port=port, api_key=api_key, model_name=model_name, env=env, cwd=str(_REPO_ROOT))


def _is_qwen3_causal(model_dir: Path) -> bool:
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and "Qwen3ForCausalLM" in (config.get("architectures") or ())


def is_tmpfs(path: Path) -> bool:
    """Whether `path` lies on a tmpfs or ramfs mount (read from /proc/self/mounts)."""
    real, best, kind = os.path.realpath(path), "", ""
    try:
        lines = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].encode().decode("unicode_escape")  # \040 for spaces
        if (real == point or real.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind in ("tmpfs", "ramfs")


def _sweep(base: Path) -> None:
    """Remove decrypted folders left by a hushdesk process that died (e.g. SIGKILL) before its clean-up."""
    try:
        entries = list(base.glob(SCRATCH_PREFIX + "*"))
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        try:
            if entry.is_dir() and entry.stat().st_uid == os.getuid() and pid.isdigit() and int(pid) != os.getpid():
                os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


def decrypt_to_tmpfs(src_dir: Path, key: bytes, *, base: Path = SCRATCH, require_tmpfs: bool = True,
                     cancel: threading.Event | None = None) -> Path:
    """Decrypt into a new private (0700) folder under `base`, which must be tmpfs; removed again on failure."""
    base = Path(base)
    if not base.is_dir() or (require_tmpfs and not is_tmpfs(base)):
        raise ModelIntegrityError(f"{base} is not a tmpfs (RAM) folder: an encrypted model is only decrypted "
                                  "into RAM, never onto a disk; refusing to launch.")
    _sweep(base)
    need = sum(p.stat().st_size for p in Path(src_dir).rglob("*") if p.is_file())
    fs = os.statvfs(base)
    if fs.f_bavail * fs.f_frsize < need:
        raise ModelIntegrityError(f"{base} has too little room to decrypt the model (needs {need >> 20} MB, "
                                  f"{(fs.f_bavail * fs.f_frsize) >> 20} MB free); enlarge it (e.g. docker --shm-size).")
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=base))
    try:
        os.chmod(scratch, 0o700)
        decrypt_model(src_dir, scratch / "model", key, cancel=cancel)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return scratch / "model"


class ModelGuard:
    """Before each launch `prepare()` verifies the model (and decrypts it to tmpfs); `release()` removes that copy.

    `public` and `model_key` are called at each launch, so a key added meanwhile is used. While
    prepared, `serving_dir` is the folder the engine must load (the decrypted copy, or `model_dir`).
    """

    def __init__(self, model_dir: Path, *, public: Callable[[], bytes], model_key: Callable[[], bytes | None],
                 manifest_path: Path | None = None, require_manifest: bool = True, scratch: Path = SCRATCH,
                 require_tmpfs: bool = True, workers: int | None = None) -> None:
        self.model_dir = Path(model_dir)
        self.manifest_path = Path(manifest_path) if manifest_path else self.model_dir / MANIFEST_NAME
        self._public, self._model_key = public, model_key
        self._require, self._workers = require_manifest, workers
        self._scratch, self._tmpfs = Path(scratch), require_tmpfs
        self._decrypted: Path | None = None
        self.last_check: ManifestCheck | None = None  # of the latest prepare(), for logging
        self.verify_seconds = 0.0

    @property
    def serving_dir(self) -> Path:
        """The folder to launch the engine on."""
        return self._decrypted or self.model_dir

    def prepare(self, cancel: threading.Event | None = None) -> Path:
        """Verify the manifest (when required or present), decrypt if encrypted; ModelIntegrityError if not fit."""
        self.release()
        try:
            self.last_check = None
            if self._require or self.manifest_path.exists():
                started = time.monotonic()
                check = verify_manifest(self.model_dir, self._public(), self.manifest_path, workers=self._workers)
                self.last_check, self.verify_seconds = check, time.monotonic() - started
                if not check.ok:
                    raise refusal(check, self.model_dir)
            if is_encrypted(self.model_dir):
                key = self._model_key()
                if key is None:
                    raise ModelIntegrityError("The model is encrypted but there is no model key: set "
                                              "HUSHDESK_MODEL_KEY or model_key in the key file.")
                self._decrypted = decrypt_to_tmpfs(self.model_dir, key, base=self._scratch,
                                                   require_tmpfs=self._tmpfs, cancel=cancel)
        except OSError:
            raise ModelIntegrityError("The model's files could not be read; refusing to launch.") from None
        except ModelIntegrityError:
            raise
        except HushdeskError as exc:  # e.g. the key file: its message is fixed and safe
            raise ModelIntegrityError(exc.message) from None
        return self.serving_dir

    async def prepare_async(self) -> None:
        """`prepare()` in a thread; if cancelled, stop it, wait for it and remove what it decrypted."""
        cancel = threading.Event()
        work = asyncio.ensure_future(asyncio.to_thread(self.prepare, cancel))
        try:
            await asyncio.shield(work)
        except asyncio.CancelledError:
            cancel.set()
            await asyncio.wait({work})
            self.release()
            raise
        except ModelIntegrityError:
            raise
        except Exception as exc:  # noqa: BLE001 - never launch a model we could not check
            log.error("model could not be prepared (%s)", type(exc).__name__)
            raise ModelIntegrityError("The model engine could not be started: "
                                      "the model could not be checked.") from None
        if self.last_check is None:
            log.warning("model launched without a manifest check (HUSHDESK_REQUIRE_MODEL_MANIFEST=false)")
        else:
            check, decrypted = self.last_check, "; decrypted into RAM" if self._decrypted else ""
            log.info("model verified: %d files, %.1f MB in %.1f s%s", check.files, check.bytes / 2**20,
                     self.verify_seconds, decrypted)

    def release(self) -> None:
        """Remove the decrypted copy, if any (the engine has loaded it, failed or stopped)."""
        decrypted, self._decrypted = self._decrypted, None
        if decrypted is not None:
            shutil.rmtree(decrypted.parent, ignore_errors=True)


def _engine_home(settings: Settings) -> Path:
    home = Path(settings.data_dir).resolve() / "engine"
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return home


def _point_link(link: Path, target: Path) -> None:
    """Make `link` a symlink to `target`, replacing an older link atomically."""
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, link)


def _find_executable(preferred: Path) -> str:
    """`preferred` (next to our interpreter) when it exists, else the same name on PATH, else `preferred`."""
    if preferred.is_file():
        return str(preferred)
    return shutil.which(preferred.name) or str(preferred)


def _vllm_installed() -> bool:
    try:
        return importlib.util.find_spec("vllm") is not None
    except (ImportError, ValueError):
        return False


def _cuda_available() -> bool:
    """A CUDA GPU is visible: `nvidia-smi -L` lists one, else torch says so (only if importable)."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            done = subprocess.run(
                [smi, "-L"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                timeout=10, check=False,
            )
            if done.returncode == 0 and b"GPU" in done.stdout:
                return True
        except (OSError, subprocess.SubprocessError):
            pass
    if importlib.util.find_spec("torch") is None:
        return False
    try:
        import torch  # deferred: torch is a GPU-host dependency, heavy to import, absent on most hosts

        return bool(torch.cuda.is_available())
    except Exception:  # a broken CUDA install must not stop the app: fall back to the CPU engine
        return False


def die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when we die, even by SIGKILL; None elsewhere.

    The signal follows the thread that forked, so the engine must be started from a thread that
    lives as long as the app (the event loop's).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # loaded here: no dlopen between fork and exec
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent_pid:  # we died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec
