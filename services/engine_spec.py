"""What to launch: the engine kind, and the command line and environment of vLLM or `transformers serve`.

Nothing here starts a process; `services.engine` does. Every engine is bound to 127.0.0.1 on a port
chosen per launch, serves the model under a name that hides its path where the engine allows it,
and runs with telemetry and hub access off and without any hushdesk secret in its environment.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from .config import PREFIX, Settings

__all__ = [
    "Endpoint",
    "LaunchSpec",
    "resolve_engine_kind",
    "vllm_spec",
    "transformers_spec",
    "child_env",
    "free_port",
    "ENGINE_ENV",
]

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
    return LaunchSpec(
        argv=argv,
        env=MappingProxyType(child_env(settings)),
        base_url=f"http://{LOOPBACK}:{port}/v1",
        health_url=f"http://{LOOPBACK}:{port}/health",
        api_key=api_key,
        model_name=model_name,
    )


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
    return LaunchSpec(
        argv=argv,
        env=MappingProxyType(child_env(settings)),
        base_url=f"http://{LOOPBACK}:{port}/v1",
        health_url=f"http://{LOOPBACK}:{port}/health",
        api_key=api_key,
        model_name=served,
        cwd=cwd,
    )


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
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # a broken CUDA install must not stop the app: fall back to the CPU engine
        return False
