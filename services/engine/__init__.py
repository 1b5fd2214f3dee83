"""The local model engine: launch specs, the supervised child process, model integrity, the client.

Public surface: `create_engine` (an `EngineSupervisor` for vLLM or the CPU engine, or an
`ExternalEngine` for any OpenAI-compatible server; both satisfy `Engine`), `LLMClient` (streams a
chat completion from the engine's endpoint), `verify_manifest` / `ModelIntegrityError` (signed model
manifests; command line `python -m services.engine.integrity`) and `ensure_demo_model` (the embedded
default model, built locally).
"""

from .client import LLMClient, StreamStats
from .demo_model import ensure_demo_model
from .integrity import ModelIntegrityError, verify_manifest
from .specs import Endpoint, LaunchSpec, resolve_engine_kind
from .supervisor import Engine, EngineSupervisor, ExternalEngine, create_engine

__all__ = [
    "Endpoint", "Engine", "EngineSupervisor", "ExternalEngine", "LLMClient", "LaunchSpec", "ModelIntegrityError",
    "StreamStats", "create_engine", "ensure_demo_model", "resolve_engine_kind", "verify_manifest",
]
